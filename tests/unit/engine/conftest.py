"""Fixtures for engine tests: a real engine on a tmp SQLite file, and an event queue."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from ysched_tui.core.events import Event
from ysched_tui.core.models import CommandTarget, JobSpec
from ysched_tui.engine import Engine
from ysched_tui.owner.assembly import build_engine
from ysched_tui.settings import Settings


def make_settings(tmp_path: Path, **kw: Any) -> Settings:
    """Settings on a tmp database with no jobs file."""
    values: dict[str, Any] = {
        "db": str(tmp_path / "ysched.db"),
        "jobs": None,
        "timezone": "UTC",
        "shutdown_grace": 1.0,
        "kill_grace": 0.5,
    }
    values.update(kw)
    return Settings(**values)


def command_job(code: str, command: str, **kw: Any) -> JobSpec:
    """A command job spec."""
    name = kw.pop("name", code)
    return JobSpec(code=code, name=name, target=CommandTarget(command=command), **kw)


class EventLog:
    """Collects every event the engine publishes and waits for the ones a test expects."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self._changed = asyncio.Event()

    def __call__(self, event: Event) -> None:
        self.events.append(event)
        self._changed.set()

    async def wait_for(
        self, predicate: Callable[[Event], bool], *, count: int = 1, timeout: float = 10.0
    ) -> list[Event]:
        """Wait until ``count`` events match ``predicate``; returns them."""

        async def waiter() -> list[Event]:
            while True:
                found = [e for e in self.events if predicate(e)]
                if len(found) >= count:
                    return found
                self._changed.clear()
                await self._changed.wait()

        return await asyncio.wait_for(waiter(), timeout)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
async def start_engine(tmp_path: Path) -> AsyncIterator[Callable[..., Any]]:
    """Start engines on the test's database; every started engine is stopped afterwards."""
    engines: list[Engine] = []

    async def start(
        specs: Sequence[JobSpec], *, settings: Settings | None = None, **kw: Any
    ) -> tuple[Engine, EventLog]:
        paused = kw.pop("paused", False)
        engine = build_engine(settings or make_settings(tmp_path), specs=specs, **kw)
        log = EventLog()
        engine.subscribe(log)
        await engine.start(paused=paused)
        engines.append(engine)
        return engine, log

    yield start
    for engine in engines:
        await engine.stop(grace=0)
