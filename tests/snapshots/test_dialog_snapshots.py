"""Snapshot tests of the reschedule and trigger dialogs, help and the job detail screen.

Deterministic: dialogs and screens get a frozen "now", the detail's history is written to the
SQLite file with fixed run ids and times before the real Engine opens it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from tests.waiting import wait_until
from ysched_tui.core.models import (
    CommandTarget,
    JobSource,
    JobSpec,
    JobState,
    JobView,
    OutputLine,
    ParamSpec,
    RetryPolicy,
    RunRecord,
    RunStatus,
    ScriptTarget,
    TriggerType,
)
from ysched_tui.core.triggers import CronTrigger, IntervalTrigger
from ysched_tui.owner.assembly import build_engine
from ysched_tui.settings import Settings
from ysched_tui.storage.sqlite import SqliteRepository
from ysched_tui.tui.dialogs.reschedule import RescheduleDialog
from ysched_tui.tui.dialogs.trigger import TriggerDialog
from ysched_tui.tui.screens.detail import JobDetailScreen
from ysched_tui.tui.screens.help import HelpScreen

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SIZES = [(80, 24), (120, 40)]


class Host(App[None]):
    """A plain backdrop with one screen pushed on top."""

    def __init__(self, make_screen: Callable[[], Screen[Any]]) -> None:
        super().__init__()
        self.make_screen = make_screen

    def compose(self) -> ComposeResult:
        yield Static("ysched-tui")

    def on_mount(self) -> None:
        self.push_screen(self.make_screen())


def backup_job() -> JobView:
    spec = JobSpec(code="backup", name="Nightly backup",
                   target=CommandTarget(command="/usr/local/bin/backup --all"),
                   triggers=(CronTrigger(expr="30 2 * * *"),))
    return JobView(spec=spec, state=JobState(code="backup", id="j1"))


def still(pilot: Pilot[Any]) -> None:
    """Stop cursors blinking so the picture does not depend on when it is taken."""
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False


def typed(text: str) -> Callable[[Pilot[Any]], Any]:
    """Replace the entry's text (as a paste), then freeze the cursor."""

    async def run_before(pilot: Pilot[Any]) -> None:
        field = pilot.app.screen.query_one("#entry", Input)
        field.value = text
        field.cursor_position = len(text)
        await pilot.pause()
        still(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_reschedule_valid(snap_compare: Any, size: tuple[int, int]) -> None:
    """Reschedule with a valid entry: description in words and the next 5 fires."""
    app = Host(lambda: RescheduleDialog(backup_job(), "Europe/Berlin", now=NOW))
    assert snap_compare(app, terminal_size=size, run_before=typed("*/15 9-17 * * MON-FRI"))


@pytest.mark.parametrize("size", SIZES)
def test_reschedule_invalid(snap_compare: Any, size: tuple[int, int]) -> None:
    """Reschedule with an invalid entry: the error names the bad field, Apply is disabled."""
    app = Host(lambda: RescheduleDialog(backup_job(), "Europe/Berlin", now=NOW))
    assert snap_compare(app, terminal_size=size, run_before=typed("0 25 * * *"))


def script_job() -> JobView:
    params = (
        ParamSpec(name="source", type="str", required=True, description="bucket to read"),
        ParamSpec(name="since", type="date", default="yesterday"),
        ParamSpec(name="batch_size", type="int", default=500),
        ParamSpec(name="dry_run", type="bool", default=False),
    )
    spec = JobSpec(code="etl", target=ScriptTarget(path="scripts/etl.py", params=params))
    return JobView(spec=spec, state=JobState(code="etl", id="j2"))


@pytest.mark.parametrize("size", SIZES)
def test_trigger_form(snap_compare: Any, size: tuple[int, int]) -> None:
    """The trigger form built from a script's signature, with an error next to a field."""

    async def run_before(pilot: Pilot[Any]) -> None:
        still(pilot)
        await pilot.press("enter")  # "source" is required and empty

    app = Host(lambda: TriggerDialog(script_job()))
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare: Any, size: tuple[int, int]) -> None:
    """Help lists every key by context."""
    assert snap_compare(Host(HelpScreen), terminal_size=size)


# --- the detail screen on a real engine ----------------------------------------------------

SPEC = JobSpec(
    code="backup", name="Nightly backup", description="Dump and upload the main database",
    tags=("db", "nightly"), target=CommandTarget(command="/usr/local/bin/backup --all"),
    triggers=(CronTrigger(expr="30 2 * * *"),), timeout=600, retries=RetryPolicy(max=2),
    source=JobSource.FILE, source_file="ysched.toml", source_line=12,
)
JOB_ID = "0" * 32


def history() -> list[RunRecord]:
    """Fixed runs of the last day: success, failure, timeout, missed, a manual retry."""
    runs = []
    outcomes = [
        (RunStatus.SUCCESS, 0, TriggerType.SCHEDULED, 1),
        (RunStatus.FAILED, 2, TriggerType.SCHEDULED, 1),
        (RunStatus.SUCCESS, 0, TriggerType.RETRY, 2),
        (RunStatus.TIMEOUT, None, TriggerType.SCHEDULED, 1),
        (RunStatus.MISSED, None, TriggerType.SCHEDULED, 1),
        (RunStatus.CANCELLED, None, TriggerType.MANUAL, 1),
    ]
    for i, (status, code, trigger, attempt) in enumerate(outcomes):
        start = NOW - timedelta(hours=10 - i, minutes=30)
        ran = status is not RunStatus.MISSED
        runs.append(RunRecord(
            run_id=f"run_20260301_0{i}3000_00000{i}", job_code="backup", job_id=JOB_ID,
            attempt=attempt, trigger_type=trigger, status=status, exit_code=code,
            scheduled_time=start, start_time=start if ran else None,
            end_time=start + timedelta(seconds=42 + i) if ran else None,
            duration_ms=(42 + i) * 1000 if ran else None, hostname="db1",
        ))
    return runs


async def seed(db: Path) -> None:
    repo = SqliteRepository(str(db))
    await repo.open()
    # Paused, so the engine (on real time) neither fires nor catches up while the picture is
    # taken; the operator's hourly schedule overrides the file's 02:30.
    state = JobState(code="backup", id=JOB_ID, paused=True, last_fire_time=NOW,
                     override_triggers=(IntervalTrigger(seconds=3600),))
    await repo.save_job(SPEC, state)
    for run in history():
        await repo.record_run(run)
    await repo.append_output([OutputLine(run_id=history()[0].run_id, seq=1, ts=NOW, text="ok")])
    await repo.flush()
    await repo.close()


class EngineHost(App[None]):
    """Starts a real engine on the seeded file and opens the job's detail."""

    def __init__(self, db: Path) -> None:
        super().__init__()
        settings = Settings(db=str(db), jobs=None, timezone="UTC")
        self.engine = build_engine(settings, specs=[SPEC], clock=lambda: NOW)

    async def on_mount(self) -> None:
        await self.engine.start()
        await self.push_screen(JobDetailScreen(self.engine, "backup", "UTC", clock=lambda: NOW))

    async def on_unmount(self) -> None:
        await self.engine.stop(grace=0)


async def detail_loaded(pilot: Pilot[Any]) -> None:
    """Wait until the definition and all six runs are on screen."""
    app = pilot.app
    await wait_until(lambda: app.screen.query("#runs")
                     and app.screen.query_one("#runs", DataTable).row_count == 6,
                     pilot=pilot, what="the detail to load")
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_detail_screen(snap_compare: Any, size: tuple[int, int], tmp_path: Path) -> None:
    """The detail of a paused job: override against the file, next 10 fires, history."""
    asyncio.run(seed(tmp_path / "t.db"))
    app = EngineHost(tmp_path / "t.db")
    assert snap_compare(app, terminal_size=size, run_before=detail_loaded)
