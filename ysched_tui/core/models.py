"""Job specifications, job state, run records and the audit: the data every layer exchanges.

A :class:`JobSpec` is what a job *is* (declared in a jobs file, the Python API, a script or at
runtime), with its target (command, HTTP, Python, script), retries and hooks. :class:`JobState` is
what the engine persists about it (paused, operator overrides, next fire, counters).
:class:`JobView` joins both for readers (console, CLI, API). A :class:`RunRecord` is one execution
and :class:`OutputLine` one line it printed; :class:`StatsReport` and :class:`TrendBucket` are the
figures computed from runs. :class:`AuditEntry` records one operator action and its
:class:`Actor`.

Every model is a value: frozen (hashable, safe to share between the engine, the console and the
parse cache), unknown fields refused, fields settable by name or alias.
"""

from __future__ import annotations

import itertools
import re
import secrets
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ysched_tui.core.triggers import TriggerSpec


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


# -- Specs: what a job is --------------------------------------------------------------------------

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


# -- Runs: one execution, its output, the figures over runs ----------------------------------------


class RunStatus(StrEnum):
    """The life of a run: pending -> running -> one of the final states."""

    PENDING = "pending"
    RUNNING = "running"
    SUCCESS = "success"
    FAILED = "failed"
    TIMEOUT = "timeout"
    SKIPPED = "skipped"
    MISSED = "missed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"

    @property
    def is_final(self) -> bool:
        """Whether the run has ended."""
        return self not in (RunStatus.PENDING, RunStatus.RUNNING)

    @property
    def is_failure(self) -> bool:
        """Whether the status counts as a failure in stats and notifications."""
        return self in (RunStatus.FAILED, RunStatus.TIMEOUT, RunStatus.INTERRUPTED)


class TriggerType(StrEnum):
    """Why a run started."""

    SCHEDULED = "scheduled"
    MANUAL = "manual"
    RETRY = "retry"
    CATCH_UP = "catch_up"


class RunRecord(_Model):
    """One execution of a job (or one missed/skipped fire)."""

    run_id: str
    job_code: str
    job_id: str
    attempt: int = 1
    retry_of: str | None = None
    trigger_type: TriggerType = TriggerType.SCHEDULED
    scheduled_time: datetime | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    duration_ms: int | None = None
    status: RunStatus = RunStatus.PENDING
    exit_code: int | None = None
    http_status: int | None = None
    result: Any = None
    """The job's return value as JSON (Python jobs, TaskResult data, HTTP body excerpt)."""
    error: str | None = None
    traceback: str | None = None
    hostname: str = ""
    pid: int | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    output_lines: int = 0
    """Lines stored for this run."""
    dropped_lines: int = 0
    """Lines not stored because of the per-run cap."""


class OutputLine(_Model):
    """One line a run printed (stdout/stderr) or logged (``task_log``, engine notes)."""

    run_id: str
    seq: int
    ts: datetime
    stream: Literal["stdout", "stderr", "log", "system"] = "stdout"
    text: str


class WindowStats(_Model):
    """Run figures over one time window: counts by outcome, success rate, duration percentiles."""

    total_runs: int = 0
    success_runs: int = 0
    failed_runs: int = 0
    timeout_runs: int = 0
    missed_runs: int = 0
    skipped_runs: int = 0
    success_rate: float | None = None
    """Percent 0..100 of final runs that succeeded; ``None`` with no runs."""
    avg_duration_ms: float | None = None
    p50_duration_ms: float | None = None
    p95_duration_ms: float | None = None


class StatsReport(_Model):
    """``get_stats()``: totals for today, the last 24 h and the last 7 days."""

    code: str | None = None
    total_jobs: int = 0
    active_jobs: int = 0
    paused_jobs: int = 0
    today: WindowStats = WindowStats()
    last_24h: WindowStats = WindowStats()
    last_7d: WindowStats = WindowStats()


class TrendBucket(_Model):
    """Runs in one hour or one day, split by outcome, with duration percentiles."""

    start: datetime
    success: int = 0
    failed: int = 0
    timeout: int = 0
    missed: int = 0
    skipped: int = 0
    p50_duration_ms: float | None = None
    p95_duration_ms: float | None = None


_RUN_SUFFIX = itertools.count(secrets.randbits(24))
"""Run id suffixes: a random start, then consecutive, so ids made by one process never collide
(6 random hex chars would: at 300 runs a second, about once in 300 seconds)."""


def new_run_id(now: datetime) -> str:
    """A run id in the format ``run_YYYYMMDD_HHMMSS_xxxxxx`` (6 hex chars).

    The hex part starts at a random value per process and counts up, unique within a process
    for 16 million runs; another process starting in the same second starts elsewhere.
    """
    return f"run_{now:%Y%m%d_%H%M%S}_{next(_RUN_SUFFIX) % 0x1000000:06x}"


def ms_between(start: datetime, end: datetime) -> int:
    """Whole milliseconds from ``start`` to ``end``."""
    return int((end - start) / timedelta(milliseconds=1))


# -- State: what the engine knows about a job besides its spec, and live figures -------------------


class JobState(_Model):
    """What the engine persists about a job besides its spec."""

    code: str
    id: str
    """Generated once (uuid4 hex) and stable for the job's life."""
    paused: bool = False
    override_triggers: tuple[TriggerSpec, ...] | None = None
    """An operator's reschedule; wins over the spec's triggers until reverted."""
    override_enabled: bool | None = None
    """An operator's enable/disable; wins over the spec's ``enabled`` until reverted."""
    next_run_time: datetime | None = None
    last_fire_time: datetime | None = None
    """The last scheduled fire handled (ran, skipped or missed): catch-up starts after it."""
    run_count: int = 0
    fail_count: int = 0
    last_run_id: str | None = None
    last_status: RunStatus | None = None
    last_duration_ms: int | None = None
    last_end_time: datetime | None = None

    def triggers_for(self, spec: JobSpec) -> tuple[TriggerSpec, ...]:
        """The triggers in force: the operator's override, else the spec's."""
        return self.override_triggers if self.override_triggers is not None else spec.triggers

    def enabled_for(self, spec: JobSpec) -> bool:
        """Whether the job is enabled: the operator's override, else the spec's."""
        return self.override_enabled if self.override_enabled is not None else spec.enabled


class JobView(_Model):
    """A job as readers see it: spec, state and live figures together."""

    spec: JobSpec
    state: JobState
    running: tuple[str, ...] = ()
    """run_ids of runs in progress."""
    running_since: datetime | None = None
    success_rate_7d: float | None = None
    """Fraction 0..1 of successful final runs in the last 7 days, ``None`` with no runs."""
    median_duration_ms: int | None = None

    @property
    def code(self) -> str:
        return self.spec.code

    @property
    def triggers(self) -> tuple[TriggerSpec, ...]:
        """The triggers in force: the operator's override, else the spec's."""
        return self.state.triggers_for(self.spec)

    @property
    def enabled(self) -> bool:
        """Whether the job is enabled (an operator override wins)."""
        return self.state.enabled_for(self.spec)

    @property
    def status_word(self) -> str:
        """running | paused | disabled | active | manual."""
        if self.running:
            return "running"
        if not self.enabled:
            return "disabled"
        if self.state.paused:
            return "paused"
        return "active" if self.triggers else "manual"


class UpcomingFire(_Model):
    """One future fire in the merged timeline of all jobs."""

    time: datetime
    code: str
    name: str
    paused: bool = False


class SchedulerStatus(_Model):
    """The header line's figures."""

    state: Literal["starting", "running", "paused", "stopping", "stopped", "attached"]
    db_path: str
    jobs_active: int = 0
    jobs_paused: int = 0
    running_now: int = 0
    failures_24h: int = 0
    owner_pid: int | None = None
    owner_host: str | None = None
    owner_since: datetime | None = None
    timezone: str = "UTC"
    jobs_file: str | None = None
    """The jobs file the owner reads (absolute), ``None`` when it has none."""
    api_urls: list[str] = Field(default_factory=list)
    """Where the owner serves its control API (``unix:///…sock``, ``http(s)://HOST:PORT``)."""


class ReloadReport(_Model):
    """What reloading the jobs file changed: job codes added, updated and removed, sorted."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def summary(self) -> str:
        """``added 1 (x), updated 0, removed 2 (a, b)``."""
        parts = []
        for word, codes in (("added", self.added), ("updated", self.updated),
                            ("removed", self.removed)):
            parts.append(f"{word} {len(codes)}" + (f" ({', '.join(codes)})" if codes else ""))
        return ", ".join(parts)


def new_job_id() -> str:
    """A job id: a random uuid4 in hex."""
    import uuid

    return uuid.uuid4().hex


# -- Audit: who did what ---------------------------------------------------------------------------


AuditAction = Literal[
    "pause", "resume", "trigger", "reschedule", "cancel", "create", "delete", "revert",
    "enable", "disable", "reload",
]
"""The operator actions the audit records."""

Via = Literal["console", "cli", "api", "python", "signal"]
"""How an operator reached the scheduler: the console, the CLI, the control API (a script or
``curl``), Python code calling the service in-process, or a signal to the daemon (SIGHUP)."""


class Actor(_Model):
    """Who performed an operator action, for the audit."""

    user: str
    """The OS user name (``?`` when a TCP client did not say)."""
    address: str | None = None
    """The SSH client address (``SSH_CONNECTION``/``SSH_CLIENT``), or the TCP peer's."""
    via: Via = "python"

    @classmethod
    def here(cls, via: Via) -> Actor:
        """This process's user and SSH client address, acting through ``via``."""
        import getpass
        import os

        try:
            user = getpass.getuser()
        except (KeyError, OSError):
            user = str(os.getuid())
        ssh = os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_CLIENT") or ""
        return cls(user=user, address=ssh.split()[0] if ssh.split() else None, via=via)


class AuditEntry(_Model):
    """One recorded operator action: when, who, what, and the value before and after."""

    id: int = 0
    """Sequence number in the audit table (0 until stored)."""
    time: datetime
    actor: Actor
    action: AuditAction
    job_code: str | None = None
    run_id: str | None = None
    before: Any = None
    """The changed part before the action, as JSON (``None`` when there was nothing)."""
    after: Any = None
    """The changed part after the action, as JSON."""
