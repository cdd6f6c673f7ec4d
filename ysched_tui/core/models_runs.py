"""Runs: a :class:`RunRecord` per execution, the :class:`OutputLine` it printed, run figures.

Also the run-id format and the run-duration arithmetic every layer shares, and the windowed
statistics (:class:`StatsReport`, :class:`TrendBucket`) computed from runs. Re-exported by
:mod:`ysched_tui.core.models`.
"""

from __future__ import annotations

import itertools
import secrets
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Literal

from pydantic import Field

from ysched_tui.core.models_base import _Model


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
    """Run figures over one time window (seed 000's get_stats)."""

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
    """A run id in the seed's format ``run_YYYYMMDD_HHMMSS_xxxxxx`` (6 hex chars).

    The hex part starts at a random value per process and counts up, unique within a process
    for 16 million runs; another process starting in the same second starts elsewhere.
    """
    return f"run_{now:%Y%m%d_%H%M%S}_{next(_RUN_SUFFIX) % 0x1000000:06x}"


def ms_between(start: datetime, end: datetime) -> int:
    """Whole milliseconds from ``start`` to ``end``."""
    return int((end - start) / timedelta(milliseconds=1))
