"""Operator actions change the engine's state, persist across restarts and publish events."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from ysched_tui.core.events import JobUpdated, RunFinished
from ysched_tui.core.models import RunStatus, TriggerType
from ysched_tui.core.triggers import CronTrigger, IntervalTrigger
from ysched_tui.errors import CronError, InvalidOperation, JobNotFound, RunNotFound
from ysched_tui.owner.assembly import build_engine

from .conftest import command_job


async def test_pause_and_resume_publish_and_persist(start_engine, settings):
    """Pausing stops fires, survives a restart, and resuming brings the next fire back."""
    spec = command_job("nightly", "true", triggers=(CronTrigger(expr="30 2 * * *"),))
    engine, log = await start_engine([spec], settings=settings)
    view = await engine.pause("nightly")
    assert view.state.paused and view.state.next_run_time is None
    assert any(isinstance(e, JobUpdated) and e.job.state.paused for e in log.events)
    with pytest.raises(InvalidOperation, match="already paused"):
        await engine.pause("nightly")
    await engine.stop()

    again = build_engine(settings, specs=[spec])
    await again.start()
    try:
        assert (await again.get_job("nightly")).state.paused
        view = await again.resume("nightly")
        assert not view.state.paused
        assert view.state.next_run_time is not None
        assert (view.state.next_run_time.hour, view.state.next_run_time.minute) == (2, 30)
    finally:
        await again.stop()


async def test_reschedule_is_an_override_that_persists_and_reverts(start_engine, settings):
    """A reschedule wins over the file's value across restarts until reverted."""
    spec = command_job("report", "true", triggers=(CronTrigger(expr="0 8 * * *"),))
    engine, _ = await start_engine([spec], settings=settings)
    view = await engine.reschedule("report", [IntervalTrigger(seconds=300)])
    assert view.state.override_triggers == (IntervalTrigger(seconds=300),)
    assert view.triggers == (IntervalTrigger(seconds=300),)
    nrt = view.state.next_run_time
    assert nrt is not None and nrt.timestamp() % 300 == 0
    await engine.stop()

    again = build_engine(settings, specs=[spec])
    await again.start()
    try:
        view = await again.get_job("report")
        assert view.triggers == (IntervalTrigger(seconds=300),)
        assert view.spec.triggers == (CronTrigger(expr="0 8 * * *"),)
        view = await again.revert("report")
        assert view.state.override_triggers is None
        assert view.triggers == (CronTrigger(expr="0 8 * * *"),)
    finally:
        await again.stop()


async def test_invalid_reschedule_changes_nothing(start_engine):
    """An invalid cron expression is refused and the job keeps its schedule."""
    spec = command_job("keep", "true", triggers=(CronTrigger(expr="0 8 * * *"),))
    engine, _ = await start_engine([spec])
    with pytest.raises(CronError):
        await engine.reschedule("keep", [CronTrigger(expr="0 25 * * *")])
    assert (await engine.get_job("keep")).triggers == (CronTrigger(expr="0 8 * * *"),)


async def test_unknown_codes_and_runs_are_named(start_engine):
    """Unknown job codes and run ids raise errors naming them."""
    engine, _ = await start_engine([])
    with pytest.raises(JobNotFound, match="'nope'"):
        await engine.pause("nope")
    with pytest.raises(JobNotFound):
        await engine.trigger("nope")
    with pytest.raises(RunNotFound, match="run_x"):
        await engine.get_run("run_x")
    with pytest.raises(RunNotFound):
        await engine.cancel("run_x")


async def test_disable_and_enable_are_overrides(start_engine):
    """Disabling stops fires and shows as an override; enabling again removes the override."""
    spec = command_job("d", "true", triggers=(IntervalTrigger(seconds=60),))
    engine, _ = await start_engine([spec])
    view = await engine.set_enabled("d", False)
    assert view.status_word == "disabled" and view.state.override_enabled is False
    assert view.state.next_run_time is None
    view = await engine.set_enabled("d", True)
    assert view.state.override_enabled is None and view.state.next_run_time is not None


async def test_manual_trigger_while_running_with_skip_says_so(start_engine):
    """A manual trigger of a running skip-job is refused with a message naming the run."""
    engine, _log = await start_engine([command_job("one", "sleep 5")])
    run_id = await engine.trigger("one")
    with pytest.raises(InvalidOperation, match="already running"):
        await engine.trigger("one")
    await engine.cancel(run_id)


async def test_upcoming_merges_all_jobs_in_time_order(start_engine):
    """The next-runs timeline merges every job's fires, soonest first, leaving paused ones out."""
    a = command_job("a", "true", triggers=(IntervalTrigger(seconds=60),))
    b = command_job("b", "true", triggers=(IntervalTrigger(seconds=90),))
    c = command_job("c", "true", triggers=(IntervalTrigger(seconds=30),))
    engine, _ = await start_engine([a, b, c], paused=True)
    await engine.pause("c")
    fires = await engine.upcoming(10)
    assert len(fires) == 10
    assert [f.time for f in fires] == sorted(f.time for f in fires)
    assert {f.code for f in fires} == {"a", "b"}
    gaps = [y.time - x.time for x, y in itertools.pairwise(fires) if x.code == y.code]
    assert all(g >= timedelta(0) for g in gaps)
    with_paused = await engine.upcoming(10, include_paused=True)
    assert any(f.code == "c" and f.paused for f in with_paused)


async def test_startup_trigger_runs_once_at_start(start_engine):
    """A @reboot-style trigger runs once when the scheduler starts."""
    from ysched_tui.core.triggers import StartupTrigger

    spec = command_job("boot", "echo booted", triggers=(StartupTrigger(),))
    _engine, log = await start_engine([spec])
    (event,) = await log.wait_for(lambda e: isinstance(e, RunFinished))
    assert event.run.status is RunStatus.SUCCESS
    assert event.run.trigger_type is TriggerType.SCHEDULED
