"""``ysched-tui audit``: operator actions newest first — who, when, what, before and after.

Read from the database (no owner needed), or from the owner with ``--connect``.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from ysched_tui.cli.common import local, print_json, print_table, reading_engine, run, settings_from
from ysched_tui.cli.control import connect_options, through_owner
from ysched_tui.core.models import AuditEntry
from ysched_tui.core.service import SchedulerService
from ysched_tui.errors import ConfigError
from ysched_tui.settings import Settings


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``audit`` subcommand."""
    p = sub.add_parser("audit", parents=[common], help="list operator actions, newest first")
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=int, default=50, metavar="N")
    p.set_defaults(func=audit)


def audit(args: argparse.Namespace) -> int:
    """Print the latest entries."""
    if args.limit < 1:
        raise ConfigError("--limit: expected a positive number")
    settings = settings_from(args)
    connect, _token = connect_options(args)
    if connect:

        async def remote(service: SchedulerService, _settings: Settings) -> list[AuditEntry]:
            return await service.audit(args.limit)

        entries = through_owner(args, remote)
    else:
        entries = run(_load(settings, args.limit))
    if args.json:
        print_json([e.model_dump(mode="json") for e in entries])
        return 0
    headers = ["TIME", "USER", "FROM", "VIA", "ACTION", "JOB", "RUN", "BEFORE", "AFTER"]
    print_table(headers, [_row(e, settings.timezone) for e in entries])
    return 0


async def _load(settings: Settings, limit: int) -> list[AuditEntry]:
    engine = reading_engine(settings)
    await engine.open()
    try:
        return await engine.audit(limit)
    finally:
        await engine.stop()


def _short(value: Any) -> str:
    if value is None:
        return "-"
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return text if len(text) <= 40 else text[:39] + "…"


def _row(e: AuditEntry, tz: str) -> list[str]:
    return [local(e.time, tz), e.actor.user, e.actor.address or "-", e.actor.via, e.action,
            e.job_code or "-", e.run_id or "-", _short(e.before), _short(e.after)]
