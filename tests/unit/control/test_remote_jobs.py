"""RemoteService job methods do exactly what the engine does, with the engine's errors."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

import pytest

from ysched_tui.core.events import JobRemoved, JobUpdated
from ysched_tui.core.models import JobSource
from ysched_tui.core.triggers import CronTrigger, IntervalTrigger
from ysched_tui.errors import CronError, InvalidOperation, JobNotFound

from .conftest import Stack, command


async def test_jobs_list_and_detail_match_the_engine(stack: Stack) -> None:
    """list_jobs and get_job return the engine's views, field for field."""
    remote_jobs = await stack.remote.list_jobs()
    assert [j.code for j in remote_jobs] == [j.code for j in await stack.engine.list_jobs()]
    assert await stack.remote.get_job("nightly") == await stack.engine.get_job("nightly")


async def test_pause_resume_round_trip_is_visible_in_the_engine(stack: Stack) -> None:
    """Pausing through the client pauses the engine's job; a second pause is 409."""
    view = await stack.remote.pause("nightly")
    assert view.state.paused and (await stack.engine.get_job("nightly")).state.paused
    with pytest.raises(InvalidOperation, match="already paused"):
        await stack.remote.pause("nightly")
    view = await stack.remote.resume("nightly")
    assert not view.state.paused and view.state.next_run_time is not None
    with pytest.raises(InvalidOperation, match="not paused"):
        await stack.remote.resume("nightly")


async def test_enable_disable_and_revert(stack: Stack) -> None:
    """Disable is an override the engine sees; revert drops it; a second revert is 409."""
    assert not (await stack.remote.set_enabled("hello", False)).enabled
    assert not (await stack.engine.get_job("hello")).enabled
    with pytest.raises(InvalidOperation, match="already disabled"):
        await stack.remote.set_enabled("hello", False)
    assert (await stack.remote.revert("hello")).enabled
    with pytest.raises(InvalidOperation, match="no operator override"):
        await stack.remote.revert("hello")


async def test_reschedule_valid_and_invalid(stack: Stack) -> None:
    """A valid reschedule lands in the engine; an invalid cron raises CronError naming the field."""
    view = await stack.remote.reschedule("nightly", [IntervalTrigger(seconds=300)])
    assert (await stack.engine.get_job("nightly")).triggers == view.triggers
    with pytest.raises(CronError) as caught:
        await stack.remote.reschedule("nightly", [CronTrigger(expr="0 25 * * *")])
    assert caught.value.field == "hour" and caught.value.expr == "0 25 * * *"
    assert "hour" in str(caught.value)
    assert (await stack.engine.get_job("nightly")).triggers == (IntervalTrigger(seconds=300),)


async def test_unknown_codes_raise_job_not_found(stack: Stack) -> None:
    """Every job method raises JobNotFound naming the code, as the engine does."""
    calls: list[Callable[[str], Awaitable[object]]] = [
        stack.remote.get_job, stack.remote.pause, stack.remote.resume, stack.remote.revert,
        stack.remote.remove_job, stack.remote.trigger, stack.remote.stats,
        lambda c: stack.remote.set_enabled(c, True),
        lambda c: stack.remote.reschedule(c, []),
    ]
    for call in calls:
        with pytest.raises(JobNotFound, match="'nope'") as caught:
            await call("nope")
        assert caught.value.code == "nope"
    for odd in ("", "a/b", "..", "x y"):
        with pytest.raises(JobNotFound):
            await stack.remote.get_job(odd)


async def test_runtime_job_create_and_delete(stack: Stack) -> None:
    """A job created through the API is a runtime job; a duplicate is 409; delete removes it."""
    spec = command("adhoc", "true", triggers=(CronTrigger(expr="*/5 * * * *"),))
    view = await stack.remote.add_job(spec)
    assert view.spec.source is JobSource.RUNTIME
    assert (await stack.engine.get_job("adhoc")).spec.source is JobSource.RUNTIME
    with pytest.raises(InvalidOperation, match="already exists"):
        await stack.remote.add_job(spec)
    replaced = await stack.remote.add_job(spec.model_copy(update={"name": "Ad hoc"}),
                                          replace=True)
    assert replaced.spec.name == "Ad hoc"
    with pytest.raises(CronError):
        await stack.remote.add_job(command("bad", "true", triggers=(CronTrigger(expr="x"),)))
    await stack.remote.remove_job("adhoc")
    with pytest.raises(JobNotFound):
        await stack.engine.get_job("adhoc")
    await stack.events.wait_for(lambda e: isinstance(e, JobRemoved) and e.code == "adhoc")


async def test_upcoming_stats_and_status(stack: Stack) -> None:
    """upcoming, stats and status answer what the engine answers."""
    assert await stack.remote.upcoming(5) == await stack.engine.upcoming(5)
    await stack.remote.pause("nightly")
    assert "nightly" not in {f.code for f in await stack.remote.upcoming(50)}
    paused = [f for f in await stack.remote.upcoming(50, include_paused=True)
              if f.code == "nightly"]
    assert paused and all(f.paused for f in paused)
    remote_stats = await stack.remote.stats("nightly")
    assert remote_stats.code == "nightly" and remote_stats.paused_jobs == 1
    status = await stack.remote.status()
    assert status.state == "running" and status.owner_pid == (await stack.engine.status()).owner_pid
    assert status.owner_host and status.owner_since is not None


async def test_events_arrive_within_a_second(stack: Stack) -> None:
    """An engine event reaches a RemoteService subscriber within 1 s."""
    started = time.monotonic()
    await stack.engine.pause("nightly")
    event = await stack.events.wait_for(
        lambda e: isinstance(e, JobUpdated) and e.job.code == "nightly" and e.job.state.paused,
        timeout=1.0)
    assert time.monotonic() - started < 1.0
    assert isinstance(event, JobUpdated) and event.job == await stack.engine.get_job("nightly")
