"""DST: a skipped wall time fires once at the change; a repeated one once unless cron(8) would
run it through the repeated hour (minute or hour field starting with '*').

2026 changes: Europe/Berlin 03-29 (02:00 -> 03:00) and 10-25 (03:00 -> 02:00);
America/New_York 03-08 (02:00 -> 03:00) and 11-01 (02:00 -> 01:00).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from ysched_tui.core.schedule import fire_times, fires_between, next_fire
from ysched_tui.core.triggers import CronTrigger, OnceTrigger

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"


def fires(expr: str, zone: str, after: datetime, n: int) -> list[str]:
    """ISO times (with offsets) of the next ``n`` fires; ``after`` naive = wall time in zone."""
    trigger = CronTrigger(expr=expr, timezone=zone)
    return [f.isoformat() for f in fire_times([trigger], after, n, default_tz=zone)]


@pytest.mark.parametrize(
    ("expr", "zone", "after", "expected"),
    [
        # A fixed time inside the gap fires once, right after the change.
        ("30 2 * * *", BERLIN, datetime(2026, 3, 28, 12),
         ["2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00"]),
        ("30 2 * * *", NEW_YORK, datetime(2026, 3, 7, 12),
         ["2026-03-08T03:00:00-04:00", "2026-03-09T02:30:00-04:00"]),
        # Several skipped times collapse into one fire; 03:00 itself is not doubled.
        ("0,30 2,3 * * *", BERLIN, datetime(2026, 3, 29, 1),
         ["2026-03-29T03:00:00+02:00", "2026-03-29T03:30:00+02:00"]),
        # Every-15-minutes: 01:45 CET, then 03:00 CEST, nothing in between, nothing twice.
        ("*/15 * * * *", BERLIN, datetime(2026, 3, 29, 1, 30),
         ["2026-03-29T01:45:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-29T03:15:00+02:00"]),
        ("*/15 * * * *", NEW_YORK, datetime(2026, 3, 8, 1, 30),
         ["2026-03-08T01:45:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-08T03:15:00-04:00"]),
        # A minutely job limited to the missing hour still fires once that day.
        ("*/15 2 * * *", BERLIN, datetime(2026, 3, 29),
         ["2026-03-29T03:00:00+02:00", "2026-03-30T02:00:00+02:00"]),
        ("0 * * * *", NEW_YORK, datetime(2026, 3, 8, 0, 30),
         ["2026-03-08T01:00:00-05:00", "2026-03-08T03:00:00-04:00"]),
        # Seconds form inside the gap.
        ("0 30 2 * * *", BERLIN, datetime(2026, 3, 29),
         ["2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00"]),
    ],
)
def test_spring_forward(expr: str, zone: str, after: datetime, expected: list[str]) -> None:
    """A wall time skipped by spring-forward fires once, at the instant of the change."""
    assert fires(expr, zone, after, len(expected)) == expected


@pytest.mark.parametrize(
    ("expr", "zone", "after", "expected"),
    [
        # A fixed time in the repeated hour fires once: the first occurrence.
        ("30 2 * * *", BERLIN, datetime(2026, 10, 24, 12),
         ["2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"]),
        ("30 1 * * *", NEW_YORK, datetime(2026, 10, 31, 12),
         ["2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"]),
        ("0 30 1 * * *", NEW_YORK, datetime(2026, 10, 31, 12),
         ["2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"]),
        # Wildcard-hour jobs run through the repeated hour, like cronie.
        ("0 * * * *", BERLIN, datetime(2026, 10, 25, 0, 30),
         ["2026-10-25T01:00:00+02:00", "2026-10-25T02:00:00+02:00",
          "2026-10-25T02:00:00+01:00", "2026-10-25T03:00:00+01:00"]),
        ("*/30 * * * *", NEW_YORK, datetime(2026, 11, 1, 0, 45),
         ["2026-11-01T01:00:00-04:00", "2026-11-01T01:30:00-04:00",
          "2026-11-01T01:00:00-05:00", "2026-11-01T01:30:00-05:00",
          "2026-11-01T02:00:00-05:00"]),
        # A wildcard minute in a fixed hour is also a cron(8) "wildcard" job.
        ("*/20 2 * * *", BERLIN, datetime(2026, 10, 25, 1),
         ["2026-10-25T02:00:00+02:00", "2026-10-25T02:20:00+02:00", "2026-10-25T02:40:00+02:00",
          "2026-10-25T02:00:00+01:00", "2026-10-25T02:20:00+01:00", "2026-10-25T02:40:00+01:00",
          "2026-10-26T02:00:00+01:00"]),
    ],
)
def test_fall_back(expr: str, zone: str, after: datetime, expected: list[str]) -> None:
    """A repeated wall time fires once, except minute/hour-wildcard jobs, which fire each time."""
    assert fires(expr, zone, after, len(expected)) == expected


@pytest.mark.parametrize(
    ("after_utc", "expected"),
    [
        (datetime(2026, 10, 25, 0, 59, tzinfo=UTC), "2026-10-25T02:00:00+01:00"),  # 02:59 CEST
        (datetime(2026, 10, 25, 0, 0, tzinfo=UTC), "2026-10-25T02:00:00+01:00"),  # 02:00 CEST
        (datetime(2026, 10, 25, 1, 0, tzinfo=UTC), "2026-10-25T03:00:00+01:00"),  # 02:00 CET
        (datetime(2026, 10, 24, 23, 30, tzinfo=UTC), "2026-10-25T02:00:00+02:00"),  # 01:30 CEST
    ],
)
def test_fall_back_from_inside_the_repeated_hour(after_utc: datetime, expected: str) -> None:
    """From any instant of a repeated hour the next hourly fire is the next real hour."""
    found = next_fire(CronTrigger(expr="0 * * * *"), after_utc, default_tz=BERLIN)
    assert found is not None and found.isoformat() == expected


def test_fixed_time_not_repeated_from_inside_second_pass() -> None:
    """Starting in the second 02:xx pass, `30 2 * * *` next fires the following day."""
    after = datetime(2026, 10, 25, 1, 10, tzinfo=UTC)  # 02:10 CET, second pass
    found = next_fire(CronTrigger(expr="30 2 * * *"), after, default_tz=BERLIN)
    assert found is not None and found.isoformat() == "2026-10-26T02:30:00+01:00"


@pytest.mark.parametrize(
    ("zone", "day", "count"),
    [
        (BERLIN, datetime(2026, 3, 29), 144 - 6),
        (BERLIN, datetime(2026, 10, 25), 144 + 6),
        (NEW_YORK, datetime(2026, 3, 8), 144 - 6),
        (NEW_YORK, datetime(2026, 11, 1), 144 + 6),
    ],
)
def test_every_ten_minutes_is_ten_real_minutes_on_change_days(
    zone: str, day: datetime, count: int
) -> None:
    """On change days `*/10 * * * *` fires every 600 real seconds: 138 or 150 fires that day."""
    trigger = CronTrigger(expr="*/10 * * * *", timezone=zone)
    start = day - timedelta(seconds=1)
    end = day + timedelta(days=1) - timedelta(seconds=1)
    got = fires_between([trigger], start, end, default_tz=zone)
    instants = [f.astimezone(UTC) for f in got]
    gaps = {(b - a).total_seconds() for a, b in pairwise(instants)}
    assert gaps == {600}
    assert len(instants) == count


def test_daily_job_fires_once_per_day_across_a_year() -> None:
    """`30 2 * * *` in Berlin fires exactly once on each of 2026's 365 days."""
    trigger = CronTrigger(expr="30 2 * * *", timezone=BERLIN)
    got = fires_between(
        [trigger], datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC),
        default_tz=BERLIN,
    )
    assert len({f.date() for f in got}) == len(got) == 365


def test_once_in_the_gap_fires_at_the_change() -> None:
    """A one-shot naive time that does not exist fires at the change, like a cron time."""
    trigger = OnceTrigger(at=datetime(2026, 3, 8, 2, 30), timezone=NEW_YORK)
    found = next_fire(trigger, datetime(2026, 1, 1, tzinfo=UTC), default_tz="UTC")
    assert found is not None and found.isoformat() == "2026-03-08T03:00:00-04:00"
