"""Run history of :class:`~ysched_tui.storage.sqlite.SqliteRepository`: runs, output, figures.

A mixin kept apart from the repository's lifecycle and job persistence: run records and output
lines go to the buffered :class:`~ysched_tui.storage.writer.HistoryWriter`; reads of runs,
output and the figures computed from them (:mod:`.queries`, :mod:`.stats`) flush it first;
:meth:`SqliteRunHistory.mark_interrupted` closes runs a stopped scheduler left open and
:meth:`SqliteRunHistory.purge` deletes old history in short chunks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncConnection

from ysched_tui.core.models import (
    OutputLine,
    RunRecord,
    RunStatus,
    StatsReport,
    TrendBucket,
    ms_between,
)
from ysched_tui.core.repository import PurgeResult
from ysched_tui.errors import InvalidOperation
from ysched_tui.storage import audit, queries, stats
from ysched_tui.storage.writer import HistoryWriter

INTERRUPTED_ERROR = "the scheduler stopped before the run finished"
"""The error stored on runs that :meth:`SqliteRepository.mark_interrupted` closes."""


class SqliteRunHistory:
    """Runs, output lines and run figures (stats, trend, per-job figures, failures)."""

    path: Path

    if TYPE_CHECKING:  # provided by SqliteRepository

        async def flush(self) -> None:
            ...

        def _history(self) -> HistoryWriter:
            ...

        def _read(self, action: str) -> AbstractAsyncContextManager[AsyncConnection]:
            ...

        def _write(self, action: str) -> AbstractAsyncContextManager[AsyncConnection]:
            ...

    # --- runs --------------------------------------------------------------------------------

    async def record_run(self, run: RunRecord) -> None:
        """Buffer a run (insert or update keyed by ``run_id``); written within flush_interval."""
        await self._history().add_run(run)

    async def append_output(self, lines: Sequence[OutputLine]) -> None:
        """Buffer output lines; beyond ``max_output_lines`` per run they are only counted."""
        await self._history().add_lines(lines)

    async def get_run(self, run_id: str) -> RunRecord | None:
        """One run, or ``None``."""
        async with self._read("read a run") as conn:
            return await queries.get_run(conn, run_id)

    async def list_runs(
        self,
        code: str | None = None,
        *,
        status: RunStatus | None = None,
        limit: int = 100,
        before: datetime | None = None,
    ) -> list[RunRecord]:
        """Runs newest first (by start, else scheduled time), at most ``limit``."""
        async with self._read("list runs") as conn:
            return await queries.list_runs(conn, code, status, limit, before)

    async def get_output(
        self, run_id: str, *, after_seq: int = 0, limit: int | None = None,
        tail: int | None = None,
    ) -> list[OutputLine]:
        """Lines of one run with ``seq > after_seq`` in order (the last ``tail`` if given)."""
        async with self._read("read run output") as conn:
            return await queries.get_output(conn, run_id, after_seq, limit, tail)

    async def scheduled_times(self, code: str, since: datetime) -> set[datetime]:
        """Scheduled fire times after ``since`` already recorded for ``code``."""
        async with self._read("read recorded fire times") as conn:
            return await audit.scheduled_times(conn, code, since)

    async def mark_interrupted(self, now: datetime) -> list[RunRecord]:
        """Turn runs left ``running`` or ``pending`` into ``interrupted`` ending at ``now``."""
        async with self._read("find unfinished runs") as conn:
            left = await queries.unfinished_runs(conn)
        closed = [_interrupted(run, now) for run in left]
        for run in closed:
            await self._history().add_run(run)
        await self.flush()
        return closed

    async def purge(self, older_than: datetime) -> PurgeResult:
        """Delete runs, output and hourly stats older than ``older_than``, in short chunks."""
        await self.flush()
        total_runs = total_lines = 0
        while True:
            async with self._write("purge old runs") as conn:
                n_runs, n_lines = await queries.purge_chunk(conn, older_than)
            total_runs, total_lines = total_runs + n_runs, total_lines + n_lines
            if n_runs < queries.PURGE_CHUNK:
                break
            await asyncio.sleep(0)  # let the writer and readers in between chunks
        while True:
            async with self._write("purge old stats") as conn:
                if await queries.purge_stats_chunk(conn, older_than) < queries.PURGE_CHUNK:
                    break
            await asyncio.sleep(0)
        return PurgeResult(runs=total_runs, lines=total_lines)

    # --- stats -------------------------------------------------------------------------------

    async def stats(self, now: datetime, code: str | None = None) -> StatsReport:
        """Today (since UTC midnight) / last 24 h / last 7 days; job counts are left at 0."""
        now = _utc(now)
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        async with self._read("compute stats") as conn:
            today = await stats.window_stats(conn, midnight, now, code)
            day = await stats.window_stats(conn, now - timedelta(days=1), now, code)
            week = await stats.window_stats(conn, now - timedelta(days=7), now, code)
        return StatsReport(code=code, today=today, last_24h=day, last_7d=week)

    async def trend(
        self, now: datetime, code: str | None = None, *, unit: str = "hour", count: int = 24
    ) -> list[TrendBucket]:
        """Buckets for the last ``count`` UTC hours or days, oldest first, empty ones included.

        Raises:
            InvalidOperation: ``unit`` is not ``hour``/``day`` or ``count`` is not positive.
        """
        if unit not in ("hour", "day"):
            raise InvalidOperation(f"trend unit must be 'hour' or 'day', not {unit!r}")
        if count < 1:
            raise InvalidOperation(f"trend count must be at least 1, not {count}")
        async with self._read("compute the trend") as conn:
            return await stats.trend(conn, _utc(now), code, unit, count)

    async def job_figures(self, now: datetime) -> dict[str, tuple[float | None, int | None]]:
        """Per job code: (7-day success rate 0..1, median duration ms of its latest successes).

        Every stored job is present; ``None`` where it has no final run / no success.
        """
        async with self._read("compute job figures") as conn:
            return await stats.job_figures(conn, _utc(now))

    async def failures_since(self, since: datetime) -> int:
        """Number of failed, timed-out or interrupted runs ended since ``since``."""
        async with self._read("count failures") as conn:
            return await queries.failures_since(conn, since)


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def _interrupted(run: RunRecord, now: datetime) -> RunRecord:
    duration = ms_between(run.start_time, now) if run.start_time else run.duration_ms
    return run.model_copy(
        update={
            "status": RunStatus.INTERRUPTED,
            "end_time": now,
            "duration_ms": duration,
            "error": run.error or INTERRUPTED_ERROR,
        }
    )
