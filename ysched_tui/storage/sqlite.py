"""The SQLite implementation of :class:`~ysched_tui.core.repository.Repository`.

:class:`SqliteRepository` ties the pieces of this package together: :mod:`.database` opens the
file, :class:`~ysched_tui.storage.writer.HistoryWriter` batches run records and output lines,
:mod:`.queries`, :mod:`.audit` and :mod:`.stats` hold the statements. Reads flush buffered
history first, so a caller always sees what it wrote. Writes outside history (jobs, meta, the
audit) are direct single transactions that begin IMMEDIATE, so concurrent writers wait on
``busy_timeout`` instead of failing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ysched_tui.core.models import (
    AuditEntry,
    JobSpec,
    JobState,
    OutputLine,
    RunRecord,
    RunStatus,
    StatsReport,
    TrendBucket,
)
from ysched_tui.core.repository import KnownSpecs, PurgeResult, Repository, interrupted_run
from ysched_tui.core.trend import check_trend_args
from ysched_tui.errors import JobNotFound, StorageError
from ysched_tui.storage import audit, queries, stats
from ysched_tui.storage.database import (
    IMMEDIATE,
    create_engine,
    make_dirs,
    prepare,
    resolve_path,
    translated,
)
from ysched_tui.storage.writer import HistoryWriter


class SqliteRepository(Repository):
    """Jobs, runs, output, figures, meta and audit in one SQLite file (WAL), through SQLAlchemy
    async Core. See :class:`~ysched_tui.core.repository.Repository` for each method's rules."""

    def __init__(
        self,
        url_or_path: str,
        *,
        batch_size: int = 100,
        flush_interval: float = 0.05,
        busy_timeout: float = 5.0,
    ) -> None:
        """Args:
        url_or_path: a file path or a ``sqlite+aiosqlite:///...`` URL; parents are created.
        batch_size: buffered history items that trigger a flush at once.
        flush_interval: seconds buffered history may wait before it is written.
        busy_timeout: seconds to wait for another connection's write lock.

        Raises:
            StorageError: the URL is not a SQLite file URL.
        """
        self.path = resolve_path(url_or_path)
        """The database file."""
        self._batch_size = batch_size
        self._flush_interval = flush_interval
        self._busy_timeout = busy_timeout
        self._engine: AsyncEngine | None = None
        self._write_engine: AsyncEngine | None = None
        self._writer: HistoryWriter | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    async def open(self) -> None:
        """Create or migrate the schema and start the history writer.

        Raises:
            SchemaTooNew: the database was written by a newer version (nothing is changed).
            DatabaseLocked / StorageError: the file cannot be opened or written.
        """
        make_dirs(self.path)
        engine = create_engine(self.path, self._busy_timeout)
        try:
            await prepare(engine, self.path)
        except BaseException:
            await engine.dispose()
            raise
        self._engine = engine
        self._write_engine = engine.execution_options(**{IMMEDIATE: True})
        self._writer = HistoryWriter(
            self._write_engine,
            self.path,
            batch_size=self._batch_size,
            flush_interval=self._flush_interval,
        )
        self._writer.start()

    async def close(self) -> None:
        """Write everything buffered, then release the database.

        Raises:
            StorageError: buffered history could not be written (the engine is still released).
        """
        if self._engine is None:
            return
        try:
            if self._writer is not None:
                await self._writer.stop()
        finally:
            await self._engine.dispose()
            self._engine = self._write_engine = self._writer = None

    async def flush(self) -> None:
        """Write out buffered run and output records now.

        Raises:
            DatabaseLocked / StorageError: a batch could not be written (it stays buffered).
        """
        await self._history().flush()

    def _history(self) -> HistoryWriter:
        if self._writer is None:
            raise StorageError(f"database {self.path} is not open")
        return self._writer

    @asynccontextmanager
    async def _read(self, action: str) -> AsyncIterator[AsyncConnection]:
        """A connection that sees everything recorded so far (buffered history is flushed)."""
        await self.flush()
        assert self._engine is not None
        with translated(self.path, action):
            async with self._engine.connect() as conn:
                yield conn

    @asynccontextmanager
    async def _write(self, action: str) -> AsyncIterator[AsyncConnection]:
        """One IMMEDIATE transaction, committed when the block ends."""
        if self._write_engine is None:
            raise StorageError(f"database {self.path} is not open")
        with translated(self.path, action):
            async with self._write_engine.begin() as conn:
                yield conn

    # --- jobs --------------------------------------------------------------------------------

    async def load_jobs(
        self, *, known: KnownSpecs | None = None
    ) -> list[tuple[JobSpec, JobState]]:
        """Every stored job with its state, ordered by code.

        Args:
            known: specs the caller holds, by code, with their fingerprints: a row saved with
                the same fingerprint (its text unchanged since, see :mod:`.fingerprints`) gives
                back the caller's object.
        """
        async with self._read("load jobs") as conn:
            return await queries.load_jobs(conn, known)

    async def save_jobs(
        self,
        items: Sequence[tuple[JobSpec, JobState]],
        *,
        fingerprints: Mapping[str, str | None] | None = None,
    ) -> None:
        """Insert or replace many jobs in one transaction, noting the fingerprints given."""
        async with self._write("save jobs") as conn:
            await queries.save_jobs(conn, items, fingerprints)

    async def save_fingerprints(self, fingerprints: Mapping[str, str]) -> None:
        """Attach fingerprints (by code) to stored specs the caller found equal to its own."""
        async with self._write("save spec fingerprints") as conn:
            await queries.save_fingerprints(conn, fingerprints)

    async def save_state(self, state: JobState) -> None:
        """Update one job's state only.

        Raises:
            JobNotFound: no stored job has ``state.code``.
        """
        async with self._write("save job state") as conn:
            changed = await queries.save_state(conn, state)
        if not changed:
            raise JobNotFound(state.code)

    async def save_states(self, states: Sequence[JobState]) -> None:
        """Update many jobs' states in one transaction.

        Raises:
            JobNotFound: one of the codes is not stored (the others are saved).
        """
        async with self._write("save job states") as conn:
            missing = await queries.save_states(conn, states)
        if missing:
            raise JobNotFound(missing[0])

    async def delete_job(self, code: str) -> None:
        """Delete a job's definition (its runs stay)."""
        async with self._write("delete a job") as conn:
            await queries.delete_job(conn, code)

    # --- runs --------------------------------------------------------------------------------

    async def record_run(self, run: RunRecord) -> None:
        """Buffer a run (insert or update keyed by ``run_id``); written within flush_interval,
        or at once when ``batch_size`` items wait."""
        await self._history().add_run(run)

    async def append_output(self, lines: Sequence[OutputLine]) -> None:
        """Buffer output lines, every one given (the cap is the caller's)."""
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
        closed = [interrupted_run(run, now) for run in left]
        history = self._history()
        for run in closed:
            await history.add_run(run)
        await self.flush()
        return closed

    async def purge(self, older_than: datetime) -> PurgeResult:
        """Delete runs, output and hourly stats older than ``older_than``, in short chunks
        (one transaction of :data:`~ysched_tui.storage.queries.PURGE_CHUNK` runs each)."""
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
        check_trend_args(unit, count)
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

    # --- meta --------------------------------------------------------------------------------

    async def get_meta(self, key: str) -> str | None:
        """A value from the key/value meta table (e.g. ``last_heartbeat``)."""
        async with self._read("read meta") as conn:
            return await queries.get_meta(conn, key)

    async def set_meta(self, key: str, value: str) -> None:
        """Set a value in the meta table."""
        async with self._write("write meta") as conn:
            await queries.set_meta(conn, key, value)

    # --- audit -------------------------------------------------------------------------------

    async def record_audit(self, entry: AuditEntry) -> AuditEntry:
        """Store an operator action at once (not buffered); returns it with its id."""
        async with self._write("record an audit entry") as conn:
            return await audit.insert_entry(conn, entry)

    async def list_audit(self, limit: int = 100) -> list[AuditEntry]:
        """The latest ``limit`` operator actions, newest first."""
        async with self._read("read the audit") as conn:
            return await audit.latest_entries(conn, limit)


def _utc(value: datetime) -> datetime:
    """``value`` as an aware UTC time (a naive one is taken to be UTC)."""
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
