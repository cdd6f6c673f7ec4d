"""``ysched-tui daemon``: own the database headless — schedule, serve the control API, log events.

The daemon takes the owner lock beside the database; if another process holds it, it says who
in one line and exits 1 — unless ``--standby``, where it waits and takes over as soon as the
owner dies (the lock dies with it): the engine then starts with recovery, so the dead owner's
running runs become interrupted and missed fires follow each job's catch-up policy.

``--listen HOST:PORT`` also serves the API on TCP; with ``--tls-cert``/``--tls-key`` (or the
``tls_cert``/``tls_key`` settings) over HTTPS. The TLS files are checked before anything starts,
so a bad one ends the daemon in one line (exit 2) without taking the lock.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
from ysched_tui.errors import ConfigError, NotOwner, YschedError
from ysched_tui.memory import collector_held, release_free_memory, release_periodically
from ysched_tui.settings import Settings

if TYPE_CHECKING:
    import ssl

    from ysched_tui.engine import Engine

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
    p.add_argument("--tls-cert", metavar="FILE",
                   help="serve --listen over HTTPS with this PEM certificate (chain) "
                        "(env YSCHED_TLS_CERT)")
    p.add_argument("--tls-key", metavar="FILE",
                   help="the unencrypted PEM private key of --tls-cert (env YSCHED_TLS_KEY)")
    p.add_argument("--standby", action="store_true",
                   help="if another process owns the database, wait and take over when it dies")
    p.set_defaults(func=run_daemon)


def run_daemon(args: argparse.Namespace) -> int:
    """Run until SIGTERM/SIGINT, then stop gracefully."""
    settings = settings_from(args)
    tls = tls_context(args, settings)
    logging.basicConfig(
        level=settings.log_level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(message)s",
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # no line per added job
    return run(_serve(settings, paused=args.paused, listen=args.listen, standby=args.standby,
                      tls=tls))


def tls_context(args: argparse.Namespace, settings: Settings) -> ssl.SSLContext | None:
    """The TLS context for ``--listen``: the flags, else the settings; ``None`` for plain HTTP.

    Raises:
        ConfigError: a TLS flag without ``--listen``, a certificate without its key (or the
            reverse), or a file that cannot be used (named).
    """
    given = [flag for flag, value in (("--tls-cert", args.tls_cert), ("--tls-key", args.tls_key))
             if value]
    if not args.listen:
        if given:
            raise ConfigError(f"{' and '.join(given)}: only with --listen HOST:PORT (TLS "
                              "protects the TCP control API; the Unix socket is private)")
        return None
    cert = Path(args.tls_cert).expanduser() if args.tls_cert else settings.tls_cert
    key = Path(args.tls_key).expanduser() if args.tls_key else settings.tls_key
    if cert is None and key is None:
        return None
    if key is None:
        raise ConfigError("--tls-cert needs --tls-key FILE (or YSCHED_TLS_KEY): the private "
                          "key of the certificate")
    if cert is None:
        raise ConfigError("--tls-key needs --tls-cert FILE (or YSCHED_TLS_CERT): the "
                          "certificate of the key")
    from ysched_tui.control.tls import server_context

    return server_context(cert, key)


async def _serve(
    settings: Settings,
    *,
    paused: bool,
    listen: str | None,
    standby: bool,
    tls: ssl.SSLContext | None = None,
) -> int:
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
    with collector_held():  # the start builds ~100,000 objects and no garbage
        session = await become_owner(settings, lock, listen=listen, tls=tls, paused=paused)
    assert session.engine is not None and session.server is not None
    session.engine.subscribe(_log_event)
    jobs = len(await session.engine.list_jobs())
    log.info("owner of %s (pid %d): %d jobs, scheduling in %.2fs; control API on %s%s",
             settings.db, lock.info.pid, jobs, time.monotonic() - started,
             session.server.url, _tcp(session.server.tcp_url))
    release_free_memory()  # what start-up freed (a large jobs file parsed), back to the OS
    trimming = loop.create_task(release_periodically(), name="ysched-trim")
    engine = session.engine
    loop.add_signal_handler(signal.SIGHUP, lambda: _spawn_reload(engine))
    await stop.wait()
    loop.remove_signal_handler(signal.SIGHUP)
    trimming.cancel()
    log.info("stopping: waiting up to %gs for running runs", settings.shutdown_grace)
    await session.close()
    log.info("stopped")
    return 0


_reloads: set[asyncio.Task[None]] = set()


def _spawn_reload(engine: Engine) -> None:
    """SIGHUP: read the jobs file again, like ``ysched-tui reload`` (audited as a signal)."""
    task = asyncio.get_running_loop().create_task(_reload(engine))
    _reloads.add(task)
    task.add_done_callback(_reloads.discard)


async def _reload(engine: Engine) -> None:
    from ysched_tui.core.models import Actor

    try:
        report = await engine.reload_jobs(actor=Actor.here("signal"))
    except YschedError as exc:
        log.error("SIGHUP: the jobs file was not reloaded (nothing changed): %s", exc)
        return
    log.info("SIGHUP: jobs file reloaded: %s", report.summary())


def _tcp(url: str | None) -> str:
    return f" and {url} (bearer token)" if url else ""


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
