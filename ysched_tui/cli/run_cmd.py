"""``ysched-tui run CODE``: run one job once in the foreground, streaming its output.

The run is recorded as a manual run. The exit code follows its status: 0 success, the command's
own exit code when it failed with one, 124 timeout, 130 cancelled, 1 otherwise.

When another process owns the database, the run is started in the owner (so only the owner
ever writes job states) and its output is followed live from there.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from ysched_tui.cli.common import run, settings_from
from ysched_tui.core.events import Event, RunFinished, RunOutput
from ysched_tui.core.models import RunRecord, RunStatus
from ysched_tui.errors import ConfigError
from ysched_tui.settings import Settings


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``run`` subcommand."""
    p = sub.add_parser("run", parents=[common], help="run one job once now, in the foreground")
    p.add_argument("code", metavar="CODE")
    p.add_argument(
        "--param", action="append", default=[], metavar="K=V", help="script parameter (repeat)"
    )
    p.set_defaults(func=run_job)


def parse_params(items: list[str]) -> dict[str, str]:
    """``["a=1", "b=x"]`` -> ``{"a": "1", "b": "x"}``; values are parsed later by type."""
    params: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--param: expected K=V, got {item!r}")
        params[key.strip()] = value
    return params


def run_job(args: argparse.Namespace) -> int:
    """Run the job and return the exit code its status maps to."""
    from ysched_tui.owner.lock import read_owner

    settings = settings_from(args)
    params = parse_params(args.param)
    if getattr(args, "connect", None) or read_owner(settings.db) is not None:
        record = run(_run_in_owner(args, settings, args.code, params))
    else:
        record = run(_run(settings, args.code, params))
    return exit_code_for(record)


async def _run_in_owner(
    args: argparse.Namespace, settings: Settings, code: str, params: dict[str, str]
) -> RunRecord:
    from ysched_tui.cli.control import connect_options
    from ysched_tui.owner.attached import OwnerClient
    from ysched_tui.owner.connect import open_service

    connect, token_file = connect_options(args)
    session = await open_service(settings, connect=connect, token_file=token_file,
                                 attach_only=True, via="cli")
    try:
        client = session.service
        assert isinstance(client, OwnerClient)
        run_id = await client.trigger(code, params or None)
        async for line in client.follow_output(run_id):
            out = sys.stderr if line.stream == "stderr" else sys.stdout
            print(line.text, file=out, flush=True)
        record = await client.get_run(run_id)
    finally:
        await session.close()
    _note(record)
    return record


async def _run(settings: Settings, code: str, params: dict[str, str]) -> RunRecord:
    from ysched_tui.owner.assembly import build_engine

    engine = build_engine(settings)
    done: asyncio.Future[RunRecord] = asyncio.get_running_loop().create_future()
    wanted: list[str] = []

    def on_event(event: Event) -> None:
        if isinstance(event, RunOutput) and event.run_id in wanted:
            for line in event.lines:
                out = sys.stderr if line.stream == "stderr" else sys.stdout
                print(line.text, file=out, flush=True)
        elif isinstance(event, RunFinished) and event.run.run_id in wanted:
            if not done.done():
                done.set_result(event.run)

    await engine.start(paused=True, recover=False)
    try:
        engine.subscribe(on_event)
        wanted.append(await engine.trigger(code, params))
        record = await done
    finally:
        await engine.stop(grace=0)
    _note(record)
    return record


def _note(record: RunRecord) -> None:
    note = f"{record.run_id}: {record.status.value}"
    if record.error and record.status is not RunStatus.SUCCESS:
        note += f" ({record.error})"
    print(note, file=sys.stderr)


def exit_code_for(record: RunRecord) -> int:
    """The process exit code for a finished run."""
    if record.status is RunStatus.SUCCESS:
        return 0
    if record.status is RunStatus.TIMEOUT:
        return 124
    if record.status is RunStatus.CANCELLED:
        return 130
    if record.exit_code and 0 < record.exit_code < 256:
        return record.exit_code
    return 1
