"""``EventStream``: one owner's ``GET /events``, followed, reconnected and reported.

A background task reads the owner's NDJSON event stream and hands each decoded event to the
``on_event`` callback it was given. When an established stream breaks it calls ``on_drop``
once and reconnects with backoff (:data:`BACKOFF_FIRST` doubling to :data:`BACKOFF_MAX`); when
the stream is back, after the stream's first event, it awaits ``on_return`` so that its owner
can resynchronise. It knows nothing of subscribers or jobs:
:class:`~ysched_tui.control.client.RemoteService` gives it those callbacks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import ValidationError

from ysched_tui.control.client_http import ApiClient
from ysched_tui.control.wire import event_from_json
from ysched_tui.core.events import Event

log = logging.getLogger("ysched_tui.control")

BACKOFF_FIRST, BACKOFF_MAX = 0.1, 1.0
"""Reconnect delays in seconds: the first, and the cap of the doubling."""


class EventStream:
    """The task that follows one owner's event stream.

    Args:
        api: the client of the owner's control API.
        on_event: called with every event the owner sends (on the event loop).
        on_drop: called once each time an established stream breaks.
        on_return: awaited once the stream is back after a drop (its first event already
            passed to ``on_event``); an exception it raises counts as another break.
    """

    def __init__(
        self,
        api: ApiClient,
        *,
        on_event: Callable[[Event], None],
        on_drop: Callable[[], None],
        on_return: Callable[[], Awaitable[None]],
    ) -> None:
        self._api = api
        self._on_event = on_event
        self._on_drop = on_drop
        self._on_return = on_return
        self._task: asyncio.Task[None] | None = None
        self.connected = False
        """Whether the stream is up (events are arriving)."""

    async def start(self, timeout: float) -> None:
        """Start following and wait for the stream's first line.

        Raises:
            NotOwner: nothing answers, or no line came within ``timeout`` seconds.
            YschedError: the error the owner answered (a refused token: ConfigError).
        """
        first: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._task = asyncio.create_task(self._follow(first), name="ysched-remote-events")
        try:
            async with asyncio.timeout(timeout):
                await first
        except TimeoutError:
            await self.stop()
            raise self._api.unreachable(TimeoutError(f"no events within {timeout:g} s")) from None
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        """Stop following (the connection itself belongs to whoever owns ``api``)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.connected = False

    async def _follow(self, first: asyncio.Future[None]) -> None:
        delay, returned = BACKOFF_FIRST, False
        while True:
            try:
                async for data in self._api.stream("/events"):
                    event = self._decode(data)
                    if not self.connected:
                        self.connected, delay = True, BACKOFF_FIRST
                        if not first.done():
                            first.set_result(None)
                    if event is not None:
                        self._on_event(event)
                    if returned:
                        returned = False
                        await self._on_return()
            except Exception as exc:  # the stream is all this task has: never let it die
                if not first.done():
                    first.set_exception(exc)
                    return
                log.debug("event stream from %s broke: %s", self._api.url, exc)
            if not first.done():
                first.set_exception(self._api.unreachable(ConnectionError("stream ended")))
                return
            if self.connected:
                self.connected = False
                self._on_drop()
            returned = True
            await asyncio.sleep(delay)
            delay = min(delay * 2, BACKOFF_MAX)

    def _decode(self, data: Any) -> Event | None:
        try:
            return event_from_json(data)
        except ValidationError as exc:
            log.warning("ignoring a malformed event from %s: %s", self._api.url, exc)
            return None
