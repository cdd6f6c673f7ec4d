"""Cron expressions as crontab(5) means them: validation with precise messages, and matching.

Users paste lines from crontabs, so the rules are cronie's/Vixie cron's, not APScheduler's:

* Fields ``minute hour day-of-month month day-of-week``; a 6-field form puts **seconds first**
  (``0 30 9 * * MON-FRI`` = 09:30:00 on weekdays; croniter's own 6-field form puts seconds last,
  so we hand it ``second_at_beginning=True``).
* Numbers, names (``jan``-``dec``, ``sun``-``sat``, any case), ``*``, ranges ``a-b``, steps
  ``*/n`` ``a-b/n`` ``a/n`` (= ``a-max/n``), lists. 0 and 7 are both Sunday; a day-of-week range
  ending in Sunday may be written ``fri-sun`` (read as ``5-7``). Other backward ranges are errors.
* Day-of-month and day-of-week: when both are *restricted* - neither field starts with ``*`` -
  a day matching either fires (``30 4 1,15 * 5`` = the 1st, the 15th and every Friday). When
  either starts with ``*`` (``*/2``), both must match, exactly as cron(8) does (its "DOM_STAR"
  flag; croniter calls this ``implement_cron_bug``) and as crontab(5) defines "restricted".
* Macros ``@yearly @annually @monthly @weekly @daily @midnight @hourly``. ``@reboot`` is not a
  time and is rejected here.
* ``L`` in day-of-month (alone or in a list) is the last day of the month (an extension).
  Other croniter extensions (``#``, ``W``, ``L5``, ``H``, ``R``, ``?``, a year field) are rejected:
  they are not cron, and random ones could not be previewed.

Validation is ours (for messages naming the field); expansion of a valid field into its values is
croniter's :meth:`croniter.expand`. Fire times are then found by :meth:`CronSchedule.next_after`,
a small matcher over those expanded sets working on naive wall-clock times; time zones and DST are
layered on top in :mod:`ysched_tui.core.schedule`. croniter's own ``get_next`` costs 40-130 us
and fires a fall-back hour twice, so it serves as the test oracle rather than the firing path.
"""

from __future__ import annotations

import calendar
import re
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from croniter import croniter

from ysched_tui.errors import CronError

__all__ = ["MACROS", "CronSchedule", "compile_cron", "describe_cron", "validate_cron"]

MACROS: dict[str, str] = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
"""The time macros of crontab(5) and the 5-field expressions they stand for."""

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_SEARCH_YEARS = 400
"""The Gregorian calendar repeats every 400 years; no match within that means none ever."""


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    low: int
    high: int
    expected: str
    names: tuple[str, ...] = ()
    name_base: int = 0


_SECOND = _Field("second", 0, 59, "0-59")
_MINUTE = _Field("minute", 0, 59, "0-59")
_HOUR = _Field("hour", 0, 23, "0-23")
_DOM = _Field("day-of-month", 1, 31, "1-31 or L")
_MONTH = _Field("month", 1, 12, "1-12 or jan-dec", _MONTHS, 1)
_DOW = _Field("day-of-week", 0, 7, "0-7 or sun-sat", _DAYS, 0)
_FIELDS_5 = (_MINUTE, _HOUR, _DOM, _MONTH, _DOW)
_FIELDS_6 = (_SECOND, *_FIELDS_5)

_ITEM_RE = re.compile(r"^(?:(\*)|([a-z0-9]+)(?:-([a-z0-9]+))?)(?:/([0-9]+))?$")


def _bad(field: _Field, text: str, expr: str, why: str = "") -> CronError:
    detail = why or f"expected {field.expected}"
    msg = f"invalid {field.name} field {text!r} in {expr!r}: {detail}"
    return CronError(msg, expr=expr, field=field.name)


def _value(field: _Field, token: str, text: str, expr: str) -> int:
    """One number or name of a field, range-checked."""
    if token.isdigit():
        number = int(token)
    elif token in field.names:
        number = field.names.index(token) + field.name_base
    else:
        raise _bad(field, text, expr)
    if not field.low <= number <= field.high:
        raise _bad(field, text, expr)
    return number


def _check_item(field: _Field, item: str, text: str, expr: str) -> str:
    """Validate one list item and return it in numeric form for croniter."""
    if item == "l" and field is _DOM:
        return "l"
    match = _ITEM_RE.match(item)
    if match is None:
        raise _bad(field, text, expr)
    star, first, last, step = match.groups()
    if step is not None and int(step) == 0:
        raise _bad(field, text, expr, "a step must be 1 or more")
    if star:
        return item
    low = _value(field, first, text, expr)
    if last is None:
        return f"{low}-{field.high if field is not _DOW else 6}/{step}" if step else str(low)
    high = _value(field, last, text, expr)
    if field is _DOW and high == 0 and low > 0:
        high = 7  # "fri-sun": Sunday at the end of a range is day 7 ("sun-sun" stays 0-0)
    if low == high:  # "5-5", "7-7", "3-3/2": that one value (croniter expands them to "*")
        return str(low % 7 if field is _DOW else low)
    if high < low:
        raise _bad(field, text, expr, f"the range {first}-{last} runs backwards")
    return f"{low}-{high}" + (f"/{step}" if step else "")


def _check_field(field: _Field, text: str, expr: str) -> str:
    """Validate one field (``text`` as the user wrote it) and return its numeric form."""
    items = text.lower().split(",")
    if any(not item for item in items):
        raise _bad(field, text, expr, "an empty list item")
    return ",".join(_check_item(field, item, text, expr) for item in items)


@dataclass(frozen=True, slots=True)
class CronSchedule:
    """A validated expression expanded into the values each field allows.

    Attributes:
        expr: the normalized expression (lower case, single spaces, macros expanded).
        seconds, minutes, hours: sorted allowed values (``seconds`` is ``(0,)`` for 5 fields).
        days: allowed days of the month; ``last_day`` adds the month's last day (``L``).
        months: allowed months 1-12.
        weekdays: allowed days of the week, 0 = Sunday .. 6 = Saturday.
        day_or: day-of-month OR day-of-week (both restricted); otherwise both must match.
        wildcard_time: the minute or hour field starts with ``*``: cron(8) runs such jobs at
            every real instant through a repeated fall-back hour (its MIN_STAR/HR_STAR jobs).
        has_seconds: the 6-field form, resolving to the second rather than the minute.
    """

    expr: str
    seconds: tuple[int, ...]
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days: frozenset[int]
    last_day: bool
    months: frozenset[int]
    weekdays: frozenset[int]
    day_or: bool
    wildcard_time: bool
    has_seconds: bool

    def _day_matches(self, day: int, weekday: int, month_length: int) -> bool:
        in_dom = day in self.days or (self.last_day and day == month_length)
        in_dow = weekday in self.weekdays
        return (in_dom or in_dow) if self.day_or else (in_dom and in_dow)

    def _time_from(self, hour: int, minute: int, second: int) -> tuple[int, int, int] | None:
        """The first allowed (hour, minute, second) at or after the given one, in one day."""
        hours, minutes, seconds = self.hours, self.minutes, self.seconds
        i = bisect_left(hours, hour)
        if i < len(hours) and hours[i] == hour:
            j = bisect_left(minutes, minute)
            if j < len(minutes) and minutes[j] == minute:
                k = bisect_left(seconds, second)
                if k < len(seconds):
                    return hour, minute, seconds[k]
                j += 1
            if j < len(minutes):
                return hour, minutes[j], seconds[0]
            i += 1
        if i < len(hours):
            return hours[i], minutes[0], seconds[0]
        return None

    def next_after(self, wall: datetime) -> datetime | None:
        """The first naive wall-clock time strictly after ``wall`` that the expression matches.

        Args:
            wall: a naive wall-clock time (any tzinfo is ignored).

        Returns:
            The match, or ``None`` when there is none within 400 years.
        """
        step = timedelta(seconds=1) if self.has_seconds else timedelta(minutes=1)
        start = wall.replace(tzinfo=None, microsecond=0) + step
        if not self.has_seconds:
            start = start.replace(second=0)
        year, month, day = start.year, start.month, start.day
        while year <= start.year + _SEARCH_YEARS:
            if month in self.months:
                found = self._scan_month(year, month, day, start)
                if found is not None:
                    return found
            year, month, day = (year + 1, 1, 1) if month == 12 else (year, month + 1, 1)
            if year > 9999:
                return None
        return None

    def _scan_month(self, year: int, month: int, day: int, start: datetime) -> datetime | None:
        length = calendar.monthrange(year, month)[1]
        weekday = (date(year, month, day).weekday() + 1) % 7
        for d in range(day, length + 1):
            if self._day_matches(d, weekday, length):
                same_day = (year, month, d) == (start.year, start.month, start.day)
                hms = self._time_from(start.hour, start.minute, start.second) if same_day else (
                    self.hours[0], self.minutes[0], self.seconds[0])
                if hms is not None:
                    return datetime(year, month, d, *hms)
            weekday = (weekday + 1) % 7
        return None


def _values(expanded: list[int | str], field: _Field) -> tuple[int, ...]:
    if "*" in expanded:  # "*,1": croniter keeps the star as is, and it means every value
        return tuple(range(field.low, 7 if field is _DOW else field.high + 1))
    return tuple(sorted({v for v in expanded if isinstance(v, int)}))


def _never_fires(schedule: CronSchedule) -> bool:
    """Whether no allowed day-of-month ever occurs in an allowed month (``30 2``)."""
    if schedule.day_or or schedule.last_day:
        return False
    longest = max(29 if m == 2 else calendar.monthrange(2001, m)[1] for m in schedule.months)
    return min(schedule.days) > longest


def _split(expr: str) -> list[str]:
    """Split ``expr`` into its fields as written (macros expanded)."""
    text = " ".join(expr.split())
    if text.startswith("@"):
        text = text.lower()
        if text == "@reboot":
            raise CronError(
                f"{expr!r} runs at start-up, not at a time, so it is not a schedule: "
                "use a time expression or a macro such as @daily",
                expr=expr,
            )
        if text not in MACROS:
            names = " ".join(MACROS)
            raise CronError(f"unknown cron macro {expr!r}: expected one of {names}", expr=expr)
        text = MACROS[text]
    fields = text.split(" ") if text else []
    if len(fields) not in (5, 6):
        raise CronError(
            f"invalid cron expression {expr!r}: it has {len(fields)} fields, expected 5 "
            "(minute hour day-of-month month day-of-week), 6 with seconds first, "
            "or a macro such as @daily",
            expr=expr,
        )
    return fields


@lru_cache(maxsize=32768)
def compile_cron(expr: str) -> CronSchedule:
    """Validate and expand an expression; cached, so each distinct text is parsed once.

    Raises:
        CronError: naming the bad field (``.field``) and what it accepts.
    """
    fields = _split(expr)
    specs = _FIELDS_6 if len(fields) == 6 else _FIELDS_5
    numeric = [_check_field(spec, f, expr) for spec, f in zip(specs, fields, strict=True)]
    try:
        expanded, _nth = croniter.expand(" ".join(numeric), second_at_beginning=len(fields) == 6)
    except ValueError as exc:  # croniter refused what we accepted: still a clear CronError
        raise CronError(f"invalid cron expression {expr!r}: {exc}", expr=expr) from exc
    by_name = dict(zip([s.name for s in specs], fields, strict=True))
    seconds = _values(expanded[5], _SECOND) if len(fields) == 6 else (0,)
    dom_star, dow_star = by_name["day-of-month"][0] == "*", by_name["day-of-week"][0] == "*"
    schedule = CronSchedule(
        expr=" ".join(fields).lower(),
        seconds=seconds,
        minutes=_values(expanded[0], _MINUTE),
        hours=_values(expanded[1], _HOUR),
        days=frozenset(_values(expanded[2], _DOM)),
        last_day="l" in expanded[2],
        months=frozenset(_values(expanded[3], _MONTH)),
        weekdays=frozenset(_values(expanded[4], _DOW)),
        day_or=not dom_star and not dow_star,
        wildcard_time=by_name["minute"][0] == "*" or by_name["hour"][0] == "*",
        has_seconds=len(fields) == 6,
    )
    if _never_fires(schedule):
        raise _bad(_DOM, by_name["day-of-month"], expr,
                   "no such day occurs in the allowed months, so it would never fire")
    return schedule


def validate_cron(expr: str) -> str:
    """Check a cron expression and return its normalized form.

    Args:
        expr: 5 fields, 6 with seconds first, or a macro; see the module docstring.

    Returns:
        The expression in lower case with single spaces and macros expanded
        (``"@daily"`` -> ``"0 0 * * *"``, ``"0 30 9 * * MON-FRI"`` -> ``"0 30 9 * * mon-fri"``).

    Raises:
        CronError: e.g. ``invalid day-of-week field '9' in '0 0 * * 9': expected 0-7 or
            sun-sat``, with ``.field`` set to the bad field's name.
    """
    return compile_cron(expr).expr


@lru_cache(maxsize=4096)
def describe_cron(expr: str) -> str:
    """Say in words when an expression fires (cron-descriptor, 24-hour clock).

    Raises:
        CronError: for an invalid expression.
    """
    from cron_descriptor import ExpressionDescriptor, Options

    schedule = compile_cron(expr)
    options = Options()
    options.use_24hour_time_format = True
    text: str = ExpressionDescriptor(schedule.expr.upper(), options).get_description()
    fields = schedule.expr.split(" ")[-3::2]  # day-of-month, day-of-week
    if not schedule.day_or and fields[0] != "*" and fields[1] != "*":
        text = text.replace(", or on ", ", and only on ")  # cron(8) ANDs a "*/n" day field
    return text
