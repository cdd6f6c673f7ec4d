"""Reloading the jobs file into a running engine: what a restart would sync, without one.

``ysched-tui reload`` (through the owner), ``SIGHUP`` to the daemon, ``POST /api/v1/reload`` and
the console's palette call :meth:`EngineReload.reload_jobs`. The jobs file (TOML or Python) and
the scripts folder are read again; a file with any problem changes nothing and the error lists
every problem, as ``ysched-tui check`` does. Otherwise the job table follows the files exactly as
at a start (:func:`~ysched_tui.engine.startup.sync_jobs`' rules):

* a new code is added and scheduled;
* a changed job gets its new definition — its state (pause, operator override, counters, the
  last handled fire) and any run in progress are kept — and its next fire is computed again;
* a job gone from a source that was read is removed (its history stays); runtime jobs created
  through the API are never removed by a reload.

The reload is audited (``reload``) with the codes added, updated and removed.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ysched_tui.config.toml_text import forget_parsed
from ysched_tui.core.events import JobRemoved
from ysched_tui.core.models import (
    Actor,
    JobSource,
    JobSpec,
    JobState,
    ReloadReport,
    new_job_id,
)
from ysched_tui.engine import aps
from ysched_tui.engine.table import JobEntry, JobTable
from ysched_tui.engine.validate import check_triggers

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Mapping, Sequence

    from ysched_tui.core.repository import Repository
    from ysched_tui.engine.audit import AuditTrail
    from ysched_tui.engine.bus import EventBus


class EngineReload:
    """Mixin for :class:`~ysched_tui.engine.service.Engine`: :meth:`reload_jobs`."""

    table: JobTable
    repo: Repository
    bus: EventBus
    audit_trail: AuditTrail
    clock: Callable[[], datetime]
    _scheduler: Any
    _dirty: set[str]
    _loaded_sources: Collection[JobSource]
    _reload_lock: asyncio.Lock | None = None

    if TYPE_CHECKING:
        def _require_running(self) -> Any: ...
        def _declared(self) -> list[JobSpec]: ...
        def _schedule(self, entry: JobEntry, now: datetime, *, fresh: bool = False,
                      keep: bool = False) -> None: ...
        def _changed(self, entry: JobEntry) -> None: ...
        def _publish_status(self) -> None: ...
        async def _flush_history(self) -> None: ...
        async def _save_specs(self, entries: Sequence[JobEntry],
                              prints: Mapping[str, str | None] | None = None) -> None: ...

    async def reload_jobs(self, *, actor: Actor | None = None) -> ReloadReport:
        """Read the jobs file and scripts again and apply the differences (module docstring).

        Raises:
            JobsFileError: the files have problems (every one listed); nothing changed.
            InvalidOperation: a new schedule is invalid here (nothing changed), or the
                scheduler is not running.
        """
        self._require_running()
        if self._reload_lock is None:
            self._reload_lock = asyncio.Lock()
        async with self._reload_lock:  # SIGHUP and the CLI at once: one after the other
            return await self._reload(actor)

    async def _reload(self, actor: Actor | None) -> ReloadReport:
        forget_parsed()  # the file is read again (the on-disk cache is keyed by its content)
        try:
            declared = {spec.code: spec for spec in self._declared()}
        finally:
            forget_parsed()  # the parsed document is not kept (as after a start)
        added, updated, removed = self._plan(declared)
        for entry in [*added, *(JobEntry(spec=s, state=e.state) for e, s in updated)]:
            check_triggers(entry.triggers, self.table.tz(entry))  # before anything changes
        now = self.clock()
        for code in removed:
            if self._scheduler is not None:
                aps.drop_job(self._scheduler, code)
            self.table.remove(code)
            self._dirty.discard(code)
            await self.repo.delete_job(code)
            self.bus.publish(JobRemoved(code=code))
        for entry in added:
            self.table.put(entry)
            self._schedule(entry, now, fresh=True)
        for entry, spec in updated:  # the same entry: runs in progress hold it
            self.table.update(entry, spec=spec)
            self._schedule(entry, now)
        changed = [*added, *(entry for entry, _spec in updated)]
        await self._flush_history()
        await self._save_specs(changed)
        for entry in changed:
            self._dirty.discard(entry.spec.code)
            self._changed(entry)
        self._publish_status()
        result = ReloadReport(added=tuple(sorted(e.spec.code for e in added)),
                              updated=tuple(sorted(e.spec.code for e, _s in updated)),
                              removed=tuple(sorted(removed)))
        await self.audit_trail.record(
            "reload", actor, before=None,
            after={"added": list(result.added), "updated": list(result.updated),
                   "removed": list(result.removed)})
        return result

    def _plan(
        self, declared: dict[str, JobSpec]
    ) -> tuple[list[JobEntry], list[tuple[JobEntry, JobSpec]], list[str]]:
        """New entries, (entry, new spec) of changed jobs, and codes to remove."""
        added: list[JobEntry] = []
        updated: list[tuple[JobEntry, JobSpec]] = []
        for code, spec in declared.items():
            if code not in self.table:
                added.append(JobEntry(spec=spec, state=JobState(code=code, id=new_job_id())))
            elif (entry := self.table.get(code)).spec != spec:
                updated.append((entry, spec))
        removed = [entry.spec.code for entry in self.table
                   if entry.spec.code not in declared
                   and entry.spec.source is not JobSource.RUNTIME
                   and entry.spec.source in self._loaded_sources]
        return added, updated, removed
