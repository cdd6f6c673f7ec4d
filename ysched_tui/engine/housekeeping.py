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
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ysched_tui.core.models import JobSource, JobSpec, PythonTarget
from ysched_tui.core.triggers import CronTrigger
from ysched_tui.memory import release_free_memory

if TYPE_CHECKING:
    from ysched_tui.engine.service import Engine

log = logging.getLogger("ysched_tui.engine")

CLEANUP_CODE = "ysched.cleanup"
TICK_SECONDS = 0.25
FIGURES_EVERY = 240  # ticks: once a minute
TRIM_EVERY = 60  # ticks: every 15 s, freed heap goes back to the OS (see ysched_tui.memory);
# under a steady churn of output lines and job views glibc otherwise keeps it (~5 MB measured)


def cleanup_spec(engine: Engine) -> tuple[JobSpec, Callable[[], Awaitable[dict[str, Any]]]]:
    """The retention cleanup job and the function it runs."""

    async def cleanup() -> dict[str, Any]:
        days = engine.settings.retention_days
        cutoff = engine.clock() - timedelta(days=days)
        result = await engine.repo.purge(cutoff)
        return {"retention_days": days, "runs_deleted": result.runs, "lines_deleted": result.lines}

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
    """Runs the periodic upkeep of an engine."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._task: asyncio.Task[None] | None = None
        self.status_dirty = False

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
        await self._engine.refresh_figures()  # not in start(): it scans up to 7 days of runs
        while True:
            await asyncio.sleep(TICK_SECONDS)
            ticks += 1
            try:
                await self._engine.tick()
                if ticks % FIGURES_EVERY == 0:
                    await self._engine.refresh_figures()
                if ticks % TRIM_EVERY == 0:
                    release_free_memory()
            except Exception:
                log.exception("engine upkeep failed")
