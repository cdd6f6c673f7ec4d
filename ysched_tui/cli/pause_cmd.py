"""``ysched-tui pause CODE``: stop a job's scheduled fires, through the owner."""

from __future__ import annotations

import argparse
from typing import Any

from ysched_tui.cli.control import add_code, through_owner
from ysched_tui.core.service import SchedulerService
from ysched_tui.settings import Settings


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``pause`` subcommand."""
    p = sub.add_parser("pause", parents=[common], help="pause a job (through the owner)")
    add_code(p)
    p.set_defaults(func=pause)


def pause(args: argparse.Namespace) -> int:
    """Pause the job; JobNotFound / InvalidOperation (already paused) exit 1."""

    async def act(service: SchedulerService, _settings: Settings) -> None:
        await service.pause(args.code)

    through_owner(args, act)
    print(f"paused {args.code}")
    return 0
