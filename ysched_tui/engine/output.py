"""Live output of runs: numbered, capped per run, stored and published in batches.

Runners hand over one line at a time (thousands per second for a chatty command). Lines are
collected per run and flushed together at most ``hz`` times a second: one storage call and one
``RunOutput`` event per run per flush, so neither the database nor the console sees a flood.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal, cast

from ysched_tui.core.events import RunOutput
from ysched_tui.core.models import OutputLine

log = logging.getLogger("ysched_tui.engine")

Stream = Literal["stdout", "stderr", "log", "system"]


@dataclass
class _RunBuffer:
    job_code: str
    seq: int = 0
    stored: int = 0
    dropped: int = 0
    pending: list[OutputLine] = field(default_factory=list)
    """Lines to store and publish."""
    live: list[OutputLine] = field(default_factory=list)
    """Lines past the cap: published to whoever tails the run, never stored."""


class OutputCollector:
    """Numbers, caps and batches output lines; flushes on a timer while there is output."""

    def __init__(
        self,
        store: Callable[[list[OutputLine]], Awaitable[None]],
        publish: Callable[[RunOutput], None],
        *,
        max_lines: int,
        hz: float = 20.0,
    ) -> None:
        self._store = store
        self._publish = publish
        self._max_lines = max_lines
        self._interval = 1.0 / hz
        self._runs: dict[str, _RunBuffer] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the flushing task."""
        self._task = asyncio.get_running_loop().create_task(self._loop(), name="ysched-output")

    async def stop(self) -> None:
        """Flush what is pending and stop the flushing task."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.flush()

    def open(self, run_id: str, job_code: str) -> None:
        """Start collecting for a run."""
        self._runs[run_id] = _RunBuffer(job_code)

    def sink(self, run_id: str) -> Callable[[str, str], None]:
        """The line sink to give the runner of ``run_id``."""

        def emit(stream: str, text: str) -> None:
            self.add(run_id, stream, text)

        return emit

    def add(self, run_id: str, stream: str, text: str) -> None:
        """Add one line; beyond the cap it is counted as dropped instead of stored."""
        buf = self._runs.get(run_id)
        if buf is None:
            return
        buf.seq += 1
        # built without validation: thousands a second, every field made here (runners pass
        # str text and one of the four stream names)
        line = OutputLine.model_construct(
            run_id=run_id,
            seq=buf.seq,
            ts=datetime.now(UTC),
            stream=cast(Stream, stream),
            text=text if isinstance(text, str) else str(text),
        )
        if buf.stored >= self._max_lines:  # the console still tails it; the store does not
            buf.dropped += 1
            buf.live.append(line)
        else:
            buf.stored += 1
            buf.pending.append(line)
        self._wake.set()

    async def close(self, run_id: str) -> tuple[int, int]:
        """Flush a finished run's lines and, when the cap dropped some, store one ``system``
        line saying how many (the store keeps every line it is given); returns (stored,
        dropped)."""
        await self.flush(run_id)
        buf = self._runs.pop(run_id, None)
        if buf is None:
            return (0, 0)
        if buf.dropped:
            marker = OutputLine(
                run_id=run_id, seq=buf.seq + 1, ts=datetime.now(UTC), stream="system",
                text=f"[{buf.dropped} lines dropped: output cap of {self._max_lines} lines "
                "reached]",
            )
            try:
                await self._store([marker])
            except Exception:
                log.exception("storing the dropped-lines line of %s failed", run_id)
        return (buf.stored, buf.dropped)

    async def flush(self, only: str | None = None) -> None:
        """Store and publish pending lines (of one run, or of all)."""
        ids = [only] if only is not None else list(self._runs)
        batch: list[OutputLine] = []
        events: list[RunOutput] = []
        for run_id in ids:
            buf = self._runs.get(run_id)
            if buf is None or not (buf.pending or buf.live):
                continue
            lines, live, buf.pending, buf.live = buf.pending, buf.live, [], []
            batch.extend(lines)
            events.append(RunOutput(run_id=run_id, job_code=buf.job_code,
                                    lines=(*lines, *live)))
        if not events:
            return
        try:
            if batch:
                await self._store(batch)
        except Exception:
            log.exception("storing %d output lines failed", len(batch))
        for event in events:
            self._publish(event)

    async def _loop(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            await self.flush()
            await asyncio.sleep(self._interval)
