"""Trigger helpers: cron(), interval(), once() build the core trigger specs."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from ysched_tui import ConfigError, CronError, cron, interval, once
from ysched_tui.core.triggers import CronTrigger, IntervalTrigger, OnceTrigger


def test_cron_keeps_a_five_field_expression() -> None:
    """A crontab string is validated and kept as written."""
    assert cron("0 8 * * *") == CronTrigger(expr="0 8 * * *")


def test_cron_accepts_seconds_first_and_macros() -> None:
    """The 6-field form (seconds first) and @macros are valid."""
    assert cron("0 30 9 * * MON-FRI").expr == "0 30 9 * * MON-FRI"
    assert cron("@daily").expr == "@daily"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"hour": 8, "minute": 0}, "0 8 * * *"),
        ({"hour": 8}, "0 8 * * *"),
        ({"day_of_week": "mon-fri", "hour": 9}, "0 9 * * mon-fri"),
        ({"day": 1, "hour": 0, "minute": 0}, "0 0 1 * *"),
        ({"month": 6}, "0 0 1 6 *"),
        ({"minute": "*/5"}, "*/5 * * * *"),
        ({"second": 30}, "30 * * * * *"),
        ({"hour": [9, 14, 18]}, "0 9,14,18 * * *"),
        ({"day_of_week": "sun", "minute": 15}, "15 * * * sun"),
    ],
)
def test_keyword_cron_fields_become_a_crontab_string(fields: dict[str, Any], expected: str) -> None:
    """Keyword fields default later fields to their minimum and earlier ones to '*'."""
    assert cron(**fields).expr == expected


def test_bad_cron_string_raises_cron_error_naming_the_field() -> None:
    """An invalid expression is a CronError whose field names the bad part."""
    with pytest.raises(CronError) as info:
        cron("0 25 * * *")
    assert info.value.field == "hour"


def test_bad_keyword_cron_field_raises_cron_error() -> None:
    """A keyword field out of range is caught by the same validation."""
    with pytest.raises(CronError, match="minute"):
        cron(minute=75)


def test_cron_needs_exactly_one_of_expression_and_fields() -> None:
    """Both or neither of an expression and fields is a ConfigError saying so."""
    with pytest.raises(ConfigError, match="not both"):
        cron("0 8 * * *", hour=8)
    with pytest.raises(ConfigError, match="give an expression"):
        cron()


def test_cron_carries_zone_dates_and_jitter() -> None:
    """timezone, start_date, end_date and jitter land on the trigger spec."""
    trigger = cron("0 8 * * *", timezone="Europe/Berlin", start_date="2026-01-01",
                   end_date=date(2026, 12, 31), jitter=5)
    assert trigger.timezone == "Europe/Berlin"
    assert trigger.start == datetime(2026, 1, 1)
    assert trigger.end == datetime(2026, 12, 31)
    assert trigger.jitter == 5.0


def test_unknown_time_zone_is_named() -> None:
    """An unknown zone is a ConfigError quoting it."""
    with pytest.raises(ConfigError, match="Mars/Olympus"):
        cron("0 8 * * *", timezone="Mars/Olympus")


def test_interval_adds_up_its_units() -> None:
    """interval() sums seconds, minutes, hours, days and weeks into one period."""
    assert interval(minutes=5) == IntervalTrigger(seconds=300)
    assert interval(seconds=30, minutes=1, hours=1, days=1, weeks=1).seconds == (
        30 + 60 + 3600 + 86400 + 604800
    )
    assert interval(timedelta(hours=2)).seconds == 7200


def test_interval_start_date_from_a_string() -> None:
    """start_date accepts 'YYYY-MM-DD HH:MM:SS' text."""
    trigger = interval(hours=1, start_date="2026-01-22 00:00:00")
    assert trigger.start == datetime(2026, 1, 22)


def test_interval_must_be_positive() -> None:
    """A zero period is refused with a hint."""
    with pytest.raises(ConfigError, match="must be positive"):
        interval()


def test_once_reads_strings_and_datetimes() -> None:
    """once() takes a 'YYYY-MM-DD HH:MM:SS' string or a datetime."""
    assert once("2026-01-22 10:00:00") == OnceTrigger(at=datetime(2026, 1, 22, 10))
    moment = datetime(2026, 12, 31, 23, 59, 59)
    assert once(run_date=moment).at == moment


def test_once_rejects_text_that_is_not_a_date() -> None:
    """A bad run_date is a ConfigError quoting it."""
    with pytest.raises(ConfigError, match="'tomorrow'"):
        once("tomorrow")
