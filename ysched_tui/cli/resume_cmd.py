"""``ysched-tui resume CODE``: resume a paused job, through the owner."""

from __future__ import annotations

import argparse
from typing import Any

from ysched_tui.cli.common import local
from ysched_tui.cli.control import add_code, through_owner
from ysched_tui.core.models import JobView
from ysched_tui.core.service import SchedulerService
from ysched_tui.settings import Settings


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``resume`` subcommand."""
    p = sub.add_parser("resume", parents=[common], help="resume a paused job (through the owner)")
    add_code(p)
    p.set_defaults(func=resume)


def resume(args: argparse.Namespace) -> int:
    """Resume the job and say when it fires next."""

    async def act(service: SchedulerService, settings: Settings) -> tuple[JobView, str]:
        return await service.resume(args.code), settings.timezone

    view, tz = through_owner(args, act)
    print(f"resumed {args.code}; next run {local(view.state.next_run_time, tz)}")
    return 0
