"""What a running job can see and say: its context, its log and its result.

A job function receives a :class:`JobContext` when it declares one, calls :func:`task_log` to add
timestamped lines to its run's output, and may return a :class:`TaskResult` to say
success, failure or skip explicitly.

The link between ``task_log`` and the run it belongs to is a :class:`contextvars.ContextVar`: the
runner enters :func:`run_scope` around the job, and because ``asyncio`` tasks and
``asyncio.to_thread`` both copy the current context, the same call works from a coroutine and from
a plain function running in a worker thread. The writer given to :func:`run_scope` decides how a
line reaches the run (the job runners hop back to the event loop thread). Outside any run,
``task_log`` writes to the ``ysched_tui.task`` logger, so job code can be tried in a REPL.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ysched_tui.core.models import RunStatus, TriggerType

__all__ = [
    "JobContext",
    "LogWriter",
    "TaskResult",
    "current_context",
    "run_scope",
    "task_log",
]

LogWriter = Callable[[str], None]
"""Receives one already timestamped line of a run's log; must be safe to call from any thread."""

_logger = logging.getLogger("ysched_tui.task")


@dataclass(frozen=True, kw_only=True)
class JobContext:
    """Everything a job may want to know about the run it is executing.

    Attributes:
        job_id: the job's generated id (stable for the job's life).
        job_code: the code operators type.
        job_name: the display name.
        run_id: this run's id, ``run_YYYYMMDD_HHMMSS_xxxxxx``.
        attempt: 1 for the first attempt, 2, 3... for retries.
        trigger_type: why the run started (scheduled, manual, retry, catch_up).
        scheduled_time: the fire time it stands for; ``None`` for manual runs.
        start_time: when execution actually began.
        run_count: how many runs the job had before this one.
        params: the parameters the run was started with.
    """

    job_id: str
    job_code: str
    job_name: str
    run_id: str
    attempt: int = 1
    trigger_type: TriggerType = TriggerType.MANUAL
    scheduled_time: datetime | None = None
    start_time: datetime
    run_count: int = 0
    params: dict[str, Any] = field(default_factory=dict)

    def log(self, *parts: object) -> None:
        """Same as :func:`task_log`: add a timestamped line to this run's output."""
        task_log(*parts)


@dataclass(frozen=True, slots=True)
class _RunScope:
    context: JobContext
    write: LogWriter


_scope: ContextVar[_RunScope | None] = ContextVar("ysched_tui_run_scope", default=None)


@contextmanager
def run_scope(context: JobContext, write: LogWriter) -> Iterator[None]:
    """Make ``context`` current and route :func:`task_log` lines to ``write`` inside the block.

    Used by the job runners; worker threads started with ``asyncio.to_thread`` inside the block
    inherit the scope because ``to_thread`` copies the current context.
    """
    token = _scope.set(_RunScope(context, write))
    try:
        yield
    finally:
        _scope.reset(token)


def current_context() -> JobContext | None:
    """The context of the run the caller is part of, or ``None`` outside any run."""
    scope = _scope.get()
    return scope.context if scope else None


def task_log(*parts: object, print_console: bool = False) -> None:
    """Write a line to the current run's output, like ``print``.

    Parts are joined with spaces and each resulting line is prefixed with ``[HH:MM:SS]``. Outside a
    run the line goes to the ``ysched_tui.task`` logger instead.

    Args:
        *parts: what to log; each is converted with ``str``.
        print_console: also send the line to the ``ysched_tui.task`` logger during a run.
    """
    stamp = datetime.now().strftime("[%H:%M:%S] ")
    text = " ".join(str(p) for p in parts)
    lines = [stamp + line for line in (text.splitlines() or [""])]
    scope = _scope.get()
    for line in lines:
        if scope is None:
            _logger.info("%s", line)
            continue
        scope.write(line)
        if print_console:
            _logger.info("[%s] %s", scope.context.run_id, line)


@dataclass(frozen=True, kw_only=True)
class TaskResult:
    """An explicit outcome a job may return instead of a plain value.

    Attributes:
        status: success, failed or skipped.
        data: JSON-able data stored as the run's result.
        message: a human sentence about the outcome, added to the run's output.
        error: why it failed (``failed``) or was skipped (``skipped``).
    """

    status: RunStatus
    data: Any = None
    message: str = ""
    error: str | None = None

    @classmethod
    def success(cls, data: Any = None, message: str = "", **extra: Any) -> TaskResult:
        """A successful outcome; keyword extras are merged into ``data``."""
        if extra:
            base = data if isinstance(data, dict) else ({} if data is None else {"data": data})
            data = {**base, **extra}
        return cls(status=RunStatus.SUCCESS, data=data, message=message)

    @classmethod
    def failed(cls, error: str, data: Any = None, *, message: str = "") -> TaskResult:
        """A failed outcome; the run is retried like any failure."""
        return cls(status=RunStatus.FAILED, data=data, message=message, error=str(error))

    @classmethod
    def skipped(cls, reason: str) -> TaskResult:
        """Nothing to do this time; ``reason`` is recorded as the run's error text."""
        return cls(status=RunStatus.SKIPPED, message=reason, error=reason)
