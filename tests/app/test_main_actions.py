"""Pilot tests of the main screen's operator keys: press, the engine changes, the row shows it."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from tests.app.conftest import SPECS, Notes, row_text, state_of, wait_async, wait_for
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
    await wait_for(pilot, lambda: table.row_count >= len(SPECS))
    if code is not None:
        table.move_cursor(row=table.get_row_index(code))
        await wait_for(pilot, lambda: pilot.app.screen.selected == code)
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
        await wait_async(pilot, lambda: _paused(engine, "backup"))
        await wait_for(pilot, lambda: state_of(app, "backup") == "paused")
        assert notes.has("paused backup")


async def _paused(engine: Engine, code: str) -> bool:
    return (await engine.get_job(code)).state.paused


async def test_p_on_a_paused_job_explains(app: YschedApp, engine: Engine, notes: Notes) -> None:
    """Pausing an already paused job changes nothing and shows the engine's error."""
    await engine.pause("backup")
    async with app.run_test(size=(160, 40), message_hook=notes.hook) as pilot:
        await ready(pilot, "backup")
        await pilot.press("p")
        await wait_for(pilot, lambda: any(n.startswith("error:") for n in notes))
        assert notes.has("paused")
        assert await _paused(engine, "backup")


async def test_r_resumes_the_selected_job(app: YschedApp, engine: Engine, notes: Notes) -> None:
    """r resumes a paused job in the engine and the row reads active again."""
    await engine.pause("tick")
    async with app.run_test(size=(160, 40), message_hook=notes.hook) as pilot:
        await ready(pilot, "tick")
        assert state_of(app, "tick") == "paused"
        await pilot.press("r")
        await wait_async(pilot, lambda: _not_paused(engine, "tick"))
        await wait_for(pilot, lambda: state_of(app, "tick") == "active")
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
        await wait_async(pilot, lambda: _paused(engine, "tick"))
        assert await _paused(engine, "backup")
        await wait_for(pilot, lambda: state_of(app, "backup") == "paused")
        assert not table.marked


async def test_t_triggers_after_the_dialog_and_tails_output(app: YschedApp, engine: Engine,
                                                            notes: Notes) -> None:
    """t opens the trigger dialog; confirming runs the job and its lines reach the log pane."""
    async with app.run_test(size=(160, 40), message_hook=notes.hook) as pilot:
        await ready(pilot, "hello")
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TriggerDialog))
        await pilot.press("y")
        await wait_async(pilot, lambda: _has_runs(engine, "hello"))
        log = app.screen.query_one("#run-log")
        await wait_for(pilot, lambda: "gamma" in log.lines)  # type: ignore[attr-defined]
        assert notes.has("triggered hello")
        await wait_for(pilot, lambda: "✓ success" in row_text(app, "hello"))


async def _has_runs(engine: Engine, code: str) -> bool:
    return bool(await engine.list_runs(code))


async def test_t_cancelled_dialog_runs_nothing(app: YschedApp, engine: Engine,
                                              notes: Notes) -> None:
    """Cancelling the trigger dialog starts no run."""
    async with app.run_test(size=(160, 40), message_hook=notes.hook) as pilot:
        await ready(pilot, "hello")
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TriggerDialog))
        await pilot.press("escape")
        await wait_for(pilot, lambda: notes.has("trigger cancelled"))
        assert not await engine.list_runs("hello")


async def test_e_reschedules_through_the_dialog(app: YschedApp, engine: Engine,
                                               notes: Notes) -> None:
    """e opens the reschedule dialog; a valid entry is applied in the engine and shown."""
    async with app.run_test(size=(160, 40), message_hook=notes.hook) as pilot:
        await ready(pilot, "backup")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, RescheduleDialog))
        app.screen.query_one("#entry", Input).value = "*/10 * * * *"
        await pilot.pause()
        await pilot.press("enter")
        await wait_async(pilot, lambda: _triggers_are(engine, "backup", "*/10 * * * *"))
        await wait_for(pilot, lambda: "10 minutes" in row_text(app, "backup"))
        assert notes.has("rescheduled backup")


async def _triggers_are(engine: Engine, code: str, expr: str) -> bool:
    return (await engine.get_job(code)).triggers == (CronTrigger(expr=expr),)


async def test_c_cancels_the_running_run(app: YschedApp, engine: Engine, notes: Notes) -> None:
    """c asks first, then cancels the job's run in the engine; the row stops running."""
    run_id = await engine.trigger("slow")
    async with app.run_test(size=(160, 40), message_hook=notes.hook) as pilot:
        await ready(pilot, "slow")
        await wait_for(pilot, lambda: "running" in row_text(app, "slow"))
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_async(pilot, lambda: _status_is(engine, run_id, RunStatus.CANCELLED))
        await wait_for(pilot, lambda: "cancelled" in row_text(app, "slow"))
        assert "running" not in state_of(app, "slow")
        assert notes.has(f"cancelled {run_id}")


async def _status_is(engine: Engine, run_id: str, status: RunStatus) -> bool:
    return (await engine.get_run(run_id)).status == status


async def test_c_without_a_running_run_is_an_error(app: YschedApp, notes: Notes) -> None:
    """c on a job that is not running explains instead of asking."""
    async with app.run_test(size=(160, 40), message_hook=notes.hook) as pilot:
        await ready(pilot, "backup")
        await pilot.press("c")
        await wait_for(pilot, lambda: notes.has("error: job 'backup' has no run in progress"))
        assert isinstance(app.screen, MainScreen)


async def test_failed_run_raises_a_toast(app: YschedApp, engine: Engine, notes: Notes) -> None:
    """A failed run gives an error toast; a successful one gives none."""
    async with app.run_test(size=(160, 40), message_hook=notes.hook) as pilot:
        await ready(pilot)
        await engine.trigger("backup")
        await engine.trigger("fails")
        await wait_for(pilot, lambda: notes.has("error: fails failed"))
        await wait_for(pilot, lambda: "✗ failed" in row_text(app, "fails"))
        await wait_for(pilot, lambda: "✓ success" in row_text(app, "backup"))
        assert not notes.has("backup")


async def test_q_asks_before_interrupting_runs(app: YschedApp, engine: Engine) -> None:
    """q with a run in progress asks first, naming how many runs it would interrupt."""
    await engine.trigger("slow")
    async with app.run_test(size=(160, 40)) as pilot:
        await ready(pilot, "slow")
        await wait_for(pilot, lambda: "running" in row_text(app, "slow"))
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "interrupt 1 running run" in str(app.screen.message)  # type: ignore[attr-defined]
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
        assert app.is_running
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: not app.is_running)


async def test_q_quits_at_once_when_idle(app: YschedApp) -> None:
    """q with nothing running quits without a question."""
    async with app.run_test(size=(160, 40)) as pilot:
        await ready(pilot)
        await pilot.press("q")
        await wait_for(pilot, lambda: not app.is_running)


async def test_palette_pauses_the_selected_job(app: YschedApp, engine: Engine) -> None:
    """ctrl+p then "Pause selected job" pauses it in the engine like the p key."""
    async with app.run_test(size=(160, 40)) as pilot:
        await ready(pilot, "tick")
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        await pilot.press(*"Pause selected")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_async(pilot, lambda: _paused(engine, "tick"))
        await wait_for(pilot, lambda: state_of(app, "tick") == "paused")
