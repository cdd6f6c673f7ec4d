"""Process-wide memory tuning, for the entry points that own the process (the console and the
daemon); library code never calls these.

* :func:`collector_held` — hold the cyclic garbage collector while the engine starts: it builds
  ~100,000 objects for 10,000 jobs and none of them is garbage, so every collection meanwhile
  walks a growing heap for nothing.
* :func:`release_free_memory` — give heap pages freed after start-up back to the operating
  system. Start-up (parsing and validating a large jobs file, syncing it with the database)
  allocates and frees tens of megabytes; glibc keeps freed pages mapped, so the process's RSS
  stays as if they were in use (measured: 214 MB right after a first start with 10,000 jobs,
  200 MB after ``malloc_trim``). Elsewhere than glibc it does nothing.
* :func:`release_periodically` — the same every :data:`TRIM_SECONDS` while the process runs:
  under a steady churn of output lines and job views glibc otherwise keeps ~5 MB more.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import functools
import gc
import sys
from collections.abc import Iterator

TRIM_SECONDS = 15.0
"""How often :func:`release_periodically` returns freed heap to the OS."""


@functools.cache
def _trim() -> object | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None


def release_free_memory() -> bool:
    """Return free heap pages to the OS; True if the platform could."""
    trim = _trim()
    if trim is None:
        return False
    trim(0)  # type: ignore[operator]
    return True


async def release_periodically(every: float = TRIM_SECONDS) -> None:
    """Call :func:`release_free_memory` every ``every`` seconds until cancelled."""
    while True:
        await asyncio.sleep(every)
        release_free_memory()


@contextlib.contextmanager
def collector_held() -> Iterator[None]:
    """Hold the garbage collector over the block (an engine's start), on the event loop.

    After the block the collector resumes on the loop's next turn (its first pass over
    everything built, ~35 ms at 10,000 jobs, then runs once the scheduler is up instead of
    inside the start); if the block fails, at once. A collector that was off stays off.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    except BaseException:
        if collecting:
            gc.enable()
        raise
    if collecting:
        asyncio.get_running_loop().call_soon(gc.enable)
