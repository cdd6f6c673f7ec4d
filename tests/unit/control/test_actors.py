"""Operator actions through the API are audited as the client that made them."""

from __future__ import annotations

import httpx

from ysched_tui.control.client import RemoteService
from ysched_tui.control.serve import ControlServer
from ysched_tui.control.wire import ACTOR_HEADER
from ysched_tui.core.models import Actor
from ysched_tui.core.service import acting_as

from .conftest import TOKEN, Stack


async def test_socket_clients_are_audited_as_they_say(stack: Stack) -> None:
    """On the Unix socket the client's actor (explicit or from acting_as) is recorded."""
    await stack.remote.pause("nightly", actor=Actor(user="alice", address="10.0.0.9", via="cli"))
    with acting_as(Actor(user="bob", via="console")):
        await stack.remote.resume("nightly")
        run_id = await stack.remote.trigger("hello")
    entries = await stack.engine.audit(10)
    assert [(e.action, e.actor.user, e.actor.via) for e in entries[:3]] == [
        ("trigger", "bob", "console"), ("resume", "bob", "console"), ("pause", "alice", "cli")]
    assert entries[2].actor.address == "10.0.0.9" and entries[0].run_id == run_id
    assert await stack.remote.audit(10) == entries


async def test_without_a_header_the_socket_actor_is_api(stack: Stack) -> None:
    """A plain HTTP client on the socket is audited as this user via the API."""
    async with stack.http() as http:
        assert (await http.post("/jobs/nightly/pause")).status_code == 200
    entry = (await stack.engine.audit(1))[0]
    assert (entry.action, entry.actor.via) == ("pause", "api") and entry.actor.user


async def test_malformed_actor_header_is_422_naming_it(stack: Stack) -> None:
    """A header that is not an actor is refused, naming the header; nothing changes."""
    async with stack.http() as http:
        response = await http.post("/jobs/nightly/pause", headers={ACTOR_HEADER: '{"via": 1}'})
    assert response.status_code == 422
    assert response.json()["field"] == f"header.{ACTOR_HEADER}"
    assert ACTOR_HEADER in response.json()["detail"]
    assert not (await stack.engine.get_job("nightly")).state.paused


async def test_tcp_actor_address_is_the_peer(stack: Stack) -> None:
    """On TCP the recorded address is the peer's, whatever the client claims."""
    tcp = ControlServer(stack.engine, socket_path=stack.server.socket_path.with_suffix(".3"),
                        listen="127.0.0.1:0", token=TOKEN)
    await tcp.start()
    assert tcp.tcp_address is not None
    remote = RemoteService("http://{}:{}".format(*tcp.tcp_address), token=TOKEN)
    try:
        await remote.start()
        await remote.pause("nightly", actor=Actor(user="carol", address="203.0.113.5", via="cli"))
        async with httpx.AsyncClient(base_url="http://{}:{}/api/v1".format(*tcp.tcp_address),
                                     headers={"Authorization": f"Bearer {TOKEN}"}) as http:
            assert (await http.post("/jobs/nightly/resume")).status_code == 200
    finally:
        await remote.stop()
        await tcp.stop()
    resumed, paused = (await stack.engine.audit(2))
    assert (paused.actor.user, paused.actor.address, paused.actor.via) == (
        "carol", "127.0.0.1", "cli")
    assert (resumed.actor.user, resumed.actor.address, resumed.actor.via) == (
        "?", "127.0.0.1", "api")
