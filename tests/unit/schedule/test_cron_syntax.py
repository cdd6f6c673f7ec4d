"""crontab(5) syntax: weekday numbering, names, day OR, macros, seconds-first, L, and errors."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from croniter import croniter

from ysched_tui.core.cron import compile_cron, describe_cron, validate_cron
from ysched_tui.core.schedule import cron_fire_times
from ysched_tui.errors import CronError

START = datetime(2026, 1, 1, tzinfo=UTC)  # a Thursday


def days(expr: str, n: int = 6, after: datetime = START) -> list[str]:
    """The first ``n`` fire times in UTC as 'YYYY-MM-DD HH:MM:SS'."""
    fires = cron_fire_times(expr, n, after=after, tz="UTC")
    return [f.strftime("%Y-%m-%d %H:%M:%S") for f in fires]


@pytest.mark.parametrize(
    ("expr", "same_as"),
    [
        ("0 0 * * 0", "0 0 * * 7"),
        ("0 0 * * sun", "0 0 * * 7"),
        ("0 0 * * SUN", "0 0 * * 0"),
        ("0 0 * * Mon-Fri", "0 0 * * 1-5"),
        ("0 0 * * fri-sun", "0 0 * * 5-7"),
        ("0 0 * * 5-7", "0 0 * * 0,5,6"),
        ("0 0 * * 1-7", "0 0 * * *"),
        ("0 0 1 jan *", "0 0 1 1 *"),
        ("0 0 1 JAN-MAR/2 *", "0 0 1 1,3 *"),
        ("@yearly", "0 0 1 1 *"),
        ("@annually", "0 0 1 1 *"),
        ("@monthly", "0 0 1 * *"),
        ("@weekly", "0 0 * * 0"),
        ("@daily", "0 0 * * *"),
        ("@midnight", "0 0 * * *"),
        ("@hourly", "0 * * * *"),
        ("@DAILY", "0 0 * * *"),
        ("5/15 * * * *", "5,20,35,50 * * * *"),
        ("0-59/20 * * * *", "*/20 * * * *"),
        ("0 0 * * 1-7/2", "0 0 * * 1,3,5,0"),
    ],
)
def test_equivalent_spellings_fire_alike(expr: str, same_as: str) -> None:
    """0 and 7 are Sunday, names are case-insensitive, macros mean their crontab(5) lines."""
    assert days(expr, 12) == days(same_as, 12)


def test_sunday_is_0_and_7() -> None:
    """Day-of-week 0 and 7 both fire on Sunday (2026-01-04 is one)."""
    assert days("0 0 * * 7", 2) == ["2026-01-04 00:00:00", "2026-01-11 00:00:00"]
    assert days("0 0 * * 1", 1) == ["2026-01-05 00:00:00"]


def test_day_of_month_or_day_of_week_when_both_restricted() -> None:
    """`30 4 1,15 * 5` fires on the 1st, the 15th and every Friday (crontab(5)'s example)."""
    assert days("30 4 1,15 * 5", 6) == [
        "2026-01-01 04:30:00",
        "2026-01-02 04:30:00",
        "2026-01-09 04:30:00",
        "2026-01-15 04:30:00",
        "2026-01-16 04:30:00",
        "2026-01-23 04:30:00",
    ]


def test_a_star_day_field_makes_it_and() -> None:
    """A day field starting with '*' is unrestricted, so both must match (cron(8)'s DOM_STAR)."""
    assert days("0 0 */2 * 1", 3) == [
        "2026-01-05 00:00:00",
        "2026-01-19 00:00:00",
        "2026-02-09 00:00:00",
    ]
    assert days("0 0 13 * */1", 2) == ["2026-01-13 00:00:00", "2026-02-13 00:00:00"]


def test_six_fields_put_seconds_first() -> None:
    """`0 30 9 * * MON-FRI` is 09:30:00 on weekdays; `*/20 * * * * *` every 20 seconds."""
    assert days("0 30 9 * * MON-FRI", 3) == [
        "2026-01-01 09:30:00",
        "2026-01-02 09:30:00",
        "2026-01-05 09:30:00",
    ]
    assert days("*/20 * * * * *", 3) == [
        "2026-01-01 00:00:20",
        "2026-01-01 00:00:40",
        "2026-01-01 00:01:00",
    ]
    assert days("15 0 12 * * *", 1) == ["2026-01-01 12:00:15"]


def test_l_is_the_last_day_of_the_month() -> None:
    """`L` in day-of-month is each month's last day, leap years included, also in a list."""
    after = datetime(2028, 1, 1, tzinfo=UTC)
    assert days("0 0 L * *", 3, after) == [
        "2028-01-31 00:00:00",
        "2028-02-29 00:00:00",
        "2028-03-31 00:00:00",
    ]
    assert days("0 0 1,L 2 *", 2, after) == ["2028-02-01 00:00:00", "2028-02-29 00:00:00"]


def test_strictly_after_the_start() -> None:
    """A fire exactly at the start instant is not returned; the next one is."""
    assert days("0 0 * * *", 1, datetime(2026, 1, 1, tzinfo=UTC)) == ["2026-01-02 00:00:00"]
    assert days("0 0 * * *", 1, datetime(2025, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)) == [
        "2026-01-01 00:00:00"
    ]


ORACLE_EXPRESSIONS = [
    "*/15 * * * *",
    "30 4 1,15 * 5",
    "0 0 * * 7",
    "0 0 L * *",
    "0 9-17/2 * * mon-fri",
    "0 0 29 2 *",
    "0 0 */2 * 1",
    "5/15 3 * jan,jul *",
    "0 30 9 * * MON-FRI",
    "*/7 */13 * * * *",
    "0 0 * * fri-sun",
    "59 23 31 * *",
    "0 12 * * 0,3,7",
    "1-5,40-45/2 */5 1-10 * 2",
]


@pytest.mark.parametrize("expr", ORACLE_EXPRESSIONS)
def test_matches_croniter_as_oracle(expr: str) -> None:
    """Without DST our fire times equal croniter's (cron(8) day rules: implement_cron_bug)."""
    rnd = random.Random(expr)
    six = len(expr.split()) == 6
    for _ in range(40):
        after = START + timedelta(seconds=rnd.randrange(0, 20 * 365 * 86400))
        oracle = croniter(expr, after, second_at_beginning=six, implement_cron_bug=True)
        expected = [oracle.get_next(datetime) for _ in range(3)]
        assert cron_fire_times(expr, 3, after=after, tz="UTC") == expected


@pytest.mark.parametrize(
    ("expr", "normal"),
    [
        ("  0  30 9 * *   MON-FRI ", "0 30 9 * * mon-fri"),
        ("@daily", "0 0 * * *"),
        ("0 0 L * *", "0 0 l * *"),
    ],
)
def test_validate_cron_normalizes(expr: str, normal: str) -> None:
    """validate_cron returns lower case, single spaces, macros expanded."""
    assert validate_cron(expr) == normal


@pytest.mark.parametrize(
    ("expr", "field", "message"),
    [
        ("0 0 * * 9", "day-of-week",
         "invalid day-of-week field '9' in '0 0 * * 9': expected 0-7 or sun-sat"),
        ("0 0 * * 8", "day-of-week", "expected 0-7 or sun-sat"),
        ("60 * * * *", "minute", "invalid minute field '60' in '60 * * * *': expected 0-59"),
        ("0 24 * * *", "hour", "invalid hour field '24' in '0 24 * * *': expected 0-23"),
        ("0 0 0 * *", "day-of-month",
         "invalid day-of-month field '0' in '0 0 0 * *': expected 1-31 or L"),
        ("0 0 * 13 *", "month",
         "invalid month field '13' in '0 0 * 13 *': expected 1-12 or jan-dec"),
        ("0 0 * foo *", "month", "invalid month field 'foo'"),
        ("61 0 0 * * *", "second", "invalid second field '61' in '61 0 0 * * *': expected 0-59"),
        ("5-1 * * * *", "minute", "the range 5-1 runs backwards"),
        ("0 0 * * sat-mon", "day-of-week", "the range sat-mon runs backwards"),
        ("*/0 * * * *", "minute", "a step must be 1 or more"),
        ("1,,2 * * * *", "minute", "an empty list item"),
        ("0 0 * * 5#3", "day-of-week", "invalid day-of-week field '5#3'"),
        ("0 0 * * L5", "day-of-week", "invalid day-of-week field 'L5'"),
        ("0 0 15W * *", "day-of-month", "invalid day-of-month field '15W'"),
        ("0 0 L-2 * *", "day-of-month", "invalid day-of-month field 'L-2'"),
        ("H * * * *", "minute", "invalid minute field 'H'"),
        ("0 0 * * ?", "day-of-week", "invalid day-of-week field '?'"),
        ("0 0 30 2 *", "day-of-month", "so it would never fire"),
        ("0 0 31 4,6 *", "day-of-month", "invalid day-of-month field '31'"),
    ],
)
def test_invalid_fields_are_named(expr: str, field: str, message: str) -> None:
    """Each invalid expression raises CronError whose .field and message name the bad field."""
    with pytest.raises(CronError) as info:
        validate_cron(expr)
    assert info.value.field == field
    assert message in str(info.value)
    assert info.value.expr == expr


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("* * * *", "it has 4 fields, expected 5 (minute hour day-of-month month day-of-week)"),
        ("0 0 * * * * 2026", "it has 7 fields"),
        ("", "it has 0 fields"),
        ("@reboot", "runs at start-up, not at a time"),
        ("@fortnightly", "unknown cron macro '@fortnightly': expected one of @yearly"),
    ],
)
def test_invalid_shapes(expr: str, message: str) -> None:
    """Wrong field counts, @reboot and unknown macros are rejected with what was expected."""
    with pytest.raises(CronError) as info:
        validate_cron(expr)
    assert message in str(info.value)
    assert info.value.field is None


def test_thirtieth_of_february_is_fine_when_day_of_week_may_fire() -> None:
    """`0 0 30 2 1` is OR: it fires on Mondays in February, so it is valid."""
    assert days("0 0 30 2 1", 1) == ["2026-02-02 00:00:00"]


def test_compiled_flags() -> None:
    """wildcard_time follows cron(8): a minute or hour field starting with '*'."""
    assert compile_cron("*/15 2 * * *").wildcard_time
    assert compile_cron("0 * * * *").wildcard_time
    assert not compile_cron("30 2 * * *").wildcard_time
    assert not compile_cron("*/10 30 2 * * *").wildcard_time
    assert compile_cron("30 4 1,15 * 5").day_or
    assert not compile_cron("0 0 */2 * 1").day_or


@pytest.mark.parametrize(
    ("expr", "words"),
    [
        ("30 2 * * *", "At 02:30"),
        ("0 30 9 * * MON-FRI", "At 09:30, Monday through Friday"),
        ("@daily", "At 00:00"),
        ("0 0 L * *", "At 00:00, on the last day of the month"),
        ("*/15 * * * *", "Every 15 minutes"),
        ("30 4 1,15 * 5", "At 04:30, on day 1 and 15 of the month, or on Friday"),
        ("0 0 */2 * 1", "At 00:00, every 2 days, and only on Monday"),
        ("0 0 * * 7", "At 00:00, only on Sunday"),
    ],
)
def test_describe_cron(expr: str, words: str) -> None:
    """Descriptions use a 24-hour clock, read seconds first, and say 'and' where cron ANDs."""
    assert describe_cron(expr) == words
