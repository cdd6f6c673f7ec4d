"""``ysched-tui cancel RUN_ID|CODE``: cancel a run in progress, through the owner.

Given a job code, the job's run in progress is cancelled (an error if it has none, or several).
"""

from __future__ import annotations

import argparse
import re
from typing import Any

from ysched_tui.cli.control import through_owner
from ysched_tui.core.models import RunRecord
from ysched_tui.core.service import SchedulerService
from ysched_tui.errors import InvalidOperation, JobNotFound, RunNotFound
from ysched_tui.settings import Settings

RUN_ID = re.compile(r"^run_\d{8}_\d{6}_[0-9a-f]{6}$")
"""What a run id looks like (``run_20260101_020000_a1b2c3``); anything else is a job code."""


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``cancel`` subcommand."""
    p = sub.add_parser("cancel", parents=[common],
                       help="cancel a run in progress (a RUN_ID, or a CODE: its running run)")
    p.add_argument("target", metavar="RUN_ID|CODE")
    p.set_defaults(func=cancel)


async def run_to_cancel(service: SchedulerService, target: str) -> str:
    """The run id ``target`` names: itself, or the one run in progress of job ``target``.

    Raises:
        JobNotFound; RunNotFound: ``target`` looks like a run id (``run_...``) and is no job
            code; InvalidOperation: the job has no run in progress, or several.
    """
    if RUN_ID.match(target):
        return target
    try:
        running = (await service.get_job(target)).running
    except JobNotFound:
        if target.startswith("run_"):  # meant as a run id (a mistyped one): say so
            raise RunNotFound(target) from None
        raise
    if not running:
        raise InvalidOperation(f"job {target!r} has no run in progress")
    if len(running) > 1:
        raise InvalidOperation(f"job {target!r} has {len(running)} runs in progress "
                               f"({', '.join(running)}): give the RUN_ID")
    return running[0]


def cancel(args: argparse.Namespace) -> int:
    """Cancel the run and print its final status."""

    async def act(service: SchedulerService, _settings: Settings) -> RunRecord:
        return await service.cancel(await run_to_cancel(service, args.target))

    record = through_owner(args, act)
    print(f"cancelled {record.run_id} ({record.job_code}): {record.status.value}")
    return 0
