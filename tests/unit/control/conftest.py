"""Fixtures for control API tests: a real engine on a tmp SQLite file, served by a real
ControlServer on a Unix socket, and a RemoteService attached to it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from ysched_tui.control.client import RemoteService
from ysched_tui.control.paths import control_paths
from ysched_tui.control.serve import ControlServer
from ysched_tui.core.events import Event
from ysched_tui.core.models import CommandTarget, JobSpec, ParamSpec, ScriptTarget
from ysched_tui.core.triggers import CronTrigger
from ysched_tui.engine import Engine
from ysched_tui.owner.assembly import build_engine
from ysched_tui.settings import Settings

TOKEN = "test-token-0123456789"


def settings_for(tmp_path: Path) -> Settings:
    """Settings on a tmp database with no jobs file."""
    return Settings(db=str(tmp_path / "t.db"), jobs=None, timezone="UTC",
                    shutdown_grace=1.0, kill_grace=0.5)


def command(code: str, cmd: str, **kw: Any) -> JobSpec:
    """A command job."""
    return JobSpec(code=code, name=kw.pop("name", code), target=CommandTarget(command=cmd), **kw)


def standard_jobs() -> list[JobSpec]:
    """The jobs every stack starts with."""
    return [
        command("hello", "echo hi"),
        command("nightly", "true", triggers=(CronTrigger(expr="30 2 * * *"),)),
        command("ticker", "for i in 1 2 3; do echo line$i; sleep 0.15; done"),
        command("long", "echo started; sleep 30"),
        JobSpec(code="report", target=ScriptTarget(
            path="report.py", params=(ParamSpec(name="days", type="int", required=True),))),
    ]


class EventLog:
    """Collects events and waits for the ones a test expects."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self._changed = asyncio.Event()

    def __call__(self, event: Event) -> None:
        self.events.append(event)
        self._changed.set()

    async def wait_for(self, predicate: Callable[[Event], bool], timeout: float = 5.0) -> Event:
        """The first event matching ``predicate``, waiting up to ``timeout`` seconds for it to
        arrive (woken by each event, never polling).

        Raises:
            AssertionError: none arrived in time (the failure lists what did arrive).
        """

        async def waiter() -> Event:
            while True:
                for event in self.events:
                    if predicate(event):
                        return event
                self._changed.clear()
                await self._changed.wait()

        try:
            return await asyncio.wait_for(waiter(), timeout)
        except TimeoutError:
            seen = [type(event).__name__ for event in self.events]
            raise AssertionError(f"no matching event within {timeout} s; received {seen}") from None


@dataclass
class Stack:
    """An engine, its control server and a client attached to it."""

    engine: Engine
    server: ControlServer
    remote: RemoteService
    events: EventLog
    """What the RemoteService's subscriber received."""

    def http(self, **kw: Any) -> httpx.AsyncClient:
        """A raw HTTP client on the Unix socket."""
        transport = httpx.AsyncHTTPTransport(uds=str(self.server.socket_path))
        return httpx.AsyncClient(transport=transport, base_url="http://ysched/api/v1", **kw)


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    """A started engine with the standard jobs, served on its socket, with a client."""
    settings = settings_for(tmp_path)
    engine = build_engine(settings, specs=standard_jobs())
    await engine.start()
    server = ControlServer(engine, socket_path=control_paths(settings.db).socket)
    await server.start()
    remote = RemoteService(server.url, db=settings.db)
    events = EventLog()
    remote.subscribe(events)
    await remote.start()
    try:
        yield Stack(engine, server, remote, events)
    finally:
        await remote.stop()
        await server.stop()
        await engine.stop(grace=0)
