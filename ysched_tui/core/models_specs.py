"""What a job *is*: :class:`JobSpec`, its targets (command, HTTP, Python, script), retries, hooks.

A spec is declared in a jobs file, the Python API, a script or at runtime; identical specs from the
same source are a no-op on sync. Re-exported by :mod:`ysched_tui.core.models`.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from ysched_tui.core.models_base import _Model
from ysched_tui.core.triggers import TriggerSpec

CODE_PATTERN = r"^[A-Za-z0-9_.-]+$"
"""What a job code may contain: operators type it, so no spaces or shell metacharacters."""

_CODE_RE = re.compile(CODE_PATTERN)


class JobSource(StrEnum):
    """Where a job definition came from."""

    FILE = "file"
    API = "api"
    SCRIPT = "script"
    RUNTIME = "runtime"


class CatchUp(StrEnum):
    """What to do with fires missed while the scheduler was down."""

    ONCE = "once"
    ALL = "all"
    SKIP = "skip"


class RetryPolicy(_Model):
    """How failed runs are retried: ``delay * backoff**(n-1)`` capped at ``max_delay``."""

    max: int = Field(default=0, ge=0)
    """Retries after the first attempt (0 = never retry)."""
    delay: float = Field(default=60.0, ge=0)
    """Seconds before the first retry."""
    backoff: float = Field(default=1.0, ge=1.0)
    """Multiplier applied to the delay for each further retry (1 = fixed delay)."""
    max_delay: float | None = Field(default=None, ge=0)
    """Upper bound of the delay in seconds."""
    retry_on: tuple[str, ...] = ()
    """For Python jobs: only exceptions of these types (qualified or bare names) are retried."""
    delays: tuple[float, ...] | None = None
    """Explicit delays per retry (``RetryStrategy.custom``); overrides delay/backoff when set."""

    def delay_for(self, retry_number: int) -> float:
        """Seconds to wait before retry ``retry_number`` (1-based)."""
        if self.delays:
            return self.delays[min(retry_number, len(self.delays)) - 1]
        d = self.delay * self.backoff ** (retry_number - 1)
        return min(d, self.max_delay) if self.max_delay is not None else d


class CommandTarget(_Model):
    """A shell command, run in its own process group."""

    kind: Literal["command"] = "command"
    command: str
    cwd: str | None = None
    env: dict[str, str] = Field(default_factory=dict)
    shell: str = "/bin/sh"
    stdin: str | None = None
    """Text fed to the command's standard input (crontab's ``%`` lines); ``None`` = /dev/null."""
    user: str | None = None
    """Run as this OS user (system crontabs); ``None`` = the scheduler's user."""


class HttpTarget(_Model):
    """An HTTP request; ``${ENV_VAR}`` references are expanded only when sending."""

    kind: Literal["http"] = "http"
    url: str
    method: str = "GET"
    headers: dict[str, str] = Field(default_factory=dict)
    params: dict[str, str] = Field(default_factory=dict)
    json_body: Any = Field(default=None, alias="json")
    data: dict[str, str] | str | None = None
    timeout: float | None = None
    """Per-request timeout in seconds (the job's timeout still bounds the whole run)."""
    success_codes: tuple[int, ...] = ()
    """Statuses counted as success; empty means any 2xx."""
    retry_on_codes: tuple[int, ...] = ()
    """Statuses that fail the run *and* allow a retry; other failures are not retried."""


class PythonTarget(_Model):
    """A callable given as ``package.module:function`` (or registered through the API)."""

    kind: Literal["python"] = "python"
    ref: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = Field(default_factory=dict)


ParamType = Literal[
    "str", "int", "float", "bool", "date", "datetime", "time", "timedelta", "list", "dict", "any"
]


class ParamSpec(_Model):
    """One parameter of a script's ``run(**params)``, read from its signature."""

    name: str
    type: ParamType = "any"
    required: bool = False
    default: Any = None
    description: str = ""


class ScriptTarget(_Model):
    """A ``*.py`` file in the scripts folder exposing ``async def run(**params)``."""

    kind: Literal["script"] = "script"
    path: str
    params: tuple[ParamSpec, ...] = ()
    values: dict[str, Any] = Field(default_factory=dict)
    """Parameter values fixed by the jobs file for scheduled runs."""


Target = Annotated[
    CommandTarget | HttpTarget | PythonTarget | ScriptTarget, Field(discriminator="kind")
]


class Hook(_Model):
    """A notification: a webhook (POST of the run as JSON) or a command, on some outcomes."""

    on: tuple[Literal["failure", "success", "missed"], ...] = ("failure",)
    webhook: str | None = None
    command: str | None = None


class JobSpec(_Model):
    """What a job is. Identical specs from the same source are a no-op on sync."""

    code: str
    name: str = ""
    description: str = ""
    tags: tuple[str, ...] = ()
    target: Target
    triggers: tuple[TriggerSpec, ...] = ()
    """Empty means manual-only."""
    timezone: str | None = None
    enabled: bool = True
    timeout: float | None = None
    """Seconds; ``None`` uses the settings' default timeout."""
    retries: RetryPolicy = RetryPolicy()
    concurrency: Literal["skip", "queue"] | int = "skip"
    """``skip``: a fire while running is recorded as skipped; ``queue``: run after; N: at most N."""
    catch_up: CatchUp | None = None
    """``None`` uses the settings' default catch-up policy."""
    misfire_grace: float | None = None
    """Seconds a fire may be late and still run; later ones are recorded as missed."""
    hooks: tuple[Hook, ...] = ()
    source: JobSource = JobSource.FILE
    source_file: str | None = None
    source_line: int | None = None

    @field_validator("code")
    @classmethod
    def _check_code(cls, v: str) -> str:
        if not _CODE_RE.match(v):
            raise ValueError(f"job code {v!r} may only contain letters, digits, '_', '.', '-'")
        return v

    @property
    def kind(self) -> str:
        """The job kind: command, http, python or script."""
        return self.target.kind

    @property
    def display_name(self) -> str:
        """The name, or the code when no name was given."""
        return self.name or self.code

