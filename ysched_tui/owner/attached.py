"""The client side of an attached process: the owner's service, marked as attached, acting as
this process (the console or the CLI).

:class:`OwnerClient` is the control package's :class:`RemoteService` (which sends each action's
actor in the ``X-Ysched-Actor`` header and reads ``/audit``) with:

* ``status()`` and ``StatusChanged`` events reporting ``state="attached"`` while the owner
  runs, so the console's header says it is attached (the owner's pid, host and start time are
  in the same status);
* a default actor: this process's user and SSH address ``via`` the console or the CLI, used
  when neither the call's ``actor`` nor the context (``acting_as``) says otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ysched_tui.control.client import RemoteService
from ysched_tui.core.events import Event, StatusChanged
from ysched_tui.core.models import (
    Actor,
    JobSpec,
    JobView,
    ReloadReport,
    RunRecord,
    SchedulerStatus,
    Via,
)
from ysched_tui.core.service import Listener, current_actor
from ysched_tui.core.triggers import TriggerSpec


def as_attached(status: SchedulerStatus) -> SchedulerStatus:
    """The owner's status as an attached process shows it."""
    if status.state == "running":
        return status.model_copy(update={"state": "attached"})
    return status


class OwnerClient(RemoteService):
    """The owner's scheduler, reached over its control API (see the module docstring).

    Args:
        url: ``unix:///path.sock``, ``http://HOST:PORT`` or ``https://HOST:PORT``.
        token: the bearer token (TCP).
        db: the database, for messages.
        via: how this process acts: ``console`` or ``cli``.
        ca_file: for ``https://``, the CA to trust instead of the system's (``--ca-file``).
    """

    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        db: str | None = None,
        via: Via = "cli",
        ca_file: Path | None = None,
    ) -> None:
        super().__init__(url, token=token, db=db, ca_file=ca_file)
        self.default_actor = Actor.here(via)
        """Who acts when neither ``actor`` nor the context says otherwise."""

    def _who(self, actor: Actor | None) -> Actor:
        return actor or current_actor.get() or self.default_actor

    # --- attached status -------------------------------------------------------------------

    async def status(self) -> SchedulerStatus:
        return as_attached(await super().status())

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        def relay(event: Event) -> None:
            if isinstance(event, StatusChanged):
                event = replace(event, status=as_attached(event.status))
            listener(event)

        return super().subscribe(relay)

    # --- actions with this process's actor -------------------------------------------------

    async def add_job(
        self, spec: JobSpec, *, replace: bool = False, actor: Actor | None = None
    ) -> JobView:
        return await super().add_job(spec, replace=replace, actor=self._who(actor))

    async def remove_job(self, code: str, *, actor: Actor | None = None) -> None:
        await super().remove_job(code, actor=self._who(actor))

    async def pause(self, code: str, *, actor: Actor | None = None) -> JobView:
        return await super().pause(code, actor=self._who(actor))

    async def resume(self, code: str, *, actor: Actor | None = None) -> JobView:
        return await super().resume(code, actor=self._who(actor))

    async def set_enabled(
        self, code: str, enabled: bool, *, actor: Actor | None = None
    ) -> JobView:
        return await super().set_enabled(code, enabled, actor=self._who(actor))

    async def trigger(
        self, code: str, params: dict[str, Any] | None = None, *, actor: Actor | None = None
    ) -> str:
        return await super().trigger(code, params, actor=self._who(actor))

    async def reschedule(
        self, code: str, triggers: Sequence[TriggerSpec], *, actor: Actor | None = None
    ) -> JobView:
        return await super().reschedule(code, triggers, actor=self._who(actor))

    async def revert(self, code: str, *, actor: Actor | None = None) -> JobView:
        return await super().revert(code, actor=self._who(actor))

    async def reload_jobs(self, *, actor: Actor | None = None) -> ReloadReport:
        return await super().reload_jobs(actor=self._who(actor))

    async def cancel(self, run_id: str, *, actor: Actor | None = None) -> RunRecord:
        return await super().cancel(run_id, actor=self._who(actor))
