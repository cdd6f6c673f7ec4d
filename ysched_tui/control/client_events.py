"""The event stream of :class:`~ysched_tui.control.client.RemoteService`: follow, reconnect, resync.

A mixin kept apart from the request methods: a background task follows the owner's
``GET /events`` and calls subscribers with the same core events the engine publishes. If the
stream drops, subscribers get a ``StatusChanged`` with state ``"stopped"`` and the task
reconnects with backoff (0.1 s doubling to 1 s). Once back it resynchronises: the stream's
first ``StatusChanged``, then ``JobUpdated`` for every job and ``JobRemoved`` for jobs that
went away meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ysched_tui.control.client_http import ApiClient
from ysched_tui.control.wire import event_from_json
from ysched_tui.core.events import Event, JobRemoved, JobUpdated, StatusChanged
from ysched_tui.core.models import JobView, SchedulerStatus
from ysched_tui.core.service import Listener

log = logging.getLogger("ysched_tui.control")

BACKOFF_FIRST, BACKOFF_MAX = 0.1, 1.0
"""Reconnect delays in seconds: the first, and the cap of the doubling."""


class RemoteEvents:
    """Subscribers, and the task that follows, reconnects and resynchronises the stream."""

    url: str
    _api: ApiClient
    _listeners: list[Listener]
    _codes: set[str]
    _last_status: SchedulerStatus | None
    connected: bool

    if TYPE_CHECKING:  # provided by RemoteService

        async def list_jobs(self) -> list[JobView]:
            ...

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    # --- events ----------------------------------------------------------------------------

    def _publish(self, event: Event) -> None:
        if isinstance(event, StatusChanged):
            self._last_status = event.status
        elif isinstance(event, JobUpdated):
            self._codes.add(event.job.code)
        elif isinstance(event, JobRemoved):
            self._codes.discard(event.code)
        for listener in tuple(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("event listener %r failed on %s", listener, type(event).__name__)

    async def _follow(self, first: asyncio.Future[None]) -> None:
        delay, resync = BACKOFF_FIRST, False
        while True:
            try:
                async for data in self._api.stream("/events"):
                    event = self._decode(data)
                    if not self.connected:
                        self.connected, delay = True, BACKOFF_FIRST
                        if not first.done():
                            first.set_result(None)
                    if event is not None:
                        self._publish(event)
                    if resync:
                        resync = False
                        await self._resync()
            except Exception as exc:  # the stream is all this task has: never let it die
                if not first.done():
                    first.set_exception(exc)
                    return
                log.debug("event stream from %s broke: %s", self.url, exc)
            if not first.done():
                first.set_exception(self._api.unreachable(ConnectionError("stream ended")))
                return
            if self.connected:
                self.connected = False
                self._publish_stopped()
            resync = True
            await asyncio.sleep(delay)
            delay = min(delay * 2, BACKOFF_MAX)

    def _decode(self, data: Any) -> Event | None:
        try:
            return event_from_json(data)
        except ValidationError as exc:
            log.warning("ignoring a malformed event from %s: %s", self.url, exc)
            return None

    async def _resync(self) -> None:
        jobs = await self.list_jobs()
        for code in self._codes - {job.code for job in jobs}:
            self._publish(JobRemoved(code=code))
        for job in jobs:
            self._publish(JobUpdated(job=job))

    def _publish_stopped(self) -> None:
        if self._last_status is not None:
            self._publish(StatusChanged(status=self._last_status.model_copy(
                update={"state": "stopped"})))
