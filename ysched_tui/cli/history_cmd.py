"""``ysched-tui history [CODE]``: runs newest first, with every run field."""

from __future__ import annotations

import argparse
from typing import Any

from ysched_tui.cli.common import local, print_json, print_table, reading_engine, run, settings_from
from ysched_tui.core.models import RunRecord, RunStatus
from ysched_tui.errors import ConfigError, JobNotFound
from ysched_tui.settings import Settings


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``history`` subcommand."""
    p = sub.add_parser("history", parents=[common], help="list runs, newest first")
    p.add_argument("code", nargs="?", metavar="CODE", help="only this job")
    p.add_argument("--status", metavar="S", help="only runs with this status")
    p.add_argument("--limit", type=int, default=50, metavar="N")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=history)


def parse_status(text: str | None) -> RunStatus | None:
    """A RunStatus from its name. Raises: ConfigError naming the valid ones."""
    if text is None:
        return None
    try:
        return RunStatus(text.lower())
    except ValueError:
        valid = ", ".join(s.value for s in RunStatus)
        raise ConfigError(f"--status: unknown status {text!r} (one of {valid})") from None


def history(args: argparse.Namespace) -> int:
    """Print runs from the database."""
    settings = settings_from(args)
    status = parse_status(args.status)
    if args.limit < 1:
        raise ConfigError("--limit: expected a positive number")
    runs = run(_load(settings, args.code, status, args.limit))
    if args.json:
        print_json([r.model_dump(mode="json") for r in runs])
        return 0
    tz = settings.timezone
    print_table(
        ["RUN_ID", "JOB", "TRIGGER", "TRY", "SCHEDULED", "STARTED", "DURATION", "STATUS", "EXIT"],
        [_row(r, tz) for r in runs],
    )
    return 0


async def _load(
    settings: Settings, code: str | None, status: RunStatus | None, limit: int
) -> list[RunRecord]:
    engine = reading_engine(settings)
    await engine.open()
    try:
        runs = await engine.list_runs(code, status=status, limit=limit)
        if code is not None and not runs and code not in engine.table:
            raise JobNotFound(code)  # a removed job's history is still shown
        return runs
    finally:
        await engine.stop()


def _row(r: RunRecord, tz: str) -> list[str]:
    exit_ = r.exit_code if r.exit_code is not None else r.http_status
    return [
        r.run_id,
        r.job_code,
        r.trigger_type.value,
        str(r.attempt),
        local(r.scheduled_time, tz),
        local(r.start_time, tz),
        f"{r.duration_ms} ms" if r.duration_ms is not None else "-",
        r.status.value,
        "-" if exit_ is None else str(exit_),
    ]
