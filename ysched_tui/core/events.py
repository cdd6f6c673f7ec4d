"""Domain events the engine publishes after it has recorded what happened.

Events are immutable keyword-only records with a timestamp. Subscribers (the console, the
Python API's ``on_job_*`` listeners, the control API's streams) receive them in order. A subscriber
must return quickly: it is called on the engine's event loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from ysched_tui.core.models import JobView, OutputLine, RunRecord, SchedulerStatus


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, kw_only=True, slots=True)
class Event:
    """Base of all events."""

    timestamp: datetime = field(default_factory=_now)


@dataclass(frozen=True, kw_only=True, slots=True)
class JobUpdated(Event):
    """A job was added or changed (paused, resumed, rescheduled, counters after a run)."""

    job: JobView


@dataclass(frozen=True, kw_only=True, slots=True)
class JobRemoved(Event):
    """A job was removed."""

    code: str


@dataclass(frozen=True, kw_only=True, slots=True)
class RunStarted(Event):
    """A run began executing."""

    run: RunRecord


@dataclass(frozen=True, kw_only=True, slots=True)
class RunOutput(Event):
    """A batch of lines a run printed; batched by the engine (a few dozen per second at most)."""

    run_id: str
    job_code: str
    lines: tuple[OutputLine, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class RunFinished(Event):
    """A run ended: success, failed, timeout, cancelled, interrupted or skipped."""

    run: RunRecord


@dataclass(frozen=True, kw_only=True, slots=True)
class RunMissed(Event):
    """A fire was missed (the scheduler was down or too late) and recorded as ``missed``."""

    run: RunRecord


@dataclass(frozen=True, kw_only=True, slots=True)
class RetryScheduled(Event):
    """A failed run will be retried at ``next_retry_time``."""

    run: RunRecord
    next_retry_time: datetime
    attempt: int


@dataclass(frozen=True, kw_only=True, slots=True)
class StatusChanged(Event):
    """The scheduler's header figures changed."""

    status: SchedulerStatus
