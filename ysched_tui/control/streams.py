"""The API's NDJSON streams: every event (``/events``) and one run's output (``.../follow``).

One :class:`EventHub` per app subscribes to the service once and fans events out to the open
streams. A stream that falls more than :data:`BACKLOG` events behind is closed rather than
allowed to grow without bound; its client reconnects and resynchronises. Idle streams send an
empty line every :data:`HEARTBEAT` seconds so a client can tell a quiet owner from a dead one.
Closing the hub (server shutdown) ends every stream, so uvicorn can finish its connections.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable

from ysched_tui.control.wire import event_to_json
from ysched_tui.core.events import Event, RunFinished, RunMissed, RunOutput, StatusChanged
from ysched_tui.core.service import SchedulerService

log = logging.getLogger("ysched_tui.control")

NDJSON = "application/x-ndjson"
"""Media type of the streams: one JSON object per line; empty lines are heartbeats."""
BACKLOG = 10_000
"""Events a stream may hold unsent before it is closed."""
HEARTBEAT = 10.0
"""Seconds of silence after which a stream sends an empty line."""


class StreamClosed(Exception):
    """The hub closed the stream (shutdown, or the client fell too far behind)."""


class Subscription:
    """Events waiting to be sent on one stream."""

    def __init__(self, accept: Callable[[Event], bool]) -> None:
        self.accept = accept
        self.items: deque[Event] = deque()
        self.closed = False
        self._wake = asyncio.Event()

    def push(self, event: Event) -> None:
        """Queue ``event``; closes the stream when it is too far behind."""
        if self.closed or not self.accept(event):
            return
        if len(self.items) >= BACKLOG:
            log.warning("closing an event stream that fell %d events behind", BACKLOG)
            self.close()
            return
        self.items.append(event)
        self._wake.set()

    def close(self) -> None:
        """End the stream after what was already sent."""
        self.closed = True
        self.items.clear()
        self._wake.set()

    async def get(self, timeout: float) -> Event | None:
        """The next event; ``None`` after ``timeout`` seconds of silence.

        Raises:
            StreamClosed: the stream was closed.
        """
        if not self.items and not self.closed:
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout)
            except TimeoutError:
                return None
        if self.closed:
            raise StreamClosed
        return self.items.popleft() if self.items else None


class EventHub:
    """Fan-out of one service's events to the streams of one app."""

    def __init__(self, service: SchedulerService) -> None:
        self._subs: set[Subscription] = set()
        self._unsubscribe = service.subscribe(self._publish)

    def _publish(self, event: Event) -> None:
        for sub in tuple(self._subs):
            sub.push(event)

    def open(self, accept: Callable[[Event], bool] = lambda _e: True) -> Subscription:
        """A new subscription receiving the events ``accept`` lets through."""
        sub = Subscription(accept)
        self._subs.add(sub)
        return sub

    def discard(self, sub: Subscription) -> None:
        """Forget a subscription whose stream ended."""
        self._subs.discard(sub)

    def close(self) -> None:
        """End every stream and stop listening (server shutdown)."""
        for sub in tuple(self._subs):
            sub.close()
        self._unsubscribe()


def ndjson(data: object) -> bytes:
    """One NDJSON line."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


async def event_lines(
    hub: EventHub, service: SchedulerService, heartbeat: float = HEARTBEAT
) -> AsyncIterator[bytes]:
    """Every event as a line, starting with a ``StatusChanged`` of the current status.

    The first line is sent once the stream is subscribed: a client that has read it has missed
    nothing since.
    """
    sub = hub.open()
    try:
        yield ndjson(event_to_json(StatusChanged(status=await service.status())))
        while True:
            event = await sub.get(heartbeat)
            yield b"\n" if event is None else ndjson(event_to_json(event))
    except StreamClosed:
        return
    except Exception:
        log.exception("event stream failed")
    finally:
        hub.discard(sub)


def _about(run_id: str) -> Callable[[Event], bool]:
    def accept(event: Event) -> bool:
        if isinstance(event, RunOutput):
            return event.run_id == run_id
        return isinstance(event, RunFinished | RunMissed) and event.run.run_id == run_id

    return accept


async def follow_lines(
    hub: EventHub,
    service: SchedulerService,
    run_id: str,
    after_seq: int = 0,
    heartbeat: float = HEARTBEAT,
) -> AsyncIterator[bytes]:
    """A run's output lines (``seq > after_seq``) as they are printed, until the run is final."""
    sub = hub.open(_about(run_id))
    last = after_seq
    try:
        final = (await service.get_run(run_id)).status.is_final
        for line in await service.run_output(run_id, after_seq=last):
            last = line.seq
            yield line.model_dump_json().encode() + b"\n"
        while not final:
            event = await sub.get(heartbeat)
            if event is None:
                final = (await service.get_run(run_id)).status.is_final
                yield b"\n"
            elif isinstance(event, RunOutput):
                for line in event.lines:
                    if line.seq > last:
                        last = line.seq
                        yield line.model_dump_json().encode() + b"\n"
            else:
                final = True
        for line in await service.run_output(run_id, after_seq=last):
            yield line.model_dump_json().encode() + b"\n"
    except StreamClosed:
        return
    except Exception:
        log.exception("output stream of %s failed", run_id)
    finally:
        hub.discard(sub)
