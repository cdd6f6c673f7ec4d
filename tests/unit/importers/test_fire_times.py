"""Every imported job fires at exactly the times cron would fire the original crontab line.

The project's schedule functions (:func:`ysched_tui.core.schedule.fire_times`) are compared with
croniter evaluating the line as written (and, in test_cronie_oracle.py, with an independent
reading of cronie's own rules). croniter runs with ``day_or=True`` (crontab(5): when
both day fields are restricted, either matching fires) and ``implement_cron_bug=True``: cron(8)
ANDs the day fields when either one *starts* with ``*`` (``0 0 */2 * 1``), and croniter only
does that when asked. The times are compared as instants in the job's ``CRON_TZ`` zone; the
start points are chosen so that no expected time falls into a DST gap or repeated hour (checked).
croniter expands one-value ranges (``5-5``, ``7-7``, ``sun-sun``) to ``*``, so those lines are
checked against dates written by hand from crontab(5) instead.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from croniter import croniter

from ysched_tui.core.schedule import fire_times
from ysched_tui.core.triggers import CronTrigger, StartupTrigger
from ysched_tui.importers import ImportedJob

from .conftest import ALL_FILES, load

FIRES = 50
CRONITER_WRONG = {"15 6 * * 7-7", "15 7 * * sun-sun", "5-5 10 * * *", "3-3/2 11 * * *"}
"""Lines of tricky.crontab croniter reads as every minute/day: see the hand-written test."""
STARTS = (
    datetime(2026, 1, 1, tzinfo=UTC),
    datetime(2027, 12, 31, 23, 59, 30, tzinfo=UTC),  # mid-minute, a year end before a leap day
)
ALL_JOBS = [job for name in ALL_FILES for job in load(name).jobs]
CRONITER_JOBS = [job for job in ALL_JOBS if job.schedule not in CRONITER_WRONG]


def cron_times(job: ImportedJob, after: datetime, n: int) -> list[datetime]:
    """The next ``n`` times cron fires the original line, from croniter on the zone's wall clock."""
    zone = ZoneInfo(job.timezone or "UTC")
    wall_start = after.astimezone(zone).replace(tzinfo=None)
    it = croniter(job.schedule, wall_start, day_or=True, implement_cron_bug=True)
    times = []
    for _ in range(n):
        wall = it.get_next(datetime)
        aware = wall.replace(tzinfo=zone)
        assert aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall, "DST gap"
        assert wall.replace(tzinfo=zone, fold=1).utcoffset() == aware.utcoffset(), "DST fold"
        times.append(aware)
    return times


@pytest.mark.parametrize("after", STARTS, ids=lambda d: d.date().isoformat())
@pytest.mark.parametrize("job", CRONITER_JOBS,
                         ids=lambda j: f"{j.source.rsplit('/', 1)[-1]}:{j.line}")
def test_imported_job_fires_when_cron_would(job, after):
    """The imported schedule's next 50 fire times equal cron's for the original line."""
    if job.at_startup:
        assert fire_times([StartupTrigger()], after, FIRES, default_tz="UTC") == []
        return
    trigger = CronTrigger(expr=job.schedule, timezone=job.timezone)
    ours = fire_times([trigger], after, FIRES, default_tz="UTC")
    assert ours == cron_times(job, after, FIRES)


def test_the_lines_that_trip_converters_are_among_those_checked():
    """Day OR, 7 = Sunday, macros, *-prefixed day fields and zones are among the checked lines."""
    schedules = {job.schedule for job in ALL_JOBS}
    assert {"0 0 1,15 * 5", "0 7 * * 7", "@weekly", "@monthly", "@yearly", "0 0 */2 * 1",
            "45 7 * * mon-fri", "0 12 1 jan,jul *"} <= schedules
    assert {job.timezone for job in ALL_JOBS} >= {None, "America/New_York", "Europe/Berlin"}


def test_day_fields_or_and_sunday_seven_fire_on_the_right_days():
    """1st/15th OR Friday fire on all three kinds of day; 7 is Sunday; @weekly is Sunday 00:00."""
    after = STARTS[0]

    def days(expr: str, n: int) -> list[str]:
        times = fire_times([CronTrigger(expr=expr)], after, n, default_tz="UTC")
        return [t.strftime("%a %d %H:%M") for t in times]

    assert days("0 0 1,15 * 5", 5) == ["Fri 02 00:00", "Fri 09 00:00", "Thu 15 00:00",
                                       "Fri 16 00:00", "Fri 23 00:00"]
    assert days("0 7 * * 7", 2) == ["Sun 04 07:00", "Sun 11 07:00"]
    assert days("@weekly", 2) == ["Sun 04 00:00", "Sun 11 00:00"]
    assert days("0 0 */2 * 1", 3) == ["Mon 05 00:00", "Mon 19 00:00", "Mon 09 00:00"]


def test_one_value_ranges_fire_as_cron_reads_them():
    """tricky.crontab's 7-7, sun-sun (Sundays), 5-5 and 3-3/2 (one minute): dates by hand."""
    jobs = {job.schedule: job for job in load("tricky.crontab").jobs}
    assert set(jobs) >= CRONITER_WRONG

    def fires(schedule: str, n: int) -> list[str]:
        trigger = CronTrigger(expr=jobs[schedule].schedule, timezone=jobs[schedule].timezone)
        return [t.strftime("%a %m-%d %H:%M") for t in fire_times([trigger], STARTS[0], n,
                                                                  default_tz="UTC")]

    assert fires("15 6 * * 7-7", 3) == ["Sun 01-04 06:15", "Sun 01-11 06:15", "Sun 01-18 06:15"]
    assert fires("15 7 * * sun-sun", 2) == ["Sun 01-04 07:15", "Sun 01-11 07:15"]
    assert fires("5-5 10 * * *", 3) == ["Thu 01-01 10:05", "Fri 01-02 10:05", "Sat 01-03 10:05"]
    assert fires("3-3/2 11 * * *", 2) == ["Thu 01-01 11:03", "Fri 01-02 11:03"]
