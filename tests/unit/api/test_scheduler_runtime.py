"""The Scheduler end to end on a real engine and a SQLite file: run, observe, operate."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from ysched_tui import (
    HttpJob,
    InvalidOperation,
    JobContext,
    RetryScheduled,
    RetryStrategy,
    RunRecord,
    RunStatus,
    Scheduler,
    Settings,
    TaskResult,
    cron,
    task_log,
)
from ysched_tui.core.models import JobSource, JobSpec, PythonTarget

RUN_ID = re.compile(r"^run_\d{8}_\d{6}_[0-9a-f]{6}$")
WAIT = 10.0


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(db=str(tmp_path / "t.db"), jobs=None, timezone="UTC")


class Collector:
    """Collects listener calls into a queue (the apscheduler tests' ``eventqueue``)."""

    def __init__(self, scheduler: Scheduler) -> None:
        self.queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        for kind in ("executed", "error", "missed", "retry"):
            getattr(scheduler, f"on_job_{kind}")(self._put(kind))

    def _put(self, kind: str) -> Any:
        async def listener(value: Any) -> None:
            await self.queue.put((kind, value))

        return listener

    async def next(self, kind: str, code: str) -> Any:
        while True:
            got_kind, value = await asyncio.wait_for(self.queue.get(), WAIT)
            run = value.run if isinstance(value, RetryScheduled) else value
            if got_kind == kind and run.job_code == code:
                return value


@pytest.fixture
async def scheduler(settings: Settings) -> AsyncIterator[Scheduler]:
    scheduler = Scheduler(settings)
    yield scheduler
    await scheduler.shutdown(grace=1)


async def test_interval_job_runs_and_is_recorded(scheduler: Scheduler) -> None:
    """A 1-second coroutine job gets its context, logs lines and is queryable afterwards."""

    @scheduler.interval(seconds=1, code="tick", name="Tick")
    async def tick(context: JobContext) -> dict[str, Any]:
        task_log("hello from", context.job_code)
        return {"attempt": context.attempt, "run_id": context.run_id}

    events = Collector(scheduler)
    await scheduler.start()
    run: RunRecord = await events.next("executed", "tick")
    assert run.status is RunStatus.SUCCESS and RUN_ID.match(run.run_id)
    assert run.result == {"attempt": 1, "run_id": run.run_id}
    stored = await scheduler.get_run(run.run_id)
    assert stored.status is RunStatus.SUCCESS and stored.trigger_type == "scheduled"
    assert run.run_id in [r.run_id for r in await scheduler.get_runs("tick")]
    lines = await scheduler.get_output(run.run_id)
    assert [line.text.split("] ", 1)[1] for line in lines] == ["hello from tick"]
    job = await scheduler.get_job("tick")
    assert job.spec.name == "Tick" and job.state.run_count >= 1


async def test_control_methods(scheduler: Scheduler) -> None:
    """pause/resume/run_job/reschedule/remove act on the engine and show in get_job(s)."""

    @scheduler.cron("0 3 * * *", code="nightly")
    def nightly() -> TaskResult:
        return TaskResult.success(message="done", rows=3)

    events = Collector(scheduler)
    await scheduler.start()
    assert (await scheduler.pause_job("nightly")).state.paused
    assert not (await scheduler.resume_job("nightly")).state.paused
    run_id = await scheduler.run_job("nightly")
    assert RUN_ID.match(run_id)
    run = await events.next("executed", "nightly")
    assert run.run_id == run_id and run.trigger_type == "manual"
    assert run.result == {"rows": 3}
    view = await scheduler.reschedule_job("nightly", cron("30 4 * * *"))
    assert view.triggers == (cron("30 4 * * *"),)
    stats = await scheduler.get_stats("nightly")
    assert stats.today.success_runs == 1 and stats.today.success_rate == 100.0
    await scheduler.remove_job("nightly")
    assert "nightly" not in [j.code for j in await scheduler.get_jobs()]
    assert scheduler.collect_jobs() == ([], {})


async def test_should_retry_decides_which_failures_are_retried(scheduler: Scheduler) -> None:
    """A predicate-accepted error is retried (attempt 2, retry_of); a refused one is not."""
    calls: list[str] = []
    strategy = RetryStrategy.custom(
        2, lambda n: 0.05, should_retry=lambda exc: isinstance(exc, ConnectionError))

    @scheduler.job(code="flaky", retry=strategy)
    def flaky() -> str:
        calls.append("flaky")
        if len(calls) == 1:
            raise ConnectionError("network down")
        return "recovered"

    @scheduler.job(code="broken", retry=strategy)
    async def broken() -> None:
        raise ValueError("bad data")

    events = Collector(scheduler)
    await scheduler.start()
    first = await scheduler.run_job("flaky")
    retry: RetryScheduled = await events.next("retry", "flaky")
    assert retry.run.run_id == first and retry.attempt == 2
    assert "ConnectionError: network down" in (retry.run.error or "")
    second: RunRecord = await events.next("executed", "flaky")
    assert (second.attempt, second.retry_of, second.result) == (2, first, "recovered")
    await scheduler.run_job("broken")
    failed: RunRecord = await events.next("error", "broken")
    assert failed.error == "ValueError: bad data"
    assert [r.attempt for r in await scheduler.get_runs("broken")] == [1]


async def test_job_added_after_start_runs(scheduler: Scheduler) -> None:
    """A closure declared on a running scheduler is sent to the engine and can run."""
    events = Collector(scheduler)
    await scheduler.start()
    for user in (7, 8):

        async def reminder(context: JobContext, user_id: int = user) -> str:
            return f"remind {user_id} in {context.job_code}"

        scheduler.add_job(reminder, code=f"REMINDER_{user}", replace_existing=True)
    await scheduler.run_job("REMINDER_8")
    run = await events.next("executed", "REMINDER_8")
    assert run.result == "remind 8 in REMINDER_8"


async def test_error_of_a_job_sent_after_start_surfaces_on_the_next_call(
    scheduler: Scheduler,
) -> None:
    """A runtime declaration the engine refuses raises from the next awaited method, once."""
    await scheduler.start()
    other = JobSpec(code="taken", target=PythonTarget(ref="os:getpid"), source=JobSource.RUNTIME)
    await scheduler.service.add_job(other)
    scheduler.add_job(lambda: 1, code="taken")
    with pytest.raises(InvalidOperation, match="taken"):
        await scheduler.get_jobs()
    assert "taken" in [job.code for job in await scheduler.get_jobs()]


@pytest.fixture
def http_server() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(201)
            self.end_headers()
            self.wfile.write(b"got " + body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


async def test_http_job_class_sends_its_request(scheduler: Scheduler, http_server: str) -> None:
    """An HttpJob class posts its JSON body to a real server and records the status."""

    class Ping(HttpJob):
        url = f"{http_server}/ping"
        method = "POST"
        json = {"hello": "world"}  # noqa: RUF012 - HttpJob reads plain class attributes
        success_codes = (201,)

    scheduler.add_job_class(Ping)
    events = Collector(scheduler)
    await scheduler.start()
    await scheduler.run_job("Ping")
    run = await events.next("executed", "Ping")
    assert run.http_status == 201


async def test_failing_listeners_never_reach_the_engine(
    scheduler: Scheduler, caplog: pytest.LogCaptureFixture
) -> None:
    """A sync or async listener that raises is logged; other listeners still run."""

    @scheduler.on_job_executed
    def bad_sync(run: RunRecord) -> None:
        raise RuntimeError("sync listener broke")

    @scheduler.on_job_executed
    async def bad_async(run: RunRecord) -> None:
        raise RuntimeError("async listener broke")

    scheduler.add_job(lambda: 1, code="one")
    events = Collector(scheduler)
    await scheduler.start()
    await scheduler.run_job("one")
    await events.next("executed", "one")
    await scheduler.shutdown()
    messages = "\n".join(r.getMessage() + str(r.exc_info) for r in caplog.records)
    assert "sync listener broke" in messages and "async listener broke" in messages


async def test_methods_need_a_started_scheduler(settings: Settings) -> None:
    """Control methods before start, and a second start, are InvalidOperation."""
    scheduler = Scheduler(settings)
    with pytest.raises(InvalidOperation, match="not started"):
        await scheduler.get_jobs()
    async with scheduler:
        assert scheduler.running
        with pytest.raises(InvalidOperation, match="already started"):
            await scheduler.start()
    assert not scheduler.running
