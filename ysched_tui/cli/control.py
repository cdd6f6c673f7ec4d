"""Sending CLI commands to the owner: the shared plumbing of the control commands.

A control command never schedules anything itself: it attaches to the process that owns the
database (or to ``--connect URL``), performs one call with the CLI as the actor, and detaches.
With nobody owning the database it fails in one line naming the database (exit 1).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from ysched_tui.cli.common import run, settings_from
from ysched_tui.core.service import SchedulerService
from ysched_tui.settings import Settings

T = TypeVar("T")


def connect_options(args: argparse.Namespace) -> tuple[str | None, Path | None]:
    """The global ``--connect`` URL and ``--token-file`` path (``--ca-file`` travels in the
    settings, ``settings_from``, so every way to ``open_service`` gets it)."""
    token = getattr(args, "token_file", None)
    return getattr(args, "connect", None), Path(token) if token else None


def through_owner(
    args: argparse.Namespace, action: Callable[[SchedulerService, Settings], Awaitable[T]]
) -> T:
    """Run ``action`` on the owner's service, as the CLI.

    Raises:
        NotOwner: nobody owns the database, or the owner cannot be reached.
    """
    settings = settings_from(args)
    connect, token_file = connect_options(args)

    async def go() -> T:
        from ysched_tui.owner.connect import open_service

        session = await open_service(settings, connect=connect, token_file=token_file,
                                     attach_only=True, via="cli")
        for note in session.notes:
            print(f"ysched-tui: note: {note}", file=sys.stderr)
        try:
            return await action(session.service, settings)
        finally:
            await session.close()

    return run(go())


def add_code(parser: argparse.ArgumentParser) -> None:
    """The ``CODE`` positional argument."""
    parser.add_argument("code", metavar="CODE", help="the job code")
