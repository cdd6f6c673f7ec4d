"""``ysched-tui daemon``: the engine with no UI, one log line per event on stderr."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from typing import Any

from ysched_tui.cli.common import run, settings_from
from ysched_tui.core.events import (
    Event,
    JobRemoved,
    JobUpdated,
    RetryScheduled,
    RunFinished,
    RunMissed,
    RunOutput,
    RunStarted,
    StatusChanged,
)
from ysched_tui.settings import Settings


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``daemon`` subcommand."""
    p = sub.add_parser(
        "daemon",
        parents=[common],
        help="run the scheduler headless (foreground), logging events to stderr",
    )
    p.add_argument("--paused", action="store_true", help="start with the scheduler paused")
    p.set_defaults(func=run_daemon)


def run_daemon(args: argparse.Namespace) -> int:
    """Run until SIGTERM/SIGINT, then stop gracefully."""
    settings = settings_from(args)
    logging.basicConfig(
        level=settings.log_level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(message)s",
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    return run(_serve(settings, paused=args.paused))


async def _serve(settings: Settings, *, paused: bool) -> int:
    from ysched_tui.engine import Engine

    engine = Engine(settings)
    await engine.start(paused=paused)
    engine.subscribe(_log_event)
    log = logging.getLogger("ysched_tui.daemon")
    log.info("scheduler running on %s with %d jobs", settings.db, len(await engine.list_jobs()))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("stopping: waiting up to %gs for running runs", settings.shutdown_grace)
    await engine.stop()
    log.info("stopped")
    return 0


def _log_event(event: Event) -> None:
    line = describe_event(event)
    if line:
        logging.getLogger("ysched_tui.daemon").info(line)


def describe_event(event: Event) -> str | None:
    """One log line for an event, or None for events not worth a line (output, job updates)."""
    if isinstance(event, RunStarted):
        r = event.run
        return f"started  {r.job_code} {r.run_id} ({r.trigger_type.value}, attempt {r.attempt})"
    if isinstance(event, RunFinished):
        r = event.run
        extra = f": {r.error}" if r.error else ""
        dur = f" in {r.duration_ms} ms" if r.duration_ms is not None else ""
        return f"{r.status.value:<8} {r.job_code} {r.run_id}{dur}{extra}"
    if isinstance(event, RunMissed):
        r = event.run
        when = r.scheduled_time.isoformat() if r.scheduled_time else "?"
        return f"missed   {r.job_code} fire at {when}: {r.error}"
    if isinstance(event, RetryScheduled):
        r = event.run
        when = event.next_retry_time.isoformat()
        return f"retry    {r.job_code} attempt {event.attempt} at {when}"
    if isinstance(event, JobRemoved):
        return f"removed  {event.code}"
    if isinstance(event, (RunOutput, JobUpdated, StatusChanged)):
        return None
    return type(event).__name__
