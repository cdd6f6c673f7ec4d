"""Turning a crontab(5) file into job definitions, line by line, the way cron(8) reads it.

A user crontab (``crontab -l``) has five time fields (or an ``@macro``) and a command; a system
crontab (``/etc/crontab``, ``/etc/cron.d/*``) has the user to run as in between. Environment
assignments apply to the entries after them (``SHELL`` picks the shell, cronie's ``CRON_TZ`` the
zone the times are read in, the rest is passed to the command); the comment lines right above an
entry describe it. A line that cannot be converted becomes a :class:`~ysched_tui.errors.Problem`
with its line number and the others still import. Codes are derived from what a line does, not
where it is, so importing the same file again yields the same codes.

What cronie's ``entry.c`` refuses is refused here too, so no imported job fires where cron never
did: a time field outside crontab(5)'s grammar (:mod:`.crontab_fields`), a command or user
starting with ``*`` (cron's check for a sixth time field), a ``-`` (no syslog line) in a user
crontab not owned by root, and a last line without its newline (cron ignores it). Without
``HOME``, cron starts the command in the user's home directory, so that is the job's ``cwd``.
"""

from __future__ import annotations

import os
import pwd
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ysched_tui.core.cron import MACROS
from ysched_tui.errors import Problem
from ysched_tui.importers.crontab_codes import base_code
from ysched_tui.importers.crontab_fields import FieldError, check_time_fields
from ysched_tui.importers.crontab_lines import BLANKS, parse_assignment, split_command, split_word

__all__ = ["DEFAULT_SHELL", "REBOOT", "CrontabImport", "ImportedJob", "parse_crontab"]

REBOOT = "@reboot"
"""The macro for "once when the scheduler starts"."""

DEFAULT_SHELL = "/bin/sh"
"""cron's shell when the crontab sets no ``SHELL``."""
DEFAULT_PATH = "/usr/bin:/bin"
"""cron's ``PATH`` when the crontab sets none (crontab(5); cronie's ``_PATH_DEFPATH``): written
into each imported job, so that a command finds the same programs it found under cron, not
those of the scheduler's own ``PATH``."""

_NAME_WIDTH = 60
_ASSIGNMENT_LIKE = re.compile(r"^(?:[^\s=]+|'[^']*'|\"[^\"]*\")[ \t]*=")
"""A line that starts like ``NAME =``: when it is not an assignment, say why in those terms."""


@dataclass(frozen=True, kw_only=True, slots=True)
class ImportedJob:
    """One crontab entry as a job.

    Attributes:
        code: stable job code (program name + hash of schedule, user and command).
        name: the command's first line, shortened, for lists.
        description: the comment lines directly above the entry.
        source: the file the entry came from.
        line: its 1-based line number.
        schedule: the time fields as one expression, an ``@macro`` or ``"@reboot"``.
        command: the command with ``\\%`` resolved, everything before the first ``%``.
        stdin: what cron feeds to the command's standard input (after the first ``%``).
        env: assignments in force at the entry, in order, except ``SHELL``.
        shell: ``SHELL`` in force, else ``/bin/sh``.
        user: the user to run as (system crontabs only).
        timezone: ``CRON_TZ`` in force (cronie), ``None`` for the scheduler's zone.
        cwd: ``HOME`` in force, else the user's home directory (where cron starts the
            command); ``None`` when the user has no account on this host.
    """

    code: str
    name: str
    description: str
    source: str
    line: int
    schedule: str
    command: str
    stdin: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    shell: str = DEFAULT_SHELL
    user: str | None = None
    timezone: str | None = None
    cwd: str | None = None

    @property
    def at_startup(self) -> bool:
        """Whether the entry is ``@reboot`` (runs once when the scheduler starts)."""
        return self.schedule == REBOOT


@dataclass(frozen=True, kw_only=True, slots=True)
class CrontabImport:
    """The result of reading one crontab: the jobs, and the lines that could not be converted."""

    source: str
    jobs: list[ImportedJob]
    problems: list[Problem]


class _LineError(Exception):
    """An entry cron would reject or that cannot be converted; carries the bad field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(slots=True)
class _Entry:
    """What one entry line says, before the file-wide step that assigns codes."""

    line: int
    schedule: str
    raw_command: str
    user: str | None


def parse_crontab(
    text: str, *, system: bool = False, source: str = "<stdin>", root: bool = False
) -> CrontabImport:
    """Read a crontab into jobs and problems.

    Args:
        text: the crontab's content.
        system: a system crontab, where the field after the times is the user to run as.
        source: the file name used in problems and job sources.
        root: a user crontab owned by root, which may turn off cron's log line with ``-``
            (cronie allows that only there and in system crontabs).

    Returns:
        Every entry that could be converted, in file order, and one problem per other line.
    """
    env: dict[str, str] = {}
    env_lines: dict[str, int] = {}
    comments: list[str] = []
    found: list[tuple[_Entry, ImportedJob]] = []
    problems: list[Problem] = []
    lines = text.split("\n")
    for number, raw in enumerate(lines, start=1):
        line = raw.removesuffix("\r").lstrip(BLANKS)
        if not line or line.startswith("#"):
            _note_comment(comments, line)
            continue
        if number == len(lines):
            problems.append(Problem(file=source, line=number, message=(
                "the last line has no newline at its end: cron ignores such a line (and "
                "crontab refuses to install the file); end it with a newline")))
            continue
        assignment = parse_assignment(line)
        if assignment is not None:
            env[assignment[0]] = assignment[1]
            env_lines[assignment[0]] = number
            comments.clear()
            continue
        try:
            entry = _read_entry(line, number, system, root)
            found.append((entry, _job(entry, env, env_lines, comments, source)))
        except _LineError as exc:
            problems.append(Problem(file=source, line=number, message=str(exc), field=exc.field))
        comments.clear()
    return CrontabImport(source=source, jobs=_with_codes(found), problems=problems)


def _note_comment(comments: list[str], line: str) -> None:
    """Collect a comment line; a blank line ends the block that describes the next entry."""
    if not line:
        comments.clear()
        return
    body = line[1:]
    comments.append((body[1:] if body.startswith(" ") else body).rstrip())


def _read_entry(line: str, number: int, system: bool, root: bool) -> _Entry:
    """Split an entry into schedule, user and command, validating the schedule."""
    if line.startswith("-"):  # cronie: run without the syslog line; nothing else changes
        if not (system or root):
            raise _LineError("a leading '-' (no syslog line) is allowed only in system "
                             "crontabs and root's crontab: cron refuses this line")
        line = line[1:]
        if line[:1] in ("", *BLANKS):
            raise _LineError("nothing may stand between '-' and the schedule")
    if line.startswith("@"):
        schedule, rest = split_word(line)
        if schedule != REBOOT and schedule not in MACROS:
            known = " ".join([REBOOT, *MACROS])
            raise _LineError(f"unknown macro {schedule!r}: cron knows {known} (lower case)")
    else:
        fields, rest = _time_fields(line)
        try:
            schedule = check_time_fields(fields)
        except FieldError as exc:
            raise _LineError(str(exc), exc.field) from exc
    if rest.startswith("*"):
        what = "user" if system else "command"
        raise _LineError(f"the {what} after the schedule starts with '*' - cron refuses that "
                         "as a likely sixth time field (cron has five)", what)
    user = None
    if system:
        user, rest = split_word(rest)
        if not user:
            raise _LineError("no user and command after the schedule (system crontab: "
                             "the field after the times is the user to run as)", "user")
    if not split_command(rest)[0].strip(BLANKS):
        raise _LineError("no command after the schedule" + (f" and user {user!r}" if user else ""),
                         "command")
    return _Entry(line=number, schedule=schedule, raw_command=rest, user=user)


def _time_fields(line: str) -> tuple[list[str], str]:
    """The five time fields and the rest of the line."""
    if _ASSIGNMENT_LIKE.match(line):  # no time field can contain "=": a failed assignment
        raise _LineError(
            "not an assignment as cron reads them: a quoted name or value must end with its "
            "closing quote and nothing may follow it (NAME = value or NAME = \"value\")")
    fields: list[str] = []
    rest = line
    while len(fields) < 5:
        word, rest = split_word(rest)
        if not word:
            raise _LineError(
                f"not an assignment (NAME=value) and not a cron entry: found {len(fields)} "
                "field(s) where cron expects minute hour day-of-month month day-of-week, "
                "then the command")
        fields.append(word)
    return fields, rest


def _job(
    entry: _Entry, env: dict[str, str], env_lines: dict[str, int], comments: list[str], source: str
) -> ImportedJob:
    """The job for an entry, with the assignments in force and the comments above it."""
    command, stdin = split_command(entry.raw_command)
    timezone = env.get("CRON_TZ") or None
    if timezone is not None and not _known_zone(timezone):
        raise _LineError(f"CRON_TZ={timezone!r} (set on line {env_lines['CRON_TZ']}) is not a "
                         "known IANA time zone such as 'Europe/Berlin'", "CRON_TZ")
    return ImportedJob(
        code="",
        name=_short_name(command),
        description="\n".join(comments).strip("\n"),
        source=source,
        line=entry.line,
        schedule=entry.schedule,
        command=command,
        stdin=stdin,
        env={"PATH": DEFAULT_PATH} | {k: v for k, v in env.items() if k != "SHELL"},
        shell=env.get("SHELL") or DEFAULT_SHELL,
        user=entry.user,
        timezone=timezone,
        cwd=env.get("HOME") or _home(entry.user),
    )


def _home(user: str | None) -> str | None:
    """The home directory of ``user`` (``None``: this process's user), if it has an account."""
    try:
        account = pwd.getpwuid(os.geteuid()) if user is None else pwd.getpwnam(user)
    except KeyError:
        return os.path.expanduser("~") if user is None else None
    return account.pw_dir or None


def _known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _short_name(command: str) -> str:
    """The command on one line, cut to a width that fits a list column."""
    text = " ".join(command.split())
    return text if len(text) <= _NAME_WIDTH else text[: _NAME_WIDTH - 1].rstrip() + "…"


def _with_codes(found: list[tuple[_Entry, ImportedJob]]) -> list[ImportedJob]:
    """Give each job its code; the n-th repeat of an identical entry gets ``-n`` appended."""
    seen: Counter[str] = Counter()
    jobs: list[ImportedJob] = []
    for entry, job in found:
        base = base_code(entry.schedule, entry.raw_command, entry.user)
        seen[base] += 1
        code = base if seen[base] == 1 else f"{base}-{seen[base]}"
        jobs.append(replace(job, code=code))
    return jobs
