"""Batched history writes: run records and output lines buffered, flushed in one transaction.

One commit per run would cap recording near 1k rows/s; batches of ~100 in one transaction reach
tens of thousands. :class:`HistoryWriter` buffers ``record_run``/``append_output`` calls, a
background task flushes every ``flush_interval`` seconds or as soon as ``batch_size`` items wait,
and a failed flush puts its batch back so nothing is lost (the next flush or ``close`` retries).
The per-run output cap and the hourly stats are applied inside the same transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

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
_MARKER = text(
    "INSERT INTO run_output (run_id, seq, ts, stream, text) SELECT :run_id, "
    "coalesce(max(seq), 0) + 1, :ts, 'system', :text FROM run_output WHERE run_id = :run_id"
)
_STORED_COUNTS = text(
    "SELECT run_id, count(*) FROM run_output WHERE run_id IN :ids GROUP BY run_id"
).bindparams(bindparam("ids", expanding=True))


class HistoryWriter:
    """Buffers run records and output lines and writes them in batched transactions."""

    def __init__(
        self,
        engine: AsyncEngine,
        path: Path,
        *,
        max_output_lines: int,
        batch_size: int,
        flush_interval: float,
    ) -> None:
        """Args:
        engine: an engine whose transactions begin IMMEDIATE (writes wait for the lock).
        path: the database file, for error messages.
        max_output_lines: lines stored per run; later ones are only counted.
        batch_size: pending items that trigger a flush at once.
        flush_interval: seconds an item may wait before the background flush.
        """
        self._engine = engine
        self._path = path
        self._cap = max_output_lines
        self._batch_size = max(1, batch_size)
        self._max_pending = self._batch_size * 20
        """Above this many pending items producers wait for a flush (bounded memory)."""
        self._interval = flush_interval
        self._runs: dict[str, Row] = {}
        """Pending ``runs`` rows by run_id, converted when recorded (that work then overlaps
        the previous batch's SQL, which runs in the driver's thread)."""
        self._lines: list[OutputLine] = []
        self._counts: dict[str, tuple[int, int]] = {}
        """run_id -> (lines stored, lines dropped) for runs not yet recorded final."""
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._full = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._taken = asyncio.Event()
        """Set each time a batch is taken for writing (releases producers held at the limit)."""

    @property
    def pending(self) -> int:
        """Items buffered and not yet written."""
        return len(self._runs) + len(self._lines)

    def start(self) -> None:
        """Start the background flushing task on the running loop."""
        self._task = asyncio.create_task(self._run(), name="ysched-history-writer")

    async def stop(self) -> None:
        """Stop the background task, then write everything still pending.

        Raises:
            StorageError: the last flush failed; the unwritten items stay buffered.
        """
        if self._task is not None:
            async with self._lock:  # never cancel the task in the middle of a transaction
                self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.flush()

    async def add_run(self, run: RunRecord) -> None:
        """Buffer ``run``; a newer record of the same run replaces a pending older one."""
        self._runs.pop(run.run_id, None)
        self._runs[run.run_id] = run_to_row(run)
        await self._added()

    async def add_lines(self, lines: Sequence[OutputLine]) -> None:
        """Buffer output lines."""
        self._lines.extend(lines)
        await self._added()

    async def _added(self) -> None:
        self._wake.set()
        pending = self.pending
        if pending < self._batch_size:
            return
        self._full.set()
        if pending < self._max_pending:
            if not self._lock.locked():
                await asyncio.sleep(0)  # let the writer start on this batch while we go on
        elif self._task is None or self._task.done():
            await self.flush()
        else:
            # Bounded memory, double-buffered: wait until the writer *takes* the pending batch,
            # then fill the next one while it is written.
            self._taken.clear()
            await self._taken.wait()

    async def _run(self) -> None:
        retry_delay = 0.5
        while True:
            await self._wake.wait()
            if not self._full.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._full.wait(), self._interval)
            try:
                await self.flush()
                retry_delay = 0.5
            except StorageError as exc:
                log.error("run history not written yet (%d items kept), retrying: %s",
                          self.pending, exc)
            except Exception:
                log.exception("run history not written yet (%d items kept), retrying",
                              self.pending)
            else:
                continue
            await asyncio.sleep(retry_delay)
            retry_delay = min(retry_delay * 2, 5.0)

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
                left -= self.pending if self.pending <= self._max_pending else self._max_pending
                runs_batch, lines_batch = self._take()
                try:
                    with translated(self._path, "write run history"):
                        await self._write(runs_batch, lines_batch)
                except BaseException:
                    self._put_back(runs_batch, lines_batch)
                    raise
            if not self.pending:  # what arrived meanwhile keeps the writer awake
                self._wake.clear()
                self._full.clear()

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
        async with self._engine.begin() as conn:
            counts = await self._store_lines(conn, lines_batch)
            finals = await self._store_runs(conn, runs_batch, counts)
        self._counts.update(counts)
        for run_id in finals:
            self._counts.pop(run_id, None)

    async def _store_lines(
        self, conn: AsyncConnection, lines: list[OutputLine]
    ) -> dict[str, tuple[int, int]]:
        """Insert lines within the cap; return the updated (stored, dropped) per run."""
        if not lines:
            return {}
        ids = {line.run_id for line in lines}
        unknown = [i for i in ids if i not in self._counts]
        counts = {i: self._counts[i] for i in ids if i in self._counts}
        if unknown:
            rows = (await conn.execute(_STORED_COUNTS, {"ids": unknown})).all()
            counts.update({i: (0, 0) for i in unknown})
            counts.update({r[0]: (int(r[1]), 0) for r in rows})
        keep: list[tuple[Any, ...]] = []
        for line in lines:
            stored, dropped = counts[line.run_id]
            if stored < self._cap:
                keep.append((line.run_id, line.seq, to_db(line.ts), line.stream, line.text))
                counts[line.run_id] = (stored + 1, dropped)
            else:
                counts[line.run_id] = (stored, dropped + 1)
        if keep:
            await conn.exec_driver_sql(_OUTPUT_INSERT, keep)
        return counts

    async def _store_runs(
        self,
        conn: AsyncConnection,
        batch: list[Row],
        counts: dict[str, tuple[int, int]],
    ) -> set[str]:
        """Upsert runs, update hourly stats, add drop markers; return runs newly final."""
        if not batch:
            return set()
        rows = [self._row(row, counts) for row in batch]
        before = await hourly.existing(conn, [r["run_id"] for r in rows])
        await conn.exec_driver_sql(_RUN_UPSERT, [tuple(r.values()) for r in rows])
        finals = await hourly.apply(conn, rows, before)
        markers = [
            {
                "run_id": row["run_id"],
                "ts": row["end_time"] or row["start_time"] or to_db(datetime.now(UTC)),
                "text": f"[{row['dropped_lines']} lines dropped: output cap of {self._cap} "
                "lines reached]",
            }
            for row in rows
            if row["run_id"] in finals and row["dropped_lines"] > 0
        ]
        for marker in markers:
            await conn.execute(_MARKER, marker)
        return finals

    def _row(self, row: Row, counts: dict[str, tuple[int, int]]) -> Row:
        """``row`` with the line counts this writer keeps (a copy: a failed batch is retried)."""
        known = counts.get(row["run_id"]) or self._counts.get(row["run_id"])
        if known is None:
            return row
        return {**row, "output_lines": known[0], "dropped_lines": row["dropped_lines"] + known[1]}
