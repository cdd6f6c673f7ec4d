"""Trigger helpers of the Python API: ``cron()``, ``interval()`` and ``once()``.

They turn APScheduler-style keyword arguments into the trigger specs of
:mod:`ysched_tui.core.triggers`, so a job declared in Python is stored, previewed and fired
exactly like one from a jobs file.
Keyword cron fields (``cron(hour=8, minute=0)``) become a crontab string with APScheduler's
defaulting rule: fields *after* the least significant one given default to their minimum, fields
before it to ``*``, so ``cron(hour=8)`` fires at 08:00:00 and not every minute of that hour.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ysched_tui.core.cron import validate_cron
from ysched_tui.core.triggers import (
    CronTrigger,
    IntervalTrigger,
    OnceTrigger,
    StartupTrigger,
    TriggerSpec,
)
from ysched_tui.errors import ConfigError, CronError

__all__ = [
    "CronField",
    "DateLike",
    "as_trigger_list",
    "check_timezone",
    "cron",
    "interval",
    "once",
]

CronField = int | str | Iterable[int | str]
"""One keyword cron field: a number, a crontab field text (``"mon-fri"``, ``"*/5"``) or a list."""

DateLike = datetime | date | str
"""An instant: a datetime, a date (midnight) or an ISO 8601 string such as ``2026-01-22 10:00``."""

_FIELD_ORDER = ("month", "day", "day_of_week", "hour", "minute", "second")
"""Keyword fields from most to least significant (APScheduler's order, without year/week)."""

_MINIMUM = {"month": "1", "day": "1", "day_of_week": "*", "hour": "0", "minute": "0", "second": "0"}
"""What a field after the least significant given one defaults to (APScheduler's rule)."""


def check_timezone(name: str | None, where: str) -> str | None:
    """Return ``name`` if zoneinfo knows it (or it is ``None``).

    Raises:
        ConfigError: naming ``where`` the zone was given and what was expected.
    """
    if name is None:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ConfigError(
            f"{where}: unknown time zone {name!r}; expected an IANA name such as 'Europe/Berlin'"
        ) from None
    return name


def parse_instant(value: DateLike | None, what: str) -> datetime | None:
    """Read a date-time given as a datetime, a date or an ISO 8601 string.

    Args:
        value: the value as the user gave it; ``None`` passes through.
        what: the argument's name, used in the error message.

    Raises:
        ConfigError: the value is not a date-time.
    """
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ConfigError(
        f"{what}: {value!r} is not a date-time; expected a datetime or a string such as "
        "'2026-01-22 10:00:00'"
    )


def _field_text(name: str, value: CronField) -> str:
    if isinstance(value, bool):
        raise ConfigError(f"cron field {name}={value!r}: expected a number, a text or a list")
    if isinstance(value, int | str):
        text = str(value).strip()
    else:
        text = ",".join(str(v).strip() for v in value)
    if not text or " " in text:
        raise ConfigError(f"cron field {name}={value!r}: expected one crontab field without spaces")
    return text


def fields_to_crontab(fields: dict[str, CronField]) -> str:
    """Turn keyword cron fields into a crontab string (6 fields when seconds are not 0).

    ``day_of_week`` uses crontab numbering (0 and 7 are Sunday); prefer names (``mon-fri``).
    """
    given = {name: _field_text(name, value) for name, value in fields.items()}
    parts: dict[str, str] = {}
    remaining = set(given)
    for name in _FIELD_ORDER:
        if name in given:
            parts[name] = given[name]
            remaining.discard(name)
        else:
            parts[name] = _MINIMUM[name] if not remaining else "*"
    five = " ".join(parts[n] for n in ("minute", "hour", "day", "month", "day_of_week"))
    return five if parts["second"] == "0" else f"{parts['second']} {five}"


def cron(
    expr: str | None = None,
    *,
    second: CronField | None = None,
    minute: CronField | None = None,
    hour: CronField | None = None,
    day: CronField | None = None,
    month: CronField | None = None,
    day_of_week: CronField | None = None,
    timezone: str | None = None,
    start_date: DateLike | None = None,
    end_date: DateLike | None = None,
    jitter: float = 0,
) -> CronTrigger:
    """A cron trigger from a crontab expression or from keyword fields.

    ``cron("0 8 * * *")``, ``cron("0 30 9 * * MON-FRI")`` (seconds first), ``cron("@daily")``,
    ``cron(hour=8, minute=0)``, ``cron(day_of_week="mon-fri", hour=9)``.

    Raises:
        CronError: the expression (or the one built from the fields) is invalid; names the field.
        ConfigError: both or neither of an expression and fields were given, or a bad zone/date.
    """
    fields = {
        name: value
        for name, value in (("second", second), ("minute", minute), ("hour", hour), ("day", day),
                            ("month", month), ("day_of_week", day_of_week))
        if value is not None
    }
    if expr is not None and fields:
        raise ConfigError(f"cron({expr!r}, {', '.join(fields)}=...): give an expression or "
                          "keyword fields, not both")
    if expr is None and not fields:
        raise ConfigError("cron(): give an expression such as '0 8 * * *' or keyword fields "
                          "such as hour=8, minute=0")
    if expr is not None and not isinstance(expr, str):
        raise CronError(f"cron expression must be a string, got {expr!r}", expr=str(expr))
    text = expr.strip() if expr is not None else fields_to_crontab(fields)
    validate_cron(text)
    return CronTrigger(
        expr=text,
        timezone=check_timezone(timezone, f"cron({text!r})"),
        start=parse_instant(start_date, "start_date"),
        end=parse_instant(end_date, "end_date"),
        jitter=_jitter(jitter),
    )


def interval(
    seconds: float | timedelta = 0,
    minutes: float = 0,
    hours: float = 0,
    days: float = 0,
    weeks: float = 0,
    *,
    start_date: DateLike | None = None,
    end_date: DateLike | None = None,
    jitter: float = 0,
    timezone: str | None = None,
) -> IntervalTrigger:
    """A trigger firing every period, anchored at ``start_date`` (or the epoch).

    ``interval(seconds=30)``, ``interval(minutes=5, start_date="2026-01-22 00:00:00")``,
    ``interval(timedelta(hours=1))``.

    Raises:
        ConfigError: the period is not positive, or a bad date/zone/jitter.
    """
    base = seconds.total_seconds() if isinstance(seconds, timedelta) else float(seconds)
    total = base + 60 * minutes + 3600 * hours + 86400 * days + 604800 * weeks
    if total <= 0:
        raise ConfigError(
            f"interval(): the period must be positive, got {total:g} seconds; "
            "give e.g. seconds=30 or minutes=5"
        )
    return IntervalTrigger(
        seconds=total,
        timezone=check_timezone(timezone, "interval()"),
        start=parse_instant(start_date, "start_date"),
        end=parse_instant(end_date, "end_date"),
        jitter=_jitter(jitter),
    )


def once(run_date: DateLike, *, timezone: str | None = None) -> OnceTrigger:
    """A trigger firing once at ``run_date`` (a naive value is read in the job's zone).

    ``once("2026-12-31 23:59:59")``, ``once(datetime.now() + timedelta(minutes=5))``.

    Raises:
        ConfigError: ``run_date`` is not a date-time, or the zone is unknown.
    """
    at = parse_instant(run_date, "once(run_date)")
    if at is None:
        raise ConfigError("once(): run_date is required, e.g. once('2026-12-31 23:59:59')")
    return OnceTrigger(at=at, timezone=check_timezone(timezone, "once()"))


def _jitter(value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(f"jitter: expected a number of seconds >= 0, got {value!r}")
    return float(value)


def as_trigger_list(
    trigger: TriggerSpec | None, triggers: Iterable[TriggerSpec] | None, where: str
) -> list[TriggerSpec]:
    """Join the ``trigger=`` and ``triggers=`` arguments into one checked list.

    Raises:
        ConfigError: an item is not a trigger (e.g. a bare cron string instead of ``cron(...)``).
    """
    items = ([trigger] if trigger is not None else []) + list(triggers or ())
    for item in items:
        if not isinstance(item, CronTrigger | IntervalTrigger | OnceTrigger | StartupTrigger):
            hint = f"; write cron({item!r})" if isinstance(item, str) else ""
            raise ConfigError(f"{where}: {item!r} is not a trigger{hint}")
    return items
