"""The scheduler service interface: everything a reader or operator can ask of a scheduler.

The console, the CLI and the control API talk to a scheduler only through this interface. The
engine implements it in-process; a client implements it over the control API, so a console
attached to a scheduler in another process works the same way as one embedding it.

Operator actions return once the change is recorded; the matching event (``JobUpdated`` ...)
is published before the call returns, so a subscriber sees the change no later than the caller.

Every operator action takes an optional keyword-only ``actor`` for the audit. When it is not
given, the actor of the current context is used (:func:`acting_as`: the control API sets it per
request, the console and the CLI for their whole run), else this process's user via ``python``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from ysched_tui.core.events import Event
from ysched_tui.core.models import (
    Actor,
    AuditEntry,
    JobSpec,
    JobView,
    OutputLine,
    ReloadReport,
    RunRecord,
    RunStatus,
    SchedulerStatus,
    StatsReport,
    TrendBucket,
    UpcomingFire,
)
from ysched_tui.core.triggers import TriggerSpec
from ysched_tui.errors import InvalidOperation

Listener = Callable[[Event], None]
"""A subscriber: called on the service's event loop for each event; must not block."""

current_actor: ContextVar[Actor | None] = ContextVar("ysched_actor", default=None)
"""Who is acting in this context, when an action is called without ``actor``."""


@contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    """Attribute the operator actions called inside the block to ``actor``."""
    token = current_actor.set(actor)
    try:
        yield actor
    finally:
        current_actor.reset(token)


def resolve_actor(actor: Actor | None) -> Actor:
    """``actor``, else the context's (:func:`acting_as`), else this process via ``python``."""
    return actor or current_actor.get() or Actor.here("python")


class SchedulerService(ABC):
    """Read and operate a scheduler. Methods raise :class:`~ysched_tui.errors.YschedError`."""

    # --- lifecycle -------------------------------------------------------------------------

    @abstractmethod
    async def start(self) -> None:
        """Open storage, sync jobs and start firing (or attach, for a client)."""

    @abstractmethod
    async def stop(self, grace: float | None = None) -> None:
        """Stop firing; wait up to ``grace`` seconds for runs, then cancel them."""

    @abstractmethod
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Register ``listener`` for every event; returns a function that unregisters it."""

    @abstractmethod
    async def status(self) -> SchedulerStatus:
        """The header figures: state, job counts, running now, failures in 24 h, db path."""

    # --- jobs ------------------------------------------------------------------------------

    @abstractmethod
    async def list_jobs(self) -> list[JobView]:
        """All jobs, ordered by code."""

    @abstractmethod
    async def get_job(self, code: str) -> JobView:
        """One job. Raises: JobNotFound."""

    @abstractmethod
    async def upcoming(
        self, limit: int = 50, *, include_paused: bool = False
    ) -> list[UpcomingFire]:
        """The merged timeline of the next ``limit`` fires across all jobs, soonest first."""

    @abstractmethod
    async def add_job(
        self, spec: JobSpec, *, replace: bool = False, actor: Actor | None = None
    ) -> JobView:
        """Add a runtime job. Raises: InvalidOperation if the code exists and not ``replace``."""

    @abstractmethod
    async def remove_job(self, code: str, *, actor: Actor | None = None) -> None:
        """Remove a job (its history stays). Raises: JobNotFound."""

    # --- operator actions ------------------------------------------------------------------

    @abstractmethod
    async def pause(self, code: str, *, actor: Actor | None = None) -> JobView:
        """Stop scheduled fires of a job. Raises: JobNotFound, InvalidOperation (already paused)."""

    @abstractmethod
    async def resume(self, code: str, *, actor: Actor | None = None) -> JobView:
        """Resume a paused job. Raises: JobNotFound, InvalidOperation (not paused)."""

    @abstractmethod
    async def set_enabled(
        self, code: str, enabled: bool, *, actor: Actor | None = None
    ) -> JobView:
        """Enable or disable a job as an operator override. Raises: JobNotFound."""

    @abstractmethod
    async def trigger(
        self, code: str, params: dict[str, Any] | None = None, *, actor: Actor | None = None
    ) -> str:
        """Run a job now as a manual run; returns its run_id.

        Raises: JobNotFound; ParamError when script parameters are missing or invalid.
        """

    @abstractmethod
    async def reschedule(
        self, code: str, triggers: Sequence[TriggerSpec], *, actor: Actor | None = None
    ) -> JobView:
        """Replace the job's triggers with an operator override that persists across restarts.

        Raises: JobNotFound; CronError for an invalid expression (nothing is changed).
        """

    @abstractmethod
    async def revert(self, code: str, *, actor: Actor | None = None) -> JobView:
        """Drop operator overrides (schedule, enabled) and return to the declared values."""

    @abstractmethod
    async def cancel(self, run_id: str, *, actor: Actor | None = None) -> RunRecord:
        """Cancel a run in progress, killing its process tree.

        Raises: RunNotFound, InvalidOperation (the run is not in progress).
        """

    # --- history ---------------------------------------------------------------------------

    @abstractmethod
    async def list_runs(
        self,
        code: str | None = None,
        *,
        status: RunStatus | None = None,
        limit: int = 100,
        before: datetime | None = None,
    ) -> list[RunRecord]:
        """Runs newest first, optionally for one job and/or one status."""

    @abstractmethod
    async def get_run(self, run_id: str) -> RunRecord:
        """One run. Raises: RunNotFound."""

    @abstractmethod
    async def run_output(
        self, run_id: str, *, after_seq: int = 0, limit: int | None = None,
        tail: int | None = None,
    ) -> list[OutputLine]:
        """Stored lines of a run with ``seq > after_seq`` in order: the first ``limit`` of them,
        or with ``tail`` the last ``tail`` (a log view needs only the end of a long run).
        Raises: RunNotFound."""

    @abstractmethod
    async def stats(self, code: str | None = None) -> StatsReport:
        """Today / last 24 h / last 7 days for one job or all."""

    @abstractmethod
    async def trend(
        self, code: str | None = None, *, unit: str = "hour", count: int = 24
    ) -> list[TrendBucket]:
        """Runs per hour (or ``unit="day"``) for the last ``count`` units, oldest first."""

    async def reload_jobs(self, *, actor: Actor | None = None) -> ReloadReport:
        """Read the jobs file and scripts again and apply what changed (added, updated,
        removed), keeping job states and runs in progress.

        Raises:
            JobsFileError: the files have problems; nothing changed.
            InvalidOperation: this service cannot reload (it reads no jobs file).
        """
        raise InvalidOperation(f"{type(self).__name__} reads no jobs file to reload")

    # --- audit -----------------------------------------------------------------------------

    async def audit(self, limit: int = 100) -> list[AuditEntry]:
        """The latest ``limit`` operator actions, newest first.

        Raises:
            InvalidOperation: this service keeps no audit.
        """
        raise InvalidOperation(f"{type(self).__name__} keeps no audit of operator actions")
