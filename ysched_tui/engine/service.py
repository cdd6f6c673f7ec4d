"""The engine: the in-process :class:`SchedulerService` that owns an AsyncIOScheduler.

It syncs declared jobs into storage, asks APScheduler when to fire, runs jobs through
:mod:`ysched_tui.jobs`, records everything through :mod:`ysched_tui.storage` and publishes core
events. Reads are answered from memory (jobs) or storage (history), never from APScheduler.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from ysched_tui.core.events import Event, JobRemoved, JobUpdated, RunFinished, StatusChanged
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
from ysched_tui.core.service import Listener, SchedulerService
from ysched_tui.core.triggers import TriggerSpec
from ysched_tui.engine import aps
from ysched_tui.engine.audit import AuditTrail, spec_json
from ysched_tui.engine.bus import EventBus
from ysched_tui.engine.housekeeping import Housekeeping, cleanup_spec
from ysched_tui.engine.output import OutputCollector
from ysched_tui.engine.runs import RunManager
from ysched_tui.engine.startup import (
    catch_up_runs,
    loaded_sources,
    missed_fires,
    sync_jobs,
    unrecorded,
)
from ysched_tui.engine.table import JobEntry, JobTable
from ysched_tui.engine.validate import check_triggers
from ysched_tui.errors import InvalidOperation, RunNotFound
from ysched_tui.settings import Settings
from ysched_tui.storage import SqliteRepository

log = logging.getLogger("ysched_tui.engine")


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Engine(SchedulerService):
    """The scheduler service running in this process.

    Args:
        settings: the settings in force.
        specs: declared jobs; ``None`` loads them from the settings' jobs file and scripts.
        callables: Python callables by reference, for jobs declared through the API.
        clock: returns the current aware time (tests freeze it for stable screens).
        repository: storage to use; defaults to SQLite at ``settings.db``.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        specs: Sequence[JobSpec] | None = None,
        callables: Mapping[str, Callable[..., Any]] | None = None,
        clock: Callable[[], datetime] | None = None,
        repository: Repository | None = None,
    ) -> None:
        self.settings = settings
        self._specs = list(specs) if specs is not None else None
        self._callables: dict[str, Callable[..., Any]] = dict(callables or {})
        self.clock = clock or _utcnow
        self.repo = repository or SqliteRepository(
            settings.db, max_output_lines=settings.max_output_lines
        )
        self.table = JobTable(settings.timezone)
        self.bus = EventBus()
        self._state = "stopped"
        self._since: datetime | None = None
        self._opened = False
        self._scheduler: AsyncIOScheduler | None = None
        self._runs: RunManager | None = None
        self._output: OutputCollector | None = None
        self._http: httpx.AsyncClient | None = None
        self._house: Housekeeping | None = None
        self._dirty: set[str] = set()
        self._loaded_sources: frozenset[JobSource] = frozenset(
            (JobSource.FILE, JobSource.API, JobSource.SCRIPT)
        )
        self.failures_24h = 0
        self.audit_trail = AuditTrail(self.repo, lambda: self.clock())

    # --- lifecycle -------------------------------------------------------------------------

    async def open(self) -> None:
        """Open storage and load the stored jobs, without scheduling (for read-only use)."""
        if self._opened:
            return
        await self.repo.open()
        self._opened = True
        for spec, state in await self.repo.load_jobs():
            self.table.put(JobEntry(spec=spec, state=state))
        await self._refresh_figures()

    async def start(self, *, paused: bool = False, recover: bool = True) -> None:
        """Load and validate jobs, open storage, sync, catch up, and start firing.

        Args:
            paused: start with the scheduler paused (nothing fires; used for stable screenshots
                and by ``ysched-tui run``).
            recover: mark runs left running as interrupted, record missed fires, apply catch-up
                and run ``@reboot`` jobs; ``False`` for a one-off ``run`` beside an owner.

        Raises:
            ConfigError: the jobs file is invalid (nothing in the database is changed).
            StorageError: the database cannot be used.
        """
        declared = self._declared()
        self._state = "starting"
        await self.repo.open()
        self._opened = True
        now = self.clock()
        stored = await self.repo.load_jobs()
        result, to_save = sync_jobs(stored, declared, self.table, loaded=self._loaded_sources)
        for code in result.removed:
            await self.repo.delete_job(code)
        if to_save:
            await self.repo.save_jobs([(e.spec, e.state) for e in to_save])
        log.info("jobs: %d (added %d, updated %d, removed %d)", len(self.table),
                 len(result.added), len(result.updated), len(result.removed))
        if recover:
            for run in await self.repo.mark_interrupted(now):
                log.warning("run %s of %s was left running: interrupted", run.run_id, run.job_code)
        self.failures_24h = await self.repo.failures_since(now - timedelta(hours=24))
        self._http = httpx.AsyncClient(follow_redirects=True)
        self._output = OutputCollector(self.repo.append_output, self.bus.publish,
                                       max_lines=self.settings.max_output_lines)
        self._output.start()
        self._runs = RunManager(
            table=self.table, repo=self.repo, bus=self.bus, output=self._output,
            settings=self.settings, http=self._http, callables=self._callables,
            clock=self.clock, on_change=self._changed,
        )
        self.bus.subscribe(self._count_failures)
        if recover:
            await self._catch_up(now)
        self._scheduler = aps.build_scheduler(self._dispatch)
        for entry in self.table:
            self._schedule(entry, now, fresh=True)
        self._scheduler.start(paused=paused)
        self._house = Housekeeping(self)  # saves the new next fires and loads figures soon
        self._house.start()
        self._state = "paused" if paused else "running"
        self._since = now
        if recover:
            self._startup_fires()
        self._publish_status()

    def _declared(self) -> list[JobSpec]:
        """The declared jobs; also sets which sources were read (see ``sync_jobs``)."""
        if self._specs is None:
            from ysched_tui.config.jobs_file import load_all

            specs, callables = load_all(self.settings)
            self._callables.update(callables)
            self._loaded_sources = loaded_sources(self.settings, specs)
        else:
            specs = list(self._specs)
        spec, func = cleanup_spec(self)
        self._callables[spec.target.ref] = func  # type: ignore[union-attr]
        return [*specs, spec]

    async def stop(self, grace: float | None = None) -> None:
        """Stop firing, wait ``grace`` (default: settings) for runs, cancel the rest, close."""
        if self._state in ("stopped", "stopping"):
            if self._opened and self._runs is None:
                await self.repo.close()
                self._opened = False
            return
        self._state = "stopping"
        self._publish_status()
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
        if self._house is not None:
            await self._house.stop()
        if self._runs is not None:
            await self._runs.stop(self.settings.shutdown_grace if grace is None else grace)
        if self._output is not None:
            await self._output.stop()
        await self._save_dirty()
        await self.audit_trail.drain()
        if self._http is not None:
            await self._http.aclose()
        await self.repo.close()
        self._opened = False
        self._state = "stopped"
        self._publish_status()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        return self.bus.subscribe(listener)

    async def status(self) -> SchedulerStatus:
        return self._status()

    # --- firing ----------------------------------------------------------------------------

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
        entry.state = entry.state.model_copy(
            update={"last_fire_time": last, "next_run_time": self.table.next_fire(entry, last)}
        )
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
            entry.state = entry.state.model_copy(update={"last_fire_time": last})
            self._dirty.add(entry.spec.code)

    def _startup_fires(self) -> None:
        assert self._runs is not None
        for entry in self.table:
            if entry.schedulable and any(t.kind == "startup" for t in entry.triggers):
                self._runs.start(entry, trigger_type=TriggerType.SCHEDULED,
                                 scheduled_time=self.clock())

    def _schedule(self, entry: JobEntry, now: datetime, *, fresh: bool = False) -> None:
        """(Re)compute a job's next fire and tell APScheduler."""
        nxt = None
        if entry.schedulable:
            nxt = self.table.next_fire(entry, now - timedelta(microseconds=1))
        if entry.state.last_fire_time is None and nxt is not None:
            entry.state = entry.state.model_copy(update={"last_fire_time": now})
        entry.state = entry.state.model_copy(update={"next_run_time": nxt})
        self._dirty.add(entry.spec.code)
        if self._scheduler is None:
            return
        trigger = aps.CoreTrigger(entry.triggers, self.table.tz(entry), entry.spec.code)
        aps.put_job(self._scheduler, entry.spec.code, trigger, nxt, fresh=fresh)

    def _changed(self, entry: JobEntry) -> None:
        self._dirty.add(entry.spec.code)
        self.bus.publish(JobUpdated(job=entry.view()))
        if self._house is not None:
            self._house.status_dirty = True

    async def _save_dirty(self) -> None:
        codes, self._dirty = self._dirty, set()
        states = [self.table.get(c).state for c in codes if c in self.table]
        if not states:
            return
        try:
            await self._flush_history()
            await self.repo.save_states(states)
        except BaseException:
            self._dirty |= codes
            raise

    async def _flush_history(self) -> None:
        """Make every run recorded so far durable before a state that counts it is saved.

        A job's ``last_fire_time`` must never be stored ahead of the runs of the fires it
        covers: after a crash the next owner catches up from it, and a fire whose run was lost
        with the buffer would then be neither run nor missed.
        """
        if self._runs is not None:
            await self._runs.drain()
        if self._opened:
            await self.repo.flush()

    def _count_failures(self, event: Event) -> None:
        if isinstance(event, RunFinished) and event.run.status.is_failure:
            self.failures_24h += 1

    async def _refresh_figures(self) -> None:
        figures = await self.repo.job_figures(self.clock())
        for entry in self.table:
            rate, median = figures.get(entry.spec.code, (None, None))
            if (rate, median) != (entry.success_rate_7d, entry.median_duration_ms):
                entry.success_rate_7d, entry.median_duration_ms = rate, median
                self.bus.publish(JobUpdated(job=entry.view()))

    def _status(self) -> SchedulerStatus:
        active = paused = 0
        for entry in self.table:
            if entry.state.paused:
                paused += 1
            elif entry.enabled:
                active += 1
        return SchedulerStatus(
            state=self._state,
            db_path=self.settings.db,
            jobs_active=active,
            jobs_paused=paused,
            running_now=self._runs.running_count if self._runs else 0,
            failures_24h=self.failures_24h,
            owner_pid=os.getpid(),
            owner_host=socket.gethostname(),
            owner_since=self._since,
            timezone=self.settings.timezone,
        )

    def _publish_status(self) -> None:
        self.bus.publish(StatusChanged(status=self._status()))

    def _require_running(self) -> RunManager:
        if self._runs is None or self._state not in ("running", "paused"):
            raise InvalidOperation("the scheduler is not running in this process")
        return self._runs

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
        entry.state = entry.state.model_copy(update=changes)
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
        self, run_id: str, *, after_seq: int = 0, limit: int | None = None
    ) -> list[OutputLine]:
        await self.get_run(run_id)
        if self._output is not None:
            await self._output.flush(run_id)
        return await self.repo.get_output(run_id, after_seq=after_seq, limit=limit)

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

    # --- used by housekeeping --------------------------------------------------------------

    async def tick(self) -> None:
        """Periodic upkeep: persist changed states, publish status changes."""
        await self._save_dirty()
        if self._house is not None and self._house.status_dirty:
            self._house.status_dirty = False
            self._publish_status()

    async def refresh_figures(self) -> None:
        """Reload success rates and median durations (every minute)."""
        with contextlib.suppress(Exception):
            await self._refresh_figures()
            self.failures_24h = await self.repo.failures_since(
                self.clock() - timedelta(hours=24)
            )
