"""The engine's in-memory table of jobs: specs, states, runs in progress and figures.

Reads (the job list, one job, the merged timeline of next fires) are answered from here without
touching the database, so the console stays fast with 10,000 jobs.
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
from ysched_tui.engine.table_index import TableIndex
from ysched_tui.errors import JobNotFound


@dataclass
class JobEntry:
    """One job as the engine holds it."""

    spec: JobSpec
    state: JobState
    running: dict[str, datetime] = field(default_factory=dict)
    """run_id -> start time of runs in progress."""
    success_rate_7d: float | None = None
    median_duration_ms: int | None = None
    _table: JobTable | None = field(default=None, init=False, repr=False, compare=False)

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)
        if name in ("state", "spec"):  # the table's counts and timeline follow every change
            table = self.__dict__.get("_table")
            if table is not None:
                table._index.add(self)

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
        old = self._jobs.get(entry.spec.code)
        if old is not None and old is not entry:
            old._table = None
        self._jobs[entry.spec.code] = entry
        entry._table = self
        self._index.add(entry)

    def remove(self, code: str) -> JobEntry:
        """Remove and return an entry. Raises: JobNotFound."""
        entry = self.get(code)
        del self._jobs[code]
        entry._table = None
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
