"""``ysched-tui trigger CODE``: run a job now in the owner; prints the run_id."""

from __future__ import annotations

import argparse
from typing import Any

from ysched_tui.cli.control import add_code, through_owner
from ysched_tui.cli.run_cmd import parse_params
from ysched_tui.core.service import SchedulerService
from ysched_tui.settings import Settings


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``trigger`` subcommand."""
    p = sub.add_parser("trigger", parents=[common],
                       help="run a job now in the owner; prints the run_id")
    add_code(p)
    p.add_argument("--param", action="append", default=[], metavar="K=V",
                   help="script parameter (repeat)")
    p.set_defaults(func=trigger)


def trigger(args: argparse.Namespace) -> int:
    """Trigger the job and print its run_id (follow it with ``logs RUN_ID --follow``)."""
    params = parse_params(args.param)

    async def act(service: SchedulerService, _settings: Settings) -> str:
        return await service.trigger(args.code, params or None)

    print(through_owner(args, act))
    return 0
