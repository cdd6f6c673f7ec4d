"""The client side of an attached process: the owner's service, marked as attached, telling the
owner who acts.

:class:`OwnerClient` is the control package's :class:`RemoteService` with:

* ``status()`` and ``StatusChanged`` events reporting ``state="attached"`` while the owner
  runs, so the console's header says it is attached (the owner's pid, host and start time are
  in the same status);
* the operator actions' ``actor`` (default: this process's user and SSH address, ``via`` as
  given) sent as the ``X-Ysched-Actor`` header;
* ``audit()`` over ``GET /audit``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import httpx
from pydantic import TypeAdapter

from ysched_tui.control.client import RemoteService
from ysched_tui.core.events import Event, StatusChanged
from ysched_tui.core.models import (
    Actor,
    AuditEntry,
    JobSpec,
    JobView,
    RunRecord,
    SchedulerStatus,
    Via,
)
from ysched_tui.core.service import Listener, acting_as, current_actor
from ysched_tui.core.triggers import TriggerSpec
from ysched_tui.owner.serving import ACTOR_HEADER

_ENTRIES = TypeAdapter(list[AuditEntry])


def as_attached(status: SchedulerStatus) -> SchedulerStatus:
    """The owner's status as an attached process shows it."""
    if status.state == "running":
        return status.model_copy(update={"state": "attached"})
    return status


class OwnerClient(RemoteService):
    """The owner's scheduler, reached over its control API (see the module docstring).

    Args:
        url: ``unix:///path.sock`` or ``http://HOST:PORT``.
        token: the bearer token (TCP).
        db: the database, for messages.
        via: how this process acts: ``console`` or ``cli``.
    """

    def __init__(
        self, url: str, *, token: str | None = None, db: str | None = None, via: Via = "cli"
    ) -> None:
        super().__init__(url, token=token, db=db)
        self.default_actor = Actor.here(via)
        """Who acts when neither ``actor`` nor the context says otherwise."""
        # RemoteService has no hook for extra headers: add the actor to each request
        http: httpx.AsyncClient = self._api.http
        http.event_hooks["request"].append(self._add_actor)

    async def _add_actor(self, request: httpx.Request) -> None:
        actor = current_actor.get() or self.default_actor
        request.headers[ACTOR_HEADER] = actor.model_dump_json()

    # --- attached status -------------------------------------------------------------------

    async def status(self) -> SchedulerStatus:
        return as_attached(await super().status())

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        def relay(event: Event) -> None:
            if isinstance(event, StatusChanged):
                event = replace(event, status=as_attached(event.status))
            listener(event)

        return super().subscribe(relay)

    # --- actions with an actor -------------------------------------------------------------

    def _acting(self, actor: Actor | None) -> Any:
        return acting_as(actor or current_actor.get() or self.default_actor)

    async def add_job(
        self, spec: JobSpec, *, replace: bool = False, actor: Actor | None = None
    ) -> JobView:
        with self._acting(actor):
            return await super().add_job(spec, replace=replace)

    async def remove_job(self, code: str, *, actor: Actor | None = None) -> None:
        with self._acting(actor):
            await super().remove_job(code)

    async def pause(self, code: str, *, actor: Actor | None = None) -> JobView:
        with self._acting(actor):
            return await super().pause(code)

    async def resume(self, code: str, *, actor: Actor | None = None) -> JobView:
        with self._acting(actor):
            return await super().resume(code)

    async def set_enabled(
        self, code: str, enabled: bool, *, actor: Actor | None = None
    ) -> JobView:
        with self._acting(actor):
            return await super().set_enabled(code, enabled)

    async def trigger(
        self, code: str, params: dict[str, Any] | None = None, *, actor: Actor | None = None
    ) -> str:
        with self._acting(actor):
            return await super().trigger(code, params)

    async def reschedule(
        self, code: str, triggers: Sequence[TriggerSpec], *, actor: Actor | None = None
    ) -> JobView:
        with self._acting(actor):
            return await super().reschedule(code, triggers)

    async def revert(self, code: str, *, actor: Actor | None = None) -> JobView:
        with self._acting(actor):
            return await super().revert(code)

    async def cancel(self, run_id: str, *, actor: Actor | None = None) -> RunRecord:
        with self._acting(actor):
            return await super().cancel(run_id)

    async def audit(self, limit: int = 100) -> list[AuditEntry]:
        """The owner's latest operator actions, newest first."""
        data = await self._api.request("GET", "/audit", params={"limit": limit})
        return _ENTRIES.validate_python(data)
