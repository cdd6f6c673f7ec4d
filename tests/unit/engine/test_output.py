"""The output collector: the one owner of the per-run cap, flushing in leading batches."""

from __future__ import annotations

import asyncio

from tests.waiting import wait_until
from ysched_tui.core.events import RunOutput
from ysched_tui.core.models import OutputLine
from ysched_tui.engine.output import OutputCollector


class Sinks:
    def __init__(self) -> None:
        self.stored: list[OutputLine] = []
        self.calls = 0
        self.events: list[RunOutput] = []

    async def store(self, lines: list[OutputLine]) -> None:
        self.calls += 1
        self.stored.extend(lines)

    def published(self) -> list[OutputLine]:
        return [line for e in self.events for line in e.lines]


async def test_the_cap_stores_the_first_lines_and_a_marker_after_every_line() -> None:
    """Past the cap lines are only published; on close one system line says how many were
    dropped, numbered after the last line anyone saw, and the counts exclude it."""
    sinks = Sinks()
    out = OutputCollector(sinks.store, sinks.events.append, max_lines=3)
    out.open("r1", "job")
    for n in range(1, 6):
        out.add("r1", "stdout", f"line {n}")
    assert await out.close("r1") == (3, 2)
    assert [(ln.seq, ln.text) for ln in sinks.published()] == [
        (n, f"line {n}") for n in range(1, 6)]
    assert [(ln.seq, ln.stream, ln.text) for ln in sinks.stored] == [
        (1, "stdout", "line 1"), (2, "stdout", "line 2"), (3, "stdout", "line 3"),
        (6, "system", "[2 lines dropped: output cap of 3 lines reached]"),
    ]
    out.add("r1", "stdout", "after close")  # a closed run takes no more lines
    await out.flush()
    assert len(sinks.stored) == 4


async def test_no_marker_under_the_cap() -> None:
    """A run that stayed under the cap stores its lines and nothing else."""
    sinks = Sinks()
    out = OutputCollector(sinks.store, sinks.events.append, max_lines=3)
    out.open("r1", "job")
    for n in range(1, 4):
        out.add("r1", "stderr", f"line {n}")
    assert await out.close("r1") == (3, 0)
    assert [ln.text for ln in sinks.stored] == ["line 1", "line 2", "line 3"]


async def test_a_burst_is_flushed_at_its_start_then_at_most_once_per_interval() -> None:
    """Leading batches: the first line goes out at once; later ones wait for the interval
    (here very long), or for stop, which flushes what is pending."""
    sinks = Sinks()
    out = OutputCollector(sinks.store, sinks.events.append, max_lines=100, hz=0.001)
    out.start()
    out.open("r1", "job")
    out.add("r1", "stdout", "first")
    await wait_until(lambda: sinks.calls == 1, every=0.001)
    out.add("r1", "stdout", "second")
    out.add("r1", "stdout", "third")
    await asyncio.sleep(0.01)  # the loop runs on: the batcher waits out its interval
    assert [ln.text for ln in sinks.stored] == ["first"]
    await out.stop()
    assert [ln.text for ln in sinks.stored] == ["first", "second", "third"]
    assert sinks.calls == 2 and len(sinks.events) == 2
