"""Waiting on a condition instead of sleeping: the one poll helper of the test suite.

Every wait in these tests is for something to become true (a row shown, a run recorded, a
process gone). These helpers poll the condition and fail with the condition's description after
``timeout`` seconds; the happy path returns as soon as the condition holds. Exceptions raised by
the condition are *not* swallowed: a broken API fails the test at once with its own traceback
instead of turning into a time-out.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")



def _what(check: Callable[..., Any], what: str | None) -> str:
    return what or (check.__doc__ or "").strip() or getattr(check, "__name__", repr(check))


async def wait_until(
    check: Callable[[], Any],
    *,
    timeout: float = 5.0,
    every: float = 0.02,
    what: str | None = None,
    pilot: Any = None,
) -> Any:
    """The first truthy value of ``check()`` (sync or async), polled every ``every`` seconds.

    Args:
        check: the condition; its docstring or ``what`` names it in the failure.
        timeout: seconds before the test fails.
        every: seconds between two polls.
        what: what is waited for, for the failure message.
        pilot: a Textual pilot: between polls the app is let run (``pilot.pause``) so that
            messages are processed and the screen refreshed.

    Raises:
        AssertionError: the condition did not hold within ``timeout``.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = check()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return result
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {_what(check, what)}")
        if pilot is not None:
            await pilot.pause(every)
        else:
            await asyncio.sleep(every)


def wait_until_sync(
    check: Callable[[], T | None],
    *,
    timeout: float = 5.0,
    every: float = 0.05,
    what: str | None = None,
) -> T:
    """The blocking twin of :func:`wait_until` (for tests that drive other processes)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {_what(check, what)}")
        time.sleep(every)
