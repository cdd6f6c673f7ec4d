"""The engine's upkeep: a 4 Hz tick (persist changed job states, publish status), a minutely
refresh of per-job figures, and the built-in retention cleanup job ``ysched.cleanup``.

The cleanup is an ordinary, visible job (runs daily at 03:17; ``t`` in the console runs it now),
so its runs and what it deleted are in the history like any other job's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from ysched_tui.core.models import JobSource, JobSpec, PythonTarget
from ysched_tui.core.repository import PurgeResult
from ysched_tui.core.triggers import CronTrigger

log = logging.getLogger("ysched_tui.engine")

CLEANUP_CODE = "ysched.cleanup"
TICK_SECONDS = 0.25
FIGURES_EVERY = 240  # ticks: once a minute


def cleanup_job(
    purge: Callable[[datetime], Awaitable[PurgeResult]],
    clock: Callable[[], datetime],
    retention_days: int,
) -> tuple[JobSpec, Callable[[], Awaitable[dict[str, Any]]]]:
    """The retention cleanup job and the function it runs (``purge``: the repository's)."""

    async def cleanup() -> dict[str, Any]:
        cutoff = clock() - timedelta(days=retention_days)
        result = await purge(cutoff)
        return {"retention_days": retention_days, "runs_deleted": result.runs,
                "lines_deleted": result.lines}

    spec = JobSpec(
        code=CLEANUP_CODE,
        name="History retention cleanup",
        description="Deletes runs, output and stats older than the retention setting.",
        tags=("system",),
        target=PythonTarget(ref=CLEANUP_CODE),
        triggers=(CronTrigger(expr="17 3 * * *"),),
        timeout=3600,
        source=JobSource.API,
    )
    return spec, cleanup


class Housekeeping:
    """Runs the periodic upkeep: ``tick`` every :data:`TICK_SECONDS`, ``refresh`` at once and
    then every minute. A failing call is logged; the loop goes on."""

    def __init__(
        self,
        *,
        tick: Callable[[], Awaitable[None]],
        refresh: Callable[[], Awaitable[None]],
    ) -> None:
        self._tick = tick
        self._refresh = refresh
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the tick loop."""
        self._task = asyncio.get_running_loop().create_task(self._loop(), name="ysched-tick")

    async def stop(self) -> None:
        """Stop the tick loop."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        ticks = 0
        await self._refresh()  # not in start(): it scans up to 7 days of runs
        while True:
            await asyncio.sleep(TICK_SECONDS)
            ticks += 1
            try:
                await self._tick()
                if ticks % FIGURES_EVERY == 0:
                    await self._refresh()
            except Exception:
                log.exception("engine upkeep failed")
