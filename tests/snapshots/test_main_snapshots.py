"""Snapshot tests of the main screen at 80x24 and 120x40, on a real engine with frozen time.

How the data is kept still: the engine and the console share one frozen clock set in the future
(2030-01-07 09:00:30 UTC). The engine computes every next fire from that clock, so the nearest
fire (09:05) lies years ahead of the real time APScheduler waits on: nothing fires while the
picture is taken. History is written to the SQLite file with fixed run ids and times before the
engine opens it, and the app starts the engine itself (``start_service``) because
``snap_compare`` runs the app on its own event loop. The database path is relative (the test
runs in its tmp folder) so the header reads the same on every machine.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from tests.waiting import wait_until
from ysched_tui.core.models import (
    CommandTarget,
    JobSpec,
    JobState,
    OutputLine,
    RunRecord,
    RunStatus,
    TriggerType,
)
from ysched_tui.core.triggers import CronTrigger, IntervalTrigger
from ysched_tui.owner.assembly import build_engine
from ysched_tui.settings import Settings
from ysched_tui.storage.sqlite import SqliteRepository
from ysched_tui.tui.app import YschedApp
from ysched_tui.tui.widgets.header_bar import HeaderBar
from ysched_tui.tui.widgets.jobs_table import JobsTable
from ysched_tui.tui.widgets.log_pane import LogPane
from ysched_tui.tui.widgets.next_runs import NextRunsPane

NOW = datetime(2030, 1, 7, 9, 0, 30, tzinfo=UTC)

SPECS = [
    JobSpec(code="backup", name="Nightly backup", target=CommandTarget(command="backup.sh"),
            triggers=(CronTrigger(expr="30 2 * * *"),), tags=("db",)),
    JobSpec(code="poll", name="Poll the feed", target=CommandTarget(command="poll.sh"),
            triggers=(IntervalTrigger(seconds=300),)),
    JobSpec(code="report", name="Weekly report", target=CommandTarget(command="report.sh"),
            triggers=(CronTrigger(expr="0 8 * * MON"),)),
    JobSpec(code="reindex", name="Rebuild search", target=CommandTarget(command="reindex.sh")),
]


def job_id(code: str) -> str:
    return code.ljust(32, "0")


def run(code: str, i: int, status: RunStatus, hours_ago: float, seconds: int) -> RunRecord:
    start = NOW - timedelta(hours=hours_ago)
    return RunRecord(
        run_id=f"run_20300107_0{i}0000_{code[:3]}00{i}", job_code=code, job_id=job_id(code),
        trigger_type=TriggerType.SCHEDULED, status=status, scheduled_time=start,
        start_time=start, end_time=start + timedelta(seconds=seconds),
        duration_ms=seconds * 1000, exit_code=0 if status is RunStatus.SUCCESS else 1,
        hostname="db1",
    )


HISTORY = [
    run("backup", 1, RunStatus.SUCCESS, 30.5, 61),
    run("backup", 2, RunStatus.SUCCESS, 6.5, 58),
    run("poll", 1, RunStatus.SUCCESS, 0.2, 2),
    run("poll", 2, RunStatus.FAILED, 0.1, 3),
    run("report", 1, RunStatus.TIMEOUT, 25, 600),
]


async def seed(db: Path) -> None:
    """Write the jobs (``report`` paused) and their history before the engine opens the file."""
    repo = SqliteRepository(str(db))
    await repo.open()
    for spec in SPECS:
        runs = [r for r in HISTORY if r.job_code == spec.code]
        last = runs[-1] if runs else None
        await repo.save_job(spec, JobState(
            code=spec.code, id=job_id(spec.code), paused=spec.code == "report",
            last_fire_time=NOW, run_count=len(runs),
            last_run_id=last.run_id if last else None, last_status=last.status if last else None,
            last_duration_ms=last.duration_ms if last else None,
        ))
    for record in HISTORY:
        await repo.record_run(record)
    lines = [OutputLine(run_id=HISTORY[1].run_id, seq=n + 1, ts=NOW - timedelta(hours=6.5),
                        text=text) for n, text in enumerate(["dumping app", "uploaded 2.1 GB"])]
    await repo.append_output(lines)
    await repo.flush()
    await repo.close()


@pytest.fixture
def console(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> YschedApp:
    monkeypatch.chdir(tmp_path)
    asyncio.run(seed(tmp_path / "t.db"))
    settings = Settings(db="t.db", jobs=None, timezone="UTC")
    engine = build_engine(settings, specs=SPECS, clock=lambda: NOW)
    return YschedApp(engine, settings, clock=lambda: NOW, start_service=True)


async def loaded(pilot: Pilot[Any]) -> None:
    """Wait until every pane has its data: jobs, header, timeline, the selected job's latest run
    and the stats of that job and of all jobs."""
    screen = pilot.app.screen

    def done() -> bool:
        if not screen.query(JobsTable) or not screen.query(LogPane):
            return False
        table = screen.query_one(JobsTable)
        engine = pilot.app.service  # type: ignore[attr-defined]
        figures = engine.table.get("backup").success_rate_7d is not None  # loaded after start
        stats = [str(title.render()) for title in screen.query(".scope-title").results(Static)]
        return (figures and table.row_count == len(SPECS) + 1
                and screen.query_one(HeaderBar).status is not None
                and bool(screen.query_one(NextRunsPane).fires)
                and len(stats) == 2 and not any("loading" in title for title in stats)
                and screen.query_one(LogPane).run is not None
                and any("uploaded" in line for line in screen.query_one(LogPane).log_view.lines))

    await wait_until(done, pilot=pilot, what="the main screen to load")
    await pilot.pause()  # one more turn: what the last message changed is laid out


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_main_screen(snap_compare: Any, console: YschedApp, size: tuple[int, int]) -> None:
    """The main screen: four panes at 120x40, the jobs tab at 80x24."""
    assert snap_compare(console, terminal_size=size, run_before=loaded)


def test_main_screen_log_tab_small(snap_compare: Any, console: YschedApp) -> None:
    """At 80x24, 3 switches to the log pane with its run header and status line."""
    assert snap_compare(console, terminal_size=(80, 24), run_before=loaded, press=["3"])
