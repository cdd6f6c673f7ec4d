"""Regenerate the SVG screenshots in this folder from the real app (``make screenshots``).

The console runs on a real engine and a real SQLite file, with a frozen clock (2030-01-07 09:00
UTC: every next fire lies years ahead of real time, so nothing fires while pictures are taken)
and two weeks of generated history so the stats panes have something to show.
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from ysched_tui.console import make_app
from ysched_tui.core.models import (
    CommandTarget,
    HttpTarget,
    JobSpec,
    JobState,
    OutputLine,
    ParamSpec,
    PythonTarget,
    RetryPolicy,
    RunRecord,
    RunStatus,
    ScriptTarget,
    TriggerType,
)
from ysched_tui.core.triggers import CronTrigger, IntervalTrigger
from ysched_tui.owner.assembly import build_engine
from ysched_tui.settings import Settings
from ysched_tui.storage import SqliteRepository
from ysched_tui.tui.app import YschedApp

NOW = datetime(2030, 1, 7, 9, 0, 30, tzinfo=UTC)
OUT = Path(__file__).parent

SPECS = [
    JobSpec(code="backup_db", name="Nightly database backup", tags=("db",),
            target=CommandTarget(command="pg_dump app > /var/backups/app.sql"),
            triggers=(CronTrigger(expr="30 2 * * *", timezone="Europe/Berlin"),),
            retries=RetryPolicy(max=3, delay=60, backoff=2), timeout=3600),
    JobSpec(code="sync_orders", name="Sync orders from shop", tags=("shop",),
            target=HttpTarget(url="https://shop.internal/api/sync", method="POST"),
            triggers=(IntervalTrigger(seconds=300),)),
    JobSpec(code="weekly_report", name="Weekly sales report", tags=("reports",),
            target=PythonTarget(ref="reports.weekly:build"),
            triggers=(CronTrigger(expr="0 8 * * mon"),)),
    JobSpec(code="cleanup_tmp", name="Clean /tmp uploads",
            target=CommandTarget(command="find /srv/uploads/tmp -mtime +2 -delete"),
            triggers=(CronTrigger(expr="*/15 * * * *"),)),
    JobSpec(code="reindex", name="Rebuild search index",
            target=CommandTarget(command="./reindex.sh --full"),
            triggers=(CronTrigger(expr="0 3 * * 0"),)),
    JobSpec(code="sales_report", name="Sales report (script)", source="script",
            target=ScriptTarget(path="scripts/sales_report.py", params=(
                ParamSpec(name="region", type="str", required=True),
                ParamSpec(name="days", type="int", default=7)))),
]
PAUSED = {"reindex"}
DURATIONS = {"backup_db": 95_000, "sync_orders": 1_800, "weekly_report": 40_000,
             "cleanup_tmp": 900, "reindex": 600_000, "sales_report": 5_000}


def history() -> list[RunRecord]:
    """Two weeks of plausible runs, deterministic."""
    rnd = random.Random(7)
    runs: list[RunRecord] = []
    for spec in SPECS:
        step = {"sync_orders": 1.0, "cleanup_tmp": 0.75}.get(spec.code, 24.0)
        t = NOW - timedelta(days=14)
        i = 0
        while t < NOW - timedelta(minutes=5):
            i += 1
            status = RunStatus.SUCCESS
            roll = rnd.random()
            if roll < 0.06:
                status = RunStatus.FAILED
            elif roll < 0.08 and spec.code in ("backup_db", "sync_orders"):
                status = RunStatus.TIMEOUT
            ms = int(DURATIONS[spec.code] * rnd.uniform(0.7, 1.4))
            runs.append(RunRecord(
                run_id=f"run_{t:%Y%m%d_%H%M%S}_{spec.code[:2]}{i:04x}", job_code=spec.code,
                job_id=spec.code.ljust(32, "0"), trigger_type=TriggerType.SCHEDULED,
                scheduled_time=t, start_time=t, end_time=t + timedelta(milliseconds=ms),
                duration_ms=ms, status=status, hostname="app1", pid=4242,
                exit_code=None if spec.target.kind == "http" else (0 if status == "success" else 1),
                http_status=(200 if status == "success" else 503)
                if spec.target.kind == "http" else None,
                error=None if status == "success" else "exit code 1: connection reset by peer",
            ))
            t += timedelta(hours=step)
    return runs


async def seed(db: Path) -> str:
    """Write jobs and history; returns the run_id whose output the log pane shows."""
    repo = SqliteRepository(str(db))
    await repo.open()
    runs = history()
    for spec in SPECS:
        mine = [r for r in runs if r.job_code == spec.code]
        last = mine[-1] if mine else None
        await repo.save_job(spec, JobState(
            code=spec.code, id=spec.code.ljust(32, "0"), paused=spec.code in PAUSED,
            last_fire_time=NOW, run_count=len(mine),
            fail_count=sum(r.status.is_failure for r in mine),
            last_run_id=last.run_id if last else None, last_status=last.status if last else None,
            last_duration_ms=last.duration_ms if last else None,
            last_end_time=last.end_time if last else None))
    for record in runs:
        await repo.record_run(record)
    backup = [r for r in runs if r.job_code == "backup_db"][-1]
    text = ["pg_dump: dumping schema app", "pg_dump: dumping data for 184 tables",
            "pg_dump: table orders: 2,114,870 rows", "pg_dump: table events: 9,880,112 rows",
            "compressing with zstd -19", "uploaded app-20300107.sql.zst (2.1 GB) to s3://backups",
            "pruned 3 dumps older than 14 days", "done in 1m35s"]
    await repo.append_output([
        OutputLine(run_id=backup.run_id, seq=n + 1, stream="stdout",
                   ts=backup.start_time + timedelta(seconds=n * 11), text=line)  # type: ignore[operator]
        for n, line in enumerate(text)])
    await repo.flush()
    await repo.close()
    return backup.run_id


async def shoot(name: str, size: tuple[int, int], keys: list[str], db: Path) -> None:
    settings = Settings(db=db.name, jobs=None, timezone="UTC")  # relative: cwd is its folder
    engine = build_engine(settings, specs=SPECS, clock=lambda: NOW)
    app: YschedApp = make_app(settings, engine, clock=lambda: NOW)
    await engine.start(recover=False)  # every fire is in 2030: nothing runs meanwhile
    try:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            for key in keys:
                await pilot.press(key)
                await pilot.pause(0.3)
            await pilot.pause(0.5)
            app.save_screenshot(str(OUT / f"{name}.svg"))
        await app.settle()
    finally:
        await engine.stop(grace=0)
    print(f"wrote screenshots/{name}.svg", file=sys.stderr)


async def settle(pilot: Pilot[Any]) -> None:
    """Give the workers time to load every pane."""
    for _ in range(20):
        await pilot.pause(0.1)


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        db = Path(tmp) / "ysched.db"
        await seed(db)
        await shoot("main", (140, 42), [], db)
        await shoot("main-80x24", (80, 24), [], db)
        await shoot("detail", (120, 40), ["enter"], db)
        await shoot("reschedule", (120, 40), ["e", "ctrl+a", "ctrl+k", *"0 */6 * * mon-fri"], db)
        await shoot("help", (120, 40), ["question_mark"], db)


if __name__ == "__main__":
    asyncio.run(main())
