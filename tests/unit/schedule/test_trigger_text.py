"""What operators type (parse_trigger_text) and what they read back (describe, describe_all)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ysched_tui.core.schedule import describe, describe_all, parse_trigger_text
from ysched_tui.core.triggers import CronTrigger, IntervalTrigger, OnceTrigger, StartupTrigger
from ysched_tui.errors import ConfigError, CronError, DurationError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30 2 * * *", CronTrigger(expr="30 2 * * *")),
        ("  0 30 9 * * MON-FRI ", CronTrigger(expr="0 30 9 * * MON-FRI")),
        ("@daily", CronTrigger(expr="@daily")),
        ("every 5m", IntervalTrigger(seconds=300)),
        ("Every 1h 30m", IntervalTrigger(seconds=5400)),
        ("every hour", IntervalTrigger(seconds=3600)),
        ("5m", IntervalTrigger(seconds=300)),
        ("1h30m", IntervalTrigger(seconds=5400)),
        ("at 2026-12-31T23:59", OnceTrigger(at=datetime(2026, 12, 31, 23, 59))),
        (
            "at 2026-12-31 23:59:00+00:00",
            OnceTrigger(at=datetime(2026, 12, 31, 23, 59, tzinfo=UTC)),
        ),
        ("@reboot", StartupTrigger()),
    ],
)
def test_parse_trigger_text(text: str, expected: object) -> None:
    """Cron/macros -> CronTrigger, 'every D' or a bare duration -> interval, 'at T' -> once."""
    assert parse_trigger_text(text) == expected


def test_parse_trigger_text_sets_the_zone() -> None:
    """The zone given is stored on the trigger."""
    trigger = parse_trigger_text("30 2 * * *", timezone="Europe/Berlin")
    assert trigger.timezone == "Europe/Berlin"


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("0 0 * * 9", CronError, "invalid day-of-week field '9' in '0 0 * * 9'"),
        ("61 * * * *", CronError, "invalid minute field '61'"),
        ("@fortnightly", CronError, "unknown cron macro"),
        ("", CronError, "empty schedule: expected a cron expression"),
        ("5x", DurationError, "invalid schedule '5x': expected a cron expression"),
        ("every 5x", DurationError, "invalid duration '5x'"),
        ("every 0s", DurationError, "it must be longer than 0 seconds"),
        ("0", DurationError, "it must be longer than 0 seconds"),
        ("at tomorrow", ConfigError, "invalid time 'tomorrow': expected ISO 8601"),
    ],
)
def test_parse_trigger_text_errors(text: str, error: type[Exception], message: str) -> None:
    """Bad input raises CronError/DurationError/ConfigError saying what is wrong."""
    with pytest.raises(error) as info:
        parse_trigger_text(text)
    assert message in str(info.value)


def test_parse_trigger_text_unknown_zone() -> None:
    """An unknown zone is a ConfigError naming it."""
    with pytest.raises(ConfigError, match="'Nowhere/Land'"):
        parse_trigger_text("@daily", timezone="Nowhere/Land")


@pytest.mark.parametrize(
    ("trigger", "words"),
    [
        (CronTrigger(expr="30 2 * * *"), "At 02:30"),
        (CronTrigger(expr="30 2 * * *", timezone="Europe/Berlin"), "At 02:30 (Europe/Berlin)"),
        (CronTrigger(expr="0 30 9 * * MON-FRI"), "At 09:30, Monday through Friday"),
        (CronTrigger(expr="@hourly"), "Every hour"),
        (IntervalTrigger(seconds=300), "every 5 minutes"),
        (IntervalTrigger(seconds=60), "every minute"),
        (IntervalTrigger(seconds=5400), "every 1h30m"),
        (IntervalTrigger(seconds=172800), "every 2 days"),
        (IntervalTrigger(seconds=0.5), "every 500ms"),
        (
            OnceTrigger(at=datetime(2026, 12, 31, 23, 59), timezone="Europe/Berlin"),
            "once at 2026-12-31 23:59 Europe/Berlin",
        ),
        (
            OnceTrigger(at=datetime(2026, 12, 31, 23, 59, tzinfo=UTC)),
            "once at 2026-12-31 23:59 UTC",
        ),
        (StartupTrigger(), "at start-up (@reboot)"),
        (
            IntervalTrigger(
                seconds=60, jitter=5, start=datetime(2026, 1, 1), end=datetime(2026, 2, 1)
            ),
            "every minute, from 2026-01-01 00:00, until 2026-02-01 00:00, jitter up to 5s",
        ),
    ],
)
def test_describe(trigger: object, words: str) -> None:
    """Each trigger kind is described in words (24-hour clock; zone named where set)."""
    assert describe(trigger) == words  # type: ignore[arg-type]


def test_describe_once_in_default_zone() -> None:
    """A once trigger without its own zone names the default zone given."""
    trigger = OnceTrigger(at=datetime(2026, 12, 31, 22, 59, tzinfo=UTC))
    assert describe(trigger, default_tz="Europe/Berlin") == "once at 2026-12-31 23:59 Europe/Berlin"


def test_describe_all() -> None:
    """describe_all joins with '; ' and says 'manual' for no triggers."""
    assert describe_all([]) == "manual"
    both = [CronTrigger(expr="@daily"), IntervalTrigger(seconds=300)]
    assert describe_all(both) == "At 00:00; every 5 minutes"


@pytest.mark.parametrize(
    "trigger", [IntervalTrigger(seconds=s) for s in (0.5, 45, 90, 300, 5400, 86400)]
)
def test_interval_text_round_trips(trigger: IntervalTrigger) -> None:
    """What describe says about an interval, parse_trigger_text reads back."""
    assert parse_trigger_text(describe(trigger)) == trigger
