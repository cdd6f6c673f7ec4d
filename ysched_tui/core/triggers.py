"""Trigger specifications: when a job fires.

A trigger is plain data (a pydantic model) so it can be stored as JSON, shown, compared and
previewed. The functions that compute fire times live in :mod:`ysched_tui.core.schedule`; the
engine fires from those same functions, so a preview always shows exactly what will fire.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Trigger(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    timezone: str | None = None
    """IANA zone the trigger is evaluated in; ``None`` means the job's or the settings' zone."""
    start: datetime | None = None
    """No fire before this instant (for intervals also the anchor of the period)."""
    end: datetime | None = None
    """No fire after this instant."""
    jitter: float = Field(default=0.0, ge=0)
    """Each fire is delayed by a deterministic 0..jitter seconds derived from job code and time,
    so the preview still shows exactly when it fires."""


class CronTrigger(_Trigger):
    """A crontab(5) expression (5 fields, 6 with seconds first, or an ``@macro``)."""

    kind: Literal["cron"] = "cron"
    expr: str
    """The expression exactly as the user wrote it."""


class IntervalTrigger(_Trigger):
    """Fires every ``seconds``, anchored at ``start`` (or the Unix epoch), until ``end``."""

    kind: Literal["interval"] = "interval"
    seconds: float = Field(gt=0)
    """The period in seconds; fires at ``start + k * seconds`` (``start`` defaults to the epoch)."""


class OnceTrigger(_Trigger):
    """Fires once, at ``at``."""

    kind: Literal["once"] = "once"
    at: datetime
    """The instant; a naive value is read in the trigger's zone."""


class StartupTrigger(_Trigger):
    """Fires once each time the scheduling process starts (crontab's ``@reboot``)."""

    kind: Literal["startup"] = "startup"


TriggerSpec = Annotated[
    CronTrigger | IntervalTrigger | OnceTrigger | StartupTrigger, Field(discriminator="kind")
]
"""Any trigger; a job with no trigger is manual-only."""
