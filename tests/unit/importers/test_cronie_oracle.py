"""Every imported job's next 50 fires equal those of cronie's own rules for the original line.

The oracle (:mod:`.cronie_oracle`) reads the line's time fields as cronie's entry.c does and
matches days as its cron.c does, walking the calendar; it shares no code with the scheduler or
croniter, so the lines croniter misreads are checked here too. Times are wall-clock times in
the job's ``CRON_TZ`` zone; the fixtures keep zoned jobs away from DST changes (checked).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from ysched_tui.core.schedule import fire_times
from ysched_tui.core.triggers import CronTrigger

from .conftest import ALL_FILES, load
from .cronie_oracle import CronieSpec

FIRES = 50
STARTS = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 12, 31, 23, 59, 30, tzinfo=UTC))
TIMED_JOBS = [job for name in ALL_FILES for job in load(name).jobs if not job.at_startup]


@pytest.mark.parametrize("after", STARTS, ids=lambda d: d.date().isoformat())
@pytest.mark.parametrize("job", TIMED_JOBS,
                         ids=lambda j: f"{j.source.rsplit('/', 1)[-1]}:{j.line}")
def test_imported_job_fires_when_cronie_would(job, after):
    """The imported schedule's next 50 fires are the minutes cronie's rules pick, in order."""
    zone = ZoneInfo(job.timezone or "UTC")
    wall_after = after.astimezone(zone).replace(tzinfo=None)
    expected = CronieSpec(job.schedule).next_times(wall_after, FIRES)
    trigger = CronTrigger(expr=job.schedule, timezone=job.timezone)
    ours = fire_times([trigger], after, FIRES, default_tz="UTC")
    assert [t.replace(tzinfo=None) for t in ours] == expected
    for wall in expected:  # no DST gap or fold: the wall time names one instant
        aware = wall.replace(tzinfo=zone)
        assert aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall
        assert wall.replace(tzinfo=zone, fold=1).utcoffset() == aware.utcoffset()


def test_day_rule_lines_fire_on_the_days_crontab5_names():
    """*/2 with Monday is AND (odd Mondays); 1-31/2 with Monday is OR; *,1 with Friday is AND."""
    jobs = {job.line: job for job in load("tricky.crontab").jobs}

    def days(line: int, n: int) -> list[str]:
        job = jobs[line]
        fires = fire_times([CronTrigger(expr=job.schedule)], STARTS[0], n, default_tz="UTC")
        return [t.strftime("%a %m-%d") for t in fires]

    assert days(4, 4) == ["Mon 01-05", "Mon 01-19", "Mon 02-09", "Mon 02-23"]
    assert days(6, 7) == ["Sat 01-03", "Mon 01-05", "Wed 01-07", "Fri 01-09", "Sun 01-11",
                          "Mon 01-12", "Tue 01-13"]
    assert days(14, 3) == ["Fri 01-02", "Fri 01-09", "Fri 01-16"]
    assert days(16, 3) == ["Thu 01-01", "Sun 02-01", "Sun 03-01"]
    assert days(26, 4) == ["Fri 01-02", "Fri 01-09", "Tue 01-13", "Fri 01-16"]
