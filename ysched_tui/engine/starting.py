"""Starting the engine: declared jobs read, storage synced, runs recovered, firing started.

A mixin of :class:`~ysched_tui.engine.service.Engine`, kept apart from the rest of its
lifecycle. :meth:`EngineStarting.start` runs the sequence once per process; the decisions it
applies (what to add, update or remove, which fires were missed) are the pure functions of
:mod:`~ysched_tui.engine.startup`, and the fires themselves are :mod:`~ysched_tui.engine.firing`'s.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import socket
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from ysched_tui.config.parse_cache import fingerprint
from ysched_tui.config.toml_text import forget_parsed
from ysched_tui.core.events import Event
from ysched_tui.core.models import JobSource, JobSpec
from ysched_tui.core.repository import Repository
from ysched_tui.engine import aps
from ysched_tui.engine.bus import EventBus
from ysched_tui.engine.housekeeping import Housekeeping, cleanup_spec
from ysched_tui.engine.output import OutputCollector
from ysched_tui.engine.runs import RunManager
from ysched_tui.engine.startup import loaded_sources, sync_jobs
from ysched_tui.engine.table import JobEntry, JobTable
from ysched_tui.jobs import leftovers
from ysched_tui.jobs.http_client import LazyHttpClient
from ysched_tui.settings import Settings
from ysched_tui.storage import SqliteRepository

if TYPE_CHECKING:
    from ysched_tui.engine.service import Engine

log = logging.getLogger("ysched_tui.engine")


class EngineStarting:
    """Load and sync the declared jobs, recover after downtime, start the scheduler."""

    settings: Settings
    repo: Repository
    table: JobTable
    bus: EventBus
    clock: Callable[[], datetime]
    failures_24h: int
    _specs: list[JobSpec] | None
    _callables: dict[str, Callable[..., Any]]
    _state: str
    _since: datetime | None
    _opened: bool
    _scheduler: AsyncIOScheduler | None
    _runs: RunManager | None
    _leftovers: asyncio.Task[dict[str, int]] | None
    _output: OutputCollector | None
    _http: LazyHttpClient
    _house: Housekeeping | None
    _loaded_sources: frozenset[JobSource]

    if TYPE_CHECKING:  # provided by Engine and EngineFiring

        def _changed(self, entry: JobEntry) -> None:
            ...

        def _count_failures(self, event: Event) -> None:
            ...

        def _publish_status(self) -> None:
            ...

        def _dispatch(self, code: str, run_times: list[datetime]) -> None:
            ...

        async def _catch_up(self, now: datetime) -> None:
            ...

        def _startup_fires(self) -> None:
            ...

        def _next_run(
            self, entry: JobEntry, now: datetime, *, keep: bool = False
        ) -> datetime | None:
            ...

        def _trigger(self, entry: JobEntry) -> aps.CoreTrigger:
            ...

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
        await self._save_specs(to_save, prints)
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
        # housekeeping saves the new next fires and loads figures soon
        self._house = Housekeeping(cast("Engine", self))
        self._house.start()
        self._state = "paused" if paused else "running"
        self._since = now
        if recover:
            self._startup_fires()
        self._publish_status()

    async def _save_specs(
        self, entries: Sequence[JobEntry], prints: Mapping[str, str | None] | None = None
    ) -> None:
        """Store the entries' specs and states; in SQLite with each spec's fingerprint, so the
        next start recognises them without rebuilding (``prints``: known ones, else computed)."""
        if not entries:
            return
        pairs = [(entry.spec, entry.state) for entry in entries]
        if isinstance(self.repo, SqliteRepository):
            known = prints or {}
            found = {e.spec.code: known.get(e.spec.code) or fingerprint(e.spec) for e in entries}
            await self.repo.save_jobs(pairs, fingerprints=found)
        else:
            await self.repo.save_jobs(pairs)

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
        spec, func = cleanup_spec(cast("Engine", self))
        self._callables[spec.target.ref] = func  # type: ignore[union-attr]
        return [*specs, spec]
