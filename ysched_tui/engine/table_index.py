"""What the job table keeps up to date as entries change, so reads stay cheap at 10,000 jobs.

The header's counts and the merged timeline of next fires were computed by walking every job
(~7 ms and ~20 ms at 10,000 jobs), several times a second while the console is open. The index
is told of every change of an entry's spec or state (``JobEntry.__setattr__``) and keeps:

* the number of active and of paused jobs;
* a heap of (next fire, code) for jobs that fire, with stale items dropped lazily: a job's item
  is current while its time equals the job's ``next_run_time`` in :attr:`TableIndex.fires`;
* the codes of jobs whose next fire must be computed at read time: paused (shown greyed in the
  timeline) or schedulable without a stored next fire.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ysched_tui.engine.table import JobEntry


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
