"""``ysched-tui jobs``: every job with its schedule, state, next run and last result."""

from __future__ import annotations

import argparse
from typing import Any

from ysched_tui.cli.common import (
    iso,
    local,
    print_json,
    print_table,
    reading_engine,
    run,
    settings_from,
)
from ysched_tui.core.models import JobView
from ysched_tui.core.schedule import describe_all
from ysched_tui.settings import Settings


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``jobs`` subcommand."""
    p = sub.add_parser("jobs", parents=[common], help="list jobs (from the database)")
    p.add_argument("--json", action="store_true", help="JSON array instead of a table")
    p.set_defaults(func=list_jobs)


def list_jobs(args: argparse.Namespace) -> int:
    """Print the jobs stored in the database."""
    settings = settings_from(args)
    views = run(_load(settings))
    if args.json:
        print_json([job_json(v) for v in views])
        return 0
    rows = [_row(v, settings.timezone) for v in views]
    headers = ["CODE", "NAME", "KIND", "SCHEDULE", "STATE", "NEXT RUN", "LAST", "RUNS", "OK 7D"]
    print_table(headers, rows)
    return 0


async def _load(settings: Settings) -> list[JobView]:
    engine = reading_engine(settings)
    await engine.open()
    try:
        return await engine.list_jobs()
    finally:
        await engine.stop()


def job_json(v: JobView) -> dict[str, Any]:
    """The JSON object of one job (the contract: code, name, kind, paused, next_run_time,
    last_status, run_count, and more)."""
    s, st = v.spec, v.state
    return {
        "code": s.code,
        "id": st.id,
        "name": s.name,
        "description": s.description,
        "kind": s.kind,
        "tags": list(s.tags),
        "schedule": describe_all(v.triggers),
        "triggers": [t.model_dump(mode="json") for t in v.triggers],
        "overridden": st.override_triggers is not None or st.override_enabled is not None,
        "enabled": v.enabled,
        "paused": st.paused,
        "state": v.status_word,
        "next_run_time": iso(st.next_run_time),
        "last_status": st.last_status.value if st.last_status else None,
        "last_run_id": st.last_run_id,
        "last_duration_ms": st.last_duration_ms,
        "run_count": st.run_count,
        "fail_count": st.fail_count,
        "success_rate": v.success_rate_7d,
        "source": s.source.value,
        "source_file": s.source_file,
    }


def _row(v: JobView, tz: str) -> list[str]:
    st = v.state
    rate = f"{v.success_rate_7d * 100:.0f}%" if v.success_rate_7d is not None else "-"
    return [
        v.code,
        v.spec.display_name,
        v.spec.kind,
        describe_all(v.triggers),
        v.status_word,
        local(st.next_run_time, tz),
        st.last_status.value if st.last_status else "-",
        str(st.run_count),
        rate,
    ]
