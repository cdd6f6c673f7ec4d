"""Checks a schedule before the engine accepts it, so an invalid one never replaces a valid one."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ysched_tui.core.cron import validate_cron
from ysched_tui.core.triggers import CronTrigger, TriggerSpec
from ysched_tui.errors import ConfigError


def check_triggers(triggers: Sequence[TriggerSpec], default_tz: str) -> None:
    """Validate every trigger's expression and zone.

    Raises:
        CronError: an expression is invalid (the field is named).
        ConfigError: a zone is unknown.
    """
    for trigger in triggers:
        zone = trigger.timezone or default_tz
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"unknown time zone {zone!r}") from None
        if isinstance(trigger, CronTrigger):
            validate_cron(trigger.expr)
