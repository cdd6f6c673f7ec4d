"""The job catalogue: the jobs an engine schedules, declared, stored and in memory, kept in step.

Jobs are declared by the jobs file, the Python API and the scripts folder (read through the
:class:`~ysched_tui.config.JobsLoader` the composition root gives), and built in (the retention
cleanup). The catalogue fills the engine's :class:`~ysched_tui.engine.table.JobTable` from
storage, syncs it with the declared jobs — at a start against the stored jobs, at a reload
against the table, by the one rule of :func:`~ysched_tui.engine.startup.plan_sync` — and keeps
storage following the table: specs when they change, states in batches (the dirty set).

Specs are saved with their fingerprints, so that the next start's :meth:`Repository.load_jobs
<ysched_tui.core.repository.Repository.load_jobs>` hands unchanged declared specs back as the
same objects instead of rebuilding 10,000 of them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ysched_tui.config.jobs_file import JobsLoader
from ysched_tui.core.models import JobSource, JobSpec, JobState, new_job_id
from ysched_tui.core.repository import Repository
from ysched_tui.engine.startup import SyncResult, loaded_sources, plan_sync
from ysched_tui.engine.table import JobEntry, JobTable
from ysched_tui.settings import Settings

BuiltIn = tuple[JobSpec, Callable[..., Any]]
"""A job the engine itself declares, with the Python callable it runs."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Changes:
    """What a reload changes in the table (nothing has changed yet)."""

    result: SyncResult
    added: list[JobEntry]
    """New entries (not in the table yet)."""
    updated: list[tuple[JobEntry, JobSpec]]
    """Entries in the table, with their new spec."""


class JobCatalogue:
    """Declared jobs, the job table and the jobs in storage, kept in step.

    Args:
        table: the engine's job table, which the catalogue fills.
        repo: where jobs are stored.
        loader: reads the declared jobs and knows their fingerprints.
        settings: where the jobs file and scripts are.
        specs: the declared jobs when given (the API, tests); ``None`` reads them with
            ``loader`` from ``settings``.
        callables: Python callables by reference; filled with those the jobs file declares.
        built_in: jobs the engine declares itself.
        before_states: makes every run recorded so far durable (called before states are
            saved: a state must never count a run storage does not have).
    """

    def __init__(
        self,
        *,
        table: JobTable,
        repo: Repository,
        loader: JobsLoader,
        settings: Settings,
        specs: Sequence[JobSpec] | None,
        callables: dict[str, Callable[..., Any]],
        built_in: Sequence[BuiltIn],
        before_states: Callable[[], Awaitable[None]],
    ) -> None:
        self._table = table
        self._repo = repo
        self._loader = loader
        self._settings = settings
        self._specs = list(specs) if specs is not None else None
        self._callables = callables
        self._built_in = list(built_in)
        self._before_states = before_states
        self._dirty: set[str] = set()
        self._loaded: frozenset[JobSource] = frozenset(
            (JobSource.FILE, JobSource.API, JobSource.SCRIPT)
        )
        """The sources the declared jobs were read from (see :func:`plan_sync`'s ``loaded``)."""

    # --- declared jobs ---------------------------------------------------------------------

    def declared(self) -> list[JobSpec]:
        """The declared jobs, built-in ones last; reading the files also sets which sources
        were read and adds the callables a Python jobs file declares.

        Raises:
            JobsFileError: the files have problems (every one listed).
        """
        if self._specs is None:
            specs, callables = self._loader.load(self._settings)
            self._callables.update(callables)
            self._loaded = loaded_sources(self._settings, specs)
        else:
            specs = list(self._specs)
        for spec, func in self._built_in:
            self._callables[spec.target.ref] = func  # type: ignore[union-attr]
        return [*specs, *(spec for spec, _func in self._built_in)]

    # --- storage -> table ------------------------------------------------------------------

    async def load_stored(self) -> None:
        """Fill the table with the stored jobs as they are (a read-only engine)."""
        for spec, state in await self._repo.load_jobs():
            self._table.put(JobEntry(spec=spec, state=state))

    async def sync(self, declared: Sequence[JobSpec]) -> SyncResult:
        """Fill the table from the stored jobs updated by the declared ones, and store the
        result: new and changed specs saved, vanished jobs deleted (their history stays)."""
        prints = self._loader.fingerprints(declared)
        by_code = {spec.code: spec for spec in declared}
        stored = await self._repo.load_jobs(
            known={code: (prints[code], spec) for code, spec in by_code.items()})
        result = plan_sync((spec for spec, _state in stored), by_code, loaded=self._loaded)
        removed, updated = set(result.removed), set(result.updated)
        to_save: list[JobEntry] = []
        for spec, state in stored:
            if spec.code in removed:
                continue
            entry = JobEntry(spec=by_code.get(spec.code, spec), state=state)
            if spec.code in updated:
                to_save.append(entry)
            self._table.put(entry)
        for code in result.added:
            entry = JobEntry(spec=by_code[code], state=JobState(code=code, id=new_job_id()))
            to_save.append(entry)
            self._table.put(entry)
        for code in result.removed:
            await self._repo.delete_job(code)
        await self.save_specs(to_save, prints)
        found = {code: fp for code in result.verified if (fp := prints.get(code)) is not None}
        if found:
            await self._repo.save_fingerprints(found)
        return result

    def plan(self, declared: Sequence[JobSpec]) -> Changes:
        """What syncing the declared jobs into the table would change (a reload)."""
        by_code = {spec.code: spec for spec in declared}
        result = plan_sync((entry.spec for entry in self._table), by_code, loaded=self._loaded)
        added = [JobEntry(spec=by_code[code], state=JobState(code=code, id=new_job_id()))
                 for code in result.added]
        updated = [(self._table.get(code), by_code[code]) for code in result.updated]
        return Changes(result=result, added=added, updated=updated)

    # --- table -> storage ------------------------------------------------------------------

    async def save_specs(
        self, entries: Sequence[JobEntry], prints: dict[str, str | None] | None = None
    ) -> None:
        """Store the entries' specs and states, each spec with its fingerprint (``prints``:
        those known, the others are computed); their states are no longer dirty."""
        if not entries:
            return
        known = prints or {}
        found = {e.spec.code: known.get(e.spec.code) or self._loader.fingerprint(e.spec)
                 for e in entries}
        await self._repo.save_jobs([(entry.spec, entry.state) for entry in entries],
                                   fingerprints=found)
        for entry in entries:
            self._dirty.discard(entry.spec.code)

    async def save_job(self, entry: JobEntry) -> None:
        """Store one job's spec and state now (an operator's new job)."""
        await self._repo.save_job(entry.spec, entry.state)
        self._dirty.discard(entry.spec.code)

    async def save_state(self, entry: JobEntry) -> None:
        """Store one job's state now (an operator's action)."""
        await self._repo.save_state(entry.state)
        self._dirty.discard(entry.spec.code)

    async def delete(self, code: str) -> JobEntry:
        """Take a job out of the table and storage (its history stays).

        Raises:
            JobNotFound: no job has this code.
        """
        entry = self._table.remove(code)
        self._dirty.discard(code)
        await self._repo.delete_job(code)
        return entry

    def mark(self, code: str) -> None:
        """The job's state changed: store it with the next :meth:`save_dirty`."""
        self._dirty.add(code)

    async def save_dirty(self) -> None:
        """Store the states changed since the last save, after the runs they count."""
        codes, self._dirty = self._dirty, set()
        states = [self._table.get(c).state for c in codes if c in self._table]
        if not states:
            return
        try:
            await self._before_states()
            await self._repo.save_states(states)
        except BaseException:
            self._dirty |= codes
            raise
