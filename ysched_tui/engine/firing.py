"""Firing: when jobs fire (APScheduler, through :mod:`~ysched_tui.engine.aps`) and what a fire
means (the engine's policies).

:class:`Firing` owns the AsyncIOScheduler. Fires within the misfire grace start runs, later ones
are recorded as missed; after downtime the missed fires are recorded and caught up by policy;
``@reboot`` jobs run once per start; every change of a job's schedule goes through
:meth:`Firing.schedule`, which stores the job's next fire in its state and tells APScheduler.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from ysched_tui.core.models import TriggerType
from ysched_tui.engine import aps
from ysched_tui.engine.runs import RunManager
from ysched_tui.engine.startup import catch_up_runs, missed_fires, unrecorded
from ysched_tui.engine.table import JobEntry, JobTable
from ysched_tui.settings import Settings


class Firing:
    """Due fires, missed fires, catch-up, ``@reboot`` and (re)scheduling.

    Args:
        table: the jobs.
        settings: the misfire grace and catch-up policy jobs default to.
        clock: the current aware time.
        recorded: the scheduled times already recorded for a job since a time (the
            repository's ``scheduled_times``): catch-up never records a fire twice.
        mark: a job's state changed (store it soon).
        changed: a job changed (publish it, store its state soon).
    """

    def __init__(
        self,
        *,
        table: JobTable,
        settings: Settings,
        clock: Callable[[], datetime],
        recorded: Callable[[str, datetime], Awaitable[set[datetime]]],
        mark: Callable[[str], None],
        changed: Callable[[JobEntry], None],
    ) -> None:
        self._table = table
        self._settings = settings
        self._clock = clock
        self._recorded = recorded
        self._mark = mark
        self._changed = changed
        self._runs: RunManager | None = None
        self.scheduler: AsyncIOScheduler | None = None
        """APScheduler, from :meth:`start` on."""

    # --- lifecycle -------------------------------------------------------------------------

    async def start(
        self,
        runs: RunManager,
        now: datetime,
        *,
        recover: bool,
        changed: Sequence[str],
        same_zone: bool,
        paused: bool,
    ) -> None:
        """Catch up (with ``recover``) and start APScheduler with every job.

        Args:
            runs: starts and records the runs fires ask for.
            now: the start time.
            recover: record missed fires and apply the catch-up policies.
            changed: jobs whose triggers may differ from the stored next fire's.
            same_zone: the stored next fires were computed in the settings' zone.
            paused: start APScheduler paused (nothing fires).
        """
        self._runs = runs
        changed_codes = set(changed)
        with self._table.shared_fires():
            if recover:
                await self._catch_up(runs, now)
            scheduler = aps.build_scheduler(self.dispatch)
            jobs = []
            for entry in self._table:
                keep = same_zone and entry.spec.code not in changed_codes
                nxt = self.next_run(entry, now, keep=keep)
                jobs.append((entry.spec.code, self.trigger(entry), nxt))
        aps.add_before_start(scheduler, jobs)
        scheduler.start(paused=paused)
        self.scheduler = scheduler

    def shutdown(self) -> None:
        """Stop firing (runs in progress are not touched)."""
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)

    # --- fires -----------------------------------------------------------------------------

    def dispatch(self, code: str, run_times: list[datetime]) -> None:
        """APScheduler says ``code`` is due at ``run_times``: run, or record as missed."""
        runs = self._runs
        if code not in self._table or runs is None:
            return
        entry = self._table.get(code)
        if not entry.schedulable:
            return
        now = self._clock()
        grace = entry.spec.misfire_grace
        grace = self._settings.misfire_grace if grace is None else grace
        for when in run_times:
            late = (now - when).total_seconds()
            if late > grace:
                reason = f"{late:.1f}s late (misfire grace {grace:g}s)"
                runs.record_missed(entry, when, reason)
            else:
                runs.start(entry, trigger_type=TriggerType.SCHEDULED, scheduled_time=when)
        last = run_times[-1]
        self._table.update(entry, state=entry.state.model_copy(
            update={"last_fire_time": last, "next_run_time": self._table.next_fire(entry, last)}
        ))
        self._changed(entry)

    async def _catch_up(self, runs: RunManager, now: datetime) -> None:
        for entry in self._table:
            missed = missed_fires(self._table, entry, now)
            if not missed:
                continue
            last = missed[-1]
            # a previous owner killed before persisting last_fire_time may have recorded some
            assert entry.state.last_fire_time is not None
            recorded = await self._recorded(entry.spec.code, entry.state.last_fire_time)
            missed = unrecorded(missed, recorded)
            for when in missed:
                runs.record_missed(entry, when, "the scheduler was not running")
            policy = entry.spec.catch_up or self._settings.catch_up
            for when in catch_up_runs(policy, missed):
                runs.start(entry, trigger_type=TriggerType.CATCH_UP, scheduled_time=when)
            self._table.update(entry, state=entry.state.model_copy(
                update={"last_fire_time": last}))
            self._mark(entry.spec.code)

    def startup_fires(self) -> None:
        """Run the ``@reboot`` jobs (once per start)."""
        runs = self._runs
        assert runs is not None
        for entry in self._table:
            if any(t.kind == "startup" for t in entry.triggers) and entry.schedulable:
                runs.start(entry, trigger_type=TriggerType.SCHEDULED,
                           scheduled_time=self._clock())

    # --- schedules -------------------------------------------------------------------------

    def schedule(
        self, entry: JobEntry, now: datetime, *, fresh: bool = False, keep: bool = False
    ) -> None:
        """(Re)compute a job's next fire and tell APScheduler.

        Args:
            fresh: no APScheduler job exists for this code (no lookup of one).
            keep: see :meth:`next_run`.
        """
        nxt = self.next_run(entry, now, keep=keep)
        if self.scheduler is None:
            return
        aps.put_job(self.scheduler, entry.spec.code, self.trigger(entry), nxt, fresh=fresh)

    def drop(self, code: str) -> None:
        """Forget a job's schedule (the job is being removed)."""
        if self.scheduler is not None:
            aps.drop_job(self.scheduler, code)

    def next_run(self, entry: JobEntry, now: datetime, *, keep: bool = False) -> datetime | None:
        """The job's next fire from ``now``, stored in its state (marked dirty when it changed).

        Args:
            keep: the triggers are unchanged since the stored next fire was computed, so a
                stored next fire still ahead is reused (a restart with 10,000 jobs skips
                10,000 computations and state writes).
        """
        stored = entry.state.next_run_time
        if keep and entry.schedulable and stored is not None and stored >= now:
            return stored
        nxt = None
        if entry.schedulable:
            nxt = self._table.next_fire(entry, now - timedelta(microseconds=1))
        changes: dict[str, datetime | None] = {"next_run_time": nxt}
        if entry.state.last_fire_time is None and nxt is not None:
            changes["last_fire_time"] = now
        self._table.update(entry, state=entry.state.model_copy(update=changes))
        self._mark(entry.spec.code)
        return nxt

    def trigger(self, entry: JobEntry) -> aps.CoreTrigger:
        """The APScheduler trigger of a job's triggers in force."""
        return aps.CoreTrigger(entry.triggers, self._table.tz(entry), entry.spec.code)
