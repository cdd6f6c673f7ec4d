"""The HTTP contract itself: status codes, error bodies naming fields, streams, metrics,
socket mode, the token on TCP and the committed OpenAPI document."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import httpx
import pytest

from ysched_tui.control.client import RemoteService
from ysched_tui.control.schema import render
from ysched_tui.control.serve import ControlServer
from ysched_tui.core.events import RunFinished
from ysched_tui.errors import ConfigError

from .conftest import TOKEN, Stack

DOCS = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"


async def test_socket_mode_is_0600(stack: Stack) -> None:
    """The control socket is a socket only its owner may use."""
    mode = stack.server.socket_path.stat().st_mode
    assert stat.S_ISSOCK(mode) and stat.S_IMODE(mode) == 0o600


RESCHEDULES = [
    ({"cron": "*/10 * * * *"}, "cron"),
    ({"every": "5m"}, "interval"),
    ({"at": "2030-01-01T00:00"}, "once"),
    ({"triggers": [{"kind": "interval", "seconds": 60}]}, "interval"),
]

BAD_RESCHEDULES = [
    ({"cron": "0 25 * * *"}, "cron", "CronError"),
    ({"cron": "every 5m"}, "cron", "CronError"),
    ({"every": "5x"}, "every", "DurationError"),
    ({"at": "tomorrow"}, "at", "ConfigError"),
    ({"cron": "* * * * *", "every": "5m"}, "body", "ConfigError"),
    ({}, "body", "ConfigError"),
    ({"cron": "* * * * *", "timezone": "Mars/Base"}, "cron", "ConfigError"),
    ({"triggers": [{"kind": "cron", "expr": "61 * * * *"}]}, "triggers", "CronError"),
    ({"triggers": [{"kind": "nope"}]}, "body.triggers.0", "ValidationError"),
    ({"crons": "* * * * *"}, "body.crons", "ValidationError"),
]

BAD_REQUESTS = [
    ("GET /runs?limit=-1", 422, "query.limit"),
    ("GET /runs?status=bogus", 422, "query.status"),
    ("GET /runs?before=yesterday", 422, "query.before"),
    ("GET /trend?unit=week", 422, "query.unit"),
    ("GET /upcoming?limit=abc", 422, "query.limit"),
    ("GET /runs/run_x/output?after_seq=-3", 422, "query.after_seq"),
    ("POST /jobs", 422, "body"),
    ("GET /jobs/nope", 404, None),
    ("GET /runs/run_x", 404, None),
    ("GET /nowhere", 404, None),
    ("PUT /jobs", 405, None),
    ("POST /jobs/hello/resume", 409, None),
]


async def test_reschedule_forms(stack: Stack) -> None:
    """Each reschedule form (cron, every, at, triggers) sets the job's trigger."""
    async with stack.http() as http:
        for body, kind in RESCHEDULES:
            response = await http.post("/jobs/nightly/reschedule", json=body)
            assert response.status_code == 200, (body, response.text)
            assert response.json()["state"]["override_triggers"][0]["kind"] == kind
            assert (await stack.engine.get_job("nightly")).triggers[0].kind == kind


async def test_invalid_reschedule_is_422_naming_the_field(stack: Stack) -> None:
    """A bad reschedule is 422 with the request field named; the job keeps its schedule."""
    async with stack.http() as http:
        for body, field, error in BAD_RESCHEDULES:
            response = await http.post("/jobs/nightly/reschedule", json=body)
            assert response.status_code == 422, body
            data = response.json()
            assert (data["field"], data["error"]) == (field, error), (body, data)
            assert data["detail"]
    assert (await stack.engine.get_job("nightly")).state.override_triggers is None


async def test_bad_requests_are_4xx_with_an_error_body(stack: Stack) -> None:
    """Malformed or inapplicable requests get 4xx and an ErrorBody; fields are named."""
    async with stack.http() as http:
        for request_line, status, field in BAD_REQUESTS:
            method, path = request_line.split(" ")
            response = await http.request(method, path)
            assert response.status_code == status, (request_line, response.text)
            data = response.json()
            assert isinstance(data["detail"], str) and data["detail"] and data["error"]
            assert data.get("field") == field, (request_line, data)


async def test_trigger_body_is_optional_and_follow_is_ndjson(stack: Stack) -> None:
    """POST trigger works without a body; the follow stream is NDJSON of OutputLines."""
    async with stack.http() as http:
        response = await http.post("/jobs/hello/trigger")
        assert response.status_code == 200
        run_id = response.json()["run_id"]
        async with http.stream("GET", f"/runs/{run_id}/output/follow") as stream:
            assert stream.headers["content-type"].startswith("application/x-ndjson")
            lines = [json.loads(x) async for x in stream.aiter_lines() if x.strip()]
    assert [line["text"] for line in lines] == ["hi"]


async def test_events_stream_starts_with_status(stack: Stack) -> None:
    """/events opens with the current StatusChanged, then carries typed events."""
    async with stack.http() as http, http.stream("GET", "/events") as stream:
        lines = stream.aiter_lines()
        first = json.loads(await anext(lines))
        assert first["type"] == "StatusChanged" and first["status"]["state"] == "running"
        await stack.engine.pause("nightly")
        event = json.loads(await anext(lines))
        assert event["type"] == "JobUpdated" and event["job"]["state"]["paused"] is True


_SAMPLE = re.compile(
    r'^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?P<labels>[^}]*)\})? (?P<value>\S+)$')
_LABEL = re.compile(r'^[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"$')


def parse_exposition(text: str) -> tuple[dict[str, str], list[tuple[str, str, float]]]:
    """Prometheus text format: ({family: type}, [(name, labels, value)]); asserts validity."""
    types: dict[str, str] = {}
    helps: set[str] = set()
    samples: list[tuple[str, str, float]] = []
    assert text.endswith("\n")
    for line in text.splitlines():
        if line.startswith("# HELP "):
            helps.add(line.split(" ")[2])
        elif line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            assert kind in ("counter", "gauge", "histogram", "summary") and name in helps
            types[name] = kind
        else:
            match = _SAMPLE.match(line)
            assert match, line
            labels = match["labels"] or ""
            for pair in filter(None, re.split(r',(?=[a-zA-Z_])', labels)):
                assert _LABEL.match(pair), pair
            family = re.sub(r"_(bucket|sum|count)$", "", match["name"])
            assert family in types or match["name"] in types, line
            samples.append((match["name"], labels, float(match["value"])))
    return types, samples


async def test_metrics_text_parses(stack: Stack) -> None:
    """/metrics is valid exposition text with the promised families and counts."""
    run_id = await stack.remote.trigger("hello")
    await stack.events.wait_for(lambda e: isinstance(e, RunFinished) and e.run.run_id == run_id)
    async with stack.http() as http:
        response = await http.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    types, samples = parse_exposition(response.text)
    assert types == {"ysched_runs_total": "counter", "ysched_run_duration_seconds": "histogram",
                     "ysched_missed_total": "counter", "ysched_running": "gauge",
                     "ysched_scheduler_lag_seconds": "gauge", "ysched_jobs": "gauge",
                     "ysched_failures_24h": "gauge"}
    values = {(name, labels): value for name, labels, value in samples}
    assert values["ysched_runs_total", 'job="hello",status="success"'] == 1
    assert values["ysched_run_duration_seconds_count", 'job="hello"'] == 1
    assert values["ysched_run_duration_seconds_bucket", 'job="hello",le="+Inf"'] == 1
    assert values["ysched_running", ""] == 0
    assert values["ysched_jobs", 'state="active"'] >= 5
    async with stack.http() as http:
        root = await http.get(str(http.base_url.copy_with(path="/metrics")))
    assert root.status_code == 200 and parse_exposition(root.text)[0] == types


async def test_tcp_needs_the_token(stack: Stack) -> None:
    """On TCP: 401 without or with a wrong token, 200 with it; /health needs none; a
    RemoteService with a wrong token fails to start with a ConfigError about the token."""
    tcp = ControlServer(stack.engine, socket_path=stack.server.socket_path.with_suffix(".2"),
                        listen="127.0.0.1:0", token=TOKEN)
    await tcp.start()
    try:
        assert tcp.tcp_address is not None
        host, port = tcp.tcp_address
        async with httpx.AsyncClient(base_url=f"http://{host}:{port}/api/v1") as http:
            assert (await http.get("/health")).status_code == 200
            missing = await http.get("/jobs")
            assert missing.status_code == 401 and missing.json()["error"] == "Unauthorized"
            assert missing.headers["www-authenticate"] == "Bearer"
            wrong = await http.get("/jobs", headers={"Authorization": "Bearer nope"})
            assert wrong.status_code == 401
            right = await http.get("/jobs", headers={"Authorization": f"Bearer {TOKEN}"})
            assert right.status_code == 200 and right.json()
        async with httpx.AsyncClient(base_url=f"http://{host}:{port}") as root:
            assert (await root.get("/metrics")).status_code == 401
            scraped = await root.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
            assert scraped.status_code == 200 and "ysched_runs_total" in scraped.text
        refused = RemoteService(f"http://{host}:{port}", token="wrong")
        with pytest.raises(ConfigError, match="refused the token"):
            await refused.start()
        await refused.stop()
    finally:
        await tcp.stop()


def test_listen_without_token_is_refused(tmp_path: Path) -> None:
    """Serving on TCP without a token is a configuration error."""
    with pytest.raises(ConfigError, match="--listen needs a token"):
        ControlServer(RemoteService("unix:///x.sock"), socket_path=tmp_path / "s",
                      listen="127.0.0.1:0")
    with pytest.raises(ConfigError, match="expected HOST:PORT"):
        ControlServer(RemoteService("unix:///x.sock"), socket_path=tmp_path / "s",
                      listen="localhost", token=TOKEN)


def test_committed_openapi_matches() -> None:
    """docs/openapi.json is what `python -m ysched_tui.control.schema` prints."""
    assert DOCS.read_text(encoding="utf-8") == render(), (
        "regenerate: python -m ysched_tui.control.schema > docs/openapi.json")

