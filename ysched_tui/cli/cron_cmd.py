"""``ysched-tui cron EXPR``: the next fire times of an expression, exactly as the engine fires."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from ysched_tui.core.schedule import describe, fire_times, parse_trigger_text
from ysched_tui.core.triggers import StartupTrigger
from ysched_tui.errors import ConfigError
from ysched_tui.settings import system_timezone


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``cron`` subcommand."""
    p = sub.add_parser(
        "cron",
        parents=[common],
        help="print the next fire times of a cron expression",
        description="Print the next N fire times, one ISO 8601 timestamp per line.",
    )
    p.add_argument("expr", metavar="EXPR", help='cron expression, macro or "every 5m"')
    p.add_argument("--next", dest="count", type=int, default=10, metavar="N")
    p.add_argument("--from", dest="start", metavar="ISO-8601", help="start instead of now")
    p.add_argument("--tz", metavar="ZONE", help="IANA time zone (default: the system's)")
    p.add_argument("--describe", action="store_true", help="print the schedule in words first")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the fire times; invalid input raises CronError/ConfigError (exit 2)."""
    if args.count < 1:
        raise ConfigError("--next: expected a positive number")
    tz = args.tz or system_timezone()
    start = _start(args.start, tz)
    trigger = parse_trigger_text(args.expr, timezone=tz)
    if args.describe:
        print(describe(trigger))
    if isinstance(trigger, StartupTrigger):  # exit 0: it is valid, it just has no clock times
        print(f"ysched-tui: {args.expr} fires once each time the scheduler starts, not at "
              "clock times: there are no times to list", file=sys.stderr)
        return 0
    for when in fire_times([trigger], start, args.count, default_tz=tz):
        print(when.isoformat())
    return 0


def _start(text: str | None, tz: str) -> datetime:
    try:
        zone = ZoneInfo(tz)
    except (KeyError, ValueError):
        raise ConfigError(f"--tz: unknown time zone {tz!r}") from None
    if text is None:
        return datetime.now(zone)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"--from: expected an ISO 8601 date/time, got {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=zone)
