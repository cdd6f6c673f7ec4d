"""``ysched-tui reload``: the owner reads its jobs file again and applies what changed.

New jobs are added, changed ones updated (their pause, overrides and runs in progress kept), and
jobs gone from the file removed — without restarting the owner, so no run is interrupted. A file
with problems changes nothing: they are printed, as ``ysched-tui check`` prints them (exit 2).
"""

from __future__ import annotations

import argparse
from typing import Any

from ysched_tui.cli.control import through_owner
from ysched_tui.core.models import ReloadReport
from ysched_tui.core.service import SchedulerService
from ysched_tui.settings import Settings


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``reload`` subcommand."""
    p = sub.add_parser("reload", parents=[common],
                       help="make the owner read its jobs file again (no restart)")
    p.set_defaults(func=reload)


def reload(args: argparse.Namespace) -> int:
    """Reload through the owner and print what changed."""

    async def act(service: SchedulerService, _settings: Settings) -> ReloadReport:
        return await service.reload_jobs()

    report = through_owner(args, act)
    print(f"reloaded: {report.summary()}")
    return 0
