"""What operators and readers ask of the engine: job reads, actions and history.

A mixin of :class:`~ysched_tui.engine.service.Engine`, kept apart from the lifecycle and firing
code. Every action validates first, changes the in-memory job, persists it, publishes the event
and writes the audit entry, in that order: the caller's answer and the event agree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from ysched_tui.core.events import JobRemoved
from ysched_tui.core.models import (
    Actor,
    AuditAction,
    AuditEntry,
    JobSource,
    JobSpec,
    JobState,
    JobView,
    OutputLine,
    RunRecord,
    RunStatus,
    SchedulerStatus,
    StatsReport,
    TrendBucket,
    TriggerType,
    UpcomingFire,
    new_job_id,
)
from ysched_tui.core.repository import Repository
from ysched_tui.core.triggers import TriggerSpec
from ysched_tui.engine import aps
from ysched_tui.engine.audit import AuditTrail, spec_json
from ysched_tui.engine.bus import EventBus
from ysched_tui.engine.output import OutputCollector
from ysched_tui.engine.runs import RunManager
from ysched_tui.engine.table import JobEntry, JobTable
from ysched_tui.engine.validate import check_triggers
from ysched_tui.errors import InvalidOperation, RunNotFound


class EngineOperations:
    """Reads, operator actions and history queries over the engine's state."""

    table: JobTable
    repo: Repository
    bus: EventBus
    clock: Callable[[], datetime]
    audit_trail: AuditTrail
    _runs: RunManager | None
    _output: OutputCollector | None
    _scheduler: AsyncIOScheduler | None
    _dirty: set[str]

    if TYPE_CHECKING:  # provided by Engine

        def _require_running(self) -> RunManager:
            ...

        def _schedule(self, entry: JobEntry, now: datetime, *, fresh: bool = False) -> None:
            ...

        def _changed(self, entry: JobEntry) -> None:
            ...

        def _publish_status(self) -> None:
            ...

        def _status(self) -> SchedulerStatus:
            ...

        async def _flush_history(self) -> None:
            ...

    # --- jobs ------------------------------------------------------------------------------

    async def list_jobs(self) -> list[JobView]:
        return self.table.views()

    async def get_job(self, code: str) -> JobView:
        return self.table.get(code).view()

    async def upcoming(
        self, limit: int = 50, *, include_paused: bool = False
    ) -> list[UpcomingFire]:
        return self.table.upcoming(limit, include_paused=include_paused, now=self.clock())

    async def add_job(
        self, spec: JobSpec, *, replace: bool = False, actor: Actor | None = None
    ) -> JobView:
        self._require_running()
        if spec.code in self.table and not replace:
            raise InvalidOperation(f"a job with code {spec.code!r} already exists")
        old = self.table.get(spec.code) if spec.code in self.table else None
        state = old.state if old else JobState(code=spec.code, id=new_job_id())
        if spec.source is not JobSource.RUNTIME and old is None:
            spec = spec.model_copy(update={"source": JobSource.RUNTIME})
        entry = JobEntry(spec=spec, state=state)
        check_triggers(entry.triggers, self.table.tz(entry))
        self.table.put(entry)
        self._schedule(entry, self.clock())
        await self._flush_history()
        await self.repo.save_job(entry.spec, entry.state)
        self._dirty.discard(spec.code)
        self._changed(entry)
        await self.audit_trail.record("create", actor, job_code=spec.code,
                                      before=spec_json(old.spec) if old else None,
                                      after=spec_json(entry.spec))
        return entry.view()

    async def remove_job(self, code: str, *, actor: Actor | None = None) -> None:
        before = self.table.get(code).spec
        if self._scheduler is not None:
            aps.drop_job(self._scheduler, code)
        self.table.remove(code)
        await self.repo.delete_job(code)
        self._dirty.discard(code)
        self.bus.publish(JobRemoved(code=code))
        self._publish_status()
        await self.audit_trail.record("delete", actor, job_code=code, before=spec_json(before))

    # --- operator actions ------------------------------------------------------------------

    async def pause(self, code: str, *, actor: Actor | None = None) -> JobView:
        entry = self.table.get(code)
        if entry.state.paused:
            raise InvalidOperation(f"job {code!r} is already paused")
        return await self._set_state(entry, "pause", actor, paused=True)

    async def resume(self, code: str, *, actor: Actor | None = None) -> JobView:
        entry = self.table.get(code)
        if not entry.state.paused:
            raise InvalidOperation(f"job {code!r} is not paused")
        # fires during the pause are not "missed": resume from now
        return await self._set_state(entry, "resume", actor, paused=False,
                                     last_fire_time=self.clock())

    async def set_enabled(
        self, code: str, enabled: bool, *, actor: Actor | None = None
    ) -> JobView:
        entry = self.table.get(code)
        if entry.enabled == enabled:
            word = "enabled" if enabled else "disabled"
            raise InvalidOperation(f"job {code!r} is already {word}")
        override = None if enabled == entry.spec.enabled else enabled
        return await self._set_state(entry, "enable" if enabled else "disable", actor,
                                     override_enabled=override, last_fire_time=self.clock())

    async def reschedule(
        self, code: str, triggers: Sequence[TriggerSpec], *, actor: Actor | None = None
    ) -> JobView:
        entry = self.table.get(code)
        new = tuple(triggers)
        check_triggers(new, self.table.tz(entry))
        override = None if new == entry.spec.triggers else new
        return await self._set_state(entry, "reschedule", actor, override_triggers=override,
                                     last_fire_time=self.clock())

    async def revert(self, code: str, *, actor: Actor | None = None) -> JobView:
        entry = self.table.get(code)
        st = entry.state
        if st.override_triggers is None and st.override_enabled is None:
            raise InvalidOperation(f"job {code!r} has no operator override to revert")
        return await self._set_state(entry, "revert", actor, override_triggers=None,
                                     override_enabled=None, last_fire_time=self.clock())

    async def _set_state(
        self, entry: JobEntry, action: AuditAction, actor: Actor | None, **changes: Any
    ) -> JobView:
        before = entry.view()
        self.table.update(entry, state=entry.state.model_copy(update=changes))
        self._schedule(entry, self.clock())
        await self._flush_history()
        await self.repo.save_state(entry.state)
        self._dirty.discard(entry.spec.code)
        self._changed(entry)
        self._publish_status()
        after = entry.view()
        await self.audit_trail.job_action(action, actor, before, after)
        return after

    async def trigger(
        self, code: str, params: dict[str, Any] | None = None, *, actor: Actor | None = None
    ) -> str:
        runs = self._require_running()
        entry = self.table.get(code)
        run = runs.start(entry, trigger_type=TriggerType.MANUAL, scheduled_time=None,
                         params=params)
        self.audit_trail.record_soon("trigger", actor, job_code=code, run_id=run.run_id,
                                     after={"run_id": run.run_id, "params": run.params})
        return run.run_id

    async def cancel(self, run_id: str, *, actor: Actor | None = None) -> RunRecord:
        runs = self._require_running()
        active = runs.active_run(run_id)
        if active is None:
            stored = await self.repo.get_run(run_id)
            if stored is None:
                raise RunNotFound(run_id)
            raise InvalidOperation(f"run {run_id} is not in progress ({stored.status.value})")
        await runs.cancel(run_id)
        final = await self.get_run(run_id)
        await self.audit_trail.record("cancel", actor, job_code=final.job_code, run_id=run_id,
                                      before={"status": active.status.value},
                                      after={"status": final.status.value})
        return final

    async def audit(self, limit: int = 100) -> list[AuditEntry]:
        """The latest ``limit`` operator actions, newest first (from the database)."""
        await self.audit_trail.drain()
        return await self.repo.list_audit(limit)

    # --- history ---------------------------------------------------------------------------

    async def list_runs(
        self,
        code: str | None = None,
        *,
        status: RunStatus | None = None,
        limit: int = 100,
        before: datetime | None = None,
    ) -> list[RunRecord]:
        if self._runs is not None:
            await self._runs.drain()  # read what this engine recorded, like the repository does
        return await self.repo.list_runs(code, status=status, limit=limit, before=before)

    async def get_run(self, run_id: str) -> RunRecord:
        if self._runs is not None and (live := self._runs.active_run(run_id)) is not None:
            return live
        run = await self.repo.get_run(run_id)
        if run is None:
            raise RunNotFound(run_id)
        return run

    async def run_output(
        self, run_id: str, *, after_seq: int = 0, limit: int | None = None,
        tail: int | None = None,
    ) -> list[OutputLine]:
        await self.get_run(run_id)
        if self._output is not None:
            await self._output.flush(run_id)
        return await self.repo.get_output(run_id, after_seq=after_seq, limit=limit, tail=tail)

    async def stats(self, code: str | None = None) -> StatsReport:
        if code is not None:
            self.table.get(code)
        report = await self.repo.stats(self.clock(), code)
        status = self._status()
        return report.model_copy(update={
            "code": code,
            "total_jobs": len(self.table),
            "active_jobs": status.jobs_active,
            "paused_jobs": status.jobs_paused,
        })

    async def trend(
        self, code: str | None = None, *, unit: str = "hour", count: int = 24
    ) -> list[TrendBucket]:
        if unit not in ("hour", "day"):
            raise InvalidOperation(f"unit must be 'hour' or 'day', not {unit!r}")
        return await self.repo.trend(self.clock(), code, unit=unit, count=count)
