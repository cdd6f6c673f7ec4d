"""An independent reading of a crontab time spec as cronie does it, for use as a test oracle.

Written from cronie's ``entry.c`` (``get_list``/``get_range``/``get_number``: each item sets a
bit per value from its first to its last value in steps; ``*`` sets all; names compare without
case; day-of-week 7 and 0 are both Sunday; a field *starting* with ``*`` sets DOM_STAR or
DOW_STAR; the macros set the same bits and flags) and ``cron.c:find_jobs`` (a minute fires when
minute, hour and month match and, with DOM_STAR or DOW_STAR, both day fields match, otherwise
either). It shares no code with the scheduler or croniter, and walks the calendar day by day.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")
_BOUNDS = ((0, 59, ()), (0, 23, ()), (1, 31, ()), (1, 12, _MONTHS), (0, 7, _DAYS))
_MACROS = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
           "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
           "@hourly": "0 * * * *"}


def _number(token: str, low: int, names: tuple[str, ...]) -> int:
    if token.isdigit():
        return int(token)
    return [n.lower() for n in names].index(token.lower()) + low


def _field(text: str, low: int, high: int, names: tuple[str, ...]) -> set[int]:
    bits: set[int] = set()
    for item in text.split(","):
        body, _, step_text = item.partition("/")
        step = int(step_text) if step_text else 1
        if body == "*":
            first, last = low, high
        else:
            a, _, b = body.partition("-")
            first = _number(a, low, names)
            last = _number(b, low, names) if b else first
            if first > last and last == 0:
                last = 7  # cronie's "fri-sun"
        assert step > 0 and low <= first <= high and low <= last <= high, item
        bits.update(range(first, last + 1, step))
    return bits


class CronieSpec:
    """Five time fields (or a macro) as cronie's bit sets and DOM_STAR/DOW_STAR flags."""

    def __init__(self, schedule: str) -> None:
        fields = _MACROS.get(schedule, schedule).split()
        assert len(fields) == 5, schedule
        minute, hour, dom, month, dow = (
            _field(text, low, high, names)
            for text, (low, high, names) in zip(fields, _BOUNDS, strict=True))
        self.minutes, self.hours, self.doms, self.months = minute, hour, dom, month
        self.dows = {d % 7 for d in dow}
        self.day_star = fields[2].startswith("*") or fields[4].startswith("*")

    def day_matches(self, day: date) -> bool:
        """Whether cron runs the entry on ``day`` at all."""
        if day.month not in self.months:
            return False
        in_dom, in_dow = day.day in self.doms, (day.weekday() + 1) % 7 in self.dows
        return (in_dom and in_dow) if self.day_star else (in_dom or in_dow)

    def next_times(self, after: datetime, n: int) -> list[datetime]:
        """The first ``n`` naive wall-clock minutes strictly after ``after`` that cron fires."""
        found: list[datetime] = []
        day = after.date()
        times = sorted((h, m) for h in self.hours for m in self.minutes)
        while len(found) < n:
            if self.day_matches(day):
                for h, m in times:
                    moment = datetime(day.year, day.month, day.day, h, m)
                    if moment > after and len(found) < n:
                        found.append(moment)
            day += timedelta(days=1)
            assert day.year < after.year + 500, "never fires"
        return found

