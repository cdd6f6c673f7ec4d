"""The batching rhythm shared by the output collector, the history writer and the console."""

from __future__ import annotations

import asyncio

import pytest

from ysched_tui.core.batching import Batcher


class Sink:
    """A buffer with a flush that records when and what it flushed."""

    def __init__(self, fail: int = 0) -> None:
        self.items: list[int] = []
        self.batches: list[list[int]] = []
        self.fail = fail
        self.flushed = asyncio.Event()

    def add(self, item: int) -> None:
        self.items.append(item)

    async def flush(self) -> None:
        if self.fail:
            self.fail -= 1
            raise OSError("disk on fire")
        if self.items:
            self.batches.append(self.items)
            self.items = []
        self.flushed.set()


async def test_leading_flushes_first_item_at_once_then_batches() -> None:
    """Leading: the first poke after a quiet spell flushes at once; a burst behind it waits."""
    sink = Sink()
    batcher = Batcher(sink.flush, interval=0.2, name="t")
    batcher.start()
    sink.add(1)
    batcher.poke()
    await asyncio.wait_for(sink.flushed.wait(), 1)
    sink.flushed.clear()
    for i in range(2, 50):
        sink.add(i)
        batcher.poke()
    await asyncio.wait_for(sink.flushed.wait(), 1)
    assert sink.batches == [[1], list(range(2, 50))]
    await batcher.stop()


async def test_trailing_waits_for_company() -> None:
    """Trailing: the first item waits for the interval so that the batch can fill."""
    sink = Sink()
    batcher = Batcher(sink.flush, interval=0.1, name="t", leading=False)
    batcher.start()
    for i in range(10):
        sink.add(i)
        batcher.poke()
        await asyncio.sleep(0)
    await asyncio.wait_for(sink.flushed.wait(), 1)
    assert sink.batches == [list(range(10))]
    await batcher.stop()


async def test_hurry_skips_the_wait() -> None:
    """hurry() flushes without waiting out a long interval."""
    sink = Sink()
    batcher = Batcher(sink.flush, interval=60, name="t", leading=False)
    batcher.start()
    sink.add(1)
    batcher.hurry()
    await asyncio.wait_for(sink.flushed.wait(), 1)
    assert sink.batches == [[1]]
    await batcher.stop()


async def test_failed_flush_is_retried_and_reported() -> None:
    """A flush that raises keeps the work, tells on_error, and is retried until it succeeds."""
    sink = Sink(fail=2)
    errors: list[Exception] = []
    batcher = Batcher(sink.flush, interval=0.0, name="t", on_error=errors.append,
                      retry_delay=0.01, max_retry_delay=0.02)
    batcher.start()
    sink.add(7)
    batcher.poke()
    await asyncio.wait_for(sink.flushed.wait(), 2)
    assert sink.batches == [[7]]
    assert [str(e) for e in errors] == ["disk on fire", "disk on fire"]
    await batcher.stop()


async def test_stop_flushes_what_is_left_and_waits_for_a_flush_in_progress() -> None:
    """stop() never cuts a flush in half and flushes what arrived since."""
    started, release = asyncio.Event(), asyncio.Event()
    done: list[str] = []

    async def slow_flush() -> None:
        started.set()
        await release.wait()
        done.append("flush")

    batcher = Batcher(slow_flush, interval=0.0, name="t")
    batcher.start()
    batcher.poke()
    await asyncio.wait_for(started.wait(), 1)
    stopping = asyncio.create_task(batcher.stop())
    await asyncio.sleep(0.01)
    assert not stopping.done()
    release.set()
    await asyncio.wait_for(stopping, 1)
    assert done == ["flush", "flush"]  # the one in progress, then the final one
    assert not batcher.running


async def test_stop_raises_what_the_final_flush_raised() -> None:
    """The final flush's error reaches the caller of stop() (its work stays with the owner)."""
    sink = Sink(fail=1)
    batcher = Batcher(sink.flush, interval=0.1, name="t")
    with pytest.raises(OSError, match="disk on fire"):
        await batcher.stop()


async def test_cancel_drops_pending_flush() -> None:
    """cancel() stops without flushing (an owner that discards its buffer)."""
    sink = Sink()
    batcher = Batcher(sink.flush, interval=0.05, name="t", leading=False)
    batcher.start()
    sink.add(1)
    batcher.poke()
    batcher.cancel()
    await asyncio.sleep(0.1)
    assert sink.batches == []
    assert not batcher.running


async def test_sync_flush_is_accepted() -> None:
    """A plain function works as the flush (the console's message posting is synchronous)."""
    calls: list[int] = []
    flushed = asyncio.Event()

    def flush() -> None:
        calls.append(1)
        flushed.set()

    batcher = Batcher(flush, interval=0.01, name="t")
    batcher.start()
    batcher.poke()
    await asyncio.wait_for(flushed.wait(), 1)
    await batcher.stop(flush=False)
    assert calls == [1]


async def test_stop_never_cancels_a_hurried_flush_that_began_while_it_waited() -> None:
    """Work hurried in during a flush starts the next flush at once; stop() waits for it too
    (or keeps it from starting) instead of cancelling it half-way."""
    release = asyncio.Event()
    entered = asyncio.Event()
    finished: list[int] = []
    calls = 0

    async def flush() -> None:
        nonlocal calls
        calls += 1
        mine = calls
        entered.set()
        await release.wait()
        for _ in range(5):  # a flush of several steps (a transaction)
            await asyncio.sleep(0)
        finished.append(mine)

    batcher = Batcher(flush, interval=0.0, name="t")
    batcher.start()
    batcher.poke()
    await asyncio.wait_for(entered.wait(), 1)
    batcher.hurry()  # more work while the first flush runs: the next one starts right after
    stopping = asyncio.create_task(batcher.stop())
    await asyncio.sleep(0)
    release.set()
    await asyncio.wait_for(stopping, 1)
    assert finished == list(range(1, calls + 1))  # every flush that began also ended
