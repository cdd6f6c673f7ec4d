"""The APScheduler adapter: APScheduler decides *when*, the engine decides *what happens*.

Every APScheduler job is one ysched job code whose trigger wraps the core schedule functions
(:mod:`ysched_tui.core.schedule`), so firing and every preview share one code path. Nothing the
scheduler holds is state: jobs live in the project's tables and are re-added at start, in memory
(no pickling job store that could silently drop a job, nothing that blocks the loop on reads).

A custom executor hands each due fire (all its run times, uncoalesced) to the engine's dispatch
callback, which applies the misfire, concurrency and catch-up policies itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.executors.base import BaseExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger

from ysched_tui.core.schedule import next_fire_multi
from ysched_tui.core.triggers import TriggerSpec

Dispatch = Callable[[str, list[datetime]], None]
"""Called with (job code, due run times oldest first) on the event loop."""

_EPSILON = timedelta(microseconds=1)


class CoreTrigger(BaseTrigger):  # type: ignore[misc]
    """An APScheduler trigger computing fire times with the core schedule functions."""

    __slots__ = ("default_tz", "seed", "triggers")

    def __init__(self, triggers: Sequence[TriggerSpec], default_tz: str, seed: str) -> None:
        self.triggers = tuple(triggers)
        self.default_tz = default_tz
        self.seed = seed

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        after = previous_fire_time if previous_fire_time is not None else now - _EPSILON
        found = next_fire_multi(self.triggers, after, default_tz=self.default_tz, seed=self.seed)
        # in UTC: APScheduler compares with `<=`, which ignores `fold` within one zone and
        # would fire the second 02:00 of a fall-back night an hour early
        return found[0].astimezone(UTC) if found else None

    def __str__(self) -> str:
        return f"ysched[{self.seed}]"


class DispatchExecutor(BaseExecutor):  # type: ignore[misc]
    """Hands due fires to the engine instead of running anything itself."""

    def __init__(self, dispatch: Dispatch) -> None:
        super().__init__()
        self._dispatch = dispatch

    def _do_submit_job(self, job: Any, run_times: list[datetime]) -> None:
        try:
            self._dispatch(job.id, list(run_times))
        finally:
            self._run_job_success(job.id, [])


def build_scheduler(dispatch: Dispatch) -> AsyncIOScheduler:
    """An AsyncIOScheduler with an in-memory store and the dispatching executor."""
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # no line per added job
    return AsyncIOScheduler(
        jobstores={"default": MemoryJobStore()},
        executors={"default": DispatchExecutor(dispatch)},
        job_defaults={
            "coalesce": False,
            "max_instances": 1_000_000,
            "misfire_grace_time": None,
        },
        timezone="UTC",  # every zone is handled by the core triggers; see CoreTrigger
    )


def _noop() -> None:
    """The function APScheduler jobs point at; the executor never calls it."""


def put_job(
    scheduler: AsyncIOScheduler,
    code: str,
    trigger: CoreTrigger,
    next_run_time: datetime | None,
    *,
    fresh: bool = False,
) -> None:
    """Add or replace the APScheduler job for ``code`` starting at ``next_run_time``.

    ``fresh=True`` skips the lookup of an existing job (used for the bulk add at start, where a
    lookup in APScheduler's pending list would make adding n jobs O(n^2)).
    """
    if not fresh and scheduler.get_job(code) is not None:
        scheduler.remove_job(code)
    if next_run_time is None:
        return
    scheduler.add_job(_noop, trigger=trigger, id=code, name=code, next_run_time=next_run_time)


def drop_job(scheduler: AsyncIOScheduler, code: str) -> None:
    """Remove the APScheduler job for ``code`` if there is one."""
    if scheduler.get_job(code) is not None:
        scheduler.remove_job(code)
