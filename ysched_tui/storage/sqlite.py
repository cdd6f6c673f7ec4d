"""The SQLite implementation of :class:`~ysched_tui.core.repository.Repository`.

It ties the pieces together: :mod:`.database` opens the file, :mod:`.writer` batches history,
:mod:`.queries` and :mod:`.stats` read. Reads flush buffered history first, so a caller always
sees what it wrote. Writes outside history (jobs, meta) are direct single transactions that
begin IMMEDIATE, so concurrent writers wait on ``busy_timeout`` instead of failing. Runs, output
and run figures live in the :class:`~ysched_tui.storage.run_history.SqliteRunHistory` mixin.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ysched_tui.core.models import AuditEntry, JobSpec, JobState
from ysched_tui.core.repository import KnownSpecs, Repository
from ysched_tui.errors import JobNotFound, StorageError
from ysched_tui.storage import audit, queries
from ysched_tui.storage.database import (
    IMMEDIATE,
    create_engine,
    make_dirs,
    prepare,
    resolve_path,
    translated,
)
from ysched_tui.storage.run_history import INTERRUPTED_ERROR, SqliteRunHistory
from ysched_tui.storage.writer import HistoryWriter

__all__ = ["INTERRUPTED_ERROR", "SqliteRepository"]


class SqliteRepository(SqliteRunHistory, Repository):
    """Jobs, runs, output and stats in one SQLite file (WAL), through SQLAlchemy async Core."""

    def __init__(
        self,
        url_or_path: str,
        *,
        max_output_lines: int = 20000,
        batch_size: int = 100,
        flush_interval: float = 0.05,
        busy_timeout: float = 5.0,
    ) -> None:
        """Args:
        url_or_path: a file path or a ``sqlite+aiosqlite:///...`` URL; parents are created.
        max_output_lines: output lines stored per run; later ones are counted as dropped.
        batch_size: buffered history items that trigger a flush at once.
        flush_interval: seconds buffered history may wait before it is written.
        busy_timeout: seconds to wait for another connection's write lock.

        Raises:
            StorageError: the URL is not a SQLite file URL.
        """
        self.path = resolve_path(url_or_path)
        """The database file."""
        self._max_output_lines = max_output_lines
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
            max_output_lines=self._max_output_lines,
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
        """Write out buffered run and output records now."""
        await self._history().flush()

    def _history(self) -> HistoryWriter:
        if self._writer is None:
            raise StorageError(f"database {self.path} is not open")
        return self._writer

    @asynccontextmanager
    async def _read(self, action: str) -> AsyncIterator[AsyncConnection]:
        await self.flush()
        assert self._engine is not None
        with translated(self.path, action):
            async with self._engine.connect() as conn:
                yield conn

    @asynccontextmanager
    async def _write(self, action: str) -> AsyncIterator[AsyncConnection]:
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
                the same fingerprint gives back the caller's object (no rebuild; ``is`` tells).
        """
        async with self._read("load jobs") as conn:
            return await queries.load_jobs(conn, known)

    async def save_job(self, spec: JobSpec, state: JobState) -> None:
        """Insert or replace one job's spec and state (keyed by ``spec.code``)."""
        await self.save_jobs([(spec, state)])

    async def save_jobs(
        self,
        items: Sequence[tuple[JobSpec, JobState]],
        *,
        fingerprints: Mapping[str, str | None] | None = None,
    ) -> None:
        """Insert or replace many jobs in one transaction (``fingerprints`` by code: see
        :meth:`load_jobs`; a spec saved without one never matches)."""
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

