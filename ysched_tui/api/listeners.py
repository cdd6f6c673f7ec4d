"""Event listeners of the Python API, fed from the engine's core events.

The engine publishes :mod:`ysched_tui.core.events` on its event loop. :class:`ListenerHub`
passes them on in two ways. ``Scheduler.subscribe(callback, event_types)`` gets the core events
themselves, filtered by type (a :class:`Subscription` per callback). The decorators
``on_job_executed``, ``on_job_error``, ``on_job_missed`` and ``on_job_retry`` get one of four
kinds of outcome, and a job's ``on_success``/``on_failure`` callbacks the same for their job:

==================  ===========================================  ==========================
kind                core event                                   listener receives
==================  ===========================================  ==========================
``executed``        ``RunFinished`` with status ``success``      the :class:`RunRecord`
``error``           ``RunFinished`` with ``failed``/``timeout``  the :class:`RunRecord`
``missed``          ``RunMissed``                                the :class:`RunRecord`
``retry``           ``RetryScheduled``                           the ``RetryScheduled`` event
==================  ===========================================  ==========================

A run record carries what a listener usually reads (``job_code``, ``run_id``, ``status``,
``duration_ms``, ``result``, ``error``, ``attempt``, ``scheduled_time``); a ``RetryScheduled``
adds ``attempt`` and ``next_retry_time`` to its ``run``. Sync listeners are called directly (they
must be quick: they run on the engine's loop); coroutine listeners are started as tasks. A
listener's exception is logged and never reaches the engine.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal, TypeVar, cast

from ysched_tui.core.events import Event, RetryScheduled, RunFinished, RunMissed
from ysched_tui.core.models import RunStatus
from ysched_tui.errors import ConfigError

__all__ = ["EventKind", "ListenerHub", "Subscription", "T_Event"]

log = logging.getLogger("ysched_tui.api")

EventKind = Literal["executed", "error", "missed", "retry"]

T_Event = TypeVar("T_Event", bound=Event)
"""The event type a subscriber is called with."""

_ERROR_STATUSES = (RunStatus.FAILED, RunStatus.TIMEOUT)


@dataclass(frozen=True, slots=True)
class _Entry:
    kind: EventKind
    func: Callable[[Any], Any]
    code: str | None


def classify(event: Event) -> tuple[EventKind, str, Any] | None:
    """The listener kind, job code and listener argument of an event, or ``None`` to ignore it."""
    if isinstance(event, RunFinished):
        if event.run.status is RunStatus.SUCCESS:
            return "executed", event.run.job_code, event.run
        if event.run.status in _ERROR_STATUSES:
            return "error", event.run.job_code, event.run
        return None
    if isinstance(event, RunMissed):
        return "missed", event.run.job_code, event.run
    if isinstance(event, RetryScheduled):
        return "retry", event.run.job_code, event
    return None


class Subscription:
    """One subscriber of :meth:`ListenerHub.subscribe`; :meth:`unsubscribe` ends it, and so does
    leaving a ``with`` block on it."""

    def __init__(
        self, hub: ListenerHub, callback: Callable[[Any], Any],
        types: tuple[type[Event], ...] | None, one_shot: bool,
    ) -> None:
        self._hub = hub
        self.callback = callback
        self.types = types
        """The event classes it receives (subclasses included); ``None``: every event."""
        self.one_shot = one_shot

    def wants(self, event: Event) -> bool:
        """Whether ``event`` is of a type this subscriber asked for."""
        return self.types is None or isinstance(event, self.types)

    def unsubscribe(self) -> None:
        """Stop receiving events (nothing happens if already unsubscribed)."""
        self._hub.unsubscribe(self)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.unsubscribe()


def event_classes(
    event_types: type[Event] | Iterable[type[Event]] | None,
) -> tuple[type[Event], ...] | None:
    """``event_types`` as a tuple for ``isinstance`` (``None``: all events).

    Raises:
        ConfigError: something that is not an event class (a subclass of ``Event``).
    """
    if event_types is None:
        return None
    if isinstance(event_types, type):
        found: tuple[object, ...] = (event_types,)
    elif isinstance(event_types, Iterable) and not isinstance(event_types, str | bytes):
        found = tuple(event_types)
    else:
        found = (event_types,)
    for cls in found:
        if not (isinstance(cls, type) and issubclass(cls, Event)):
            raise ConfigError("subscribe: event types must be Event classes (RunFinished, "
                              f"JobUpdated ...), got {cls!r}")
    return cast(tuple[type[Event], ...], found)


class ListenerHub:
    """Holds listeners and calls them for the engine's events."""

    def __init__(self) -> None:
        self._subscriptions: list[Subscription] = []
        self._entries: list[_Entry] = []
        self._job_entries: dict[str, tuple[_Entry, ...]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()

    def subscribe(
        self,
        callback: Callable[[Any], Any],
        event_types: type[Event] | Iterable[type[Event]] | None = None,
        *,
        one_shot: bool = False,
    ) -> Subscription:
        """Call ``callback(event)`` for each event of ``event_types`` (``None``: all).

        Raises:
            ConfigError: ``callback`` is not callable, or an event type is not an Event class.
        """
        if not callable(callback):
            raise ConfigError(f"subscribe: callback must be callable, got {callback!r}")
        subscription = Subscription(self, callback, event_classes(event_types), one_shot)
        self._subscriptions.append(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        """Remove a subscription (nothing happens if it is not there)."""
        if subscription in self._subscriptions:
            self._subscriptions.remove(subscription)

    def add(self, kind: EventKind, func: Callable[[Any], Any], code: str | None = None) -> None:
        """Call ``func`` for events of ``kind`` (only for job ``code`` when given).

        Raises:
            ConfigError: ``func`` is not callable.
        """
        if not callable(func):
            raise ConfigError(f"on_job_{kind} listener must be callable, got {func!r}")
        self._entries.append(_Entry(kind, func, code))

    def set_job_callbacks(
        self,
        code: str,
        on_success: Callable[[Any], Any] | None,
        on_failure: Callable[[Any], Any] | None,
    ) -> None:
        """Set (replace) one job's ``on_success``/``on_failure`` callbacks (``JobBuilder``).

        Raises:
            ConfigError: a callback is not callable.
        """
        entries = []
        pairs: tuple[tuple[EventKind, Callable[[Any], Any] | None], ...] = (
            ("executed", on_success), ("error", on_failure),
        )
        for kind, func in pairs:
            if func is None:
                continue
            if not callable(func):
                raise ConfigError(f"job {code!r}: callback must be callable, got {func!r}")
            entries.append(_Entry(kind, func, code))
        if entries:
            self._job_entries[code] = tuple(entries)
        else:
            self._job_entries.pop(code, None)

    def dispatch(self, event: Event) -> None:
        """Call the subscribers and listeners of ``event``; an engine subscriber, so it never
        raises."""
        for subscription in tuple(self._subscriptions):
            if subscription.wants(event):
                if subscription.one_shot:
                    self.unsubscribe(subscription)
                self._call(subscription.callback, event)
        found = classify(event)
        if found is None:
            return
        kind, code, argument = found
        for entry in (*self._entries, *self._job_entries.get(code, ())):
            if entry.kind == kind and entry.code in (None, code):
                self._call(entry.func, argument)

    def _call(self, func: Callable[[Any], Any], argument: Any) -> None:
        try:
            result = func(argument)
        except Exception:
            log.exception("listener %r failed", func)
            return
        if inspect.isawaitable(result):
            task = asyncio.ensure_future(_guard(func, result))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def drain(self, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for running coroutine listeners, then cancel them."""
        if not self._tasks:
            return
        _done, pending = await asyncio.wait(set(self._tasks), timeout=timeout)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)


async def _guard(func: Callable[[Any], Any], awaitable: Awaitable[Any]) -> None:
    try:
        await awaitable
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("listener %r failed", func)
