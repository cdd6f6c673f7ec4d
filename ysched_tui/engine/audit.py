"""The audit trail of operator actions: who did what to which job, and what changed.

The engine records one :class:`~ysched_tui.core.models.AuditEntry` after each operator action
has been applied, with the changed part of the job before and after as JSON. A failure to write
the entry is logged, never turned into a failure of the action that already took effect.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ysched_tui.core.models import Actor, AuditAction, AuditEntry, JobSpec, JobView
from ysched_tui.core.repository import Repository
from ysched_tui.core.service import resolve_actor
from ysched_tui.errors import YschedError

log = logging.getLogger("ysched_tui.engine")

FIELDS: dict[str, tuple[str, ...]] = {
    "pause": ("paused",),
    "resume": ("paused",),
    "enable": ("enabled",),
    "disable": ("enabled",),
    "reschedule": ("triggers",),
    "revert": ("triggers", "enabled"),
}
"""The part of a job each job action changes, as recorded before and after."""


def job_values(view: JobView, fields: tuple[str, ...]) -> dict[str, Any]:
    """The ``fields`` of a job as JSON-ready values."""
    values: dict[str, Any] = {
        "paused": view.state.paused,
        "enabled": view.enabled,
        "triggers": [t.model_dump(mode="json") for t in view.triggers],
    }
    return {name: values[name] for name in fields}


def spec_json(spec: JobSpec) -> dict[str, Any]:
    """A job definition as JSON (create and delete record the whole spec)."""
    data: dict[str, Any] = spec.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    return data


class AuditTrail:
    """Writes operator actions to the repository's audit table."""

    def __init__(self, repo: Repository, clock: Callable[[], datetime]) -> None:
        self._repo = repo
        self._clock = clock
        self._pending: set[asyncio.Task[None]] = set()

    def record_soon(
        self, action: AuditAction, actor: Actor | None, **about: Any
    ) -> None:
        """Record in the background, for an action that must return without yielding
        (``trigger``: its caller must get the run_id before the run's first event).

        The actor is resolved now, in the caller's context; :meth:`drain` waits for the write.
        """
        task = asyncio.get_running_loop().create_task(
            self.record(action, resolve_actor(actor), **about))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def drain(self) -> None:
        """Wait for the entries being recorded in the background."""
        while self._pending:
            await asyncio.wait(set(self._pending))

    async def job_action(
        self, action: AuditAction, actor: Actor | None, before: JobView, after: JobView
    ) -> None:
        """Record a change of a job's state (pause, reschedule...)."""
        fields = FIELDS[action]
        await self.record(action, actor, job_code=before.code,
                          before=job_values(before, fields), after=job_values(after, fields))

    async def record(
        self,
        action: AuditAction,
        actor: Actor | None,
        *,
        job_code: str | None = None,
        run_id: str | None = None,
        before: Any = None,
        after: Any = None,
    ) -> None:
        """Record one action by ``actor`` (default: the context's, see ``resolve_actor``)."""
        entry = AuditEntry(time=self._clock(), actor=resolve_actor(actor), action=action,
                           job_code=job_code, run_id=run_id, before=before, after=after)
        try:
            await self._repo.record_audit(entry)
        except YschedError as exc:
            log.error("could not record %s of %s in the audit: %s", action,
                      job_code or run_id, exc)
