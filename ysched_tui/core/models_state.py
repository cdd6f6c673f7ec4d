"""What the engine knows about jobs besides their specs, and the live figures readers see.

:class:`JobState` is what the engine persists about a job (paused, operator overrides, next
fire, counters); :class:`JobView` joins spec and state for readers (console, CLI, API);
:class:`UpcomingFire` and :class:`SchedulerStatus` are the timeline's and header's figures.
Re-exported by :mod:`ysched_tui.core.models`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from ysched_tui.core.models_base import _Model
from ysched_tui.core.models_runs import RunStatus
from ysched_tui.core.models_specs import JobSpec
from ysched_tui.core.triggers import TriggerSpec


class JobState(_Model):
    """What the engine persists about a job besides its spec."""

    code: str
    id: str
    """Generated once (uuid4 hex) and stable for the job's life."""
    paused: bool = False
    override_triggers: tuple[TriggerSpec, ...] | None = None
    """An operator's reschedule; wins over the spec's triggers until reverted."""
    override_enabled: bool | None = None
    """An operator's enable/disable; wins over the spec's ``enabled`` until reverted."""
    next_run_time: datetime | None = None
    last_fire_time: datetime | None = None
    """The last scheduled fire handled (ran, skipped or missed): catch-up starts after it."""
    run_count: int = 0
    fail_count: int = 0
    last_run_id: str | None = None
    last_status: RunStatus | None = None
    last_duration_ms: int | None = None
    last_end_time: datetime | None = None

    def triggers_for(self, spec: JobSpec) -> tuple[TriggerSpec, ...]:
        """The triggers in force: the operator's override, else the spec's."""
        return self.override_triggers if self.override_triggers is not None else spec.triggers

    def enabled_for(self, spec: JobSpec) -> bool:
        """Whether the job is enabled: the operator's override, else the spec's."""
        return self.override_enabled if self.override_enabled is not None else spec.enabled


class JobView(_Model):
    """A job as readers see it: spec, state and live figures together."""

    spec: JobSpec
    state: JobState
    running: tuple[str, ...] = ()
    """run_ids of runs in progress."""
    running_since: datetime | None = None
    success_rate_7d: float | None = None
    """Fraction 0..1 of successful final runs in the last 7 days, ``None`` with no runs."""
    median_duration_ms: int | None = None

    @property
    def code(self) -> str:
        return self.spec.code

    @property
    def triggers(self) -> tuple[TriggerSpec, ...]:
        """The triggers in force: the operator's override, else the spec's."""
        return self.state.triggers_for(self.spec)

    @property
    def enabled(self) -> bool:
        """Whether the job is enabled (an operator override wins)."""
        return self.state.enabled_for(self.spec)

    @property
    def status_word(self) -> str:
        """running | paused | disabled | active | manual."""
        if self.running:
            return "running"
        if not self.enabled:
            return "disabled"
        if self.state.paused:
            return "paused"
        return "active" if self.triggers else "manual"


class UpcomingFire(_Model):
    """One future fire in the merged timeline of all jobs."""

    time: datetime
    code: str
    name: str
    paused: bool = False


class SchedulerStatus(_Model):
    """The header line's figures."""

    state: Literal["starting", "running", "paused", "stopping", "stopped", "attached"]
    db_path: str
    jobs_active: int = 0
    jobs_paused: int = 0
    running_now: int = 0
    failures_24h: int = 0
    owner_pid: int | None = None
    owner_host: str | None = None
    owner_since: datetime | None = None
    timezone: str = "UTC"
    jobs_file: str | None = None
    """The jobs file the owner reads (absolute), ``None`` when it has none."""
    api_urls: list[str] = Field(default_factory=list)
    """Where the owner serves its control API (``unix:///…sock``, ``http(s)://HOST:PORT``)."""


class ReloadReport(_Model):
    """What reloading the jobs file changed: job codes added, updated and removed, sorted."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def summary(self) -> str:
        """``added 1 (x), updated 0, removed 2 (a, b)``."""
        parts = []
        for word, codes in (("added", self.added), ("updated", self.updated),
                            ("removed", self.removed)):
            parts.append(f"{word} {len(codes)}" + (f" ({', '.join(codes)})" if codes else ""))
        return ", ".join(parts)


def new_job_id() -> str:
    """A job id: a random uuid4 in hex."""
    import uuid

    return uuid.uuid4().hex

