"""``ysched-tui enable CODE`` / ``ysched-tui disable CODE``: switch a job on or off, through the
owner.

Unlike pause (a hold on a job that stays scheduled), disabling is an operator override of the
job's ``enabled`` setting: the job stops being scheduled until it is enabled again or the
override is reverted (``reschedule CODE --revert``). Both are audited like every other action.
"""

from __future__ import annotations

import argparse
from typing import Any

from ysched_tui.cli.common import local
from ysched_tui.cli.control import add_code, through_owner
from ysched_tui.core.models import JobView
from ysched_tui.core.service import SchedulerService
from ysched_tui.settings import Settings


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``enable`` and ``disable`` subcommands."""
    for name, enabled, text in (("enable", True, "enable a disabled job (through the owner)"),
                                ("disable", False, "disable a job: no fires until enabled "
                                                   "(through the owner)")):
        p = sub.add_parser(name, parents=[common], help=text)
        add_code(p)
        p.set_defaults(func=_handler(enabled))


def _handler(enabled: bool) -> Any:
    def handle(args: argparse.Namespace) -> int:
        """Enable or disable the job; JobNotFound / InvalidOperation (no change) exit 1."""

        async def act(service: SchedulerService, settings: Settings) -> tuple[JobView, str]:
            return await service.set_enabled(args.code, enabled), settings.timezone

        view, tz = through_owner(args, act)
        if enabled:
            nxt = view.state.next_run_time
            when = f"; next run {local(nxt, tz)}" if nxt else "; no next run"
            print(f"enabled {args.code}{when}")
        else:
            print(f"disabled {args.code}")
        return 0

    return handle
