"""The engine's in-memory table of jobs: specs, states, runs in progress and figures.

Reads (the job list, one job, the merged timeline of next fires) are answered from here without
touching the database, so the console stays fast with 10,000 jobs.

The header's counts and the merged timeline of next fires were computed by walking every job
(~7 ms and ~20 ms at 10,000 jobs), several times a second while the console is open. The table
keeps a :class:`TableIndex` instead, told of every change of an entry's spec or state — which is
why a job's spec and state are changed through :meth:`JobTable.update`, never by assigning them.
The index keeps:

* the number of active and of paused jobs;
* a heap of (next fire, code) for jobs that fire, with stale items dropped lazily: a job's item
  is current while its time equals the job's ``next_run_time`` in :attr:`TableIndex.fires`;
* the codes of jobs whose next fire must be computed at read time: paused (shown greyed in the
  timeline) or schedulable without a stored next fire.
"""

from __future__ import annotations

import contextlib
import heapq
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ysched_tui.core.models import JobSpec, JobState, JobView, UpcomingFire
from ysched_tui.core.schedule import fires_between, next_fire_multi
from ysched_tui.core.triggers import TriggerSpec
from ysched_tui.errors import JobNotFound


@dataclass(slots=True)
class JobEntry:
    """One job as the engine holds it.

    Its ``spec`` and ``state`` change through :meth:`JobTable.update` while it is in a table
    (the table's counts and timeline follow them); runs in progress may hold an entry that was
    removed, whose changes no table sees.
    """

    spec: JobSpec
    state: JobState
    running: dict[str, datetime] = field(default_factory=dict)
    """run_id -> start time of runs in progress."""
    success_rate_7d: float | None = None
    median_duration_ms: int | None = None

    @property
    def triggers(self) -> tuple[TriggerSpec, ...]:
        """The triggers in force (an operator override wins)."""
        return self.state.triggers_for(self.spec)

    @property
    def enabled(self) -> bool:
        """Whether the job is enabled (an operator override wins)."""
        return self.state.enabled_for(self.spec)

    @property
    def schedulable(self) -> bool:
        """Whether scheduled fires happen: enabled, not paused, with triggers."""
        return self.enabled and not self.state.paused and bool(self.triggers)

    def view(self) -> JobView:
        """The reader's view of this job (built without re-validating the spec and state it
        holds: one per job change, 1,000 a second under load, 10,000 per job list)."""
        return JobView.model_construct(
            spec=self.spec,
            state=self.state,
            running=tuple(self.running),
            running_since=min(self.running.values()) if self.running else None,
            success_rate_7d=self.success_rate_7d,
            median_duration_ms=self.median_duration_ms,
        )


@dataclass(frozen=True)
class Flags:
    """How a job counts: enabled, paused, fires on its own."""

    enabled: bool
    paused: bool
    schedulable: bool

    @classmethod
    def of(cls, entry: JobEntry) -> Flags:
        enabled = entry.enabled
        paused = entry.state.paused
        return cls(enabled, paused, enabled and not paused and bool(entry.triggers))


class TableIndex:
    """Counts, the heap of next fires and the to-compute set, updated per entry change."""

    def __init__(self) -> None:
        self.active = 0
        """Enabled jobs that are not paused."""
        self.paused = 0
        """Paused jobs."""
        self.fires: dict[str, datetime] = {}
        """code -> next fire (UTC) of schedulable jobs with a stored next fire."""
        self.heap: list[tuple[datetime, str]] = []
        self.compute: set[str] = set()
        """Jobs whose next fire is computed when read (paused, or no stored next fire)."""
        self._flags: dict[str, Flags] = {}

    def add(self, entry: JobEntry) -> None:
        """Count and place ``entry`` (again, after a change of its spec or state)."""
        code = entry.spec.code
        before = self.fires.get(code)
        self.discard(code)
        flags = self._flags[code] = Flags.of(entry)
        self.active += flags.enabled and not flags.paused
        self.paused += flags.paused
        first = entry.state.next_run_time
        if flags.schedulable and first is not None:
            when = first.astimezone(UTC)
            self.fires[code] = when
            if when != before:  # an unchanged fire's item is still in the heap and current
                heapq.heappush(self.heap, (when, code))
        elif flags.schedulable or (flags.paused and flags.enabled and entry.triggers):
            self.compute.add(code)
        if len(self.heap) > 2 * len(self._flags) + 1024:
            self._rebuild()

    def discard(self, code: str) -> None:
        """Forget ``code`` (its heap item, if any, turns stale)."""
        flags = self._flags.pop(code, None)
        if flags is None:
            return
        self.active -= flags.enabled and not flags.paused
        self.paused -= flags.paused
        self.fires.pop(code, None)  # its heap item is now stale
        self.compute.discard(code)

    def current(self, when: datetime, code: str) -> bool:
        """Whether a heap item is the job's present next fire."""
        return self.fires.get(code) == when

    def _rebuild(self) -> None:
        self.heap = [(when, code) for code, when in self.fires.items()]
        heapq.heapify(self.heap)

    def take(self, count: int) -> list[tuple[datetime, str]]:
        """The ``count`` soonest current (time, code) items; stale ones met on the way are
        dropped for good, the current ones stay in the heap."""
        heap = self.heap
        taken: list[tuple[datetime, str]] = []
        while heap and len(taken) < count:
            item = heapq.heappop(heap)
            if self.current(*item) and (not taken or taken[-1] != item):
                taken.append(item)
        for item in taken:
            heapq.heappush(heap, item)
        return taken


class JobTable:
    """All jobs by code."""

    def __init__(self, default_tz: str) -> None:
        self.default_tz = default_tz
        self._jobs: dict[str, JobEntry] = {}
        self._index = TableIndex()
        self._memo: dict[tuple[Any, ...], Any] | None = None
        self._memo_triggers: dict[int, tuple[tuple[TriggerSpec, ...], bool]] = {}

    @contextlib.contextmanager
    def shared_fires(self) -> Iterator[None]:
        """While inside, jobs sharing a triggers tuple and zone share their fire computations.

        A start computes each job's missed fires and next fire from the same instants (the
        start time, the last fire of every job on the same schedule), so 10,000 jobs on a few
        dozen schedules need a few dozen computations (specs from the parse cache share one
        triggers tuple per schedule). Fire times depend only on the triggers, the zone and the
        instants — and, with jitter, on the job code, which is then part of the key. Outside
        (while running) nothing is remembered.
        """
        self._memo, self._memo_triggers = {}, {}
        try:
            yield
        finally:
            self._memo, self._memo_triggers = None, {}

    def _shared(self, entry: JobEntry, compute: Callable[[], Any], *args: Any) -> Any:
        memo = self._memo
        if memo is None:
            return compute()
        key = (self._triggers_key(entry.triggers, entry.spec.code), self._tz(entry), *args)
        try:
            return memo[key]
        except KeyError:
            found = memo[key] = compute()
            return found

    def _triggers_key(self, triggers: tuple[TriggerSpec, ...], code: str) -> Any:
        """What identifies these triggers in the memo: the tuple object itself (jobs read from
        the parse cache share one per schedule), kept alive by the memo so its id stays its
        own, plus the job code when a trigger has jitter. Hashing the tuple instead would
        hash every trigger model of every job."""
        ident = id(triggers)
        seen = self._memo_triggers.get(ident)
        if seen is None:
            jitter = any(t.jitter for t in triggers)
            seen = self._memo_triggers[ident] = (triggers, jitter)
        return (ident, code) if seen[1] else ident

    def __contains__(self, code: object) -> bool:
        return code in self._jobs

    def __iter__(self) -> Iterator[JobEntry]:
        return iter(self._jobs.values())

    def __len__(self) -> int:
        return len(self._jobs)

    def find(self, code: str) -> JobEntry | None:
        """The entry for ``code``, or ``None``."""
        return self._jobs.get(code)

    def get(self, code: str) -> JobEntry:
        """The entry for ``code``. Raises: JobNotFound."""
        try:
            return self._jobs[code]
        except KeyError:
            raise JobNotFound(code) from None

    def put(self, entry: JobEntry) -> None:
        """Add or replace an entry."""
        self._jobs[entry.spec.code] = entry
        self._index.add(entry)

    def update(
        self, entry: JobEntry, *, state: JobState | None = None, spec: JobSpec | None = None
    ) -> None:
        """Give ``entry`` a new state and/or spec (same code), keeping the counts and the
        timeline current; an entry no longer in the table (a run of a removed job) just
        changes."""
        if state is not None:
            entry.state = state
        if spec is not None:
            entry.spec = spec
        if self._jobs.get(entry.spec.code) is entry:
            self._index.add(entry)

    def remove(self, code: str) -> JobEntry:
        """Remove and return an entry. Raises: JobNotFound."""
        entry = self.get(code)
        del self._jobs[code]
        self._index.discard(code)
        return entry

    def counts(self) -> tuple[int, int]:
        """(active, paused) job counts, kept up to date as jobs change."""
        return self._index.active, self._index.paused

    def views(self) -> list[JobView]:
        """Every job's view, ordered by code."""
        return [self._jobs[c].view() for c in sorted(self._jobs)]

    def next_fire(self, entry: JobEntry, after: datetime) -> datetime | None:
        """The job's next fire strictly after ``after`` (None when not schedulable)."""
        if not entry.schedulable:
            return None

        def compute() -> datetime | None:
            found = next_fire_multi(
                entry.triggers, after, default_tz=self._tz(entry), seed=entry.spec.code
            )
            return found[0].astimezone(UTC) if found else None

        return self._shared(entry, compute, "next", after)  # type: ignore[no-any-return]

    def fires_between(
        self, entry: JobEntry, start: datetime, end: datetime, limit: int
    ) -> list[datetime]:
        """The job's fires in ``(start, end]`` under the triggers in force, at most ``limit``."""

        def compute() -> tuple[datetime, ...]:
            return tuple(fires_between(entry.triggers, start, end, default_tz=self._tz(entry),
                                       seed=entry.spec.code, limit=limit))

        return list(self._shared(entry, compute, "between", start, end, limit))

    def tz(self, entry: JobEntry) -> str:
        """The zone a job's triggers default to."""
        return self._tz(entry)

    def _tz(self, entry: JobEntry) -> str:
        return entry.spec.timezone or self.default_tz

    def upcoming(self, limit: int, *, include_paused: bool, now: datetime) -> list[UpcomingFire]:
        """The next ``limit`` fires across all jobs, soonest first.

        The first fires come from the index's heap (stored next fires) and from jobs computed
        now (paused ones, shown greyed when ``include_paused``); each fire listed brings its
        job's following fire in. Costs O(limit log n), not a walk over every job.
        """
        index = self._index
        local: list[tuple[datetime, str]] = []
        for code in index.compute:
            entry = self._jobs[code]
            if entry.state.paused and not include_paused:
                continue
            found = next_fire_multi(entry.triggers, now, default_tz=self._tz(entry),
                                    seed=entry.spec.code)
            if found:
                local.append((found[0].astimezone(UTC), code))
        heapq.heapify(local)
        stored = index.take(limit)
        out: list[UpcomingFire] = []
        taken = 0
        while len(out) < limit and (local or taken < len(stored)):
            if taken < len(stored) and (not local or stored[taken] <= local[0]):
                when, code = stored[taken]
                taken += 1
            else:
                when, code = heapq.heappop(local)
            entry = self._jobs[code]
            out.append(UpcomingFire(time=when, code=code, name=entry.spec.display_name,
                                    paused=entry.state.paused))
            found = next_fire_multi(entry.triggers, when, default_tz=self._tz(entry),
                                    seed=entry.spec.code)
            if found:
                heapq.heappush(local, (found[0].astimezone(UTC), code))
        return out
