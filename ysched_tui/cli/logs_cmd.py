"""``ysched-tui logs RUN_ID``: a run's stored output; ``--follow`` tails it until it ends."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from ysched_tui.cli.common import run, settings_from
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
    return run(_print(settings, args.run_id, follow=args.follow, stamps=args.timestamps))


async def _print(settings: Settings, run_id: str, *, follow: bool, stamps: bool) -> int:
    from ysched_tui.engine import Engine

    engine = Engine(settings, specs=[])
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
