"""Pilot tests of the job detail and run output screens on a real Engine and SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.command import CommandList
from textual.widgets import DataTable, Log, Static

from tests.app.conftest import finished
from tests.waiting import wait_until
from ysched_tui.core.models import CommandTarget, JobSpec, PythonTarget, RunStatus
from ysched_tui.core.schedule import fire_times
from ysched_tui.core.triggers import CronTrigger, IntervalTrigger
from ysched_tui.engine import Engine
from ysched_tui.owner.assembly import build_engine
from ysched_tui.settings import Settings
from ysched_tui.tui.dialogs.confirm import ConfirmDialog
from ysched_tui.tui.dialogs.reschedule import RescheduleDialog
from ysched_tui.tui.dialogs.trigger import TriggerDialog
from ysched_tui.tui.format import fmt_time
from ysched_tui.tui.palette import YschedCommands
from ysched_tui.tui.screens.detail import JobDetailScreen
from ysched_tui.tui.screens.run_detail import RunDetailScreen

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def boom() -> None:
    raise ValueError("disk full")


SPECS = [
    JobSpec(code="hello", name="Say hello", target=CommandTarget(command="echo hi; echo there"),
            triggers=(CronTrigger(expr="30 2 * * *"),), tags=("demo",),
            source_file="jobs.toml", source_line=3),
    JobSpec(code="long", target=CommandTarget(command="sleep 30"),
            triggers=(CronTrigger(expr="0 * * * *"),)),
    JobSpec(code="broken", target=PythonTarget(ref="tests.app.test_detail:boom")),
]


@pytest.fixture
async def engine(tmp_path: Any) -> AsyncIterator[Engine]:
    settings = Settings(db=str(tmp_path / "t.db"), jobs=None, timezone="UTC", kill_grace=0.5)
    eng = build_engine(settings, specs=SPECS, callables={"tests.app.test_detail:boom": boom})
    await eng.start()
    yield eng
    await eng.stop(grace=0)


class Host(App[None]):
    """Opens the detail of one job."""

    def __init__(self, engine: Engine, code: str) -> None:
        super().__init__()
        self.engine = engine
        self.code = code

    def on_mount(self) -> None:
        self.push_screen(JobDetailScreen(self.engine, self.code, "UTC", clock=lambda: NOW))


def definition(app: App[Any]) -> str:
    """The definition grid as plain text (rendered at the screen's width)."""
    static = app.screen.query_one("#definition", Static)
    return "\n".join(strip.text for strip in static.render_lines(static.region.reset_offset))


def table(app: App[Any]) -> DataTable[Any]:
    return app.screen.query_one("#runs", DataTable)


async def test_detail_shows_definition_and_next_ten_fires(engine: Engine) -> None:
    """Definition (kind, command, schedule in words and raw, source) and 10 fires from core."""
    app = Host(engine, "hello")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(lambda: "echo hi" in definition(app), pilot=pilot)
        shown = definition(app)
        for part in ("command", "echo hi; echo there", "At 02:30", "30 2 * * *", "demo",
                     "file jobs.toml:3", "skip"):
            assert part in shown, part
        job = await engine.get_job("hello")
        fires = fire_times(job.triggers, NOW, 10, default_tz="UTC", seed="hello")
        shown_fires = str(app.screen.query_one("#fires", Static).content)
        assert all(fmt_time(f, "UTC", seconds=False) in shown_fires for f in fires)
        assert "Say hello" in str(app.screen.query_one("#title").content)


async def test_history_updates_live_and_enter_opens_output(engine: Engine) -> None:
    """A run appears in the history when its events arrive; enter shows its full output."""
    app = Host(engine, "hello")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(lambda: app.screen.query_one("#runs", DataTable).columns != {},
                         pilot=pilot)
        run_id = await engine.trigger("hello")
        await finished(engine, run_id)
        await wait_until(lambda: table(app).row_count == 1
                         and "success" in str(table(app).get_row(run_id)[1]), pilot=pilot)
        row = table(app).get_row(run_id)
        assert "✓" in str(row[1]) and row[4] == "0" and row[5] == "manual"
        await pilot.press("enter")
        assert isinstance(app.screen, RunDetailScreen)
        await wait_until(lambda: app.screen.query_one(Log).lines == ["hi", "there"], pilot=pilot)
        header = app.screen.query_one("#header", Static)
        rendered = "\n".join(s.text for s in header.render_lines(header.region.reset_offset))
        assert run_id in rendered and "success" in rendered and "exit code" in rendered
        await pilot.press("escape")
        assert isinstance(app.screen, JobDetailScreen)


async def test_run_output_follows_a_running_run(engine: Engine, tmp_path: Path) -> None:
    """Lines printed after the run screen opened are appended live, then the run ends."""
    flag = tmp_path / "go"
    script = f"echo start; while [ ! -e {flag} ]; do sleep 0.02; done; echo done"
    await engine.add_job(JobSpec(code="slow", target=CommandTarget(command=script)))
    app = Host(engine, "slow")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(lambda: "[manual]" in str(app.screen.query_one("#title").content),
                         pilot=pilot)
        run_id = await engine.trigger("slow")
        await wait_until(lambda: table(app).row_count == 1, pilot=pilot)
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, RunDetailScreen)
        await wait_until(lambda: screen.query_one(Log).lines == ["start"], pilot=pilot)
        assert screen.run is not None and screen.run.status is RunStatus.RUNNING
        follow = screen.query_one("#follow", Static)
        await wait_until(lambda: "following live" in str(follow.content), pilot=pilot)
        flag.touch()  # the run prints its last line only now, while the screen is open
        await wait_until(lambda: screen.query_one(Log).lines == ["start", "done"], pilot=pilot)
        await wait_until(lambda: screen.run is not None and screen.run.status.is_final, pilot=pilot)
        assert (await engine.get_run(run_id)).status is RunStatus.SUCCESS


async def test_failure_shows_error_and_traceback(engine: Engine) -> None:
    """A failed Python job's run screen shows its error and traceback prominently."""
    run_id = await engine.trigger("broken")
    await finished(engine, run_id)
    app = Host(engine, "broken")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(lambda: table(app).row_count == 1, pilot=pilot)
        assert "failed" in str(table(app).get_row(run_id)[1])
        await pilot.press("enter")
        box = app.screen.query_one("#failure")
        await wait_until(lambda: box.has_class("-shown"), pilot=pilot)
        shown = str(app.screen.query_one("#failure-text", Static).content)
        assert "disk full" in shown and "Traceback" in shown and "ValueError" in shown


async def test_pause_and_resume_keys(engine: Engine) -> None:
    """p pauses and r resumes the job in the engine; the title shows the new state."""
    app = Host(engine, "hello")
    async with app.run_test() as pilot:
        await wait_until(lambda: "[active]" in str(app.screen.query_one("#title").content),
                         pilot=pilot)
        await pilot.press("p")
        await wait_until(lambda: "[paused]" in str(app.screen.query_one("#title").content),
                         pilot=pilot)
        assert (await engine.get_job("hello")).state.paused
        await pilot.press("p")  # already paused: explained, not a crash
        await wait_until(lambda: any("paused" in n.message and n.severity == "error"
                                     for n in app._notifications), pilot=pilot)
        await pilot.press("r")
        await wait_until(lambda: "[active]" in str(app.screen.query_one("#title").content),
                         pilot=pilot)
        assert not (await engine.get_job("hello")).state.paused


async def test_reschedule_shows_override_and_revert_drops_it(engine: Engine) -> None:
    """e applies a new schedule as an override shown against the file; u + y reverts it."""
    app = Host(engine, "hello")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(lambda: "echo hi" in definition(app), pilot=pilot)
        await pilot.press("e")
        assert isinstance(app.screen, RescheduleDialog)
        await pilot.press("end", "shift+home", "backspace", "5", "m", "enter")
        await wait_until(lambda: "operator schedule" in definition(app), pilot=pilot)
        job = await engine.get_job("hello")
        assert job.state.override_triggers == (IntervalTrigger(seconds=300),)
        assert "file: 30 2 * * *" in definition(app)
        await pilot.press("u")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await wait_until(lambda: "operator schedule" not in definition(app), pilot=pilot)
        assert (await engine.get_job("hello")).state.override_triggers is None


async def test_trigger_and_cancel_keys(engine: Engine) -> None:
    """t + enter starts a manual run; c + y cancels the running run (status cancelled)."""
    app = Host(engine, "long")
    async with app.run_test() as pilot:
        await wait_until(lambda: "[active]" in str(app.screen.query_one("#title").content),
                         pilot=pilot)
        await pilot.press("t")
        assert isinstance(app.screen, TriggerDialog)
        await pilot.press("enter")
        await wait_until(lambda: "[running]" in str(app.screen.query_one("#title").content),
                         pilot=pilot)
        (run,) = await engine.list_runs("long")
        await pilot.press("c")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await finished(engine, run.run_id)
        assert (await engine.get_run(run.run_id)).status is RunStatus.CANCELLED
        await wait_until(lambda: "cancelled" in str(table(app).get_row(run.run_id)[1]), pilot=pilot)


async def test_removed_job_closes_detail_with_a_message(engine: Engine) -> None:
    """When the job is removed while its detail is open, the screen says so and goes back."""
    app = Host(engine, "hello")
    async with app.run_test() as pilot:
        await wait_until(lambda: "[active]" in str(app.screen.query_one("#title").content),
                         pilot=pilot)
        await engine.remove_job("hello")
        await wait_until(lambda: not isinstance(app.screen, JobDetailScreen), pilot=pilot)
        assert any("hello" in n.message for n in app._notifications)


class PaletteApp(App[None]):
    """An app exposing ``service`` and ``open_job`` the way the console's app does."""

    COMMANDS = {YschedCommands}  # noqa: RUF012

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.service = engine

    def open_job(self, code: str) -> None:
        self.push_screen(JobDetailScreen(self.service, code, "UTC", clock=lambda: NOW))


async def test_palette_opens_a_job_by_code(engine: Engine) -> None:
    """ctrl+p offers 'Open job <code>' for each job of the service; choosing it opens it."""
    app = PaletteApp(engine)
    async with app.run_test() as pilot:
        await pilot.press("ctrl+p", *"open job bro")
        await wait_until(lambda: bool(app.screen.query(CommandList))
                         and app.screen.query_one(CommandList).option_count > 0, pilot=pilot)
        await pilot.press("enter")
        await wait_until(lambda: isinstance(app.screen, JobDetailScreen), pilot=pilot)
        assert isinstance(app.screen, JobDetailScreen) and app.screen.code == "broken"
