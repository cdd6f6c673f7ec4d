"""``ysched-tui logs RUN_ID``: a run's stored output; ``--follow`` tails it until it ends.

With ``--follow`` and an owner running (or ``--connect``), the lines come from the owner's live
stream as the job prints them; otherwise the database is polled.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from ysched_tui.cli.common import reading_engine, run, settings_from
from ysched_tui.cli.control import connect_options
from ysched_tui.core.models import OutputLine
from ysched_tui.settings import Settings

FOLLOW_POLL_SECONDS = 0.25


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``logs`` subcommand."""
    p = sub.add_parser("logs", parents=[common], help="print a run's output")
    p.add_argument("run_id", metavar="RUN_ID")
    p.add_argument("--follow", "-f", action="store_true", help="keep printing until the run ends")
    p.add_argument("--timestamps", "-t", action="store_true", help="prefix each line with its time")
    p.set_defaults(func=logs)


def logs(args: argparse.Namespace) -> int:
    """Print the output; unknown run ids raise RunNotFound (exit 1)."""
    settings = settings_from(args)
    connect, token_file = connect_options(args)
    if args.follow and (connect or _owned(settings)):
        return run(_follow(settings, args.run_id, connect, token_file, stamps=args.timestamps))
    return run(_print(settings, args.run_id, follow=args.follow, stamps=args.timestamps))


def _owned(settings: Settings) -> bool:
    from ysched_tui.owner.lock import read_owner

    return read_owner(settings.db) is not None


async def _follow(
    settings: Settings, run_id: str, connect: str | None, token_file: Path | None, *, stamps: bool
) -> int:
    """Print the run's lines from the owner's follow stream until the run ends."""
    from ysched_tui.owner.attached import OwnerClient
    from ysched_tui.owner.connect import open_service

    session = await open_service(settings, connect=connect, token_file=token_file,
                                 attach_only=True, via="cli")
    try:
        client = session.service
        assert isinstance(client, OwnerClient)
        async for line in client.follow_output(run_id):
            _emit(line, stamps)
        return 0
    finally:
        await session.close()


async def _print(settings: Settings, run_id: str, *, follow: bool, stamps: bool) -> int:
    engine = reading_engine(settings)
    await engine.open()
    try:
        record = await engine.get_run(run_id)
        seq = 0
        while True:
            for line in await engine.run_output(run_id, after_seq=seq):
                _emit(line, stamps)
                seq = line.seq
            if not follow or record.status.is_final:
                break
            await asyncio.sleep(FOLLOW_POLL_SECONDS)
            record = await engine.get_run(run_id)
        return 0
    finally:
        await engine.stop()


def _emit(line: OutputLine, stamps: bool) -> None:
    out = sys.stderr if line.stream == "stderr" else sys.stdout
    prefix = f"{line.ts.isoformat(timespec='milliseconds')} " if stamps else ""
    print(prefix + line.text, file=out, flush=True)
