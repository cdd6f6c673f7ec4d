"""Fields cron(8) reads differently from croniter: one-value ranges and a ``*`` inside a list.

The expected times are written by hand from cronie's entry.c (a range sets every bit from its
start to its end, ``*`` sets every bit, day 7 is day 0) and crontab(5)'s day rule (a field
starting with ``*`` makes both day fields have to match); croniter expands ``5-5`` to ``*`` and
keeps a listed ``*`` as a bare marker, so it is no oracle for these.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ysched_tui.core.schedule import cron_fire_times

START = datetime(2026, 1, 1, tzinfo=UTC)  # a Thursday


def days(expr: str, n: int = 4) -> list[str]:
    """The first ``n`` fire days in UTC as 'Www YYYY-MM-DD'."""
    return [f.strftime("%a %Y-%m-%d") for f in cron_fire_times(expr, n, after=START, tz="UTC")]


SUNDAYS = ["Sun 2026-01-04", "Sun 2026-01-11", "Sun 2026-01-18", "Sun 2026-01-25"]


@pytest.mark.parametrize(
    "expr", ["0 0 * * 7-7", "0 0 * * 7-7/2", "0 0 * * sun-sun", "0 0 * * 0-0", "0 0 * * 7,7"])
def test_a_range_from_sunday_to_sunday_is_sunday_alone(expr):
    """``7-7``, ``7-7/2``, ``sun-sun``, ``0-0`` are Sundays only, not every day of the week."""
    assert days(expr) == SUNDAYS


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("5-5 0 * * *", ["01-01 00:05", "01-02 00:05", "01-03 00:05"]),
        ("3-3/2 0 * * *", ["01-01 00:03", "01-02 00:03", "01-03 00:03"]),
        ("0 7-7 * * *", ["01-01 07:00", "01-02 07:00", "01-03 07:00"]),
        ("0 0 9-9 * *", ["01-09 00:00", "02-09 00:00", "03-09 00:00"]),
        ("0 0 1 mar-mar *", ["03-01 00:00", "03-01 00:00", "03-01 00:00"]),
    ],
)
def test_a_range_of_one_value_is_that_value(expr, expected):
    """``5-5`` (with or without a step) is minute 5 alone, likewise in every field."""
    fires = cron_fire_times(expr, 3, after=START, tz="UTC")
    assert [f.strftime("%m-%d %H:%M") for f in fires] == expected


def test_a_star_inside_the_day_of_month_list_means_every_day():
    """``*,1`` is every day and starts with ``*``, so with day-of-week 5 it fires every Friday."""
    assert days("0 0 *,1 * 5") == ["Fri 2026-01-02", "Fri 2026-01-09", "Fri 2026-01-16",
                                   "Fri 2026-01-23"]


def test_a_star_inside_the_day_of_week_list_means_every_weekday():
    """``*,5`` is every weekday and starts with ``*``: ``0 0 1 * *,5`` fires on every 1st."""
    assert days("0 0 1 * *,5") == ["Sun 2026-02-01", "Sun 2026-03-01", "Wed 2026-04-01",
                                   "Fri 2026-05-01"]


def test_a_star_inside_the_minute_list_means_every_minute():
    """``*,5`` in the minute field is every minute, not minute 5 alone."""
    fires = cron_fire_times("*,5 0 * * *", 3, after=START, tz="UTC")
    assert [f.strftime("%H:%M") for f in fires] == ["00:01", "00:02", "00:03"]
