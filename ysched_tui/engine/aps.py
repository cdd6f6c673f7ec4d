"""The APScheduler adapter: APScheduler decides *when*, the engine decides *what happens*.

Every APScheduler job is one ysched job code whose trigger wraps the core schedule functions
(:mod:`ysched_tui.core.schedule`), so firing and every preview share one code path. Nothing the
scheduler holds is state: jobs live in the project's tables and are re-added at start, in memory
(no pickling job store that could silently drop a job, nothing that blocks the loop on reads).

A custom executor hands each due fire (all its run times, uncoalesced) to the engine's dispatch
callback, which applies the misfire, concurrency and catch-up policies itself.

At start all jobs go in at once (:func:`add_before_start`): ``add_job`` costs ~35 µs a job
(argument checks through ``inspect.signature``, one sorted insert each), which is a third of a
second for 10,000 jobs; building the same :class:`~apscheduler.job.Job` objects directly and
sorting them once takes a tenth of that.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.executors.base import BaseExecutor
from apscheduler.job import Job
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import STATE_STOPPED
from apscheduler.triggers.base import BaseTrigger
from apscheduler.util import convert_to_datetime, datetime_to_utc_timestamp, obj_to_ref

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


JOB_DEFAULTS: dict[str, Any] = {
    "coalesce": False,
    "max_instances": 1_000_000,
    "misfire_grace_time": None,
}
"""Every job's options: the engine applies misfire and concurrency policies itself."""

STORE = "default"
EXECUTOR = "default"


def build_scheduler(dispatch: Dispatch) -> AsyncIOScheduler:
    """An AsyncIOScheduler with an in-memory store and the dispatching executor.

    APScheduler logs a line per added job at INFO: the entry points set its logger's level.
    """
    return AsyncIOScheduler(
        jobstores={STORE: BulkMemoryJobStore()},
        executors={EXECUTOR: DispatchExecutor(dispatch)},
        job_defaults=dict(JOB_DEFAULTS),
        timezone="UTC",  # every zone is handled by the core triggers; see CoreTrigger
    )


class BulkMemoryJobStore(MemoryJobStore):  # type: ignore[misc]
    """APScheduler's memory store, plus filling an empty store with many jobs in one sort."""

    _jobs: list[tuple[Job, float | None]]
    """(job, next run timestamp), ordered by timestamp then id (the base class's own list)."""
    _jobs_index: dict[str, tuple[Job, float | None]]

    def fill(self, jobs: list[Job]) -> None:
        """Put ``jobs`` (unique ids, none stored yet) in the order ``add_job`` would keep:
        by next run timestamp, then id."""
        if self._jobs_index:
            raise RuntimeError("fill() is for an empty store")
        stamps: dict[datetime, float] = {}  # most jobs share a handful of next fire times
        rows: list[tuple[Job, float | None]] = []
        for job in jobs:
            when = job.next_run_time
            stamp = stamps.get(when)
            if stamp is None:
                stamp = stamps[when] = datetime_to_utc_timestamp(when)
            rows.append((job, stamp))
        rows.sort(key=lambda row: (row[1], row[0].id))
        self._jobs = rows
        self._jobs_index = {job.id: (job, stamp) for job, stamp in rows}


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


def add_before_start(
    scheduler: AsyncIOScheduler, jobs: Sequence[tuple[str, CoreTrigger, datetime | None]]
) -> None:
    """Add every job of a scheduler that has not started, as :func:`put_job` would.

    The :class:`~apscheduler.job.Job` objects get exactly what ``add_job`` followed by
    ``start()`` gives them (the same function, reference, options, store and executor); what is
    skipped is re-checking the same function's signature 10,000 times and 10,000 sorted inserts.
    No job-added events are sent (the engine listens to none). Jobs with no next run time are
    not added, like :func:`put_job`.
    """
    store = scheduler._lookup_jobstore(STORE)
    if scheduler.state != STATE_STOPPED or not isinstance(store, BulkMemoryJobStore):
        for code, trigger, next_run_time in jobs:
            put_job(scheduler, code, trigger, next_run_time, fresh=True)
        return
    func_ref = obj_to_ref(_noop)
    tz = scheduler.timezone
    built: list[Job] = []
    for code, trigger, next_run_time in jobs:
        if next_run_time is None:
            continue
        job = Job.__new__(Job)
        job._scheduler = scheduler
        job._jobstore_alias = STORE
        job.id = job.name = code
        job.func, job.func_ref, job.args, job.kwargs = _noop, func_ref, (), {}
        job.trigger, job.executor = trigger, EXECUTOR
        job.coalesce = JOB_DEFAULTS["coalesce"]
        job.max_instances = JOB_DEFAULTS["max_instances"]
        job.misfire_grace_time = JOB_DEFAULTS["misfire_grace_time"]
        job.next_run_time = convert_to_datetime(next_run_time, tz, "next_run_time")
        built.append(job)
    store.fill(built)


def drop_job(scheduler: AsyncIOScheduler, code: str) -> None:
    """Remove the APScheduler job for ``code`` if there is one."""
    if scheduler.get_job(code) is not None:
        scheduler.remove_job(code)
