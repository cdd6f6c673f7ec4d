"""The exception tree of ysched-tui.

Every error the product raises on purpose derives from :class:`YschedError`, so a caller (the
CLI, the console, the control API) can catch one type and show ``str(exc)``: each message names
what is wrong and where.

    YschedError
    ├── ConfigError                  bad settings, jobs file or script (exit code 2)
    │   └── JobsFileError            problems in a jobs file, each with file/code/field/line
    ├── CronError                    an invalid cron expression; ``field`` names the bad field
    ├── DurationError                an invalid duration such as "5x"
    ├── ParamError                   a script parameter that is missing or cannot be parsed
    ├── JobNotFound                  an unknown job code (HTTP 404); also a LookupError
    ├── RunNotFound                  an unknown run_id (HTTP 404)
    ├── InvalidOperation             a valid request that does not apply now (HTTP 409)
    │   ├── SchedulerNotRunning      the scheduler is not running in this process
    │   ├── JobConflict              the job clashes with another (its code is taken)
    │   └── AlreadyInState           the job or run already is where the request would take it
    ├── StorageError                 the database cannot be used (exit code 1)
    │   ├── SchemaTooNew             written by a newer ysched-tui
    │   └── DatabaseLocked           another process holds it
    └── NotOwner                     this process does not schedule the database
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AlreadyInState",
    "ConfigError",
    "CronError",
    "DatabaseLocked",
    "DurationError",
    "InvalidOperation",
    "JobConflict",
    "JobNotFound",
    "JobsFileError",
    "NotOwner",
    "ParamError",
    "Problem",
    "RunNotFound",
    "SchedulerNotRunning",
    "SchemaTooNew",
    "StorageError",
    "YschedError",
]


class YschedError(Exception):
    """Base class of every error ysched-tui raises on purpose."""

    exit_code: int = 1


class ConfigError(YschedError):
    """Settings, a jobs file or a script is invalid: a usage/config error (exit code 2)."""

    exit_code = 2


@dataclass(frozen=True, kw_only=True, slots=True)
class Problem:
    """One problem found in a jobs file.

    Attributes:
        file: the file it was found in.
        message: what is wrong and what was expected.
        code: the job code, when the problem belongs to one job.
        field: the field name (dotted for nested fields, e.g. ``retries.max``).
        line: the 1-based line number in the file, where it could be found.
    """

    file: str
    message: str
    code: str | None = None
    field: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        parts = [where]
        if self.code:
            parts.append(f"job {self.code!r}")
        if self.field:
            parts.append(f"field {self.field!r}")
        return ": ".join([", ".join(parts), self.message])


class JobsFileError(ConfigError):
    """A jobs file (TOML or Python) has one or more problems; ``problems`` lists each."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class CronError(YschedError):
    """An invalid cron expression. ``field`` names the bad field (``minute``, ``hour``, ...)."""

    exit_code = 2

    def __init__(self, message: str, *, expr: str, field: str | None = None) -> None:
        self.expr = expr
        self.field = field
        super().__init__(message)


class DurationError(YschedError):
    """An invalid duration string."""

    exit_code = 2


class ParamError(YschedError):
    """A script parameter is missing or its value cannot be parsed to the declared type."""

    exit_code = 2

    def __init__(self, message: str, *, param: str | None = None) -> None:
        self.param = param
        super().__init__(message)


class JobNotFound(YschedError, LookupError):
    """No job has this code (a :class:`LookupError` too, like a missing key)."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(f"unknown job code {code!r}")


class RunNotFound(YschedError):
    """No run has this run_id."""

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        super().__init__(f"unknown run_id {run_id!r}")


class InvalidOperation(YschedError):
    """The request is well formed but does not apply in the current state.

    Raised as such for a request that cannot apply at all (a trend unit that does not exist);
    the subclasses say why a request does not apply now.
    """


class SchedulerNotRunning(InvalidOperation):
    """The scheduler is not running in this process (not started yet, or stopped)."""


class JobConflict(InvalidOperation):
    """The job clashes with another one: its code is already taken (by a job declared
    elsewhere, or added before without ``replace``)."""


class AlreadyInState(InvalidOperation):
    """The job or run is already where the request would take it: pausing a paused job,
    enabling an enabled one, reverting a job with no override, cancelling a finished run."""


class StorageError(YschedError):
    """The database cannot be opened, read or written."""


class SchemaTooNew(StorageError):
    """The database was written by a newer ysched-tui than this one."""


class DatabaseLocked(StorageError):
    """The database is locked by another process."""


class NotOwner(YschedError):
    """This process does not own (schedule) the database, and no owner could be reached."""
