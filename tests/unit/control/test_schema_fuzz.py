"""Property: no request built from the OpenAPI document gets a 5xx from a real engine.

Every operation is exercised with path parameters, query parameters and bodies generated from
its schema (mostly valid, sometimes garbage). The engine is started paused, and created jobs
run only ``true``, so random schedules and targets never execute anything.
"""

from __future__ import annotations

import string
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ysched_tui.control.client_http import segment
from ysched_tui.control.schema import openapi_document
from ysched_tui.control.serve import ControlServer
from ysched_tui.control.wire import actor_header
from ysched_tui.core.models import Actor, CommandTarget
from ysched_tui.owner.assembly import build_engine

from .conftest import command, settings_for
from .openapi_strategies import GARBAGE_TEXT, Operation, SchemaStrategies, operations

DOC = openapi_document()
OPERATIONS = operations(DOC)
SCHEMAS = SchemaStrategies(DOC)
CODES = ["hello", "nightly", "gone"]
SAFE_TARGET = CommandTarget(command="true").model_dump(mode="json")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def served(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """A client of a paused engine with two harmless jobs and one finished run."""
    tmp: Path = tmp_path_factory.mktemp("fuzz")
    engine = build_engine(settings_for(tmp), specs=[
        command("hello", "echo hi"),
        command("nightly", "true"),
    ])
    await engine.start(paused=True)
    run_id = await engine.trigger("hello")
    server = ControlServer(engine, socket_path=tmp / "t.db.sock")
    await server.start()
    transport = httpx.AsyncHTTPTransport(uds=str(server.socket_path))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://ysched/api/v1",
                                     timeout=10) as http:
            yield http, run_id
    finally:
        await server.stop()
        await engine.stop(grace=0)


def _sanitize(body: Any) -> Any:
    """Created jobs run ``true`` with no hooks: random commands must never execute."""
    if isinstance(body, dict) and "target" in body:
        return {**body, "target": SAFE_TARGET, "hooks": []}
    return body


ACTORS = st.one_of(
    st.builds(Actor, user=st.text(max_size=8), address=st.none() | st.text(max_size=8),
              via=st.sampled_from(["console", "cli", "api", "python"])).map(actor_header),
    st.text(alphabet=string.printable.strip(), max_size=30),
)


@dataclass(frozen=True)
class Request:
    """One generated request."""

    path: str
    query: dict[str, Any]
    headers: dict[str, str]
    body: Any


@st.composite
def requests(draw: st.DrawFn, op: Operation, run_id: str) -> Request:
    """A request for ``op``."""
    path = op.path.removeprefix("/api/v1")
    query: dict[str, Any] = {}
    headers: dict[str, str] = {}
    for param in op.parameters:
        name, schema = param["name"], param.get("schema", {})
        if param["in"] == "path":
            known = CODES if name == "code" else [run_id, "run_x"]
            value = draw(st.sampled_from(known) | st.text(min_size=1, max_size=12))
            path = path.replace("{" + name + "}", segment(value))
        elif param["in"] == "header":
            if draw(st.booleans()):
                headers[name] = draw(ACTORS)
        elif draw(st.booleans()):
            query[name] = draw(SCHEMAS.valid(schema) | GARBAGE_TEXT)
    body = None
    if op.body is not None and draw(st.integers(0, 5)) > 0:
        body = _sanitize(draw(SCHEMAS.maybe_wrong(op.body)))
    return Request(path, query, headers, body)


async def _send(http: httpx.AsyncClient, op: Operation, request: Request) -> int:
    params = {k: str(v).lower() if isinstance(v, bool) else v for k, v in request.query.items()}
    if op.streams:
        async with http.stream(op.method, request.path, params=params,
                               headers=request.headers) as response:
            return response.status_code
    response = await http.request(op.method, request.path, params=params,
                                  headers=request.headers,
                                  json=request.body if op.body is not None else None)
    assert response.status_code < 500, response.text
    return response.status_code


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: f"{op.method} {op.path}")
@settings(max_examples=20, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
async def test_no_operation_answers_5xx(
    served: tuple[httpx.AsyncClient, str], op: Operation, data: st.DataObject
) -> None:
    """No generated request to this operation gets a 5xx."""
    http, run_id = served
    request = data.draw(requests(op, run_id))
    status = await _send(http, op, request)
    assert status < 500, (op.method, request)
