"""The engine: the in-process :class:`SchedulerService` that owns an AsyncIOScheduler.

It syncs declared jobs into storage, asks APScheduler when to fire, runs jobs through
:mod:`ysched_tui.jobs`, records everything through :mod:`ysched_tui.storage` and publishes core
events. Reads are answered from memory (jobs) or storage (history), never from APScheduler.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import socket
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from ysched_tui.config.parse_cache import fingerprint
from ysched_tui.config.toml_text import forget_parsed
from ysched_tui.core.events import Event, JobUpdated, RunFinished, StatusChanged
from ysched_tui.core.models import (
    JobSource,
    JobSpec,
    SchedulerStatus,
)
from ysched_tui.core.repository import Repository
from ysched_tui.core.service import Listener, SchedulerService
from ysched_tui.engine import aps
from ysched_tui.engine.audit import AuditTrail
from ysched_tui.engine.bus import EventBus
from ysched_tui.engine.firing import EngineFiring
from ysched_tui.engine.housekeeping import Housekeeping, cleanup_spec
from ysched_tui.engine.operations import EngineOperations
from ysched_tui.engine.output import OutputCollector
from ysched_tui.engine.runs import RunManager
from ysched_tui.engine.startup import loaded_sources, sync_jobs
from ysched_tui.engine.table import JobEntry, JobTable
from ysched_tui.errors import InvalidOperation
from ysched_tui.jobs import leftovers
from ysched_tui.jobs.http_client import LazyHttpClient
from ysched_tui.settings import Settings
from ysched_tui.storage import SqliteRepository

log = logging.getLogger("ysched_tui.engine")


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Engine(EngineFiring, EngineOperations, SchedulerService):
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
        self.served_at: tuple[str, ...] = ()
        """Where the owner serves the control API (set by whoever starts the server)."""
        self._leftovers: asyncio.Task[dict[str, int]] | None = None
        """Stopping the processes of runs a dead owner left running (see jobs.leftovers)."""
        self._output: OutputCollector | None = None
        self._http = LazyHttpClient()
        """Built when an HTTP job or webhook first needs it (or ahead, when some job will)."""
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
        # ~100,000 objects for 10,000 jobs and none of them garbage: the collector is held
        # meanwhile, and resumed on the loop's next turn (its first pass over all of them,
        # ~35 ms, then runs once the scheduler is up instead of inside start)
        collecting = gc.isenabled()
        gc.disable()
        try:
            await self._start(paused=paused, recover=recover)
        except BaseException:
            if collecting:
                gc.enable()
            with contextlib.suppress(Exception):  # the start's own error is what matters
                await self._http.aclose()
            raise
        if collecting:
            asyncio.get_running_loop().call_soon(gc.enable)
        # the parsed jobs file (document, text, line index: ~25 MB at 10,000 jobs) was only
        # needed to build the specs; a reload reads the file (or the parse cache) again
        forget_parsed()

    async def _start(self, *, paused: bool, recover: bool) -> None:
        declared = self._declared()
        if self._needs_http(declared):  # httpx and its CA bundle load in a thread meanwhile
            self._http.prepare()
        self._state = "starting"
        await self.repo.open()
        self._opened = True
        now = self.clock()
        sqlite = self.repo if isinstance(self.repo, SqliteRepository) else None
        prints = {spec.code: fingerprint(spec) for spec in declared} if sqlite else {}
        if sqlite is not None:  # stored specs equal to declared ones are not rebuilt
            stored = await sqlite.load_jobs(known={s.code: (prints[s.code], s) for s in declared})
        else:
            stored = await self.repo.load_jobs()
        result, to_save = sync_jobs(stored, declared, self.table, loaded=self._loaded_sources)
        for code in result.removed:
            await self.repo.delete_job(code)
        if to_save and sqlite is not None:
            await sqlite.save_jobs([(e.spec, e.state) for e in to_save], fingerprints=prints)
        elif to_save:
            await self.repo.save_jobs([(e.spec, e.state) for e in to_save])
        found = {code: fp for code in result.verified if (fp := prints.get(code)) is not None}
        if found and sqlite is not None:
            await sqlite.save_fingerprints(found)
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
        changed = set(result.updated)
        same_zone = await self.repo.get_meta("timezone") == self.settings.timezone
        with self.table.shared_fires():
            if recover:
                await self._catch_up(now)
            self._scheduler = aps.build_scheduler(self._dispatch)
            await self.repo.set_meta("timezone", self.settings.timezone)
            jobs = []
            for entry in self.table:
                keep = same_zone and entry.spec.code not in changed
                nxt = self._next_run(entry, now, keep=keep)
                jobs.append((entry.spec.code, self._trigger(entry), nxt))
        aps.add_before_start(self._scheduler, jobs)
        self._scheduler.start(paused=paused)
        self._house = Housekeeping(self)  # saves the new next fires and loads figures soon
        self._house.start()
        self._state = "paused" if paused else "running"
        self._since = now
        if recover:
            self._startup_fires()
        self._publish_status()

    def _needs_http(self, declared: Sequence[JobSpec]) -> bool:
        """Whether any job is an HTTP call or has a webhook (settings' hooks included)."""
        return any(h.webhook for h in self.settings.hooks) or any(
            spec.target.kind == "http" or any(h.webhook for h in spec.hooks) for spec in declared
        )

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
        if self._leftovers is not None:  # its SIGKILLs must not be lost with the loop
            with contextlib.suppress(Exception):
                await self._leftovers
        if self._house is not None:
            await self._house.stop()
        if self._runs is not None:
            await self._runs.stop(self.settings.shutdown_grace if grace is None else grace)
        if self._output is not None:
            await self._output.stop()
        await self._save_dirty()
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
            jobs_file=os.path.abspath(self.settings.jobs) if self.settings.jobs else None,
            api_urls=list(self.served_at),
        )

    def _publish_status(self) -> None:
        self.bus.publish(StatusChanged(status=self._status()))

    def _require_running(self) -> RunManager:
        if self._runs is None or self._state not in ("running", "paused"):
            raise InvalidOperation("the scheduler is not running in this process")
        return self._runs

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
