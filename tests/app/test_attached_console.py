"""Pilot tests of a console attached to an owner: every operator key works through the control
API as when embedding, and the log pane tails a run on the owner less than 1 s behind.

The owner (an Engine on the SPECS jobs plus ``waiter``, serving its Unix socket) and the attached
console (a second ``open_service(via="console")``) live in this test process; each test checks
what the console shows and what the owner's engine holds.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from tests.app.conftest import SPECS, Notes, make_settings, row_text, state_of
from tests.waiting import wait_until
from ysched_tui.console import session_app
from ysched_tui.core.models import CommandTarget, JobSpec, RunStatus
from ysched_tui.core.triggers import CronTrigger
from ysched_tui.engine import Engine
from ysched_tui.owner.assembly import build_engine
from ysched_tui.owner.connect import Session, open_service
from ysched_tui.settings import Settings
from ysched_tui.tui.app import YschedApp
from ysched_tui.tui.dialogs.confirm import ConfirmDialog
from ysched_tui.tui.dialogs.reschedule import RescheduleDialog
from ysched_tui.tui.dialogs.trigger import TriggerDialog
from ysched_tui.tui.screens.audit import AuditScreen
from ysched_tui.tui.screens.main import MainScreen
from ysched_tui.tui.widgets.jobs_table import JobsTable

LAG_LIMIT = 1.0
"""Seconds a running job's output may trail behind in the attached console (issue 4, §3)."""


def waiter_spec(marker: Path) -> JobSpec:
    """A job that prints a timestamped line, waits for ``marker`` to exist, prints another."""
    command = (f'echo "one $(date +%s.%N)"; while [ ! -e "{marker}" ]; do sleep 0.01; done; '
               f'echo "two $(date +%s.%N)"')
    return JobSpec(code="waiter", target=CommandTarget(command=command))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
async def owner(settings: Settings, tmp_path: Path) -> AsyncIterator[Session]:
    """The owner of the database: the engine and the control API on its socket."""
    specs = [*SPECS, waiter_spec(tmp_path / "go")]
    session = await open_service(settings, engine_factory=lambda s: build_engine(s, specs=specs))
    assert session.role == "owner"
    yield session
    await session.close(grace=0)


@pytest.fixture
async def attached(owner: Session, settings: Settings) -> AsyncIterator[Session]:
    """A second session on the same database: attached to the owner, as a console."""
    session = await open_service(settings, via="console")
    assert session.role == "attached"
    yield session
    await session.close()


@pytest.fixture
async def app(attached: Session, settings: Settings) -> AsyncIterator[YschedApp]:
    console = session_app(settings, attached)
    yield console
    await console.settle()


def engine_of(owner: Session) -> Engine:
    assert owner.engine is not None
    return owner.engine


async def ready(pilot: Pilot[Any], code: str | None = None) -> JobsTable:
    """Wait for every job to show in the attached table, then put the cursor on ``code``."""
    table = pilot.app.screen.query_one(JobsTable)
    await wait_until(lambda: table.row_count >= len(SPECS) + 1, pilot=pilot)
    if code is not None:
        table.move_cursor(row=table.get_row_index(code))
        await wait_until(lambda: pilot.app.screen.selected == code,  # type: ignore[attr-defined]
                         pilot=pilot)
    return table


async def _paused(engine: Engine, code: str) -> bool:
    return (await engine.get_job(code)).state.paused


async def test_p_pauses_p_again_explains_r_resumes(app: YschedApp, owner: Session,
                                                   notes: Notes) -> None:
    """p pauses on the owner and the row reads paused within 1 s; p again is the owner's error;
    r resumes; each notification names the job."""
    engine = engine_of(owner)
    async with app.run_test(size=(160, 40), message_hook=notes.hook) as pilot:
        await ready(pilot, "backup")
        await pilot.press("p")
        await wait_until(lambda: _paused(engine, "backup"), pilot=pilot)
        await wait_until(lambda: state_of(app, "backup") == "paused",
                         pilot=pilot, timeout=LAG_LIMIT)
        assert notes.has("information: paused backup")
        await pilot.press("p")
        await wait_until(lambda: any(n.startswith("error:") for n in notes), pilot=pilot)
        errors = [n for n in notes if n.startswith("error:")]
        assert "backup" in errors[0] and "paused" in errors[0], errors
        assert await _paused(engine, "backup")
        await pilot.press("r")
        await wait_until(lambda: _not_paused(engine, "backup"), pilot=pilot)
        await wait_until(lambda: state_of(app, "backup") == "active",
                         pilot=pilot, timeout=LAG_LIMIT)
        assert notes.has("information: resumed backup")


async def _not_paused(engine: Engine, code: str) -> bool:
    return not await _paused(engine, code)


async def test_space_marks_then_p_pauses_them_all(app: YschedApp, owner: Session,
                                                  notes: Notes) -> None:
    """space marks jobs; p pauses every marked job on the owner and both rows read paused."""
    engine = engine_of(owner)
    async with app.run_test(size=(160, 40), message_hook=notes.hook) as pilot:
        table = await ready(pilot, "backup")
        await pilot.press("space")
        table.move_cursor(row=table.get_row_index("tick"))
        await pilot.press("space")
        assert table.marked == {"backup", "tick"}
        await pilot.press("p")
        await wait_until(lambda: _paused(engine, "tick"), pilot=pilot)
        assert await _paused(engine, "backup")
        assert not await _paused(engine, "hello")
        await wait_until(lambda: state_of(app, "backup") == state_of(app, "tick") == "paused",
                         pilot=pilot, timeout=LAG_LIMIT)
        assert state_of(app, "hello") != "paused"
        assert notes.has("paused backup, tick")
        assert not table.marked


async def _first_line(pilot: Pilot[Any], word: str) -> tuple[float, float]:
    """Wait for the log pane's line ``<word> <epoch>``; returns (printed at, shown at)."""
    log = pilot.app.screen.query_one("#run-log")

    def shown() -> list[str]:
        return [line for line in log.lines if line.startswith(f"{word} ")]  # type: ignore[attr-defined]

    await wait_until(shown, pilot=pilot)
    seen = time.time()
    return float(shown()[0].split()[1]), seen


async def test_t_triggers_and_the_log_tails_live_within_1s(app: YschedApp, owner: Session,
                                                          notes: Notes, tmp_path: Path) -> None:
    """t (after the dialog) runs the job on the owner; each line the run prints shows in the
    attached log pane less than 1 s after the process printed it; the row ends in success."""
    engine = engine_of(owner)
    async with app.run_test(size=(160, 40), message_hook=notes.hook) as pilot:
        await ready(pilot, "waiter")
        await pilot.press("t")
        await wait_until(lambda: isinstance(app.screen, TriggerDialog), pilot=pilot)
        await pilot.press("y")
        await wait_until(lambda: notes.has("triggered waiter: run_"), pilot=pilot)
        printed, seen = await _first_line(pilot, "one")
        first_lag = seen - printed
        runs = await engine.list_runs("waiter")
        assert [run.status for run in runs] == [RunStatus.RUNNING]
        assert notes.has(f"triggered waiter: {runs[0].run_id}")
        await wait_until(lambda: "running" in state_of(app, "waiter"),
                         pilot=pilot, timeout=LAG_LIMIT)
        touched = time.time()
        (tmp_path / "go").touch()
        printed, seen = await _first_line(pilot, "two")
        second_lag = seen - printed
        assert printed >= touched - 0.05
        print(f"attached log lag: first line {first_lag:.3f} s, second line {second_lag:.3f} s, "
              f"marker to screen {seen - touched:.3f} s")
        assert first_lag < LAG_LIMIT and second_lag < LAG_LIMIT, (first_lag, second_lag)
        await wait_until(lambda: "✓ success" in row_text(app, "waiter"),
                         pilot=pilot, timeout=LAG_LIMIT)
        assert (await engine.get_run(runs[0].run_id)).status == RunStatus.SUCCESS


def _text(app: YschedApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).content)


async def test_e_reschedules_and_an_invalid_cron_changes_nothing(app: YschedApp, owner: Session,
                                                                notes: Notes) -> None:
    """e applies a valid schedule on the owner and the row shows it; an invalid cron shows the
    error naming the bad field, cannot be applied, and leaves the owner's schedule as it was."""
    engine = engine_of(owner)
    async with app.run_test(size=(160, 40), message_hook=notes.hook) as pilot:
        await ready(pilot, "backup")
        await pilot.press("e")
        await wait_until(lambda: isinstance(app.screen, RescheduleDialog), pilot=pilot)
        app.screen.query_one("#entry", Input).value = "*/10 * * * *"
        await pilot.pause()
        await pilot.press("enter")
        await wait_until(lambda: _triggers_are(engine, "backup", "*/10 * * * *"), pilot=pilot)
        await wait_until(lambda: "10 minutes" in row_text(app, "backup"),
                         pilot=pilot, timeout=LAG_LIMIT)
        assert notes.has("rescheduled backup")

        await pilot.press("e")
        await wait_until(lambda: isinstance(app.screen, RescheduleDialog), pilot=pilot)
        app.screen.query_one("#entry", Input).value = "0 25 * * *"
        await wait_until(lambda: "hour" in _text(app, "#error"), pilot=pilot)
        await pilot.press("enter")
        assert isinstance(app.screen, RescheduleDialog)
        await pilot.press("escape")
        await wait_until(lambda: notes.has("backup: schedule unchanged"), pilot=pilot)
        assert await _triggers_are(engine, "backup", "*/10 * * * *")
        assert "10 minutes" in row_text(app, "backup")


async def _triggers_are(engine: Engine, code: str, expr: str) -> bool:
    return (await engine.get_job(code)).triggers == (CronTrigger(expr=expr),)


async def test_c_cancels_the_running_run_and_without_one_explains(app: YschedApp, owner: Session,
                                                                 notes: Notes) -> None:
    """c (confirmed) cancels the owner's run and the row shows cancelled; c on a job with no
    run in progress is an error notification and asks nothing."""
    engine = engine_of(owner)
    run_id = await engine.trigger("slow")
    async with app.run_test(size=(160, 40), message_hook=notes.hook) as pilot:
        await ready(pilot, "backup")
        await pilot.press("c")
        await wait_until(lambda: notes.has("error: job 'backup' has no run in progress"),
                         pilot=pilot)
        assert isinstance(app.screen, MainScreen)

        await ready(pilot, "slow")
        await wait_until(lambda: "running" in row_text(app, "slow"), pilot=pilot)
        await pilot.press("c")
        await wait_until(lambda: isinstance(app.screen, ConfirmDialog), pilot=pilot)
        await pilot.press("y")
        await wait_until(lambda: _status_is(engine, run_id, RunStatus.CANCELLED), pilot=pilot)
        await wait_until(lambda: "cancelled" in row_text(app, "slow"),
                         pilot=pilot, timeout=LAG_LIMIT)
        assert "running" not in state_of(app, "slow")
        assert notes.has(f"cancelled {run_id}")


async def _status_is(engine: Engine, run_id: str, status: RunStatus) -> bool:
    return (await engine.get_run(run_id)).status == status


async def test_audit_view_lists_the_console_actions(app: YschedApp, owner: Session) -> None:
    """A lists the owner's audit: the attached console's pause and resume, via console."""
    engine = engine_of(owner)
    async with app.run_test(size=(160, 40)) as pilot:
        await ready(pilot, "tick")
        await pilot.press("p")
        await wait_until(lambda: state_of(app, "tick") == "paused", pilot=pilot)
        await pilot.press("r")
        await wait_until(lambda: state_of(app, "tick") == "active", pilot=pilot)
        entries = await engine.audit()
        assert [(e.action, e.job_code, e.actor.via) for e in entries[:2]] == [
            ("resume", "tick", "console"), ("pause", "tick", "console")]
        await pilot.press("A")
        await wait_until(lambda: isinstance(app.screen, AuditScreen), pilot=pilot)
        table = app.screen.query_one(DataTable)
        await wait_until(lambda: table.row_count >= 2, pilot=pilot)
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(2)]
        assert [row[2:5] for row in rows] == [["console", "resume", "tick"],
                                               ["console", "pause", "tick"]], rows


async def test_q_quits_at_once_and_the_owner_run_goes_on(app: YschedApp, owner: Session,
                                                         settings: Settings) -> None:
    """q on the attached console quits without asking while the owner runs a job, which keeps
    running; the owner's own console asks first (it would interrupt the run)."""
    engine = engine_of(owner)
    run_id = await engine.trigger("slow")
    async with app.run_test(size=(160, 40)) as pilot:
        await ready(pilot, "slow")
        await wait_until(lambda: "running" in row_text(app, "slow"), pilot=pilot)
        await pilot.press("q")
        await wait_until(lambda: not app.is_running or isinstance(app.screen, ConfirmDialog),
                         pilot=pilot, timeout=LAG_LIMIT)
        assert not isinstance(app.screen, ConfirmDialog), str(app.screen.message)
        assert not app.is_running
    assert (await engine.get_run(run_id)).status == RunStatus.RUNNING

    embedded = session_app(settings, owner)
    async with embedded.run_test(size=(160, 40)) as pilot:
        await ready(pilot, "slow")
        await wait_until(lambda: "running" in row_text(embedded, "slow"), pilot=pilot)
        await pilot.press("q")
        await wait_until(lambda: isinstance(embedded.screen, ConfirmDialog), pilot=pilot)
        assert "interrupt 1 running run" in str(embedded.screen.message)  # type: ignore[attr-defined]
        await pilot.press("n")
        await wait_until(lambda: isinstance(embedded.screen, MainScreen), pilot=pilot)
        assert embedded.is_running
        await embedded.settle()
    assert (await engine.get_run(run_id)).status == RunStatus.RUNNING
