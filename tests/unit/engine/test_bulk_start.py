"""Start-up shortcuts change nothing: bulk APScheduler jobs, shared fire computations, GC."""

from __future__ import annotations

import asyncio
import gc
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.job import Job

from tests.unit.engine.conftest import command_job, make_settings
from ysched_tui.core.models import JobState, RunStatus
from ysched_tui.core.triggers import CronTrigger, IntervalTrigger
from ysched_tui.engine import aps
from ysched_tui.engine.table import JobEntry, JobTable
from ysched_tui.errors import ConfigError
from ysched_tui.owner.assembly import build_engine

T0 = datetime(2030, 1, 1, tzinfo=UTC)


def _jobs(n: int) -> list[tuple[str, aps.CoreTrigger, datetime | None]]:
    """Codes in reverse order, shared and distinct next runs, and one without a next run."""
    out: list[tuple[str, aps.CoreTrigger, datetime | None]] = []
    for i in reversed(range(n)):
        trigger = aps.CoreTrigger((CronTrigger(expr=f"{i % 7} * * * *"),), "UTC", f"j{i}")
        when = None if i == 3 else T0 + timedelta(minutes=i % 7, microseconds=i % 2)
        out.append((f"j{i:03d}", trigger, when))
    return out


def _slots(job: Job) -> dict[str, object]:
    return {name: getattr(job, name) for name in Job.__slots__ if name != "__weakref__"}


async def test_bulk_jobs_equal_add_job_jobs() -> None:
    """Same attributes, same store order, same timestamps as put_job + start()."""
    jobs = _jobs(40)
    one_by_one = aps.build_scheduler(lambda code, times: None)
    for code, trigger, when in jobs:
        aps.put_job(one_by_one, code, trigger, when, fresh=True)
    bulk = aps.build_scheduler(lambda code, times: None)
    aps.add_before_start(bulk, jobs)
    one_by_one.start(paused=True)
    bulk.start(paused=True)
    try:
        expected = one_by_one._lookup_jobstore("default")
        got = bulk._lookup_jobstore("default")
        assert [(j.id, t) for j, t in got._jobs] == [(j.id, t) for j, t in expected._jobs]
        assert got._jobs_index.keys() == expected._jobs_index.keys()
        for (a, _), (b, _) in zip(got._jobs, expected._jobs, strict=True):
            sa, sb = _slots(a), _slots(b)
            assert sa.pop("_scheduler") is bulk and sb.pop("_scheduler") is one_by_one
            assert sa == sb
        assert bulk.get_job("j003") is None
    finally:
        one_by_one.shutdown(wait=False)
        bulk.shutdown(wait=False)


async def test_bulk_jobs_can_be_replaced_and_removed() -> None:
    """A bulk-added job is found, replaced and removed like any other."""
    scheduler = aps.build_scheduler(lambda code, times: None)
    aps.add_before_start(scheduler, _jobs(20))
    scheduler.start(paused=True)
    try:
        trigger = aps.CoreTrigger((CronTrigger(expr="0 0 * * *"),), "UTC", "j010")
        aps.put_job(scheduler, "j010", trigger, T0 + timedelta(days=1))
        assert scheduler.get_job("j010").trigger is trigger
        for code in [f"j{i:03d}" for i in range(20) if i != 3]:
            aps.drop_job(scheduler, code)
        assert scheduler.get_jobs() == []
    finally:
        scheduler.shutdown(wait=False)


async def test_a_started_scheduler_falls_back_to_add_job() -> None:
    """Once running, jobs are added one by one (the store is not refilled)."""
    scheduler = aps.build_scheduler(lambda code, times: None)
    scheduler.start(paused=True)
    try:
        aps.add_before_start(scheduler, _jobs(5))
        assert sorted(j.id for j in scheduler.get_jobs()) == ["j000", "j001", "j002", "j004"]
    finally:
        scheduler.shutdown(wait=False)


async def test_bulk_added_jobs_fire(tmp_path: Path) -> None:
    """An engine started with the bulk path dispatches its jobs' fires."""
    fired: asyncio.Queue[str] = asyncio.Queue()
    scheduler = aps.build_scheduler(lambda code, times: fired.put_nowait(code))
    trigger = aps.CoreTrigger((IntervalTrigger(seconds=0.05),), "UTC", "tick")
    aps.add_before_start(scheduler, [("tick", trigger, datetime.now(UTC))])
    scheduler.start()
    try:
        assert await asyncio.wait_for(fired.get(), 5) == "tick"
    finally:
        scheduler.shutdown(wait=False)


def test_shared_fires_give_each_job_its_own_answer() -> None:
    """Jobs share computations only when triggers, zone (and, with jitter, code) agree."""
    table = JobTable("UTC")

    def entry(code: str, trigger: CronTrigger | IntervalTrigger, tz: str | None = None) -> JobEntry:
        spec = command_job(code, "true", triggers=(trigger,), timezone=tz)
        return JobEntry(spec=spec, state=JobState(code=code, id=code))

    entries = [
        entry("a", CronTrigger(expr="0 9 * * *")),
        entry("b", CronTrigger(expr="0 9 * * *")),
        entry("c", CronTrigger(expr="0 9 * * *"), tz="Asia/Tokyo"),
        entry("d", CronTrigger(expr="0 9 * * *", jitter=600)),
        entry("e", CronTrigger(expr="0 9 * * *", jitter=600)),
        entry("f", IntervalTrigger(seconds=7)),
    ]
    after = T0 - timedelta(days=3)
    plain = [(table.next_fire(e, T0), table.fires_between(e, after, T0, 10)) for e in entries]
    with table.shared_fires():
        shared = [(table.next_fire(e, T0), table.fires_between(e, after, T0, 10))
                  for e in entries]
        again = [(table.next_fire(e, T0), table.fires_between(e, after, T0, 10))
                 for e in entries]
    assert shared == plain == again
    assert plain[3] != plain[4]  # jitter derives from the code


async def test_restart_reuses_next_fires_and_finds_missed_ones(tmp_path: Path) -> None:
    """A restart keeps stored next fires and still records a fire missed while down."""
    now = [datetime(2030, 1, 1, 10, 0, 30, tzinfo=UTC)]
    settings = make_settings(tmp_path)
    specs = [command_job(f"j{i}", "true", triggers=(CronTrigger(expr=f"{i} 10 * * *"),))
             for i in range(1, 4)]
    engine = build_engine(settings, specs=specs, clock=lambda: now[0])
    await engine.start(paused=True)
    first = {e.spec.code: e.state.next_run_time for e in engine.table}
    await engine.stop(grace=0)
    now[0] = datetime(2030, 1, 1, 10, 1, 30, tzinfo=UTC)  # j1's 10:01 passed while down
    engine = build_engine(settings, specs=specs, clock=lambda: now[0])
    await engine.start(paused=True)
    try:
        got = {e.spec.code: e.state.next_run_time for e in engine.table}
        assert got["j2"] == first["j2"] and got["j3"] == first["j3"]
        assert got["j1"] == datetime(2030, 1, 2, 10, 1, tzinfo=UTC)
        assert engine.table.get("j1").state.last_fire_time == first["j1"]
        missed = [r for code in ("j1", "j2", "j3") for r in await engine.list_runs(code)
                  if r.status is RunStatus.MISSED]
        assert [(r.job_code, r.scheduled_time) for r in missed] == [("j1", first["j1"])]
        assert engine._firing.scheduler is not None
        assert engine._firing.scheduler.get_job("j2").next_run_time == first["j2"]
    finally:
        await engine.stop(grace=0)


async def test_the_collector_resumes_after_start(tmp_path: Path) -> None:
    """GC is held during start and back on the loop's next turn, or at once when start fails."""
    engine = build_engine(make_settings(tmp_path), specs=[command_job("a", "true")])
    await engine.start(paused=True)
    try:
        await asyncio.sleep(0)
        assert gc.isenabled()
    finally:
        await engine.stop(grace=0)
    bad = tmp_path / "bad.toml"
    bad.write_text("[[jobs]]\ncode = 'x'\n", encoding="utf-8")
    failing = build_engine(make_settings(tmp_path, jobs=bad))
    with pytest.raises(ConfigError):
        await failing.start(paused=True)
    assert gc.isenabled()
