"""Fire times of interval, once and mixed triggers: bounds, jitter, merging, zones, performance."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from ysched_tui.core.schedule import (
    cron_fire_times,
    fire_times,
    fires_between,
    next_fire,
    next_fire_multi,
)
from ysched_tui.core.triggers import CronTrigger, IntervalTrigger, OnceTrigger, StartupTrigger
from ysched_tui.errors import ConfigError, CronError

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def iso(values: list[datetime]) -> list[str]:
    return [v.isoformat() for v in values]


def test_interval_anchored_at_the_epoch_without_start() -> None:
    """Without start an interval fires at epoch + k*period, so 5m fires on the 5-minute marks."""
    got = fire_times(
        [IntervalTrigger(seconds=300)], T0 + timedelta(seconds=61), 2, default_tz="UTC"
    )
    assert iso(got) == ["2026-01-01T00:05:00+00:00", "2026-01-01T00:10:00+00:00"]


def test_interval_anchored_at_start_and_never_before_it() -> None:
    """With start the first fire is start itself (read in the trigger's zone), then +period."""
    trigger = IntervalTrigger(
        seconds=5400, start=datetime(2026, 1, 1, 0, 7), timezone="Europe/Berlin"
    )
    got = fire_times([trigger], datetime(2025, 6, 1, tzinfo=UTC), 3, default_tz="UTC")
    assert iso(got) == [
        "2026-01-01T00:07:00+01:00",
        "2026-01-01T01:37:00+01:00",
        "2026-01-01T03:07:00+01:00",
    ]


def test_interval_is_absolute_across_dst() -> None:
    """Intervals count real seconds: 1h across spring-forward is 01:00 CET -> 03:00 CEST."""
    trigger = IntervalTrigger(seconds=3600, timezone="Europe/Berlin")
    got = fire_times([trigger], datetime(2026, 3, 29, 0, 30), 2, default_tz="Europe/Berlin")
    assert iso(got) == ["2026-03-29T01:00:00+01:00", "2026-03-29T03:00:00+02:00"]


def test_interval_computes_far_fires_directly() -> None:
    """A fire a million periods after start is found without stepping (k computed directly)."""
    trigger = IntervalTrigger(seconds=1, start=T0)
    after = T0 + timedelta(seconds=10**6, microseconds=1)
    started = time.perf_counter()
    found = next_fire(trigger, after, default_tz="UTC")
    assert time.perf_counter() - started < 0.05
    assert found == T0 + timedelta(seconds=10**6 + 1)


def test_interval_end_is_inclusive_and_final() -> None:
    """No fire after end; a fire exactly at end still counts."""
    trigger = IntervalTrigger(seconds=60, start=T0, end=T0 + timedelta(minutes=2))
    assert fire_times([trigger], T0 - timedelta(seconds=1), 10, default_tz="UTC") == [
        T0,
        T0 + timedelta(minutes=1),
        T0 + timedelta(minutes=2),
    ]
    assert next_fire(trigger, T0 + timedelta(minutes=2), default_tz="UTC") is None


def test_fractional_interval() -> None:
    """Sub-second periods are exact in microseconds."""
    trigger = IntervalTrigger(seconds=0.25, start=T0)
    got = fire_times([trigger], T0, 3, default_tz="UTC")
    assert [(g - T0).total_seconds() for g in got] == [0.25, 0.5, 0.75]


def test_cron_start_and_end_bound_fires() -> None:
    """A cron trigger fires from start (inclusive) to end (inclusive) only."""
    trigger = CronTrigger(
        expr="0 * * * *", start=T0 + timedelta(hours=2), end=T0 + timedelta(hours=4)
    )
    got = fire_times([trigger], T0, 10, default_tz="UTC")
    assert [g.hour for g in got] == [2, 3, 4]


def test_jitter_is_deterministic_and_bounded() -> None:
    """Jitter delays each fire by [0, jitter) derived from seed and time: same inputs, same."""
    trigger = IntervalTrigger(seconds=300, jitter=60)
    first = fire_times([trigger], T0, 50, default_tz="UTC", seed="backup")
    again = fire_times([trigger], T0, 50, default_tz="UTC", seed="backup")
    other = fire_times([trigger], T0, 50, default_tz="UTC", seed="report")
    assert first == again
    assert first != other
    offsets = [(f - T0).total_seconds() % 300 for f in first]
    assert all(0 <= o < 60 for o in offsets)
    assert len({round(o) for o in offsets}) > 10


def test_jitter_preview_equals_firing() -> None:
    """Stepping next_fire from each fire (as the engine does) gives exactly the preview."""
    trigger = CronTrigger(expr="*/5 * * * *", jitter=30)
    preview = fire_times([trigger], T0, 20, default_tz="UTC", seed="job")
    fired, after = [], T0
    for _ in range(20):
        found = next_fire(trigger, after, default_tz="UTC", seed="job")
        assert found is not None
        fired.append(found)
        after = found
    assert fired == preview


def test_jitter_larger_than_period_keeps_order() -> None:
    """With jitter above the period, fires still come out sorted and each nominal fire once."""
    trigger = IntervalTrigger(seconds=30, start=T0, jitter=100)
    got = fire_times([trigger], T0 - timedelta(seconds=1), 40, default_tz="UTC", seed="x")
    assert all(a < b for a, b in pairwise(got))
    every = fires_between(
        [trigger], T0 - timedelta(seconds=1), T0 + timedelta(hours=1), default_tz="UTC", seed="x"
    )
    assert len(every) in range(117, 121)  # 121 nominal fires, the last few jittered past the hour


def test_once_fires_once() -> None:
    """A once trigger fires at `at` (naive: trigger's zone) if after `after`, then never again."""
    trigger = OnceTrigger(at=datetime(2026, 12, 31, 23, 59), timezone="Europe/Berlin")
    found = next_fire(trigger, T0, default_tz="UTC")
    assert found is not None and found.isoformat() == "2026-12-31T23:59:00+01:00"
    assert next_fire(trigger, found, default_tz="UTC") is None


def test_startup_trigger_has_no_fire_time() -> None:
    """@reboot is not a time: it never appears among fire times."""
    assert next_fire(StartupTrigger(), T0, default_tz="UTC") is None
    assert fire_times([StartupTrigger(), IntervalTrigger(seconds=60)], T0, 1, default_tz="UTC") == [
        T0 + timedelta(minutes=1)
    ]


def test_returned_in_the_triggers_zone() -> None:
    """Results are aware datetimes in the trigger's zone, else in default_tz."""
    own = next_fire(CronTrigger(expr="0 12 * * *", timezone="Asia/Tokyo"), T0, default_tz="UTC")
    default = next_fire(CronTrigger(expr="0 12 * * *"), T0, default_tz="America/New_York")
    assert own is not None and own.isoformat() == "2026-01-01T12:00:00+09:00"
    assert default is not None and default.isoformat() == "2026-01-01T12:00:00-05:00"


def test_naive_after_is_read_in_default_tz() -> None:
    """A naive `after` is wall time in default_tz."""
    found = next_fire(
        IntervalTrigger(seconds=3600), datetime(2026, 1, 1, 0, 30), default_tz="Europe/Berlin"
    )
    assert found is not None and found.astimezone(UTC) == datetime(2026, 1, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "../etc/passwd"])
def test_unknown_zone_is_a_config_error(zone: str) -> None:
    """An unknown zone raises ConfigError naming it."""
    with pytest.raises(ConfigError, match="unknown time zone"):
        next_fire(
            CronTrigger(expr="@daily", timezone=zone or None), T0, default_tz=zone or "Nowhere/X"
        )


def test_multi_earliest_and_ties() -> None:
    """next_fire_multi returns the earliest fire and its trigger; a tie reports the lowest index."""
    triggers = [
        CronTrigger(expr="0 * * * *"),
        IntervalTrigger(seconds=1800),
        CronTrigger(expr="30 * * * *"),
    ]
    assert next_fire_multi(triggers, T0, default_tz="UTC") == (T0 + timedelta(minutes=30), 1)
    assert next_fire_multi(triggers, T0 + timedelta(minutes=30), default_tz="UTC") == (
        T0 + timedelta(hours=1),
        0,
    )
    assert next_fire_multi([], T0, default_tz="UTC") is None
    assert next_fire_multi([OnceTrigger(at=T0)], T0, default_tz="UTC") is None


def test_fire_times_merge_distinct() -> None:
    """Merged previews are sorted, and two triggers firing at once give one fire."""
    triggers = [CronTrigger(expr="*/20 * * * *"), CronTrigger(expr="*/30 * * * *")]
    got = fire_times(triggers, T0, 5, default_tz="UTC")
    assert [(g - T0).total_seconds() / 60 for g in got] == [20, 30, 40, 60, 80]


def test_fire_times_across_zones_sorted_by_instant() -> None:
    """Triggers in different zones merge by real instant, each fire in its own zone."""
    triggers = [
        CronTrigger(expr="0 9 * * *", timezone="America/New_York"),
        CronTrigger(expr="0 9 * * *", timezone="Europe/Berlin"),
    ]
    got = fire_times(triggers, T0, 3, default_tz="UTC")
    assert iso(got) == [
        "2026-01-01T09:00:00+01:00",
        "2026-01-01T09:00:00-05:00",
        "2026-01-02T09:00:00+01:00",
    ]


def test_fires_between_is_half_open_and_limited() -> None:
    """fires_between returns fires in (start, end], at most `limit`."""
    trigger = [CronTrigger(expr="0 * * * *")]
    got = fires_between(trigger, T0, T0 + timedelta(hours=3), default_tz="UTC")
    assert [g.hour for g in got] == [1, 2, 3]
    assert len(fires_between(trigger, T0, T0 + timedelta(days=30), default_tz="UTC", limit=5)) == 5
    assert fires_between(trigger, T0, T0 + timedelta(minutes=59), default_tz="UTC") == []


def test_cron_fire_times_for_the_cli() -> None:
    """cron_fire_times lists the next N fires in the given zone and rejects bad input."""
    got = cron_fire_times(
        "0 30 9 * * MON-FRI", 2, after=datetime(2026, 1, 1), tz="America/New_York"
    )
    assert iso(got) == ["2026-01-01T09:30:00-05:00", "2026-01-02T09:30:00-05:00"]
    with pytest.raises(CronError) as info:
        cron_fire_times("0 0 * * 9", tz="UTC")
    assert info.value.field == "day-of-week"
    with pytest.raises(ConfigError):
        cron_fire_times("@daily", tz="Nowhere/Land")


def test_preview_of_ten_thousand_jobs_is_fast() -> None:
    """Next fire of 10,000 distinct cron jobs takes well under a second (cached parsing)."""
    triggers = [CronTrigger(expr=f"{i % 60} {i % 24} * * {i % 7}") for i in range(10000)]
    started = time.perf_counter()
    for trigger in triggers:
        assert next_fire(trigger, T0, default_tz="Europe/Berlin") is not None
    assert time.perf_counter() - started < 1.5
