"""EventStream on its own: a scripted stand-in for the owner's ``GET /events`` shows what it
hands to its callbacks, when it reports a drop and a return, and how start() fails."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, cast

import pytest

from tests.waiting import wait_until
from ysched_tui.control.client_events import EventStream
from ysched_tui.control.client_http import ApiClient
from ysched_tui.control.wire import event_to_json
from ysched_tui.core.events import Event, JobRemoved
from ysched_tui.errors import NotOwner

WAIT = 5.0
END = object()
"""In a round: the stream ends there (as when the owner closes it)."""


class ScriptedApi:
    """Each ``stream()`` call plays the next round: JSON objects, then an exception that
    breaks the stream, :data:`END`, or else silence (an idle stream that stays open)."""

    url = "unix:///scripted.sock"

    def __init__(self, *rounds: list[Any]) -> None:
        self.rounds = list(rounds)
        self.calls = 0

    async def stream(self, path: str, **_: Any) -> AsyncIterator[Any]:
        assert path == "/events"
        self.calls += 1
        for item in self.rounds.pop(0) if self.rounds else []:
            if item is END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
        await asyncio.Event().wait()

    def unreachable(self, exc: Exception) -> NotOwner:
        return NotOwner(f"no scheduler answers at {self.url} ({exc})")


class Recorder:
    """The callbacks EventStream is given, recording what it did, in order."""

    def __init__(self) -> None:
        self.log: list[str] = []
        self.returned = asyncio.Event()

    def on_event(self, event: Event) -> None:
        assert isinstance(event, JobRemoved)
        self.log.append(event.code)

    def on_drop(self) -> None:
        self.log.append("drop")

    async def on_return(self) -> None:
        self.log.append("return")
        self.returned.set()

    def stream(self, api: ScriptedApi) -> EventStream:
        return EventStream(cast(ApiClient, api), on_event=self.on_event, on_drop=self.on_drop,
                           on_return=self.on_return)


def gone(code: str) -> dict[str, Any]:
    return event_to_json(JobRemoved(code=code))


async def test_events_drop_and_return_in_order() -> None:
    """Events go to on_event; a break calls on_drop once; after the reconnect's first event
    on_return is awaited; malformed and unknown lines are skipped."""
    api = ScriptedApi(
        [gone("a"), {"type": "JobRemoved"}, {"type": "FromTheFuture"}, gone("b"),
         ConnectionError("reset")],
        [gone("c"), gone("d")],
    )
    recorder = Recorder()
    stream = recorder.stream(api)
    await stream.start(WAIT)
    await asyncio.wait_for(recorder.returned.wait(), WAIT)
    await wait_until(lambda: "d" in recorder.log, timeout=WAIT)
    assert recorder.log == ["a", "b", "drop", "c", "return", "d"]
    assert stream.connected and api.calls == 2
    await stream.stop()
    assert not stream.connected


async def test_start_fails_when_the_first_stream_breaks() -> None:
    """A stream that breaks before its first line makes start() raise that error."""
    recorder = Recorder()
    stream = recorder.stream(ScriptedApi([NotOwner("no scheduler owns t.db")]))
    with pytest.raises(NotOwner, match=r"no scheduler owns t\.db"):
        await stream.start(WAIT)
    assert not stream.connected and recorder.log == []


async def test_start_fails_when_the_first_stream_ends_empty() -> None:
    """A stream that ends without a line is an owner that does not answer."""
    stream = Recorder().stream(ScriptedApi([END]))
    with pytest.raises(NotOwner, match="stream ended"):
        await stream.start(WAIT)


async def test_start_gives_up_after_the_timeout() -> None:
    """No line within the timeout: NotOwner naming the wait, and the task is stopped."""
    api = ScriptedApi()
    stream = Recorder().stream(api)
    with pytest.raises(NotOwner, match=r"no events within 0\.05 s"):
        await stream.start(0.05)
    assert not stream.connected and api.calls == 1
