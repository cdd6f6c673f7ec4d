"""``ysched-tui daemon``: own the database headless — schedule, serve the control API, log events.

The daemon takes the owner lock beside the database; if another process holds it, it says who
in one line and exits 1 — unless ``--standby``, where it waits and takes over as soon as the
owner dies (the lock dies with it): the engine then starts with recovery, so the dead owner's
running runs become interrupted and missed fires follow each job's catch-up policy.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
import time
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
from ysched_tui.errors import NotOwner
from ysched_tui.memory import release_free_memory
from ysched_tui.settings import Settings

log = logging.getLogger("ysched_tui.daemon")


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``daemon`` subcommand."""
    p = sub.add_parser(
        "daemon",
        parents=[common],
        help="own the database headless: schedule, serve the control API, log to stderr",
    )
    p.add_argument("--paused", action="store_true", help="start with the scheduler paused")
    p.add_argument("--listen", metavar="HOST:PORT",
                   help="also serve the control API on TCP (bearer token <db>.token)")
    p.add_argument("--standby", action="store_true",
                   help="if another process owns the database, wait and take over when it dies")
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
    return run(_serve(settings, paused=args.paused, listen=args.listen, standby=args.standby))


async def _serve(settings: Settings, *, paused: bool, listen: str | None, standby: bool) -> int:
    # imported before any waiting, so that a standby's takeover does not pay for them
    from ysched_tui.owner.connect import become_owner
    from ysched_tui.owner.lock import read_owner, try_lock, wait_for_lock

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    lock = try_lock(settings.db)
    if lock is None:
        owner = read_owner(settings.db)
        who = owner.describe() if owner else "another process"
        if not standby:
            raise NotOwner(f"{settings.db} is already scheduled by {who}")
        log.info("standby: %s is scheduled by %s; taking over when it stops", settings.db, who)
        waiting = asyncio.create_task(wait_for_lock(settings.db))
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({waiting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not waiting.done():
            waiting.cancel()
            log.info("stopped while on standby")
            return 0
        lock = waiting.result()
        log.info("the owner is gone: taking over %s", settings.db)
    started = time.monotonic()
    session = await become_owner(settings, lock, listen=listen, paused=paused)
    assert session.engine is not None and session.server is not None
    session.engine.subscribe(_log_event)
    jobs = len(await session.engine.list_jobs())
    log.info("owner of %s (pid %d): %d jobs, scheduling in %.2fs; control API on %s%s",
             settings.db, lock.info.pid, jobs, time.monotonic() - started,
             session.server.url, _tcp(session.server.tcp_address))
    release_free_memory()  # what start-up freed (a large jobs file parsed), back to the OS
    await stop.wait()
    log.info("stopping: waiting up to %gs for running runs", settings.shutdown_grace)
    await session.close()
    log.info("stopped")
    return 0


def _tcp(address: tuple[str, int] | None) -> str:
    return f" and http://{address[0]}:{address[1]} (bearer token)" if address else ""


def _log_event(event: Event) -> None:
    line = describe_event(event)
    if line:
        log.info(line)


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
