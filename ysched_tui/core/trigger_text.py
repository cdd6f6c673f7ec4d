"""Triggers as people read and type them: descriptions and the reschedule/CLI text form.

:func:`parse_trigger_text` reads what an operator types ("30 2 * * *", "@daily", "every 5m",
"1h30m", "at 2026-12-31T23:59"); :func:`describe` says a trigger back in words. Both are
re-exported by :mod:`ysched_tui.core.schedule`, the module callers are meant to use.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from ysched_tui.core.cron import describe_cron, validate_cron
from ysched_tui.core.durations import format_duration, parse_duration
from ysched_tui.core.triggers import (
    CronTrigger,
    IntervalTrigger,
    OnceTrigger,
    StartupTrigger,
    TriggerSpec,
)
from ysched_tui.core.wallclock import get_zone
from ysched_tui.errors import ConfigError, CronError, DurationError

__all__ = ["describe", "describe_all", "parse_datetime_text", "parse_trigger_text"]

_EXPECTED = (
    "expected a cron expression ('30 2 * * *', '0 30 9 * * mon-fri', '@daily'), "
    "an interval ('every 5m', '1h30m') or a time ('at 2026-12-31T23:59')"
)

_UNITS = ((604800, "week"), (86400, "day"), (3600, "hour"), (60, "minute"), (1, "second"))


def _every(seconds: float) -> str:
    """'every 5 minutes', 'every hour', or 'every 1h30m' when no single unit fits."""
    for size, name in _UNITS:
        if seconds >= size:
            count, rest = divmod(seconds, size)
            if rest == 0:
                return f"every {name}" if count == 1 else f"every {int(count)} {name}s"
            break
    return "every " + format_duration(seconds)


def _zone_label(moment: datetime) -> str:
    """The zone an aware time carries: an IANA key, else its name ("UTC", "UTC+01:00")."""
    if isinstance(moment.tzinfo, ZoneInfo):
        return moment.tzinfo.key
    return moment.tzname() or ""


def _when(moment: datetime, zone_name: str | None) -> str:
    """'2026-12-31 23:59 Europe/Berlin' (seconds only when not zero), shown in ``zone_name``."""
    if moment.tzinfo is not None and zone_name:
        moment = moment.astimezone(get_zone(zone_name))
    label = zone_name or _zone_label(moment)
    text = moment.strftime("%Y-%m-%d %H:%M" + (":%S" if moment.second else ""))
    return f"{text} {label}" if label else text


def describe(trigger: TriggerSpec, *, default_tz: str | None = None) -> str:
    """Say in words when a trigger fires.

    Args:
        trigger: the trigger.
        default_tz: the zone of a trigger without its own, named in a "once" description.

    Returns:
        E.g. "At 02:30 (Europe/Berlin)", "every 5 minutes", "every 1h30m",
        "once at 2026-12-31 23:59 Europe/Berlin", with jitter and bounds appended.
    """
    zone_name = trigger.timezone or default_tz
    if isinstance(trigger, CronTrigger):
        text = describe_cron(trigger.expr)
        if trigger.timezone:
            text += f" ({trigger.timezone})"
    elif isinstance(trigger, IntervalTrigger):
        text = _every(trigger.seconds)
    elif isinstance(trigger, OnceTrigger):
        text = "once at " + _when(trigger.at, zone_name)
    else:
        text = "at start-up (@reboot)"
    if trigger.start is not None:
        text += f", from {_when(trigger.start, zone_name)}"
    if trigger.end is not None:
        text += f", until {_when(trigger.end, zone_name)}"
    if trigger.jitter:
        text += f", jitter up to {format_duration(trigger.jitter)}"
    return text


def describe_all(triggers: Sequence[TriggerSpec], *, default_tz: str | None = None) -> str:
    """All triggers described and joined with "; "; "manual" for a job without triggers."""
    if not triggers:
        return "manual"
    return "; ".join(describe(t, default_tz=default_tz) for t in triggers)


def parse_datetime_text(text: str, *, tz: str | None = None) -> datetime:
    """Read an ISO 8601 time ("2026-12-31T23:59", "2026-12-31 23:59:00+01:00").

    Args:
        text: the time as typed.
        tz: when given, a naive time is made aware as wall time in this zone.

    Raises:
        ConfigError: naming the text and the expected form, or an unknown zone.
    """
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise ConfigError(
            f"invalid time {text!r}: expected ISO 8601 such as '2026-12-31T23:59' "
            "or '2026-12-31T23:59:00+01:00'"
        ) from exc
    if tz is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=get_zone(tz))
    return moment


def _every_seconds(text: str) -> float:
    """The period after "every": a duration, or a lone unit ("every hour" = 1 hour)."""
    try:
        return parse_duration(text)
    except DurationError:
        if text.isalpha():
            try:
                return parse_duration("1 " + text)
            except DurationError:
                pass
        raise


def parse_trigger_text(text: str, *, timezone: str | None = None) -> TriggerSpec:
    """Read a schedule typed in a reschedule dialog or on the command line.

    Args:
        text: a cron expression or macro; "every 5m" or a bare duration ("5m", "1h30m");
            "at 2026-12-31T23:59" (naive: read in the trigger's zone); or "@reboot".
        timezone: the IANA zone to give the trigger (``None``: the job's/settings' zone).

    Returns:
        A CronTrigger (validated), IntervalTrigger, OnceTrigger or StartupTrigger.

    Raises:
        CronError: a bad cron expression, naming the field. DurationError: a bad interval or
        unrecognised text. ConfigError: a bad time after "at" or an unknown zone.
    """
    if timezone is not None:
        get_zone(timezone)
    stripped = " ".join(text.split())
    lowered = stripped.lower()
    if not stripped:
        raise CronError(f"empty schedule: {_EXPECTED}", expr=text)
    if lowered.startswith("every "):
        seconds = _every_seconds(stripped[6:])
        if seconds <= 0:
            raise DurationError(f"invalid interval {text!r}: it must be longer than 0 seconds")
        return IntervalTrigger(seconds=seconds, timezone=timezone)
    if lowered.startswith("at "):
        return OnceTrigger(at=parse_datetime_text(stripped[3:]), timezone=timezone)
    if lowered == "@reboot":
        return StartupTrigger(timezone=timezone)
    if stripped.startswith("@") or " " in stripped:
        validate_cron(stripped)
        return CronTrigger(expr=stripped, timezone=timezone)
    try:
        seconds = parse_duration(stripped)
    except DurationError:
        raise DurationError(f"invalid schedule {text!r}: {_EXPECTED}") from None
    if seconds <= 0:
        raise DurationError(f"invalid interval {text!r}: it must be longer than 0 seconds")
    return IntervalTrigger(seconds=seconds, timezone=timezone)
