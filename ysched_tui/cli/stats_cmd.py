"""``ysched-tui stats [CODE]``: today, last 24 h and last 7 days."""

from __future__ import annotations

import argparse
from typing import Any

from ysched_tui.cli.common import print_json, print_table, reading_engine, run, settings_from
from ysched_tui.core.models import StatsReport, WindowStats
from ysched_tui.settings import Settings


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``stats`` subcommand."""
    p = sub.add_parser("stats", parents=[common], help="run statistics for one job or all")
    p.add_argument("code", nargs="?", metavar="CODE")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=stats)


def stats(args: argparse.Namespace) -> int:
    """Print the figures."""
    settings = settings_from(args)
    report = run(_load(settings, args.code))
    if args.json:
        print_json(report.model_dump(mode="json"))
        return 0
    who = f"job {args.code}" if args.code else "all jobs"
    print(f"{who}: {report.total_jobs} jobs, {report.active_jobs} active, "
          f"{report.paused_jobs} paused")
    rows = [
        _row("today", report.today),
        _row("last 24h", report.last_24h),
        _row("last 7d", report.last_7d),
    ]
    print_table(["WINDOW", "RUNS", "OK", "FAILED", "TIMEOUT", "MISSED", "RATE", "P50", "P95"], rows)
    return 0


async def _load(settings: Settings, code: str | None) -> StatsReport:
    engine = reading_engine(settings)
    await engine.open()
    try:
        return await engine.stats(code)
    finally:
        await engine.stop()


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} ms"


def _row(name: str, w: WindowStats) -> list[str]:
    rate = "-" if w.success_rate is None else f"{w.success_rate:.1f}%"
    return [
        name,
        str(w.total_runs),
        str(w.success_runs),
        str(w.failed_runs),
        str(w.timeout_runs),
        str(w.missed_runs),
        rate,
        _ms(w.p50_duration_ms),
        _ms(w.p95_duration_ms),
    ]
