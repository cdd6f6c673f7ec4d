"""Firing: what happens when APScheduler says a job is due, and what a start fires or records.

A mixin of :class:`~ysched_tui.engine.service.Engine`, kept apart from its lifecycle: fires
within the misfire grace start runs, later ones are recorded as missed; after downtime the
missed fires are recorded and caught up by policy; ``@reboot`` jobs run once per start; every
change of a job's schedule goes through :meth:`EngineFiring._schedule`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from ysched_tui.core.models import TriggerType
from ysched_tui.core.repository import Repository
from ysched_tui.engine import aps
from ysched_tui.engine.runs import RunManager
from ysched_tui.engine.startup import catch_up_runs, missed_fires, unrecorded
from ysched_tui.engine.table import JobEntry, JobTable
from ysched_tui.settings import Settings


class EngineFiring:
    """Due fires, missed fires, catch-up, ``@reboot`` and (re)scheduling."""

    table: JobTable
    repo: Repository
    settings: Settings
    clock: Callable[[], datetime]
    _runs: RunManager | None
    _scheduler: AsyncIOScheduler | None
    _dirty: set[str]

    if TYPE_CHECKING:  # provided by Engine

        def _changed(self, entry: JobEntry) -> None:
            ...

    def _dispatch(self, code: str, run_times: list[datetime]) -> None:
        """APScheduler says ``code`` is due at ``run_times``: run, or record as missed."""
        if code not in self.table or self._runs is None:
            return
        entry = self.table.get(code)
        if not entry.schedulable:
            return
        now = self.clock()
        grace = entry.spec.misfire_grace
        grace = self.settings.misfire_grace if grace is None else grace
        for when in run_times:
            late = (now - when).total_seconds()
            if late > grace:
                reason = f"{late:.1f}s late (misfire grace {grace:g}s)"
                self._runs.record_missed(entry, when, reason)
            else:
                self._runs.start(entry, trigger_type=TriggerType.SCHEDULED, scheduled_time=when)
        last = run_times[-1]
        self.table.update(entry, state=entry.state.model_copy(
            update={"last_fire_time": last, "next_run_time": self.table.next_fire(entry, last)}
        ))
        self._changed(entry)

    async def _catch_up(self, now: datetime) -> None:
        assert self._runs is not None
        for entry in self.table:
            missed = missed_fires(self.table, entry, now)
            if not missed:
                continue
            last = missed[-1]
            # a previous owner killed before persisting last_fire_time may have recorded some
            assert entry.state.last_fire_time is not None
            recorded = await self.repo.scheduled_times(entry.spec.code,
                                                       entry.state.last_fire_time)
            missed = unrecorded(missed, recorded)
            for when in missed:
                self._runs.record_missed(entry, when, "the scheduler was not running")
            policy = entry.spec.catch_up or self.settings.catch_up
            for when in catch_up_runs(policy, missed):
                self._runs.start(entry, trigger_type=TriggerType.CATCH_UP, scheduled_time=when)
            self.table.update(entry, state=entry.state.model_copy(update={"last_fire_time": last}))
            self._dirty.add(entry.spec.code)

    def _startup_fires(self) -> None:
        assert self._runs is not None
        for entry in self.table:
            if any(t.kind == "startup" for t in entry.triggers) and entry.schedulable:
                self._runs.start(entry, trigger_type=TriggerType.SCHEDULED,
                                 scheduled_time=self.clock())

    def _schedule(
        self, entry: JobEntry, now: datetime, *, fresh: bool = False, keep: bool = False
    ) -> None:
        """(Re)compute a job's next fire and tell APScheduler.

        Args:
            fresh: no APScheduler job exists for this code (no lookup of one).
            keep: see :meth:`_next_run`.
        """
        nxt = self._next_run(entry, now, keep=keep)
        if self._scheduler is None:
            return
        aps.put_job(self._scheduler, entry.spec.code, self._trigger(entry), nxt, fresh=fresh)

    def _next_run(self, entry: JobEntry, now: datetime, *, keep: bool = False) -> datetime | None:
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
            nxt = self.table.next_fire(entry, now - timedelta(microseconds=1))
        if entry.state.last_fire_time is None and nxt is not None:
            self.table.update(entry, state=entry.state.model_copy(update={"last_fire_time": now}))
        self.table.update(entry, state=entry.state.model_copy(update={"next_run_time": nxt}))
        self._dirty.add(entry.spec.code)
        return nxt

    def _trigger(self, entry: JobEntry) -> aps.CoreTrigger:
        return aps.CoreTrigger(entry.triggers, self.table.tz(entry), entry.spec.code)
