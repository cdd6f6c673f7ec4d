"""``ysched-tui status``: who owns the database, its state and its figures, from the owner."""

from __future__ import annotations

import argparse
from typing import Any

from ysched_tui.cli.common import local, print_json
from ysched_tui.cli.control import through_owner
from ysched_tui.core.models import SchedulerStatus
from ysched_tui.core.service import SchedulerService
from ysched_tui.settings import Settings


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``status`` subcommand."""
    p = sub.add_parser("status", parents=[common],
                       help="the owner (pid, host, since), its state and job counts")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=status)


def status(args: argparse.Namespace) -> int:
    """Print the owner's status; exit 1 in one line when nobody owns the database."""

    async def act(service: SchedulerService, settings: Settings) -> tuple[SchedulerStatus, str]:
        return await service.status(), settings.timezone

    figures, tz = through_owner(args, act)
    if args.json:
        data = figures.model_dump(mode="json")
        data["state"] = "running" if figures.state == "attached" else figures.state
        print_json(data)
        return 0
    state = "running" if figures.state == "attached" else figures.state
    print(f"owner     pid {figures.owner_pid} on {figures.owner_host}, "
          f"since {local(figures.owner_since, tz)}")
    print(f"state     {state}")
    print(f"jobs      {figures.jobs_active} active, {figures.jobs_paused} paused")
    print(f"running   {figures.running_now}")
    print(f"failures  {figures.failures_24h} in 24 h")
    print(f"database  {figures.db_path}")
    print(f"jobs file {figures.jobs_file or '-'}")
    for url in figures.api_urls:
        print(f"api       {url}")
    return 0
