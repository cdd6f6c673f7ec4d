"""Tests of the main screen's building blocks: the filter language, row cells without colour,
and the bridge's batching of engine events."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from textual.message import Message

from tests.app.conftest import SPECS
from tests.waiting import wait_until
from ysched_tui.core.models import CommandTarget, JobSpec, JobState, JobView, RunStatus
from ysched_tui.core.triggers import CronTrigger
from ysched_tui.engine import Engine
from ysched_tui.tui.app import YschedApp
from ysched_tui.tui.messages import JobsChanged
from ysched_tui.tui.widgets.job_cells import row_cells
from ysched_tui.tui.widgets.job_filter import job_matches
from ysched_tui.tui.widgets.jobs_table import JobsTable

NOW = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)


def view(code: str, *, tags: tuple[str, ...] = (), paused: bool = False,
         last: RunStatus | None = None, running: bool = False,
         median: int | None = None) -> JobView:
    spec = JobSpec(code=code, name=f"{code} job", tags=tags, target=CommandTarget(command="true"),
                   triggers=(CronTrigger(expr="*/5 * * * *"),))
    state = JobState(code=code, id=code, paused=paused, last_status=last,
                     next_run_time=NOW + timedelta(minutes=4), last_duration_ms=1500)
    return JobView(spec=spec, state=state, running=("run_x",) if running else (),
                   running_since=NOW - timedelta(seconds=30) if running else None,
                   median_duration_ms=median)


def test_filter_words_must_all_match() -> None:
    """Text, tag:, status:failed, status:running and paused filter as documented; all must hold."""
    db = view("backup", tags=("db",), last=RunStatus.TIMEOUT)
    assert job_matches(db, "") and job_matches(db, "BACK") and job_matches(db, "tag:db")
    assert job_matches(db, "status:failed") and not job_matches(db, "status:success")
    assert not job_matches(db, "tag:db paused")
    assert job_matches(view("x", paused=True), "paused")
    assert job_matches(view("x", paused=True), "status:paused")
    assert job_matches(view("x", running=True), "status:running")
    assert not job_matches(view("x"), "status:running")


def test_cells_read_without_colour() -> None:
    """Every state and status reads as words and symbols, so NO_COLOR loses nothing."""
    cells = row_cells(view("a", last=RunStatus.FAILED), NOW, "UTC")
    assert str(cells["state"]).strip() == "active"
    assert str(cells["last"]) == "✗ failed 1.5s"
    assert str(cells["next"]) == "in 4m 09:04"
    running = row_cells(view("b", running=True, median=60_000), NOW, "UTC", marked=True)
    assert str(running["state"]) == "*| running"
    assert str(running["progress"]) == "██░░░ 50%"
    paused = row_cells(view("c", paused=True), NOW, "UTC")
    assert str(paused["state"]).strip() == "paused" and str(paused["next"]) == "-"


async def test_bridge_batches_job_updates(app: YschedApp, engine: Engine) -> None:
    """Many job changes in a burst reach the screen as a few batched messages."""
    batches: list[JobsChanged] = []

    def hook(message: Message) -> None:
        if isinstance(message, JobsChanged):
            batches.append(message)

    async with app.run_test(size=(160, 40), message_hook=hook) as pilot:
        table = app.screen.query_one(JobsTable)
        await wait_until(lambda: table.row_count >= len(SPECS), pilot=pilot)
        bridge = app.main_screen.bridge  # let the start-up changes (job figures loading) pass
        await wait_until(lambda: not (bridge._jobs or bridge._removed), pilot=pilot,
                         what="no job change waiting in the bridge")
        await pilot.pause()  # the last batch posted is handled
        batches.clear()
        began = time.monotonic()
        for _ in range(10):
            await engine.pause("backup")
            await engine.resume("backup")
        await engine.pause("tick")
        await wait_until(lambda: any("tick" in b.changed for b in batches), pilot=pilot)
        # 21 changes: at most one batch per refresh period of the table (plus the partial
        # periods at both ends), however slow the engine's writes are on a busy machine
        periods = (time.monotonic() - began) * app.settings.ui.table_refresh_hz
        assert len(batches) <= periods + 2 and len(batches) < 21, (len(batches), periods)
        assert batches[-1].changed["tick"].state.paused
