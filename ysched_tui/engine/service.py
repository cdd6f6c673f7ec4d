"""The engine: the in-process :class:`SchedulerService` that owns an AsyncIOScheduler.

It syncs declared jobs into storage, asks APScheduler when to fire, runs jobs through
:mod:`ysched_tui.jobs`, records everything through :mod:`ysched_tui.storage` and publishes core
events. Reads are answered from memory (jobs) or storage (history), never from APScheduler.
Starting (sync, recovery) is :mod:`~ysched_tui.engine.starting`'s, firing
:mod:`~ysched_tui.engine.firing`'s and operator actions :mod:`~ysched_tui.engine.operations`'.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from ysched_tui.core.events import Event, JobUpdated, RunFinished, StatusChanged
from ysched_tui.core.models import (
    JobSource,
    JobSpec,
    SchedulerStatus,
)
from ysched_tui.core.repository import Repository
from ysched_tui.core.service import Listener, SchedulerService
from ysched_tui.engine.audit import AuditTrail
from ysched_tui.engine.bus import EventBus
from ysched_tui.engine.firing import EngineFiring
from ysched_tui.engine.housekeeping import Housekeeping
from ysched_tui.engine.operations import EngineOperations
from ysched_tui.engine.output import OutputCollector
from ysched_tui.engine.reload import EngineReload
from ysched_tui.engine.runs import RunManager
from ysched_tui.engine.starting import EngineStarting
from ysched_tui.engine.starting import log as log
from ysched_tui.engine.table import JobEntry, JobTable
from ysched_tui.errors import InvalidOperation
from ysched_tui.jobs.http_client import LazyHttpClient
from ysched_tui.settings import Settings
from ysched_tui.storage import SqliteRepository


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Engine(EngineFiring, EngineOperations, EngineStarting, EngineReload, SchedulerService):
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
        self.repo = repository or SqliteRepository(settings.db)
        self.table = JobTable(settings.timezone)
        self.bus = EventBus()
        self._state = "stopped"
        self._since: datetime | None = None
        self._opened = False
        self._scheduler: AsyncIOScheduler | None = None
        self._runs: RunManager | None = None
        self._jobs_file = os.path.abspath(settings.jobs) if settings.jobs else None
        """The jobs file as the status names it (resolved once: the status is built often)."""
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
        if self.table.find(entry.spec.code) is not entry:  # removed (a run of it just ended)
            return
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
            jobs_file=self._jobs_file,
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
