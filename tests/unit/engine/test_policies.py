"""The run policies on a fake clock and the in-memory repository, in milliseconds.

Admission (skip / queue / a limit of N runs at once) and retries (fixed and growing delays,
``retry_on``) are the :class:`RunManager`'s: it is built here directly, as the engine builds it,
with two seams the engine leaves at their defaults — ``clock`` (the time stamped on runs) and
``call_later`` (the wait before a retry) — both given a :class:`FakeClock`, so a 60 s retry delay
passes when the test advances the clock, not in real time. The jobs are Python callables the
test holds until it releases them.

Catch-up and the misfire grace are the engine's, decided when it starts (missed fires between
the stored last fire and now) and when APScheduler hands it a due fire. Those are driven through
a real :class:`Engine` on a :class:`MemoryRepository` with a fake ``clock``: downtime is a clock
moved forward between two starts, and a late fire is the engine's dispatch called with explicit
fire times (APScheduler itself runs on the loop's real clock, so it is left paused).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.waiting import wait_until
from ysched_tui.core.context import JobContext
from ysched_tui.core.events import Event, RetryScheduled, RunFinished, RunMissed, RunStarted
from ysched_tui.core.models import (
    CatchUp,
    JobSpec,
    JobState,
    PythonTarget,
    RetryPolicy,
    RunRecord,
    RunStatus,
    TriggerType,
)
from ysched_tui.core.triggers import CronTrigger
from ysched_tui.engine import Engine
from ysched_tui.engine.bus import EventBus
from ysched_tui.engine.output import OutputCollector
from ysched_tui.engine.runs import RunManager
from ysched_tui.engine.table import JobEntry, JobTable
from ysched_tui.errors import InvalidOperation
from ysched_tui.owner.assembly import build_engine
from ysched_tui.storage.memory import MemoryRepository

from .conftest import make_settings

T0 = datetime(2030, 1, 7, 9, 1, tzinfo=UTC)
REF = "policies:job"


class FakeClock:
    """The time the code under test sees, and the calls it asked to have made later."""

    @dataclass(order=True)
    class Call:
        when: datetime
        order: int
        callback: Callable[[], None] = field(compare=False)
        cancelled: bool = field(default=False, compare=False)

        def cancel(self) -> None:
            self.cancelled = True

    def __init__(self, now: datetime) -> None:
        self.now = now
        self._calls: list[FakeClock.Call] = []
        self._order = itertools.count()

    def __call__(self) -> datetime:
        return self.now

    def call_later(self, delay: float, callback: Callable[[], None]) -> FakeClock.Call:
        call = FakeClock.Call(self.now + timedelta(seconds=delay), next(self._order), callback)
        heapq.heappush(self._calls, call)
        return call

    @property
    def pending(self) -> list[datetime]:
        """When the calls not yet made are due."""
        return sorted(c.when for c in self._calls if not c.cancelled)

    def advance(self, seconds: float) -> None:
        """Move time on, making every call that falls due (in time order) at its time."""
        end = self.now + timedelta(seconds=seconds)
        while self._calls and self._calls[0].when <= end:
            call = heapq.heappop(self._calls)
            if not call.cancelled:
                self.now = call.when
                call.callback()
        self.now = end


class Jobs:
    """The Python job every test job runs: it records its start, waits while its job is held
    (each run until it is released), then returns or raises what the test set for its job."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.raises: dict[str, BaseException] = {}
        self._held: set[str] = set()
        self._gates: dict[str, tuple[str, asyncio.Event]] = {}

    def hold(self, code: str) -> None:
        """Runs of ``code`` wait for their release from now on."""
        self._held.add(code)

    def release(self, run_id: str) -> None:
        """Let one waiting run go on."""
        self._gates.pop(run_id)[1].set()

    def let_go(self, code: str) -> None:
        """Stop holding ``code``: its waiting runs go on, later ones do not wait."""
        self._held.discard(code)
        for run_id, (held, _gate) in list(self._gates.items()):
            if held == code:
                self.release(run_id)

    def let_all_go(self) -> None:
        for code in list(self._held):
            self.let_go(code)

    async def __call__(self, context: JobContext) -> str:
        self.started.append(context.run_id)
        if context.job_code in self._held:
            gate = asyncio.Event()
            self._gates[context.run_id] = (context.job_code, gate)
            await gate.wait()
        error = self.raises.get(context.job_code)
        if error is not None:
            raise error
        return "done"


def job(code: str, **kw: Any) -> JobSpec:
    return JobSpec(code=code, target=PythonTarget(ref=REF), **kw)


@dataclass
class Rig:
    """A RunManager wired as the engine wires it, on a fake clock and a memory repository."""

    clock: FakeClock
    repo: MemoryRepository
    table: JobTable
    events: list[Event]
    jobs: Jobs
    runs: RunManager
    output: OutputCollector

    def add(self, spec: JobSpec) -> JobEntry:
        entry = JobEntry(spec=spec, state=JobState(code=spec.code, id=f"id-{spec.code}"))
        self.table.put(entry)
        return entry

    def start(self, entry: JobEntry, trigger: TriggerType = TriggerType.SCHEDULED,
              **kw: Any) -> RunRecord:
        return self.runs.start(entry, trigger_type=trigger, scheduled_time=self.clock(), **kw)

    def finished(self, code: str) -> list[RunRecord]:
        return [e.run for e in self.events
                if isinstance(e, RunFinished) and e.run.job_code == code]

    async def settled(self, code: str, count: int) -> list[RunRecord]:
        """Wait (in real time, a few ms) until ``count`` runs of ``code`` have finished."""
        await wait_until(lambda: len(self.finished(code)) >= count, timeout=5, every=0.001,
                         what=f"{count} finished runs of {code}")
        return self.finished(code)

    async def stored(self, code: str) -> list[RunRecord]:
        await self.runs.drain()
        return sorted(await self.repo.list_runs(code, limit=1000), key=lambda r: r.run_id)


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    clock = FakeClock(T0)
    repo = MemoryRepository()
    await repo.open()
    settings = make_settings(tmp_path)
    bus = EventBus()
    events: list[Event] = []
    bus.subscribe(events.append)
    table = JobTable("UTC")
    jobs = Jobs()
    output = OutputCollector(repo.append_output, bus.publish, max_lines=100)
    output.start()
    runs = RunManager(
        table=table, repo=repo, bus=bus, output=output, settings=settings,
        http=lambda: None,  # type: ignore[arg-type,return-value]  # no HTTP job here
        callables={REF: jobs}, clock=clock, on_change=lambda _entry: None,
        call_later=clock.call_later,
    )
    yield Rig(clock, repo, table, events, jobs, runs, output)
    jobs.let_all_go()
    await runs.stop(grace=1)
    await output.stop()


# --- admission -------------------------------------------------------------------------------


async def test_skip_records_a_skipped_run_while_busy_and_refuses_a_manual_one(rig: Rig) -> None:
    """concurrency=skip: a fire while the job runs is recorded skipped with the reason; a
    manual run is refused naming the run in progress; once it ends the next fire runs."""
    entry = rig.add(job("busy", concurrency="skip"))
    rig.jobs.hold("busy")
    first = rig.start(entry)
    await wait_until(lambda: first.run_id in rig.jobs.started, every=0.001)
    rig.clock.advance(5)
    skipped = rig.start(entry)
    assert skipped.status is RunStatus.SKIPPED
    assert skipped.error == f"skipped: is already running ({first.run_id}; concurrency=skip)"
    assert skipped.start_time == skipped.end_time == T0 + timedelta(seconds=5)
    with pytest.raises(InvalidOperation, match=first.run_id):
        rig.start(entry, TriggerType.MANUAL)
    rig.jobs.let_go("busy")
    await rig.settled("busy", 2)
    rig.start(entry)
    await rig.settled("busy", 3)
    statuses = [r.status for r in await rig.stored("busy")]
    assert sorted(statuses) == sorted([RunStatus.SUCCESS, RunStatus.SKIPPED, RunStatus.SUCCESS])
    assert len(rig.jobs.started) == 2


async def test_queue_runs_waiting_fires_one_after_the_other(rig: Rig) -> None:
    """concurrency=queue: later fires wait (recorded pending) and start in order, each after
    the previous one ended; a queued run can be cancelled before it starts."""
    entry = rig.add(job("line", concurrency="queue"))
    rig.jobs.hold("line")
    first = rig.start(entry)
    second = rig.start(entry)
    third = rig.start(entry)
    dropped = rig.start(entry)
    assert second.status is third.status is RunStatus.PENDING
    await wait_until(lambda: rig.jobs.started == [first.run_id], every=0.001)
    await rig.runs.cancel(dropped.run_id)
    (cancelled,) = rig.finished("line")
    assert cancelled.run_id == dropped.run_id and cancelled.status is RunStatus.CANCELLED
    assert cancelled.error == "cancelled by operator while queued"
    for n, current in enumerate((first, second, third), start=1):
        rig.clock.advance(10)
        assert rig.runs.running_count == 1  # one at a time
        rig.jobs.release(current.run_id)
        await rig.settled("line", n + 1)
        if n < 3:
            await wait_until(lambda n=n: len(rig.jobs.started) == n + 1, every=0.001)
    done = [r for r in await rig.settled("line", 4) if r.status is RunStatus.SUCCESS]
    assert [r.run_id for r in done] == [first.run_id, second.run_id, third.run_id]
    assert rig.jobs.started == [first.run_id, second.run_id, third.run_id]
    for before, after in itertools.pairwise(done):
        assert after.start_time is not None and before.end_time is not None
        assert after.start_time >= before.end_time
    assert rig.runs.running_count == 0


async def test_a_limit_of_n_runs_n_at_once_and_skips_the_rest(rig: Rig) -> None:
    """concurrency=2: two runs at once; a third fire meanwhile is skipped; one ending makes
    room for the next."""
    entry = rig.add(job("pair", concurrency=2))
    rig.jobs.hold("pair")
    a, b = rig.start(entry), rig.start(entry)
    third = rig.start(entry)
    assert third.status is RunStatus.SKIPPED and "concurrency=2" in (third.error or "")
    assert a.run_id in (third.error or "") and b.run_id in (third.error or "")
    await wait_until(lambda: len(rig.jobs.started) == 2, every=0.001)
    assert rig.runs.running_count == 2
    rig.jobs.let_go("pair")
    await rig.settled("pair", 3)
    fourth = rig.start(entry)
    assert fourth.status is RunStatus.PENDING  # admitted: started, not skipped
    finished = await rig.settled("pair", 4)
    assert [r.status for r in finished].count(RunStatus.SUCCESS) == 3


# --- retries ---------------------------------------------------------------------------------


async def failed_attempts(rig: Rig, code: str, delays: list[float]) -> list[RunRecord]:
    """Let ``code`` fail and be retried: each retry starts exactly when its delay has passed
    on the fake clock (not a millisecond before). Returns the attempts."""
    for n, delay in enumerate(delays, start=1):
        await rig.settled(code, n)
        assert rig.clock.pending == [rig.clock.now + timedelta(seconds=delay)]
        rig.clock.advance(delay - 0.001)
        assert rig.runs.running_count == 0  # still waiting
        rig.clock.advance(0.001)
        assert rig.runs.running_count == 1  # started at its time
    runs = await rig.settled(code, len(delays) + 1)
    assert rig.clock.pending == []  # no retry after the last attempt
    return runs


def retry_delays(rig: Rig) -> list[float]:
    return [(e.next_retry_time - e.run.end_time).total_seconds() for e in rig.events
            if isinstance(e, RetryScheduled) and e.run.end_time is not None]


async def test_fixed_delay_retries_max_times(rig: Rig) -> None:
    """max=2, delay=30, backoff 1: two retries, 30 s after each failure, chained by retry_of."""
    rig.jobs.raises["flaky"] = ConnectionError("down")
    entry = rig.add(job("flaky", retries=RetryPolicy(max=2, delay=30)))
    first = rig.start(entry, TriggerType.MANUAL)
    runs = await failed_attempts(rig, "flaky", [30, 30])
    assert [r.attempt for r in runs] == [1, 2, 3]
    assert [r.status for r in runs] == [RunStatus.FAILED] * 3
    assert [r.trigger_type for r in runs] == [TriggerType.MANUAL, TriggerType.RETRY,
                                              TriggerType.RETRY]
    assert runs[0].run_id == first.run_id
    assert [r.retry_of for r in runs] == [None, runs[0].run_id, runs[1].run_id]
    assert [r.start_time for r in runs] == [T0, T0 + timedelta(seconds=30),
                                            T0 + timedelta(seconds=60)]
    assert retry_delays(rig) == [30, 30]
    assert [st for st in (await rig.stored("flaky"))] == sorted(runs, key=lambda r: r.run_id)


async def test_growing_delays_are_capped_at_max_delay(rig: Rig) -> None:
    """delay=2, backoff=3, max_delay=10: the retries wait 2, 6, then 10 (not 18) seconds."""
    rig.jobs.raises["grow"] = TimeoutError("slow")
    policy = RetryPolicy(max=3, delay=2, backoff=3, max_delay=10)
    entry = rig.add(job("grow", retries=policy))
    rig.start(entry)
    runs = await failed_attempts(rig, "grow", [2, 6, 10])
    assert retry_delays(rig) == [2, 6, 10]
    assert runs[-1].start_time == T0 + timedelta(seconds=18)


async def test_retry_on_names_the_exceptions_worth_a_retry(rig: Rig) -> None:
    """retry_on=(ConnectionError,): that error and its subclasses are retried, others not."""
    policy = RetryPolicy(max=1, delay=1, retry_on=("ConnectionError",))
    named = rig.add(job("named", retries=policy))
    subclass = rig.add(job("subclass", retries=policy))
    other = rig.add(job("other", retries=policy))
    rig.jobs.raises.update(named=ConnectionError("x"), subclass=ConnectionRefusedError("y"),
                           other=ValueError("z"))
    for entry in (named, subclass, other):
        rig.start(entry)
    await rig.settled("named", 1)
    await rig.settled("subclass", 1)
    await rig.settled("other", 1)
    assert len(rig.clock.pending) == 2
    rig.clock.advance(1)
    assert len(await rig.settled("named", 2)) == len(await rig.settled("subclass", 2)) == 2
    assert len(rig.finished("other")) == 1
    assert rig.finished("other")[0].error == "ValueError: z"


async def test_stopping_drops_a_pending_retry(rig: Rig) -> None:
    """A retry still waiting when the manager stops never starts."""
    rig.jobs.raises["late"] = OSError("x")
    entry = rig.add(job("late", retries=RetryPolicy(max=5, delay=60)))
    rig.start(entry)
    await rig.settled("late", 1)
    assert rig.runs.retries_pending == 1
    await rig.runs.stop(grace=0)
    rig.clock.advance(3600)
    assert rig.clock.pending == [] and rig.runs.retries_pending == 0
    assert len(rig.jobs.started) == 1


# --- catch-up and misfire grace (the engine's, on a fake clock) ------------------------------

EVERY_TEN = (CronTrigger(expr="*/10 * * * *"),)


@dataclass
class Site:
    """An engine's world that outlives the engine: storage, settings, the job and its clock."""

    tmp_path: Path
    repo: MemoryRepository = field(default_factory=MemoryRepository)
    clock: FakeClock = field(default_factory=lambda: FakeClock(T0))
    jobs: Jobs = field(default_factory=Jobs)
    engines: list[Engine] = field(default_factory=list)
    events: dict[int, list[Event]] = field(default_factory=dict)
    """By engine (its id): every event it published, from before its start."""

    async def start(self, *specs: JobSpec, **settings: Any) -> tuple[Engine, list[Event]]:
        engine = build_engine(make_settings(self.tmp_path, **settings), specs=specs,
                              callables={REF: self.jobs}, clock=self.clock,
                              repository=self.repo)
        events: list[Event] = []
        engine.subscribe(events.append)
        self.events[id(engine)] = events
        await engine.start(paused=True)  # APScheduler never fires on its own here
        self.engines.append(engine)
        return engine, events


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[Site]:
    world = Site(tmp_path)
    yield world
    for engine in world.engines:
        await engine.stop(grace=1)


async def downtime(site: Site, spec: JobSpec, minutes: float, **settings: Any) -> Engine:
    """Start and stop an engine at T0, move the clock on, start again; the second engine."""
    first, _ = await site.start(spec, **settings)
    await first.stop(grace=1)
    site.clock.advance(minutes * 60)
    engine, _events = await site.start(spec, **settings)
    return engine


async def caught_up(site: Site, engine: Engine, code: str) -> list[RunRecord]:
    """The catch-up runs the start made, waited for until they ended (oldest fire first)."""
    def found() -> list[RunRecord]:
        return [e.run for e in site.events[id(engine)] if isinstance(e, RunFinished)
                and e.run.job_code == code and e.run.trigger_type is TriggerType.CATCH_UP]

    started = [r for r in await engine.list_runs(code, limit=100)
               if r.trigger_type is TriggerType.CATCH_UP]
    await wait_until(lambda: len(found()) == len(started), every=0.001)
    return sorted(found(), key=lambda r: r.scheduled_time or T0)


def missed_runs(events: list[Event], code: str) -> list[RunRecord]:
    return [e.run for e in events if isinstance(e, RunMissed) and e.run.job_code == code]


def started_runs(events: list[Event], code: str) -> list[RunRecord]:
    return [e.run for e in events if isinstance(e, RunStarted) and e.run.job_code == code]


@pytest.mark.parametrize(("policy", "expected"), [
    (CatchUp.ONCE, [T0 + timedelta(minutes=29)]),
    (CatchUp.ALL, [T0 + timedelta(minutes=m) for m in (9, 19, 29)]),
    (CatchUp.SKIP, []),
])
async def test_catch_up_policies(site: Site, policy: CatchUp, expected: list[datetime]) -> None:
    """Down from 09:01 to 09:36: the 09:10, 09:20 and 09:30 fires are recorded as missed, and
    the policy decides which of them run now as catch-up runs."""
    spec = job("tick", triggers=EVERY_TEN, catch_up=policy, concurrency="queue")
    engine = await downtime(site, spec, 35)
    missed = [r for r in await engine.list_runs("tick", limit=100)
              if r.status is RunStatus.MISSED]
    assert sorted(r.scheduled_time for r in missed) == [  # type: ignore[type-var]
        T0 + timedelta(minutes=m) for m in (9, 19, 29)]
    assert all(r.error == "missed: the scheduler was not running" for r in missed)
    assert all(r.end_time == T0 + timedelta(minutes=35) for r in missed)
    runs = await caught_up(site, engine, "tick")
    assert [r.scheduled_time for r in runs] == expected
    assert all(r.status is RunStatus.SUCCESS for r in runs)
    assert len(site.jobs.started) == len(expected)


async def test_the_settings_catch_up_policy_applies_when_the_job_has_none(site: Site) -> None:
    """A job without its own policy follows the settings' (here: all); its catch-up runs are
    admitted like any other, so with concurrency=skip the second finds the first running."""
    engine = await downtime(site, job("tick", triggers=EVERY_TEN), 25, catch_up="all")
    runs = await caught_up(site, engine, "tick")
    assert [r.scheduled_time for r in runs] == [
        T0 + timedelta(minutes=9), T0 + timedelta(minutes=19)]
    assert [r.status for r in runs] == [RunStatus.SUCCESS, RunStatus.SKIPPED]


@pytest.mark.parametrize(("late", "job_grace", "runs"), [
    (30, None, True),      # within the settings' 60 s
    (60, None, True),      # exactly at the grace still runs
    (61, None, False),
    (30, 10.0, False),     # the job's own grace wins
    (9, 10.0, True),
])
async def test_misfire_grace(site: Site, late: float, job_grace: float | None,
                             runs: bool) -> None:
    """A fire handed over ``late`` seconds after its time runs within the misfire grace (the
    job's, else the settings'), and is recorded as missed beyond it."""
    engine, events = await site.start(job("due", triggers=EVERY_TEN, misfire_grace=job_grace),
                                      misfire_grace=60)
    site.clock.advance(9 * 60 + late)  # the 09:10 fire, seen ``late`` s after 09:10
    engine._firing.dispatch("due", [T0 + timedelta(minutes=9)])
    missed = missed_runs(events, "due")
    if runs:
        assert not missed
        await wait_until(lambda: len(site.jobs.started) == 1, every=0.001)
        started = started_runs(events, "due")
        assert [r.scheduled_time for r in started] == [T0 + timedelta(minutes=9)]
        assert started[0].start_time == site.clock.now
    else:
        grace = job_grace if job_grace is not None else 60
        (run,) = missed
        assert run.error == f"missed: {late:.1f}s late (misfire grace {grace:g}s)"
        assert not started_runs(events, "due") and site.jobs.started == []
    state = (await engine.get_job("due")).state
    assert state.last_fire_time == T0 + timedelta(minutes=9)
