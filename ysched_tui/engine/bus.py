"""The engine's event bus: publishes core events to subscribers, in order, on the loop.

A subscriber that raises is logged and kept; it can never break the engine or other subscribers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from ysched_tui.core.events import Event
from ysched_tui.core.service import Listener

log = logging.getLogger("ysched_tui.engine")


class EventBus:
    """Fan-out of events to listeners registered with :meth:`subscribe`."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Add ``listener``; the returned function removes it (idempotent)."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def publish(self, event: Event) -> None:
        """Call every listener with ``event``."""
        for listener in tuple(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("event listener %r failed on %s", listener, type(event).__name__)
