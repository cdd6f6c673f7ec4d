"""Fixtures for the console's Pilot tests: a real Engine on a tmp SQLite file, and the app on it.

The jobs never fire during a test: scheduled ones are far away (02:30 daily, hourly), the rest are
manual, so every run a test sees is one it started.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.command import CommandInput, CommandList, CommandPalette
from textual.message import Message
from textual.notifications import Notify

from tests.waiting import wait_until
from ysched_tui.console import make_app
from ysched_tui.core.models import CommandTarget, JobSpec
from ysched_tui.core.triggers import CronTrigger, IntervalTrigger
from ysched_tui.engine import Engine
from ysched_tui.owner.assembly import build_engine
from ysched_tui.settings import Settings
from ysched_tui.tui.app import YschedApp
from ysched_tui.tui.widgets.jobs_table import JobsTable

SPECS = [
    JobSpec(code="backup", name="Nightly backup", target=CommandTarget(command="echo backup"),
            triggers=(CronTrigger(expr="30 2 * * *"),), tags=("db",)),
    JobSpec(code="fails", target=CommandTarget(command="echo oops >&2; exit 3")),
    JobSpec(code="hello", target=CommandTarget(command="printf 'alpha\\nbeta\\ngamma\\n'")),
    JobSpec(code="many", target=CommandTarget(command="seq 1 300")),
    JobSpec(code="slow", target=CommandTarget(command="echo start; sleep 30")),
    JobSpec(code="tick", name="Hourly tick", target=CommandTarget(command="echo tick"),
            triggers=(IntervalTrigger(seconds=3600),), tags=("misc",)),
]
"""Jobs of every state the console shows; codes sort in this order."""


def make_settings(tmp_path: Path) -> Settings:
    return Settings(db=str(tmp_path / "t.db"), jobs=None, timezone="UTC", kill_grace=0.5)


@pytest.fixture(autouse=True)
def _unfreeze_after() -> Iterator[None]:
    """An app built with the console's memory tuning gc.freeze()s what lives after the first
    paint; a test's app must not stay pinned in memory for the rest of the run."""
    yield
    gc.unfreeze()


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[Engine]:
    eng = build_engine(make_settings(tmp_path), specs=SPECS)
    await eng.start()
    yield eng
    await eng.stop(grace=0)


@pytest.fixture
async def app(engine: Engine, tmp_path: Path) -> AsyncIterator[YschedApp]:
    console = make_app(make_settings(tmp_path), engine)
    yield console
    await console.settle()


class Notes(list[str]):
    """Notification texts (with severity) captured from the app's messages."""

    def hook(self, message: Message) -> None:
        if isinstance(message, Notify):
            self.append(f"{message.notification.severity}: {message.notification.message}")

    def has(self, text: str) -> bool:
        return any(text in note for note in self)


@pytest.fixture
def notes() -> Notes:
    return Notes()


async def finished(engine: Engine, run_id: str, timeout: float = 5.0) -> None:
    """Wait until the run ``run_id`` has ended (the engine's record says so)."""

    async def final() -> bool:
        return (await engine.get_run(run_id)).status.is_final

    await wait_until(final, timeout=timeout, what=f"{run_id} to finish")


def palette_open(app: App[Any]) -> bool:
    """The command palette is open and its input takes the keys."""
    return isinstance(app.screen, CommandPalette) and isinstance(app.screen.focused, CommandInput)


def palette_choice(app: App[Any]) -> str:
    """The command the open command palette would run on ``enter`` ("" while it lists none)."""
    lists = app.screen.query(CommandList)
    if not lists:
        return ""
    commands = lists.first()
    index = commands.highlighted
    if index is None or not commands.option_count:
        return ""
    return str(commands.get_option_at_index(index).prompt)


def row_text(app: App[Any], code: str) -> str:
    """The jobs table row of ``code`` as plain text (empty if not shown)."""
    table = app.screen_stack[0].query_one("#jobs", JobsTable)
    if code not in table.codes():  # filtered out, or not loaded yet
        return ""
    cells = table.get_row(code)
    return " | ".join(str(getattr(c, "plain", c)) for c in cells)


def state_of(app: App[Any], code: str) -> str:
    """The state cell of ``code``'s row without the mark (``"paused"``, ``"| running"``)."""
    return row_text(app, code).split(" | ")[0].lstrip(" *")
