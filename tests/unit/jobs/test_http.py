"""HTTP jobs against a real local server: status rules, timeouts, env expansion, redaction."""

from __future__ import annotations

import asyncio
import re
import socket

import pytest

from tests.unit.jobs.conftest import make_request
from ysched_tui.core.models import HttpTarget, RunStatus
from ysched_tui.jobs import execute
from ysched_tui.jobs.http import BODY_EXCERPT_CHARS

SECRET = "s3cr3t/token+value"


async def send(sink, client, run_timeout: float | None = 10, **target):
    request = make_request(HttpTarget(**target), timeout=run_timeout)
    return await execute(request, sink, http=client, callables={})


async def test_any_2xx_succeeds_and_the_summary_is_recorded(server, sink, client):
    """Without success_codes any 2xx succeeds; status, latency and body start are the result."""
    server.routes["/ok"] = (201, "created!")
    outcome = await send(sink, client, url=f"{server.url}/ok", method="post")
    assert outcome.status is RunStatus.SUCCESS
    assert outcome.http_status == 201
    assert outcome.result["status"] == 201
    assert outcome.result["body"] == "created!"
    assert isinstance(outcome.result["latency_ms"], int)
    assert re.fullmatch(rf"POST {re.escape(server.url)}/ok -> 201 in \d+ ms", sink.texts()[0])
    assert server.requests[0].method == "POST"


@pytest.mark.parametrize(
    ("status", "success_codes", "expected"),
    [
        (200, (), RunStatus.SUCCESS),
        (204, (), RunStatus.SUCCESS),
        (302, (), RunStatus.FAILED),
        (201, (200,), RunStatus.FAILED),
        (404, (404,), RunStatus.SUCCESS),
        (500, (), RunStatus.FAILED),
    ],
)
async def test_success_codes_decide_the_status(server, sink, client, status, success_codes,
                                              expected):
    """success_codes lists the successful statuses; empty means any 2xx."""
    server.routes["/s"] = (status, "")
    outcome = await send(sink, client, url=f"{server.url}/s", success_codes=success_codes)
    assert outcome.status is expected
    assert outcome.http_status == status
    if expected is RunStatus.FAILED:
        assert outcome.error is not None and outcome.error.startswith(f"HTTP {status} ")


@pytest.mark.parametrize(
    ("status", "retry_on_codes", "retryable"),
    [(503, (500, 503), True), (400, (500, 503), False), (500, (), True), (404, (), True)],
)
async def test_retry_on_codes_limit_which_failures_may_be_retried(server, sink, client, status,
                                                                  retry_on_codes, retryable):
    """With retry_on_codes set only those statuses are retryable; without, every failure is."""
    server.routes["/r"] = (status, "")
    outcome = await send(sink, client, url=f"{server.url}/r", retry_on_codes=retry_on_codes)
    assert outcome.status is RunStatus.FAILED
    assert outcome.retryable is retryable


async def test_body_excerpt_is_capped(server, sink, client):
    """Only the first 2,000 characters of the body are kept."""
    server.routes["/big"] = (200, "é" * 5000)
    outcome = await send(sink, client, url=f"{server.url}/big")
    assert outcome.result["body"] == "é" * BODY_EXCERPT_CHARS


async def test_run_timeout_stops_a_hanging_request(server, sink, client):
    """The job's timeout bounds the whole request: status TIMEOUT, error names the limit."""
    outcome = await send(sink, client, run_timeout=0.3, url=f"{server.url}/hang")
    assert outcome.status is RunStatus.TIMEOUT
    assert outcome.error == "timed out after 300ms"
    assert outcome.retryable


async def test_request_timeout_is_a_timeout_too(server, sink, client):
    """The target's own per-request timeout (httpx) also ends as TIMEOUT, naming the limit."""
    outcome = await send(sink, client, run_timeout=10, url=f"{server.url}/hang", timeout=0.3)
    assert outcome.status is RunStatus.TIMEOUT
    assert (outcome.error or "").startswith("timed out after 300ms; ReadTimeout from GET ")
    assert outcome.retryable


async def test_env_references_are_expanded_at_send_time_and_redacted(server, sink, client,
                                                                     monkeypatch):
    """${VAR} reaches the server expanded; result, output and summary show *** instead."""
    monkeypatch.setenv("YSCHED_TEST_TOKEN", SECRET)
    outcome = await send(
        sink, client, url=f"{server.url}/echo", method="POST",
        params={"key": "${YSCHED_TEST_TOKEN}"},
        headers={"Authorization": "Bearer ${YSCHED_TEST_TOKEN}"},
        json={"token": "${YSCHED_TEST_TOKEN}", "literal": "$${NOT_EXPANDED}"},
    )
    assert outcome.status is RunStatus.SUCCESS
    received = server.requests[0]
    assert received.headers["Authorization"] == f"Bearer {SECRET}"
    assert SECRET in received.body.decode()
    assert "${NOT_EXPANDED}" in received.body.decode()
    shown = repr(outcome.result) + repr(sink.lines)
    assert "s3cr3t" not in shown
    assert "***" in outcome.result["body"]
    assert "key=***" in sink.texts()[0]


async def test_literal_authorization_header_is_redacted(server, sink, client):
    """An Authorization value written literally is never shown either."""
    outcome = await send(sink, client, url=f"{server.url}/echo",
                         headers={"Authorization": "Token literal-credential-42"})
    assert "literal-credential-42" not in repr(outcome.result)
    assert "***" in outcome.result["body"]


async def test_missing_env_var_fails_naming_it_without_sending(server, sink, client,
                                                             monkeypatch):
    """An unset ${VAR} fails the run with its name; nothing is sent; retrying cannot help."""
    monkeypatch.delenv("YSCHED_TEST_MISSING", raising=False)
    outcome = await send(sink, client, url=f"{server.url}/x?k=${{YSCHED_TEST_MISSING}}")
    assert outcome.status is RunStatus.FAILED
    assert not outcome.retryable
    assert "YSCHED_TEST_MISSING" in (outcome.error or "")
    assert server.requests == []


async def test_connection_refused_is_a_retryable_failure(sink, client):
    """An unreachable server fails the run (retryable) with the URL in the error."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    outcome = await send(sink, client, url=f"http://127.0.0.1:{port}/down")
    assert outcome.status is RunStatus.FAILED
    assert outcome.retryable
    assert f"127.0.0.1:{port}/down" in (outcome.error or "")
    assert "ConnectError" in (outcome.error or "")


async def test_cancellation_during_a_request_reraises(server, sink, client):
    """Cancelling a run waiting on a response re-raises CancelledError after cleanup."""
    task = asyncio.create_task(send(sink, client, run_timeout=None, url=f"{server.url}/hang"))
    await asyncio.to_thread(server.received.wait, 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    server.release.set()
    outcome = await send(sink, client, url=f"{server.url}/ok")
    assert outcome.status is RunStatus.SUCCESS  # the shared client still works
