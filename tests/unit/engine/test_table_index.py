"""The job table's index: counts and the merged timeline of next fires stay equal to a full walk
over every job through any sequence of changes (pause, resume, new next fires, enable, remove)."""

from __future__ import annotations

import heapq
import random
from datetime import UTC, datetime, timedelta

from tests.unit.engine.conftest import command_job
from ysched_tui.core.models import JobState, UpcomingFire
from ysched_tui.core.schedule import next_fire_multi
from ysched_tui.core.triggers import CronTrigger, IntervalTrigger
from ysched_tui.engine.table import JobEntry, JobTable

NOW = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)
SCHEDULES = [CronTrigger(expr="*/5 * * * *"), CronTrigger(expr="0 9 * * 1"),
             IntervalTrigger(seconds=90), CronTrigger(expr="30 2 * * *", timezone="Europe/Berlin")]


def walk_counts(table: JobTable) -> tuple[int, int]:
    """The counts by walking every job (what the engine did before the index)."""
    active = paused = 0
    for entry in table:
        if entry.state.paused:
            paused += 1
        elif entry.enabled:
            active += 1
    return active, paused


def walk_upcoming(table: JobTable, limit: int, include_paused: bool) -> list[UpcomingFire]:
    """The timeline by walking every job into one heap (the reference)."""
    heap: list[tuple[datetime, str]] = []
    for entry in table:
        paused_ok = include_paused and entry.enabled and bool(entry.triggers)
        if not (entry.schedulable or paused_ok):
            continue
        first = entry.state.next_run_time
        if first is None or entry.state.paused:
            found = next_fire_multi(entry.triggers, NOW, default_tz=table.tz(entry),
                                    seed=entry.spec.code)
            first = found[0] if found else None
        if first is not None:
            heap.append((first.astimezone(UTC), entry.spec.code))
    heapq.heapify(heap)
    out: list[UpcomingFire] = []
    while heap and len(out) < limit:
        when, code = heapq.heappop(heap)
        entry = table.get(code)
        out.append(UpcomingFire(time=when, code=code, name=entry.spec.display_name,
                                paused=entry.state.paused))
        found = next_fire_multi(entry.triggers, when, default_tz=table.tz(entry),
                                seed=entry.spec.code)
        if found:
            heapq.heappush(heap, (found[0].astimezone(UTC), code))
    return out


def new_entry(rng: random.Random, code: str) -> JobEntry:
    triggers = tuple(rng.sample(SCHEDULES, rng.choice([0, 1, 1, 2])))
    spec = command_job(code, "true", triggers=triggers, enabled=rng.random() > 0.1)
    state = JobState(code=code, id=code, paused=rng.random() < 0.2,
                     next_run_time=NOW + timedelta(seconds=rng.randrange(1, 7200))
                     if rng.random() < 0.8 else None)
    return JobEntry(spec=spec, state=state)


def test_index_matches_a_full_walk_through_random_changes() -> None:
    """300 jobs, 3,000 random changes: counts and the 50-fire timeline (with and without paused
    jobs) always equal the full walk's."""
    rng = random.Random(7)
    table = JobTable("UTC")
    for i in range(300):
        table.put(new_entry(rng, f"job{i:03d}"))
    for step in range(3000):
        code = f"job{rng.randrange(400):03d}"
        action = rng.random()
        if code not in table:
            table.put(new_entry(rng, code))
        elif action < 0.3:
            entry = table.get(code)
            table.update(entry, state=entry.state.model_copy(
                update={"paused": not entry.state.paused}))
        elif action < 0.7:
            entry = table.get(code)
            when = NOW + timedelta(seconds=rng.randrange(1, 7200))
            table.update(entry, state=entry.state.model_copy(update={"next_run_time": when}))
        elif action < 0.8:
            entry = table.get(code)
            table.update(entry, state=entry.state.model_copy(
                update={"override_enabled": not entry.enabled}))
        elif action < 0.9:
            table.remove(code)
        else:
            table.put(new_entry(rng, code))  # replaced by a new entry
        if step % 100 == 0:
            assert table.counts() == walk_counts(table)
            for paused in (True, False):
                assert table.upcoming(50, include_paused=paused, now=NOW) == walk_upcoming(
                    table, 50, paused)
    assert table.counts() == walk_counts(table)


def test_the_heap_stays_bounded_under_constant_change() -> None:
    """A job whose next fire changes 10,000 times leaves a heap of a few items, not 10,000."""
    table = JobTable("UTC")
    table.put(JobEntry(spec=command_job("a", "true", triggers=(SCHEDULES[0],)),
                       state=JobState(code="a", id="a", next_run_time=NOW)))
    entry = table.get("a")
    for i in range(10_000):
        table.update(entry, state=entry.state.model_copy(
            update={"next_run_time": NOW + timedelta(i)}))
    assert len(table._index.heap) <= 2 + 1024
    assert table.upcoming(1, include_paused=False, now=NOW)[0].time == NOW + timedelta(9999)
