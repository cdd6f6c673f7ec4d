"""The engine: the in-process :class:`SchedulerService`, wired from the parts it is given.

:class:`Engine` receives a :class:`~ysched_tui.core.repository.Repository` and a
:class:`~ysched_tui.config.JobsLoader` (the composition root,
:mod:`ysched_tui.owner.assembly`, builds both from settings) and composes its own parts, each
given only what it needs:

* :class:`~ysched_tui.engine.catalogue.JobCatalogue` — declared, stored and in-memory jobs kept
  in step (start sync, reload, state saving);
* :class:`~ysched_tui.engine.firing.Firing` — APScheduler and the firing policies;
* :class:`~ysched_tui.engine.runs.RunManager` and its
  :class:`~ysched_tui.engine.output.OutputCollector` — runs, from start to their record;
* :class:`~ysched_tui.engine.housekeeping.Housekeeping` — the periodic upkeep;
* :class:`~ysched_tui.engine.audit.AuditTrail` and :class:`~ysched_tui.engine.bus.EventBus`.

Reads are answered from memory (jobs) or storage (history), never from APScheduler. Every
operator action validates first, changes the in-memory job, persists it, publishes the event and
writes the audit entry, in that order: the caller's answer and the event agree.

The engine leaves the process alone (no garbage-collector, allocator or logging settings): the
entry points that own the process tune it (see :mod:`ysched_tui.memory`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from ysched_tui.config.jobs_file import JobsLoader
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
    ReloadReport,
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
from ysched_tui.core.trend import check_trend_args
from ysched_tui.core.triggers import TriggerSpec
from ysched_tui.engine.audit import AuditTrail, spec_json
from ysched_tui.engine.bus import EventBus
from ysched_tui.engine.catalogue import JobCatalogue
from ysched_tui.engine.firing import Firing
from ysched_tui.engine.housekeeping import Housekeeping, cleanup_job
from ysched_tui.engine.output import OutputCollector
from ysched_tui.engine.runs import RunManager
from ysched_tui.engine.table import JobEntry, JobTable
from ysched_tui.engine.validate import check_triggers
from ysched_tui.errors import (
    AlreadyInState,
    JobConflict,
    RunNotFound,
    SchedulerNotRunning,
)
from ysched_tui.jobs import leftovers
from ysched_tui.jobs.http_client import LazyHttpClient
from ysched_tui.settings import Settings

log = logging.getLogger("ysched_tui.engine")


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Engine(SchedulerService):
    """The scheduler service running in this process.

    Args:
        settings: the settings in force.
        repository: where jobs, runs, output and the audit are stored (not opened yet).
        loader: reads the jobs file and scripts when ``specs`` is ``None``, and knows the
            fingerprints storage recognises unchanged specs by.
        specs: declared jobs; ``None`` loads them with ``loader`` from the settings.
        callables: Python callables by reference, for jobs declared through the API.
        clock: returns the current aware time (tests freeze it for stable screens).
    """

    def __init__(
        self,
        settings: Settings,
        repository: Repository,
        loader: JobsLoader,
        *,
        specs: Sequence[JobSpec] | None = None,
        callables: Mapping[str, Callable[..., Any]] | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.settings = settings
        self.repo = repository
        self.clock = clock or _utcnow
        self.table = JobTable(settings.timezone)
        self.bus = EventBus()
        self.audit_trail = AuditTrail(repository, self.clock)
        self.served_at: tuple[str, ...] = ()
        """Where the owner serves the control API (set by whoever starts the server)."""
        self.failures_24h = 0
        self._loader = loader
        self._callables: dict[str, Callable[..., Any]] = dict(callables or {})
        self._catalogue = JobCatalogue(
            table=self.table, repo=repository, loader=loader, settings=settings, specs=specs,
            callables=self._callables,
            built_in=[cleanup_job(repository.purge, self.clock, settings.retention_days)],
            before_states=self._flush_history,
        )
        self._firing = Firing(
            table=self.table, settings=settings, clock=self.clock,
            recorded=repository.scheduled_times, mark=self._catalogue.mark,
            changed=self._changed,
        )
        self._state = "stopped"
        self._since: datetime | None = None
        self._opened = False
        self._runs: RunManager | None = None
        self._output: OutputCollector | None = None
        self._house: Housekeeping | None = None
        self._status_dirty = False
        """A job changed since the last status was published (the tick publishes it)."""
        self._http = LazyHttpClient()
        """Built when an HTTP job or webhook first needs it (or ahead, when some job will)."""
        self._leftovers: asyncio.Task[dict[str, int]] | None = None
        """Stopping the processes of runs a dead owner left running (see jobs.leftovers)."""
        self._reload_lock = asyncio.Lock()
        self._jobs_file = os.path.abspath(settings.jobs) if settings.jobs else None
        """The jobs file as the status names it (resolved once: the status is built often)."""

    # --- lifecycle -------------------------------------------------------------------------

    async def open(self) -> None:
        """Open storage and load the stored jobs, without scheduling (for read-only use)."""
        if self._opened:
            return
        await self.repo.open()
        self._opened = True
        await self._catalogue.load_stored()
        await self._refresh_figures()

    async def start(self, *, paused: bool = False, recover: bool = True) -> None:
        """Load and validate jobs, open storage, sync, catch up, and start firing.

        Builds ~100,000 objects for 10,000 jobs, none of them garbage: an entry point that
        owns the process may hold the garbage collector meanwhile (see
        :func:`ysched_tui.memory.collector_held`).

        Args:
            paused: start with the scheduler paused (nothing fires; used for stable screenshots
                and by ``ysched-tui run``).
            recover: mark runs left running as interrupted, record missed fires, apply catch-up
                and run ``@reboot`` jobs; ``False`` for a one-off ``run`` beside an owner.

        Raises:
            ConfigError: the jobs file is invalid (nothing in the database is changed).
            StorageError: the database cannot be used.
        """
        try:
            await self._start(paused=paused, recover=recover)
        except BaseException:
            with contextlib.suppress(Exception):  # the start's own error is what matters
                await self._http.aclose()
            raise
        # the parsed jobs file (document, text, line index: ~25 MB at 10,000 jobs) and the
        # specs' fingerprints were only needed to build and sync the specs; a reload reads the
        # file (or the parse cache) again
        self._loader.forget()

    async def _start(self, *, paused: bool, recover: bool) -> None:
        declared = self._catalogue.declared()
        if self._needs_http(declared):  # httpx and its CA bundle load in a thread meanwhile
            self._http.prepare()
        self._state = "starting"
        await self.repo.open()
        self._opened = True
        now = self.clock()
        result = await self._catalogue.sync(declared)
        log.info("jobs: %d (added %d, updated %d, removed %d)", len(self.table),
                 len(result.added), len(result.updated), len(result.removed))
        if recover:
            left = await self.repo.mark_interrupted(now)
            for run in left:
                log.warning("run %s of %s was left running: interrupted", run.run_id, run.job_code)
            here = socket.gethostname()
            self._leftovers = leftovers.stop_later(
                [r.run_id for r in left if r.hostname in ("", here)], self.settings.kill_grace)
        self.failures_24h = await self.repo.failures_since(now - timedelta(hours=24))
        self._output = OutputCollector(self.repo.append_output, self.bus.publish,
                                       max_lines=self.settings.max_output_lines)
        self._output.start()
        self._runs = RunManager(
            table=self.table, repo=self.repo, bus=self.bus, output=self._output,
            settings=self.settings, http=self._http, callables=self._callables,
            clock=self.clock, on_change=self._changed,
        )
        self.bus.subscribe(self._count_failures)
        same_zone = await self.repo.get_meta("timezone") == self.settings.timezone
        await self.repo.set_meta("timezone", self.settings.timezone)
        await self._firing.start(self._runs, now, recover=recover, changed=result.updated,
                                 same_zone=same_zone, paused=paused)
        # housekeeping saves the new next fires and loads figures soon
        self._house = Housekeeping(tick=self._tick, refresh=self._refresh)
        self._house.start()
        self._state = "paused" if paused else "running"
        self._since = now
        if recover:
            self._firing.startup_fires()
        self._publish_status()

    def _needs_http(self, declared: Sequence[JobSpec]) -> bool:
        """Whether any job is an HTTP call or has a webhook (settings' hooks included)."""
        return any(h.webhook for h in self.settings.hooks) or any(
            spec.target.kind == "http" or any(h.webhook for h in spec.hooks) for spec in declared
        )

    async def stop(self, grace: float | None = None) -> None:
        """Stop firing, wait ``grace`` (default: settings) for runs, cancel the rest, close."""
        if self._state in ("stopped", "stopping"):
            if self._opened and self._runs is None:
                await self.repo.close()
                self._opened = False
            return
        self._state = "stopping"
        self._publish_status()
        self._firing.shutdown()
        if self._leftovers is not None:  # its SIGKILLs must not be lost with the loop
            with contextlib.suppress(Exception):
                await self._leftovers
        if self._house is not None:
            await self._house.stop()
        if self._runs is not None:
            await self._runs.stop(self.settings.shutdown_grace if grace is None else grace)
        if self._output is not None:
            await self._output.stop()
        await self._catalogue.save_dirty()
        await self.audit_trail.drain()
        await self._http.aclose()
        await self.repo.close()
        self._opened = False
        self._state = "stopped"
        self._publish_status()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        return self.bus.subscribe(listener)

    async def status(self) -> SchedulerStatus:
        return self._status()

    # --- the parts' callbacks --------------------------------------------------------------

    def _changed(self, entry: JobEntry) -> None:
        """A job changed: publish it; its state is saved and the status published soon."""
        if self.table.find(entry.spec.code) is not entry:  # removed (a run of it just ended)
            return
        self._catalogue.mark(entry.spec.code)
        self.bus.publish(JobUpdated(job=entry.view()))
        if self._house is not None:
            self._status_dirty = True

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

    async def _tick(self) -> None:
        """Periodic upkeep: persist changed states, publish status changes."""
        await self._catalogue.save_dirty()
        if self._status_dirty:
            self._status_dirty = False
            self._publish_status()

    async def _refresh(self) -> None:
        """Reload success rates, median durations and the day's failures (every minute)."""
        with contextlib.suppress(Exception):
            await self._refresh_figures()
            self.failures_24h = await self.repo.failures_since(
                self.clock() - timedelta(hours=24)
            )

    async def _refresh_figures(self) -> None:
        figures = await self.repo.job_figures(self.clock())
        for entry in self.table:
            rate, median = figures.get(entry.spec.code, (None, None))
            if (rate, median) != (entry.success_rate_7d, entry.median_duration_ms):
                entry.success_rate_7d, entry.median_duration_ms = rate, median
                self.bus.publish(JobUpdated(job=entry.view()))

    def _status(self) -> SchedulerStatus:
        active, paused = self.table.counts()
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
            jobs_file=self._jobs_file,
            api_urls=list(self.served_at),
        )

    def _publish_status(self) -> None:
        self.bus.publish(StatusChanged(status=self._status()))

    def _require_running(self) -> RunManager:
        if self._runs is None or self._state not in ("running", "paused"):
            raise SchedulerNotRunning("the scheduler is not running in this process")
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
            raise JobConflict(f"a job with code {spec.code!r} already exists")
        old = self.table.find(spec.code)
        state = old.state if old else JobState(code=spec.code, id=new_job_id())
        if spec.source is not JobSource.RUNTIME and old is None:
            spec = spec.model_copy(update={"source": JobSource.RUNTIME})
        entry = JobEntry(spec=spec, state=state)
        check_triggers(entry.triggers, self.table.tz(entry))
        self.table.put(entry)
        self._firing.schedule(entry, self.clock())
        await self._flush_history()
        await self._catalogue.save_job(entry)
        self._changed(entry)
        await self.audit_trail.record("create", actor, job_code=spec.code,
                                      before=spec_json(old.spec) if old else None,
                                      after=spec_json(entry.spec))
        return entry.view()

    async def remove_job(self, code: str, *, actor: Actor | None = None) -> None:
        before = self.table.get(code).spec
        self._firing.drop(code)
        await self._catalogue.delete(code)
        self.bus.publish(JobRemoved(code=code))
        self._publish_status()
        await self.audit_trail.record("delete", actor, job_code=code, before=spec_json(before))

    # --- operator actions ------------------------------------------------------------------

    async def pause(self, code: str, *, actor: Actor | None = None) -> JobView:
        entry = self.table.get(code)
        if entry.state.paused:
            raise AlreadyInState(f"job {code!r} is already paused")
        return await self._set_state(entry, "pause", actor, paused=True)

    async def resume(self, code: str, *, actor: Actor | None = None) -> JobView:
        entry = self.table.get(code)
        if not entry.state.paused:
            raise AlreadyInState(f"job {code!r} is not paused")
        # fires during the pause are not "missed": resume from now
        return await self._set_state(entry, "resume", actor, paused=False,
                                     last_fire_time=self.clock())

    async def set_enabled(
        self, code: str, enabled: bool, *, actor: Actor | None = None
    ) -> JobView:
        entry = self.table.get(code)
        if entry.enabled == enabled:
            word = "enabled" if enabled else "disabled"
            raise AlreadyInState(f"job {code!r} is already {word}")
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
            raise AlreadyInState(f"job {code!r} has no operator override to revert")
        return await self._set_state(entry, "revert", actor, override_triggers=None,
                                     override_enabled=None, last_fire_time=self.clock())

    async def _set_state(
        self, entry: JobEntry, action: AuditAction, actor: Actor | None, **changes: Any
    ) -> JobView:
        before = entry.view()
        self.table.update(entry, state=entry.state.model_copy(update=changes))
        self._firing.schedule(entry, self.clock())
        await self._flush_history()
        await self._catalogue.save_state(entry)
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
            raise AlreadyInState(f"run {run_id} is not in progress ({stored.status.value})")
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

    # --- reload ----------------------------------------------------------------------------

    async def reload_jobs(self, *, actor: Actor | None = None) -> ReloadReport:
        """Read the jobs file and scripts again and apply the differences.

        The job table then follows the files exactly as at a start (the one rule of
        :func:`~ysched_tui.engine.startup.plan_sync`): a new code is added and scheduled; a
        changed job gets its new definition — its state (pause, operator override, counters,
        the last handled fire) and any run in progress are kept — and its next fire is computed
        again; a job gone from a source that was read is removed (its history stays); runtime
        jobs created through the API are never removed by a reload. ``ysched-tui reload``,
        ``SIGHUP`` to the daemon, ``POST /api/v1/reload`` and the console's palette call it;
        it is audited (``reload``) with the codes added, updated and removed.

        Raises:
            JobsFileError: the files have problems (every one listed); nothing changed.
            InvalidOperation: a new schedule is invalid here (nothing changed).
            SchedulerNotRunning: the scheduler is not running in this process.
        """
        self._require_running()
        async with self._reload_lock:  # SIGHUP and the CLI at once: one after the other
            return await self._reload(actor)

    async def _reload(self, actor: Actor | None) -> ReloadReport:
        self._loader.forget()  # the file is read again (the on-disk cache is keyed by content)
        try:
            declared = self._catalogue.declared()
        finally:
            self._loader.forget()  # the parsed document is not kept (as after a start)
        changes = self._catalogue.plan(declared)
        updated = changes.updated
        for entry in [*changes.added, *(JobEntry(spec=s, state=e.state) for e, s in updated)]:
            check_triggers(entry.triggers, self.table.tz(entry))  # before anything changes
        now = self.clock()
        for code in changes.result.removed:
            self._firing.drop(code)
            await self._catalogue.delete(code)
            self.bus.publish(JobRemoved(code=code))
        for entry in changes.added:
            self.table.put(entry)
            self._firing.schedule(entry, now, fresh=True)
        for entry, spec in updated:  # the same entry: runs in progress hold it
            self.table.update(entry, spec=spec)
            self._firing.schedule(entry, now)
        changed = [*changes.added, *(entry for entry, _spec in updated)]
        await self._flush_history()
        await self._catalogue.save_specs(changed)
        for entry in changed:
            self._changed(entry)
        self._publish_status()
        result = ReloadReport(added=tuple(sorted(changes.result.added)),
                              updated=tuple(sorted(changes.result.updated)),
                              removed=tuple(sorted(changes.result.removed)))
        await self.audit_trail.record(
            "reload", actor, before=None,
            after={"added": list(result.added), "updated": list(result.updated),
                   "removed": list(result.removed)})
        return result

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
        check_trend_args(unit, count)
        return await self.repo.trend(self.clock(), code, unit=unit, count=count)
