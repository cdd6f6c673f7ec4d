"""Builders of core models for the storage tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ysched_tui.core.models import RunRecord, RunStatus

NOW = datetime(2026, 3, 10, 12, 30, tzinfo=UTC)
"""A fixed 'now' (12:30 UTC, so today started 12.5 hours ago)."""


def make_run(
    n: int,
    *,
    code: str = "job",
    status: RunStatus = RunStatus.SUCCESS,
    start: datetime | None = None,
    duration_ms: int | None = 100,
    **fields: Any,
) -> RunRecord:
    """A run numbered ``n`` starting at ``start`` (default: ``n`` minutes before NOW)."""
    start = start or NOW - timedelta(minutes=n)
    ends = status not in (RunStatus.PENDING, RunStatus.RUNNING, RunStatus.MISSED)
    return RunRecord(
        run_id=f"run_{n:06d}_{code}",
        job_code=code,
        job_id=f"id_{code}",
        scheduled_time=start,
        start_time=None if status is RunStatus.MISSED else start,
        end_time=start + timedelta(milliseconds=duration_ms or 0) if ends else None,
        duration_ms=duration_ms if ends else None,
        status=status,
        **fields,
    )
