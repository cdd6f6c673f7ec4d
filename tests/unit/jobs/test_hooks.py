"""Hooks: a webhook POST to a real local server, a command with YSCHED_* env, never raising."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime

import pytest

from ysched_tui.core.models import CommandTarget, Hook, JobSpec, RunRecord, RunStatus
from ysched_tui.jobs import notify

SPEC = JobSpec(code="backup", name="Nightly backup", target=CommandTarget(command="true"))
RUN = RunRecord(run_id="run_20260101_020000_abc123", job_code="backup", job_id="j1",
                status=RunStatus.FAILED, error="exit code 3", start_time=datetime(2026, 1, 1,
                                                                                    tzinfo=UTC))


@pytest.fixture
def hook_log(caplog):
    caplog.set_level(logging.WARNING, logger="ysched_tui.hooks")
    return caplog


async def test_webhook_posts_the_run_as_json(server, client):
    """A webhook receives {event, job: {code, name}, run} as a JSON POST."""
    await notify(Hook(webhook=f"{server.url}/hook"), "failure", RUN, SPEC, client)
    (received,) = server.requests
    assert received.method == "POST" and received.path == "/hook"
    body = json.loads(received.body)
    assert body["event"] == "failure"
    assert body["job"] == {"code": "backup", "name": "Nightly backup"}
    assert body["run"]["run_id"] == RUN.run_id
    assert body["run"]["status"] == "failed"
    assert body["run"]["start_time"] == "2026-01-01T00:00:00Z"


async def test_webhook_url_env_references_are_expanded_and_redacted(server, client, hook_log,
                                                                   monkeypatch):
    """${VAR} in a webhook URL is expanded for sending and redacted in the log."""
    monkeypatch.setenv("YSCHED_TEST_HOOK_KEY", "hook-secret-99")
    server.routes["/hook"] = (500, "no")
    await notify(Hook(webhook=f"{server.url}/hook?key=${{YSCHED_TEST_HOOK_KEY}}"), "failure",
                 RUN, SPEC, client)
    assert server.requests[0].path == "/hook?key=hook-secret-99"
    assert "answered 500" in hook_log.text
    assert "hook-secret-99" not in hook_log.text


async def test_unreachable_webhook_is_logged_not_raised(client, hook_log):
    """A webhook that cannot be delivered is logged; notify returns normally."""
    await notify(Hook(webhook="http://127.0.0.1:9/hook"), "failure", RUN, SPEC, client,
                 timeout=2)
    assert "webhook hook for run run_20260101_020000_abc123" in hook_log.text
    assert "ConnectError" in hook_log.text


async def test_webhook_with_missing_env_var_is_not_sent(server, client, hook_log, monkeypatch):
    """A webhook naming an unset variable is skipped with a log line naming it."""
    monkeypatch.delenv("YSCHED_TEST_UNSET", raising=False)
    await notify(Hook(webhook=f"{server.url}/${{YSCHED_TEST_UNSET}}"), "failure", RUN, SPEC,
                 client)
    assert server.requests == []
    assert "YSCHED_TEST_UNSET" in hook_log.text


async def test_command_hook_gets_the_run_in_its_environment(tmp_path, client):
    """A command hook sees YSCHED_EVENT, YSCHED_JOB_CODE, YSCHED_RUN_ID and YSCHED_STATUS."""
    out = tmp_path / "out"
    command = ('printf "%s|%s|%s|%s" "$YSCHED_EVENT" "$YSCHED_JOB_CODE" "$YSCHED_RUN_ID" '
               f'"$YSCHED_STATUS" > {out}')
    await notify(Hook(command=command), "failure", RUN, SPEC, client)
    assert out.read_text() == f"failure|backup|{RUN.run_id}|failed"


async def test_failing_command_hook_is_logged_not_raised(client, hook_log):
    """A command hook exiting non-zero is logged with its last output line."""
    await notify(Hook(command="echo 'cannot page'; exit 2"), "failure", RUN, SPEC, client)
    assert "exited with 2: cannot page" in hook_log.text


async def test_hanging_command_hook_is_killed_after_its_timeout(client, hook_log):
    """A command hook running past the timeout is stopped and logged; notify returns."""
    started = time.monotonic()
    await notify(Hook(command="sleep 30"), "failure", RUN, SPEC, client, timeout=0.3)
    assert time.monotonic() - started < 3
    assert "did not finish within 0.3s" in hook_log.text


async def test_both_webhook_and_command_are_delivered(server, client, tmp_path):
    """A hook with a webhook and a command delivers both, even if the webhook fails."""
    server.routes["/hook"] = (503, "down")
    out = tmp_path / "ran"
    await notify(Hook(webhook=f"{server.url}/hook", command=f"touch {out}"), "success", RUN,
                 SPEC, client)
    assert len(server.requests) == 1
    assert out.exists()
