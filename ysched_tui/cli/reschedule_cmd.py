"""``ysched-tui reschedule CODE --cron EXPR | --every DURATION | --revert``, through the owner.

The new schedule is an operator override that survives restarts until ``--revert`` returns the
job to its declared schedule (and enabled state).
"""

from __future__ import annotations

import argparse
from typing import Any

from ysched_tui.cli.common import local
from ysched_tui.cli.control import add_code, through_owner
from ysched_tui.core.models import JobView
from ysched_tui.core.schedule import describe_all, parse_trigger_text
from ysched_tui.core.service import SchedulerService
from ysched_tui.core.triggers import CronTrigger, StartupTrigger, TriggerSpec
from ysched_tui.errors import CronError
from ysched_tui.settings import Settings


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``reschedule`` subcommand."""
    p = sub.add_parser("reschedule", parents=[common],
                       help="change a job's schedule (an override; --revert drops it)")
    add_code(p)
    form = p.add_mutually_exclusive_group(required=True)
    form.add_argument("--cron", metavar="EXPR", help="a cron expression or @macro")
    form.add_argument("--every", metavar="DURATION", help="an interval such as 5m or 1h30m")
    form.add_argument("--revert", action="store_true",
                      help="drop the operator's overrides (schedule and enabled)")
    p.add_argument("--tz", metavar="ZONE", help="IANA zone of the new schedule")
    p.set_defaults(func=reschedule)


def triggers_from(args: argparse.Namespace) -> list[TriggerSpec]:
    """The triggers ``--cron`` or ``--every`` asks for.

    Raises:
        CronError / DurationError: naming the option and what is wrong.
    """
    if args.every is not None:
        text = args.every.strip().removeprefix("every ").strip()
        return [parse_trigger_text("every " + text, timezone=args.tz)]
    trigger = parse_trigger_text(args.cron.strip(), timezone=args.tz)
    if not isinstance(trigger, CronTrigger | StartupTrigger):
        raise CronError(f"--cron {args.cron!r} is not a cron expression (such as '30 2 * * *' "
                        "or '@daily'); give intervals with --every", expr=args.cron)
    return [trigger]


def reschedule(args: argparse.Namespace) -> int:
    """Apply (or revert) the schedule and print it with the next fire."""
    triggers = None if args.revert else triggers_from(args)

    async def act(service: SchedulerService, settings: Settings) -> tuple[JobView, str]:
        if triggers is None:
            return await service.revert(args.code), settings.timezone
        return await service.reschedule(args.code, triggers), settings.timezone

    view, tz = through_owner(args, act)
    verb = "reverted" if args.revert else "rescheduled"
    print(f"{verb} {args.code}: {describe_all(view.triggers) or 'manual only'}; "
          f"next run {local(view.state.next_run_time, tz)}")
    return 0
