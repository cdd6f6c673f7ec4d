"""Scheduler.subscribe (events by type, like APScheduler 4's), run_job(wait=True), and the old
``get_execution(s)`` names kept as deprecated aliases of ``get_run(s)``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from ysched_tui import (
    ConfigError,
    Event,
    InvalidOperation,
    JobContext,
    JobUpdated,
    RunFinished,
    RunOutput,
    RunRecord,
    RunStarted,
    RunStatus,
    Scheduler,
    Settings,
    StatusChanged,
    Subscription,
    TaskResult,
    task_log,
)

WAIT = 10.0


@pytest.fixture
async def scheduler(tmp_path: Path) -> AsyncIterator[Scheduler]:
    scheduler = Scheduler(Settings(db=str(tmp_path / "t.db"), jobs=None, timezone="UTC"))

    @scheduler.job(code="hello")
    def hello(greeting: str = "hi") -> str:
        print(greeting)
        return greeting

    @scheduler.job(code="broken")
    async def broken() -> None:
        raise ValueError("bad data")

    @scheduler.job(code="holiday")
    def holiday() -> TaskResult:
        return TaskResult.skipped("holiday")

    @scheduler.job(code="slow")
    async def slow(context: JobContext) -> None:
        task_log("started", context.run_id)
        await asyncio.sleep(30)

    yield scheduler
    await scheduler.shutdown(grace=0)


async def test_subscribe_to_one_type_gets_only_that_type(scheduler: Scheduler) -> None:
    """subscribe(callback, RunFinished): the callback sees RunFinished events and no other."""
    finished: list[RunFinished] = []
    scheduler.subscribe(finished.append, RunFinished)
    await scheduler.start()
    record = await scheduler.run_job("hello", wait=True)
    assert [e.run.run_id for e in finished] == [record.run_id]
    assert all(type(e) is RunFinished for e in finished)


async def test_subscribe_to_several_types_or_all(scheduler: Scheduler) -> None:
    """An iterable of types selects those; None selects every event, Event too (a base)."""
    some: list[Event] = []
    every: list[Event] = []
    based: list[Event] = []
    scheduler.subscribe(some.append, [RunStarted, RunFinished])
    scheduler.subscribe(every.append)
    scheduler.subscribe(based.append, Event)
    await scheduler.start()
    record = await scheduler.run_job("hello", wait=True)
    assert [type(e) for e in some] == [RunStarted, RunFinished]
    assert {e.run.run_id for e in some} == {record.run_id}  # type: ignore[attr-defined]
    kinds = {type(e) for e in every}
    assert {RunStarted, RunOutput, RunFinished, JobUpdated, StatusChanged} <= kinds
    assert [type(e) for e in based] == [type(e) for e in every]


async def test_unsubscribe_one_shot_and_with_block(scheduler: Scheduler) -> None:
    """unsubscribe() and leaving a with block end a subscription; one_shot ends after one."""
    kept: list[RunFinished] = []
    dropped: list[RunFinished] = []
    once: list[RunFinished] = []
    scheduler.subscribe(kept.append, RunFinished)
    subscription = scheduler.subscribe(dropped.append, RunFinished)
    assert isinstance(subscription, Subscription)
    scheduler.subscribe(once.append, RunFinished, one_shot=True)
    await scheduler.start()
    with scheduler.subscribe(dropped.append, RunFinished):
        await scheduler.run_job("hello", wait=True)
    subscription.unsubscribe()
    subscription.unsubscribe()  # a second time does nothing
    await scheduler.run_job("hello", wait=True)
    assert (len(kept), len(dropped), len(once)) == (2, 2, 1)


async def test_coroutine_and_failing_subscribers(
    scheduler: Scheduler, caplog: pytest.LogCaptureFixture
) -> None:
    """A coroutine callback runs as a task; a raising one is logged and harms no other."""
    seen: asyncio.Queue[str] = asyncio.Queue()

    async def later(event: RunFinished) -> None:
        await seen.put(event.run.run_id)

    def broken(event: RunFinished) -> None:
        raise RuntimeError("subscriber broke")

    scheduler.subscribe(broken, RunFinished)
    scheduler.subscribe(later, RunFinished)
    await scheduler.start()
    record = await scheduler.run_job("hello", wait=True)
    assert await asyncio.wait_for(seen.get(), WAIT) == record.run_id
    assert "subscriber broke" in "\n".join(str(r.exc_info) for r in caplog.records)


@pytest.mark.parametrize("bad", [str, "RunFinished", [RunFinished, int], 42])
def test_subscribe_refuses_what_is_not_an_event_class(scheduler: Scheduler, bad: object) -> None:
    """event_types must be Event classes; the callback must be callable."""
    with pytest.raises(ConfigError, match="event types must be Event classes"):
        scheduler.subscribe(print, bad)  # type: ignore[call-overload]
    with pytest.raises(ConfigError, match="callback must be callable"):
        scheduler.subscribe(42, RunFinished)  # type: ignore[arg-type]


async def test_run_job_wait_returns_the_finished_runs_record(scheduler: Scheduler) -> None:
    """wait=True returns the RunRecord of the finished run, whatever its status; the params
    still reach the job; without wait it is the run_id, as before."""
    await scheduler.start()
    done = await scheduler.run_job("hello", wait=True, greeting="hello there")
    assert isinstance(done, RunRecord)
    assert (done.job_code, done.status, done.result) == ("hello", RunStatus.SUCCESS,
                                                         "hello there")
    assert done.end_time is not None and done.trigger_type == "manual"
    assert await scheduler.get_run(done.run_id) == done
    failed = await scheduler.run_job("broken", wait=True)
    assert (failed.status, failed.error) == (RunStatus.FAILED, "ValueError: bad data")
    skipped = await scheduler.run_job("holiday", wait=True)
    assert skipped.status is RunStatus.SKIPPED
    run_id = await scheduler.run_job("holiday", wait=False)
    assert isinstance(run_id, str) and run_id != skipped.run_id


async def test_run_job_wait_ends_when_the_scheduler_shuts_down(scheduler: Scheduler) -> None:
    """A wait for a run still going when the scheduler shuts down ends with that run's
    final record: cancelled at shutdown."""
    started: asyncio.Queue[RunStarted] = asyncio.Queue()
    scheduler.subscribe(started.put_nowait, RunStarted)
    await scheduler.start()
    waiting = asyncio.create_task(scheduler.run_job("slow", wait=True))
    await asyncio.wait_for(started.get(), WAIT)
    await scheduler.shutdown(grace=0)
    record = await asyncio.wait_for(waiting, WAIT)
    assert record.status is RunStatus.CANCELLED


async def test_run_job_wait_needs_a_started_scheduler(scheduler: Scheduler) -> None:
    """Like every control method, run_job needs start() first."""
    with pytest.raises(InvalidOperation, match="not started"):
        await scheduler.run_job("hello", wait=True)


async def test_get_execution_names_are_deprecated_aliases(scheduler: Scheduler) -> None:
    """get_executions/get_execution still answer, as get_runs/get_run, with a warning."""
    await scheduler.start()
    record = await scheduler.run_job("hello", wait=True)
    with pytest.deprecated_call(match=r"get_executions\(\) is deprecated: use .*get_runs"):
        old_list = await scheduler.get_executions("hello")
    with pytest.deprecated_call(match=r"get_execution\(\) is deprecated: use .*get_run\(\)"):
        old_one = await scheduler.get_execution(record.run_id)
    assert old_list == await scheduler.get_runs("hello")
    assert old_one == await scheduler.get_run(record.run_id) == record
