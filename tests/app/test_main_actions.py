"""Pilot tests of the main screen's operator keys: press, the engine changes, the row shows it."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from tests.app.conftest import SPECS, Notes, palette_choice, palette_open, row_text, state_of
from tests.waiting import wait_until
from ysched_tui.core.models import RunStatus
from ysched_tui.core.triggers import CronTrigger
from ysched_tui.engine import Engine
from ysched_tui.tui.app import YschedApp
from ysched_tui.tui.dialogs.confirm import ConfirmDialog
from ysched_tui.tui.dialogs.reschedule import RescheduleDialog
from ysched_tui.tui.dialogs.trigger import TriggerDialog
from ysched_tui.tui.screens.main import MainScreen
from ysched_tui.tui.widgets.jobs_table import JobsTable


async def ready(pilot: Pilot[Any], code: str | None = None) -> JobsTable:
    """Wait for the jobs to show, then put the cursor on ``code``."""
    table = pilot.app.screen.query_one(JobsTable)
    await wait_until(lambda: table.row_count >= len(SPECS), pilot=pilot)
    if code is not None:
        table.move_cursor(row=table.get_row_index(code))
        await wait_until(lambda: pilot.app.screen.selected == code, pilot=pilot)
    return table


async def test_table_lists_every_job_with_schedule_words(app: YschedApp, engine: Engine) -> None:
    """Every engine job has a row with its schedule in words and its next run."""
    async with app.run_test(size=(160, 40)) as pilot:
        table = await ready(pilot)
        assert set(table.codes()) == {job.code for job in await engine.list_jobs()}
        assert "every 1 hour" in row_text(app, "tick") or "every hour" in row_text(app, "tick")
        assert "02:30" in row_text(app, "backup")
        assert "manual" in row_text(app, "hello")


async def test_p_pauses_the_selected_job(app: YschedApp, engine: Engine, notes: Notes) -> None:
    """p pauses the job in the engine, the row then reads paused, and a toast says so."""
    async with app.run_test(size=(160, 40), message_hook=notes.hook) as pilot:
        await ready(pilot, "backup")
        await pilot.press("p")
        await wait_until(lambda: _paused(engine, "backup"), pilot=pilot)
        await wait_until(lambda: state_of(app, "backup") == "paused", pilot=pilot)
        assert notes.has("paused backup")


async def _paused(engine: Engine, code: str) -> bool:
    return (await engine.get_job(code)).state.paused


async def test_p_on_a_paused_job_explains(app: YschedApp, engine: Engine, notes: Notes) -> None:
    """Pausing an already paused job changes nothing and shows the engine's error."""
    await engine.pause("backup")
    async with app.run_test(size=(160, 40), message_hook=notes.hook) as pilot:
        await ready(pilot, "backup")
        await pilot.press("p")
        await wait_until(lambda: any(n.startswith("error:") for n in notes), pilot=pilot)
        assert notes.has("paused")
        assert await _paused(engine, "backup")


async def test_r_resumes_the_selected_job(app: YschedApp, engine: Engine, notes: Notes) -> None:
    """r resumes a paused job in the engine and the row reads active again."""
    await engine.pause("tick")
    async with app.run_test(size=(160, 40), message_hook=notes.hook) as pilot:
        await ready(pilot, "tick")
        assert state_of(app, "tick") == "paused"
        await pilot.press("r")
        await wait_until(lambda: _not_paused(engine, "tick"), pilot=pilot)
        await wait_until(lambda: state_of(app, "tick") == "active", pilot=pilot)
        assert notes.has("resumed tick")


async def _not_paused(engine: Engine, code: str) -> bool:
    return not (await engine.get_job(code)).state.paused


async def test_space_marks_jobs_for_a_bulk_pause(app: YschedApp, engine: Engine) -> None:
    """space marks jobs; p then pauses every marked job, not just the selected one."""
    async with app.run_test(size=(160, 40)) as pilot:
        table = await ready(pilot, "backup")
        await pilot.press("space")
        table.move_cursor(row=table.get_row_index("tick"))
        await pilot.press("space")
        assert table.marked == {"backup", "tick"}
        assert row_text(app, "backup").startswith("*")
        assert state_of(app, "backup") == "active"
        await pilot.press("p")
        await wait_until(lambda: _paused(engine, "tick"), pilot=pilot)
        assert await _paused(engine, "backup")
        await wait_until(lambda: state_of(app, "backup") == "paused", pilot=pilot)
        assert not table.marked


async def test_t_triggers_after_the_dialog_and_tails_output(app: YschedApp, engine: Engine,
                                                            notes: Notes) -> None:
    """t opens the trigger dialog; confirming runs the job and its lines reach the log pane."""
    async with app.run_test(size=(160, 40), message_hook=notes.hook) as pilot:
        await ready(pilot, "hello")
        await pilot.press("t")
        await wait_until(lambda: isinstance(app.screen, TriggerDialog), pilot=pilot)
        await pilot.press("y")
        await wait_until(lambda: _has_runs(engine, "hello"), pilot=pilot)
        log = app.screen.query_one("#run-log")
        await wait_until(lambda: "gamma" in log.lines, pilot=pilot)  # type: ignore[attr-defined]
        assert notes.has("triggered hello")
        await wait_until(lambda: "✓ success" in row_text(app, "hello"), pilot=pilot)


async def _has_runs(engine: Engine, code: str) -> bool:
    return bool(await engine.list_runs(code))


async def test_t_cancelled_dialog_runs_nothing(app: YschedApp, engine: Engine,
                                              notes: Notes) -> None:
    """Cancelling the trigger dialog starts no run."""
    async with app.run_test(size=(160, 40), message_hook=notes.hook) as pilot:
        await ready(pilot, "hello")
        await pilot.press("t")
        await wait_until(lambda: isinstance(app.screen, TriggerDialog), pilot=pilot)
        await pilot.press("escape")
        await wait_until(lambda: notes.has("trigger cancelled"), pilot=pilot)
        assert not await engine.list_runs("hello")


async def test_e_reschedules_through_the_dialog(app: YschedApp, engine: Engine,
                                               notes: Notes) -> None:
    """e opens the reschedule dialog; a valid entry is applied in the engine and shown."""
    async with app.run_test(size=(160, 40), message_hook=notes.hook) as pilot:
        await ready(pilot, "backup")
        await pilot.press("e")
        await wait_until(lambda: isinstance(app.screen, RescheduleDialog), pilot=pilot)
        app.screen.query_one("#entry", Input).value = "*/10 * * * *"
        await pilot.pause()
        await pilot.press("enter")
        await wait_until(lambda: _triggers_are(engine, "backup", "*/10 * * * *"), pilot=pilot)
        await wait_until(lambda: "10 minutes" in row_text(app, "backup"), pilot=pilot)
        assert notes.has("rescheduled backup")


async def _triggers_are(engine: Engine, code: str, expr: str) -> bool:
    return (await engine.get_job(code)).triggers == (CronTrigger(expr=expr),)


async def test_c_cancels_the_running_run(app: YschedApp, engine: Engine, notes: Notes) -> None:
    """c asks first, then cancels the job's run in the engine; the row stops running."""
    run_id = await engine.trigger("slow")
    async with app.run_test(size=(160, 40), message_hook=notes.hook) as pilot:
        await ready(pilot, "slow")
        await wait_until(lambda: "running" in row_text(app, "slow"), pilot=pilot)
        await pilot.press("c")
        await wait_until(lambda: isinstance(app.screen, ConfirmDialog), pilot=pilot)
        await pilot.press("y")
        await wait_until(lambda: _status_is(engine, run_id, RunStatus.CANCELLED), pilot=pilot)
        await wait_until(lambda: "cancelled" in row_text(app, "slow"), pilot=pilot)
        assert "running" not in state_of(app, "slow")
        assert notes.has(f"cancelled {run_id}")


async def _status_is(engine: Engine, run_id: str, status: RunStatus) -> bool:
    return (await engine.get_run(run_id)).status == status


async def test_c_without_a_running_run_is_an_error(app: YschedApp, notes: Notes) -> None:
    """c on a job that is not running explains instead of asking."""
    async with app.run_test(size=(160, 40), message_hook=notes.hook) as pilot:
        await ready(pilot, "backup")
        await pilot.press("c")
        await wait_until(lambda: notes.has("error: job 'backup' has no run in progress"),
                         pilot=pilot)
        assert isinstance(app.screen, MainScreen)


async def test_failed_run_raises_a_toast(app: YschedApp, engine: Engine, notes: Notes) -> None:
    """A failed run gives an error toast; a successful one gives none."""
    async with app.run_test(size=(160, 40), message_hook=notes.hook) as pilot:
        await ready(pilot)
        await engine.trigger("backup")
        await engine.trigger("fails")
        await wait_until(lambda: notes.has("error: fails failed"), pilot=pilot)
        await wait_until(lambda: "✗ failed" in row_text(app, "fails"), pilot=pilot)
        await wait_until(lambda: "✓ success" in row_text(app, "backup"), pilot=pilot)
        assert not notes.has("backup")


async def test_q_asks_before_interrupting_runs(app: YschedApp, engine: Engine) -> None:
    """q with a run in progress asks first, naming how many runs it would interrupt."""
    await engine.trigger("slow")
    async with app.run_test(size=(160, 40)) as pilot:
        await ready(pilot, "slow")
        await wait_until(lambda: "running" in row_text(app, "slow"), pilot=pilot)
        await pilot.press("q")
        await wait_until(lambda: isinstance(app.screen, ConfirmDialog), pilot=pilot)
        assert "interrupt 1 running run" in str(app.screen.message)  # type: ignore[attr-defined]
        await pilot.press("n")
        await wait_until(lambda: isinstance(app.screen, MainScreen), pilot=pilot)
        assert app.is_running
        await pilot.press("q")
        await wait_until(lambda: isinstance(app.screen, ConfirmDialog), pilot=pilot)
        await pilot.press("y")
        await wait_until(lambda: not app.is_running, pilot=pilot)


async def test_q_quits_at_once_when_idle(app: YschedApp) -> None:
    """q with nothing running quits without a question."""
    async with app.run_test(size=(160, 40)) as pilot:
        await ready(pilot)
        await pilot.press("q")
        await wait_until(lambda: not app.is_running, pilot=pilot)


async def test_palette_pauses_the_selected_job(app: YschedApp, engine: Engine) -> None:
    """ctrl+p then "Pause selected job" pauses it in the engine like the p key."""
    async with app.run_test(size=(160, 40)) as pilot:
        await ready(pilot, "tick")
        await pilot.press("ctrl+p")
        await wait_until(lambda: palette_open(app), pilot=pilot)
        await pilot.press(*"Pause selected")
        await wait_until(lambda: "Pause selected job" in palette_choice(app), pilot=pilot)
        await pilot.press("enter")
        await wait_until(lambda: _paused(engine, "tick"), pilot=pilot)
        await wait_until(lambda: state_of(app, "tick") == "paused", pilot=pilot)
