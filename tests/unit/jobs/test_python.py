"""Python jobs: threads for plain functions, context injection, task_log, results, exceptions."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading

import pytest

from tests.unit.jobs import sample_jobs
from tests.unit.jobs.conftest import make_request
from ysched_tui.core.context import task_log
from ysched_tui.core.models import PythonTarget, RunStatus
from ysched_tui.jobs import execute

MOD = "tests.unit.jobs.sample_jobs"
STAMP = r"\[\d\d:\d\d:\d\d\] "


async def call(ref: str, sink, client, *, callables=None, args=(), kwargs=None, params=None,
               timeout: float | None = 10, retry_on: tuple[str, ...] = ()):
    target = PythonTarget(ref=ref, args=args, kwargs=kwargs or {})
    request = make_request(target, params=params, timeout=timeout, retry_on=retry_on)
    return await execute(request, sink, http=client, callables=callables or {})


async def test_plain_functions_run_off_the_loop_thread(sink, client):
    """A sync function runs in a worker thread, never on the event loop's thread."""
    outcome = await call(f"{MOD}:add", sink, client, args=(1,), kwargs={"b": 2}, params={"c": 3})
    assert outcome.status is RunStatus.SUCCESS
    assert outcome.result == 6
    assert sample_jobs.seen["add_thread"] != threading.get_ident()


async def test_coroutine_functions_run_on_the_loop(sink, client):
    """An async function is awaited on the loop itself."""
    outcome = await call("adder", sink, client, callables={"adder": sample_jobs.async_add},
                         kwargs={"a": 2, "b": 5})
    assert outcome.result == 7
    assert sample_jobs.seen["async_thread"] == threading.get_ident()


async def test_registered_callables_win_over_imports(sink, client):
    """A ref found in the registered callables is not imported."""
    outcome = await call(f"{MOD}:add", sink, client, callables={f"{MOD}:add": lambda: "mine"})
    assert outcome.result == "mine"


async def test_context_injection_and_task_log_from_a_thread(sink, client):
    """A parameter named context gets the JobContext; task_log lines from a worker thread reach
    the sink on the loop thread, timestamped."""
    outcome = await call(f"{MOD}:sync_logs", sink, client)
    assert outcome.status is RunStatus.SUCCESS
    assert outcome.result == "run_20260101_000000_abcdef"
    logs = sink.texts("log")
    assert re.fullmatch(STAMP + "hello from a thread 42", logs[0])
    assert re.fullmatch(STAMP + "via context", logs[1])
    assert sink.threads == {threading.get_ident()}
    assert sample_jobs.seen["current"].run_id == outcome.result


async def test_context_injection_by_annotation_and_task_log_from_a_coroutine(sink, client):
    """A parameter annotated JobContext (any name) gets the context; task_log works on the
    loop."""
    outcome = await call(f"{MOD}:async_logs", sink, client)
    assert outcome.result == {"attempt": 1, "code": "job1"}
    assert re.fullmatch(STAMP + "hello from the loop", sink.texts("log")[0])


async def test_task_log_outside_a_run_goes_to_the_logger(caplog):
    """Outside any run task_log writes to the ysched_tui.task logger."""
    with caplog.at_level(logging.INFO, logger="ysched_tui.task"):
        task_log("standalone", 1)
    assert re.fullmatch(STAMP + "standalone 1", caplog.records[-1].getMessage())


async def test_class_jobs_get_a_fresh_instance_per_run(sink, client):
    """A class with execute(self, context) is instantiated for each run."""
    first = await call(f"{MOD}:ReportJob", sink, client)
    second = await call(f"{MOD}:ReportJob", sink, client)
    assert first.status is RunStatus.SUCCESS
    assert first.result["run_id"] == "run_20260101_000000_abcdef"
    assert second.result["instances"] == first.result["instances"] + 1


@pytest.mark.parametrize(
    ("name", "status", "result", "error"),
    [
        ("result_success", RunStatus.SUCCESS, {"synced": 3}, None),
        ("result_failed", RunStatus.FAILED, {"done": 1}, "database unreachable"),
        ("result_skipped", RunStatus.SKIPPED, None, "nothing to do"),
    ],
)
async def test_task_result_decides_the_status(sink, client, name, status, result, error):
    """TaskResult.success/failed/skipped map to the run's status, data and error; failed is
    retryable like any failure."""
    outcome = await call(f"{MOD}:{name}", sink, client)
    assert (outcome.status, outcome.result, outcome.error) == (status, result, error)
    assert outcome.retryable


async def test_task_result_message_is_added_to_the_output(sink, client):
    """A success message is visible in the run's output."""
    await call(f"{MOD}:result_success", sink, client)
    assert "sync finished" in sink.texts("log")


async def test_exceptions_are_failures_with_the_job_s_traceback(sink, client):
    """An exception becomes FAILED with 'Type: message' and a traceback starting in job code."""
    outcome = await call(f"{MOD}:fails", sink, client)
    assert outcome.status is RunStatus.FAILED
    assert outcome.error == "ValueError: bad input 7"
    assert outcome.traceback is not None
    first_frame = outcome.traceback.splitlines()[1]
    assert "sample_jobs.py" in first_frame
    assert 'raise ValueError("bad input 7")' in outcome.traceback


@pytest.mark.parametrize(
    ("ref", "retry_on", "retryable"),
    [
        ("fails", (), True),
        ("fails", ("ConnectionError",), False),
        ("refused", ("ConnectionError",), True),
        ("fails", ("builtins.ValueError",), True),
    ],
)
async def test_retry_on_filters_which_exceptions_are_retryable(sink, client, ref, retry_on,
                                                               retryable):
    """With retry_on set, only those exception types (or subclasses) may be retried."""
    outcome = await call(f"{MOD}:{ref}", sink, client, retry_on=retry_on)
    assert outcome.status is RunStatus.FAILED
    assert outcome.retryable is retryable


async def test_system_exit_in_a_job_is_just_a_failure(sink, client):
    """A job calling sys.exit() fails; it cannot stop the engine."""
    outcome = await call(f"{MOD}:exits", sink, client)
    assert outcome.status is RunStatus.FAILED
    assert outcome.error == "SystemExit: 3"


@pytest.mark.parametrize(
    ("ref", "fragment"),
    [
        ("no_such_module_xyz:run", "cannot import module 'no_such_module_xyz'"),
        (f"{MOD}:missing", "has no attribute 'missing'"),
        ("not-a-ref", "of the form 'package.module:function'"),
        (f"{MOD}:seen", "names a dict, not a callable"),
    ],
)
async def test_bad_refs_fail_clearly_and_are_not_retried(sink, client, ref, fragment):
    """A ref that cannot be resolved fails with a message saying why; retrying cannot help."""
    outcome = await call(ref, sink, client)
    assert outcome.status is RunStatus.FAILED
    assert not outcome.retryable
    assert fragment in (outcome.error or "")


async def test_unknown_parameters_are_refused(sink, client):
    """Parameters the function does not take fail the run, naming them."""
    outcome = await call(f"{MOD}:add", sink, client, kwargs={"a": 1, "b": 2}, params={"zz": 1})
    assert outcome.status is RunStatus.FAILED
    assert not outcome.retryable
    assert "'zz'" in (outcome.error or "")


async def test_return_values_are_stored_as_json(sink, client):
    """Dates, dataclasses, sets, paths, bytes and NaN become JSON-safe values."""
    outcome = await call(f"{MOD}:odd_values", sink, client)
    assert outcome.result == {
        "point": {"x": 1, "when": "2026-01-02T03:04:00+00:00"}, "tags": ["a", "b"],
        "span": 120.0, "path": "PosixPath('/tmp/x')", "nan": "nan", "1": "bytes",
    }
    json.dumps(outcome.result)


async def test_sync_timeout_reports_and_late_lines_go_to_the_logger(sink, client, caplog):
    """A blocking function is timed out (its thread cannot be killed); what it logs after the
    run ended does not reach the finished run."""
    release, finished = threading.Event(), threading.Event()

    def blocking() -> None:
        release.wait(10)
        task_log("late line")
        finished.set()

    with caplog.at_level(logging.INFO, logger="ysched_tui.task"):
        outcome = await call("blocking", sink, client, callables={"blocking": blocking},
                             timeout=0.2)
        release.set()
        await asyncio.to_thread(finished.wait, 5)
    assert outcome.status is RunStatus.TIMEOUT
    assert outcome.error is not None and outcome.error.startswith("timed out after 200ms")
    assert "worker thread" in outcome.error
    assert sink.texts("log") == []
    assert any("late line" in r.getMessage() for r in caplog.records)


async def test_async_timeout(sink, client):
    """A coroutine running past the timeout is cancelled and reported as TIMEOUT."""
    outcome = await call(f"{MOD}:waits_for_cancel", sink, client, timeout=0.1)
    assert outcome.status is RunStatus.TIMEOUT
    assert outcome.error == "timed out after 100ms"
    assert sample_jobs.seen.pop("cleaned_up") is True


async def test_cancellation_reaches_the_job_and_is_reraised(sink, client):
    """Cancelling the run cancels the coroutine (its finally runs) and re-raises."""
    sample_jobs.seen.pop("cleaned_up", None)
    started = asyncio.Event()
    task = asyncio.create_task(call(f"{MOD}:waits_for_cancel", sink, client, timeout=None,
                                    params={"started": started}))
    await asyncio.wait_for(started.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert sample_jobs.seen["cleaned_up"] is True
