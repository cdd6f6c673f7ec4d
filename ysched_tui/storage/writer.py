"""Batched history writes: run records and output lines buffered, flushed in one transaction.

One commit per run would cap recording near 1k rows/s; batches of ~100 in one transaction reach
tens of thousands. :class:`HistoryWriter` buffers ``record_run``/``append_output`` calls and a
:class:`~ysched_tui.core.batching.Batcher` flushes them ``flush_interval`` seconds after the
first one arrives, or as soon as ``batch_size`` items wait. A failed flush puts its batch back so
nothing is lost (the batcher retries with a growing delay; the next flush or ``stop`` retries
too). The hourly stats are updated inside the same transaction as the runs they count.

Lines and run records are stored as given: the per-run output cap, its count of dropped lines
and its "lines dropped" line are the engine's (see :mod:`ysched_tui.engine.output`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from ysched_tui.core.batching import Batcher
from ysched_tui.core.models import OutputLine, RunRecord
from ysched_tui.errors import StorageError
from ysched_tui.storage import hourly
from ysched_tui.storage.convert import RUN_COLUMNS, run_to_row
from ysched_tui.storage.database import translated
from ysched_tui.storage.schema import to_db

log = logging.getLogger(__name__)

Row = dict[str, Any]
"""A ``runs`` row as made by :func:`~ysched_tui.storage.convert.run_to_row`."""

# History inserts go to the driver's executemany with positional tuples (exec_driver_sql): the
# statement is fixed, and skipping per-row parameter processing roughly halves the cost per run.
_RUN_UPSERT = (
    f"INSERT INTO runs ({', '.join(RUN_COLUMNS)}) VALUES ({', '.join('?' * len(RUN_COLUMNS))}) "
    "ON CONFLICT (run_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in RUN_COLUMNS if c != "run_id")
)
_OUTPUT_INSERT = (
    "INSERT INTO run_output (run_id, seq, ts, stream, text) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (run_id, seq) DO NOTHING"
)


class HistoryWriter:
    """Buffers run records and output lines and writes them in batched transactions.

    Memory stays bounded: above ``20 * batch_size`` pending items a producer waits until the
    writer *takes* the pending batch, then fills the next one while that one is written (double
    buffering), so recording never stalls for a whole transaction.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        path: Path,
        *,
        batch_size: int,
        flush_interval: float,
    ) -> None:
        """Args:
        engine: an engine whose transactions begin IMMEDIATE (writes wait for the lock).
        path: the database file, for error messages.
        batch_size: pending items that trigger a flush at once.
        flush_interval: seconds an item may wait before the background flush.
        """
        self._engine = engine
        self._path = path
        self._batch_size = max(1, batch_size)
        self._max_pending = self._batch_size * 20
        """Above this many pending items producers wait for a flush (bounded memory)."""
        self._runs: dict[str, Row] = {}
        """Pending ``runs`` rows by run_id, converted when recorded (that work then overlaps
        the previous batch's SQL, which runs in the driver's thread)."""
        self._lines: list[OutputLine] = []
        self._lock = asyncio.Lock()
        """Held while a flush writes: one transaction at a time, in arrival order."""
        self._taken = asyncio.Event()
        """Set each time a batch is taken for writing (releases producers held at the limit)."""
        self._batcher = Batcher(
            self.flush,
            interval=flush_interval,
            name="ysched-history-writer",
            leading=False,
            on_error=self._failed,
        )

    @property
    def pending(self) -> int:
        """Items buffered and not yet written."""
        return len(self._runs) + len(self._lines)

    def start(self) -> None:
        """Start the background flushing on the running loop."""
        self._batcher.start()

    async def stop(self) -> None:
        """Stop the background flushing (never in the middle of a transaction), then write
        everything still pending.

        Raises:
            StorageError: the last flush failed; the unwritten items stay buffered.
        """
        await self._batcher.stop()  # waits for a flush in progress, then flushes the rest

    async def add_run(self, run: RunRecord) -> None:
        """Buffer ``run``; a newer record of the same run replaces a pending older one."""
        self._runs.pop(run.run_id, None)
        self._runs[run.run_id] = run_to_row(run)
        await self._added()

    async def add_lines(self, lines: Sequence[OutputLine]) -> None:
        """Buffer output lines, every one of them."""
        self._lines.extend(lines)
        await self._added()

    async def _added(self) -> None:
        pending = self.pending
        if pending < self._batch_size:
            self._batcher.poke()
            return
        self._batcher.hurry()
        if pending < self._max_pending:
            if not self._lock.locked():
                await asyncio.sleep(0)  # let the writer start on this batch while we go on
        elif not self._batcher.running:
            await self.flush()
        else:
            # Bounded memory, double-buffered: wait until the writer *takes* the pending batch,
            # then fill the next one while it is written.
            self._taken.clear()
            await self._taken.wait()

    def _failed(self, exc: Exception) -> None:
        """A background flush failed: say so; the batcher retries after a growing delay."""
        if isinstance(exc, StorageError):
            log.error("run history not written yet (%d items kept), retrying: %s",
                      self.pending, exc)
        else:
            log.error("run history not written yet (%d items kept), retrying", self.pending,
                      exc_info=exc)

    async def flush(self) -> None:
        """Write every pending item, one transaction per batch.

        Raises:
            StorageError / DatabaseLocked: a batch could not be written (it stays pending).
        """
        async with self._lock:
            # only what is pending now: under sustained load more keeps coming, and a reader
            # that flushes first must not wait for all of it
            left = self.pending
            while self.pending and left > 0:
                left -= min(self.pending, self._max_pending)
                runs_batch, lines_batch = self._take()
                try:
                    with translated(self._path, "write run history"):
                        await self._write(runs_batch, lines_batch)
                except BaseException:
                    self._put_back(runs_batch, lines_batch)
                    raise

    def _take(self) -> tuple[list[Row], list[OutputLine]]:
        limit = self._max_pending
        lines, self._lines = self._lines[:limit], self._lines[limit:]
        room = max(limit - len(lines), self._batch_size)
        keys = list(self._runs)[:room]
        self._taken.set()
        return [self._runs.pop(k) for k in keys], lines

    def _put_back(self, runs_batch: list[Row], lines_batch: list[OutputLine]) -> None:
        newer = self._runs
        self._runs = {r["run_id"]: r for r in runs_batch if r["run_id"] not in newer}
        self._runs.update(newer)
        self._lines = lines_batch + self._lines

    async def _write(self, runs_batch: list[Row], lines_batch: list[OutputLine]) -> None:
        """One transaction: the lines, then the runs with the hourly stats they change."""
        async with self._engine.begin() as conn:
            if lines_batch:
                await conn.exec_driver_sql(_OUTPUT_INSERT, [
                    (line.run_id, line.seq, to_db(line.ts), line.stream, line.text)
                    for line in lines_batch
                ])
            if runs_batch:
                before = await hourly.existing(conn, [row["run_id"] for row in runs_batch])
                await conn.exec_driver_sql(_RUN_UPSERT, [tuple(row.values()) for row in runs_batch])
                await hourly.apply(conn, runs_batch, before)
