"""The engine runs jobs and records every run: output, status, retries, timeouts, concurrency."""

from __future__ import annotations

import re

from ysched_tui.core.events import RetryScheduled, RunFinished, RunOutput, RunStarted
from ysched_tui.core.models import RetryPolicy, RunStatus, TriggerType
from ysched_tui.core.triggers import IntervalTrigger

from .conftest import command_job, make_settings

RUN_ID = re.compile(r"^run_\d{8}_\d{6}_[0-9a-f]{6}$")


def finished(code: str | None = None):
    return lambda e: isinstance(e, RunFinished) and (code is None or e.run.job_code == code)


async def test_manual_run_records_output_and_success(start_engine):
    """A manual run gets a seed-format run_id, streams its lines and is stored as success."""
    engine, log = await start_engine([command_job("hello", "echo one; echo two >&2")])
    run_id = await engine.trigger("hello")
    assert RUN_ID.match(run_id)
    (event,) = await log.wait_for(finished("hello"))
    run = event.run
    assert run.run_id == run_id and run.status is RunStatus.SUCCESS
    assert run.trigger_type is TriggerType.MANUAL and run.exit_code == 0
    assert run.duration_ms is not None and run.hostname and run.pid
    lines = await engine.run_output(run_id)
    assert [(ln.stream, ln.text) for ln in lines] == [("stdout", "one"), ("stderr", "two")]
    stored = await engine.get_run(run_id)
    assert stored.status is RunStatus.SUCCESS and stored.output_lines == 2
    job = await engine.get_job("hello")
    assert job.state.run_count == 1 and job.state.last_status is RunStatus.SUCCESS


async def test_output_arrives_while_the_run_is_still_running(start_engine):
    """Lines are published as they are printed, not when the run ends."""
    engine, log = await start_engine([command_job("slow", "echo first; sleep 5; echo last")])
    run_id = await engine.trigger("slow")
    (out,) = await log.wait_for(lambda e: isinstance(e, RunOutput) and e.run_id == run_id)
    assert out.lines[0].text == "first"
    assert not any(isinstance(e, RunFinished) for e in log.events)
    await engine.cancel(run_id)


async def test_interval_job_fires_on_schedule(start_engine):
    """An interval trigger fires scheduled runs with their scheduled time recorded."""
    spec = command_job("tick", "true", triggers=(IntervalTrigger(seconds=0.2),))
    engine, log = await start_engine([spec])
    events = await log.wait_for(finished("tick"), count=2)
    for e in events:
        assert e.run.trigger_type is TriggerType.SCHEDULED
        assert e.run.scheduled_time is not None
        assert e.run.start_time >= e.run.scheduled_time
    job = await engine.get_job("tick")
    assert job.state.next_run_time is not None


async def test_failures_are_retried_with_backoff(start_engine):
    """A failing run is retried max times, each a new run with attempt+1 and retry_of set."""
    retries = RetryPolicy(max=2, delay=0.05, backoff=2.0)
    engine, log = await start_engine([command_job("flaky", "exit 3", retries=retries)])
    first = await engine.trigger("flaky")
    events = await log.wait_for(finished("flaky"), count=3)
    runs = [e.run for e in events]
    assert [r.attempt for r in runs] == [1, 2, 3]
    assert [r.status for r in runs] == [RunStatus.FAILED] * 3
    assert runs[0].run_id == first and runs[1].retry_of == first
    assert runs[2].retry_of == runs[1].run_id
    assert [r.trigger_type for r in runs[1:]] == [TriggerType.RETRY] * 2
    assert all(r.exit_code == 3 for r in runs)
    delays = [e.next_retry_time - e.run.end_time for e in log.events
              if isinstance(e, RetryScheduled)]
    assert [round(d.total_seconds(), 2) for d in delays] == [0.05, 0.1]
    await engine.repo.flush()
    assert len(await engine.list_runs("flaky")) == 3


async def test_timeout_kills_the_run(start_engine):
    """A run past its timeout is killed and recorded as timeout."""
    engine, log = await start_engine([command_job("hang", "sleep 30", timeout=0.3)])
    await engine.trigger("hang")
    (event,) = await log.wait_for(finished("hang"))
    assert event.run.status is RunStatus.TIMEOUT
    assert "timed out" in (event.run.error or "")


async def test_cancel_kills_the_process_and_records_cancelled(start_engine):
    """Cancelling a running run records it as cancelled."""
    engine, log = await start_engine([command_job("long", "echo go; sleep 30")])
    run_id = await engine.trigger("long")
    await log.wait_for(lambda e: isinstance(e, RunOutput) and e.run_id == run_id)
    record = await engine.cancel(run_id)
    assert record.status is RunStatus.CANCELLED
    job = await engine.get_job("long")
    assert job.running == ()


async def test_concurrency_skip_records_a_skipped_run(start_engine):
    """With concurrency=skip a fire while the job runs is recorded as skipped, with the reason."""
    spec = command_job("busy", "sleep 2", triggers=(IntervalTrigger(seconds=0.2),))
    _engine, log = await start_engine([spec])
    (event,) = await log.wait_for(
        lambda e: isinstance(e, RunFinished) and e.run.status is RunStatus.SKIPPED
    )
    assert "already running" in (event.run.error or "")
    starts = [e for e in log.events if isinstance(e, RunStarted)]
    assert len(starts) == 1


async def test_concurrency_queue_runs_after_the_current_one(start_engine):
    """With concurrency=queue a second trigger waits and runs after the first."""
    engine, log = await start_engine([command_job("q", "sleep 0.2", concurrency="queue")])
    await engine.trigger("q")
    await engine.trigger("q")
    events = await log.wait_for(finished("q"), count=2)
    first, second = (e.run for e in events)
    assert first.status is second.status is RunStatus.SUCCESS
    assert second.start_time >= first.end_time


async def test_output_cap_keeps_the_first_lines_and_counts_the_rest(start_engine, tmp_path):
    """Beyond max_output_lines lines are dropped, counted, and a marker says so."""
    settings = make_settings(tmp_path, max_output_lines=100)
    engine, log = await start_engine([command_job("chatty", "seq 1 150")], settings=settings)
    run_id = await engine.trigger("chatty")
    (event,) = await log.wait_for(finished("chatty"))
    assert event.run.output_lines == 100 and event.run.dropped_lines == 50
    await engine.repo.flush()
    lines = await engine.run_output(run_id)
    assert lines[0].text == "1" and lines[99].text == "100"
    assert "50 lines dropped" in lines[-1].text


async def test_lines_past_the_cap_are_still_tailed_live(start_engine, tmp_path):
    """Past max_output_lines lines are not stored but still published, so the console keeps
    tailing a chatty run; their numbering continues."""
    settings = make_settings(tmp_path, max_output_lines=100)
    engine, log = await start_engine([command_job("chatty", "seq 1 150")], settings=settings)
    run_id = await engine.trigger("chatty")
    await log.wait_for(finished("chatty"))
    live = [line for e in log.events if isinstance(e, RunOutput) and e.run_id == run_id
            for line in e.lines]
    assert [line.text for line in live] == [str(i) for i in range(1, 151)]
    assert [line.seq for line in live] == list(range(1, 151))
    await engine.repo.flush()
    stored = await engine.run_output(run_id)
    assert len(stored) == 101 and stored[99].text == "100"


async def test_a_crashing_job_never_stops_the_engine(start_engine):
    """A job that fails in every way leaves the engine able to run the next job."""
    bad = command_job("bad", "kill -9 $$")
    good = command_job("good", "echo ok")
    engine, log = await start_engine([bad, good])
    await engine.trigger("bad")
    await log.wait_for(finished("bad"))
    await engine.trigger("good")
    (event,) = await log.wait_for(finished("good"))
    assert event.run.status is RunStatus.SUCCESS


def test_run_ids_keep_the_seed_format_and_never_repeat_in_a_process():
    """run_YYYYMMDD_HHMMSS_xxxxxx, and 100,000 ids made in one second are all different."""
    from datetime import UTC, datetime

    from ysched_tui.core.models import new_run_id

    now = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)
    ids = [new_run_id(now) for _ in range(100_000)]
    assert all(re.fullmatch(r"run_20300107_090000_[0-9a-f]{6}", run_id) for run_id in ids[:50])
    assert len(set(ids)) == len(ids)
