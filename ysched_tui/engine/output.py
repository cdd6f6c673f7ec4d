"""Live output of runs: numbered, capped per run, stored and published in batches.

Runners hand over one line at a time (thousands per second for a chatty command). Lines are
collected per run and flushed together at most ``hz`` times a second (a leading
:class:`~ysched_tui.core.batching.Batcher`: the first line of a burst goes out at once): one
storage call and one ``RunOutput`` event per run per flush, so neither the database nor the
console sees a flood.

The per-run output cap lives here and nowhere else. The first ``max_lines`` lines of a run are
stored; later ones are counted as dropped and only published, so whoever tails the run still
sees them. When the run closes, a run that dropped lines gets one stored ``system`` line saying
so, numbered after every line of the run — the stored lines, their count and the marker agree,
and the marker never takes the number of a line someone saw live.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal, cast

from ysched_tui.core.batching import Batcher
from ysched_tui.core.events import RunOutput
from ysched_tui.core.models import OutputLine

log = logging.getLogger("ysched_tui.engine")

Stream = Literal["stdout", "stderr", "log", "system"]


def cap_marker(dropped: int, cap: int) -> str:
    """The text of the line stored after a run's output when the cap dropped lines."""
    return f"[{dropped} lines dropped: output cap of {cap} lines reached]"


@dataclass
class _RunBuffer:
    job_code: str
    seq: int = 0
    """The number of the run's last line (stored or not)."""
    stored: int = 0
    dropped: int = 0
    pending: list[OutputLine] = field(default_factory=list)
    """Lines to store and publish."""
    live: list[OutputLine] = field(default_factory=list)
    """Lines past the cap: published to whoever tails the run, never stored."""


class OutputCollector:
    """Numbers, caps and batches output lines; flushes while there is output.

    Args:
        store: stores lines (the repository's ``append_output``, which stores all it is given).
        publish: publishes a ``RunOutput`` event.
        max_lines: lines stored per run; the rest are counted and only published.
        hz: flushes per second at most.
    """

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
        self._runs: dict[str, _RunBuffer] = {}
        self._batcher = Batcher(self.flush, interval=1.0 / hz, name="ysched-output",
                                leading=True)

    def start(self) -> None:
        """Start flushing."""
        self._batcher.start()

    async def stop(self) -> None:
        """Flush what is pending and stop flushing."""
        await self._batcher.stop()

    def open(self, run_id: str, job_code: str) -> None:
        """Start collecting for a run."""
        self._runs[run_id] = _RunBuffer(job_code)

    def sink(self, run_id: str) -> Callable[[str, str], None]:
        """The line sink to give the runner of ``run_id``."""

        def emit(stream: str, text: str) -> None:
            self.add(run_id, stream, text)

        return emit

    def add(self, run_id: str, stream: str, text: str) -> None:
        """Add one line; beyond the cap it is counted as dropped and only published."""
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
        self._batcher.poke()

    async def close(self, run_id: str) -> tuple[int, int]:
        """Flush a finished run's lines, with the cap's marker if lines were dropped.

        Returns:
            (lines stored, lines dropped) — the marker is not counted in either.
        """
        await self.flush(run_id)
        buf = self._runs.pop(run_id, None)
        if buf is None:
            return 0, 0
        if buf.dropped:
            marker = OutputLine.model_construct(
                run_id=run_id, seq=buf.seq + 1, ts=datetime.now(UTC), stream="system",
                text=cap_marker(buf.dropped, self._max_lines),
            )
            await self._stored([marker])
        return buf.stored, buf.dropped

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
        if batch:
            await self._stored(batch)
        for event in events:
            self._publish(event)

    async def _stored(self, lines: list[OutputLine]) -> None:
        """Hand ``lines`` to the store; a failure is logged (the lines are still published)."""
        try:
            await self._store(lines)
        except Exception:
            log.exception("storing %d output lines failed", len(lines))
