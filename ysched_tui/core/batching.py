"""When to flush a buffer: the one batching rhythm of the whole program.

Several parts collect work that arrives one item at a time and is cheaper handled together:
output lines of a run (stored and published together), job changes for the console's table
(one repaint instead of hundreds), run records for the database (one transaction per batch).
Each keeps its own buffer, whose shape is its own business; :class:`Batcher` decides *when* the
buffer is flushed, so the rules are the same everywhere:

- a producer calls :meth:`Batcher.poke` after adding to its buffer; that is cheap, synchronous
  and never blocks, so it may be called thousands of times a second from the event loop;
- the flush runs at most once per ``interval`` while work keeps coming — at the start of a burst
  (``leading=True``, for live views: the first line shows at once) or at its end
  (``leading=False``, for stores: the first write waits for company);
- :meth:`Batcher.hurry` skips the wait (a buffer that is full);
- a flush that raises keeps the work pending (the buffer is the producer's) and is retried with
  a growing delay; ``on_error`` is told each time, so the owner decides what to log;
- :meth:`Batcher.stop` never cuts a flush in half, and flushes once more unless told not to.

It is pure asyncio and imports nothing of this program, so any layer may use it.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import Awaitable, Callable

FlushCallback = Callable[[], Awaitable[object] | object]
"""A flush: a plain function or a coroutine function, called with no arguments."""


class Batcher:
    """Calls ``flush`` at most once per ``interval`` seconds while there is work.

    Args:
        flush: writes or posts whatever its owner has buffered; may be sync or async.
        interval: the least time between two flushes (and, when trailing, the longest an item
            waits before its flush begins).
        name: the name of the flushing task (shown by debuggers and asyncio's warnings).
        leading: flush at once when work arrives after a quiet spell, then at most once per
            ``interval``; ``False`` waits ``interval`` first so the batch can fill.
        on_error: told of each failed flush (the work is retried after ``retry_delay``,
            doubling up to ``max_retry_delay``).
        retry_delay: the first delay after a failed flush, in seconds.
        max_retry_delay: the longest delay between retries, in seconds.
    """

    def __init__(
        self,
        flush: FlushCallback,
        *,
        interval: float,
        name: str,
        leading: bool = True,
        on_error: Callable[[Exception], None] | None = None,
        retry_delay: float = 0.5,
        max_retry_delay: float = 5.0,
    ) -> None:
        self._flush = flush
        self._interval = max(0.0, interval)
        self._name = name
        self._leading = leading
        self._on_error = on_error
        self._retry_delay = retry_delay
        self._max_retry_delay = max(retry_delay, max_retry_delay)
        self._work = asyncio.Event()
        """Set by :meth:`poke`: something waits to be flushed."""
        self._hurried = False
        """Set by :meth:`hurry`: flush without waiting out the interval."""
        self._wakeup: asyncio.Future[None] | None = None
        """While the task waits out an interval: resolved by the timer, or early by hurry()."""
        self._task: asyncio.Task[None] | None = None
        self._flushing: asyncio.Future[None] | None = None
        """Done when the flush in progress (if any) has returned."""
        self._stopping = False
        """Set by :meth:`stop`: the task starts no new flush."""

    @property
    def running(self) -> bool:
        """Whether the flushing task is alive."""
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Start the flushing task on the running loop (idempotent)."""
        if not self.running:
            self._stopping = False
            self._task = asyncio.get_running_loop().create_task(self._loop(), name=self._name)

    def poke(self) -> None:
        """Work was added: flush within ``interval`` (at once if idle and leading)."""
        self._work.set()

    def hurry(self) -> None:
        """Work was added and should not wait: flush as soon as the current one ends."""
        self._work.set()
        self._hurried = True
        if self._wakeup is not None and not self._wakeup.done():
            self._wakeup.set_result(None)

    async def stop(self, *, flush: bool = True) -> None:
        """Stop the task after any flush in progress; then flush once more if ``flush``.

        Raises:
            Exception: whatever the final flush raised (its work stays with the owner).
        """
        task, self._task = self._task, None
        if task is not None:
            self._stopping = True
            # a hurried batch may start its flush while we wait for the one before: wait until
            # none is in progress (the task sees _stopping before it could begin another)
            while self._flushing is not None:
                with contextlib.suppress(Exception, asyncio.CancelledError):
                    await asyncio.shield(self._flushing)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._work.clear()
        self._hurried = False
        if flush:
            await self._call()

    def cancel(self) -> None:
        """Stop at once, dropping the pending flush (for owners that discard their buffer)."""
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self._work.clear()
        self._hurried = False

    async def _call(self) -> None:
        result = self._flush()
        if inspect.isawaitable(result):
            await result

    async def _pause(self) -> None:
        """Wait out the interval, unless hurried (a timer and a future: this runs up to 20
        times a second per batcher on the console's loop, so no task is made per wait)."""
        if self._hurried or self._interval <= 0:
            return
        loop = asyncio.get_running_loop()
        self._wakeup = wakeup = loop.create_future()
        timer = loop.call_later(self._interval, _resolve, wakeup)
        try:
            await wakeup
        finally:
            timer.cancel()
            self._wakeup = None

    async def _loop(self) -> None:
        delay = self._retry_delay
        loop = asyncio.get_running_loop()
        while True:
            await self._work.wait()
            if not self._leading:
                await self._pause()
            if self._stopping:
                return
            self._work.clear()
            self._hurried = False
            self._flushing = done = loop.create_future()
            try:
                await self._call()
            except Exception as exc:
                failed: Exception | None = exc
            else:
                failed = None
            finally:
                self._flushing = None
                done.set_result(None)
            if failed is not None:
                self._work.set()  # the owner still holds the work: try again later
                if self._on_error is not None:
                    self._on_error(failed)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._max_retry_delay)
                continue
            delay = self._retry_delay
            if self._leading:
                await self._pause()


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
