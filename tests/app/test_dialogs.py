"""Pilot tests of the console's dialogs, help and command palette, each in a tiny host app."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from textual import events
from textual.app import App
from textual.screen import Screen
from textual.widgets import Button, Input, Static

from tests.app.conftest import palette_choice
from tests.waiting import wait_until
from ysched_tui.core.models import (
    CommandTarget,
    JobSpec,
    JobState,
    JobView,
    ParamSpec,
    ScriptTarget,
)
from ysched_tui.core.schedule import fire_times, parse_trigger_text
from ysched_tui.core.triggers import CronTrigger
from ysched_tui.tui.dialogs.confirm import ConfirmDialog
from ysched_tui.tui.dialogs.reschedule import RescheduleDialog
from ysched_tui.tui.dialogs.trigger import TriggerDialog
from ysched_tui.tui.format import fmt_time
from ysched_tui.tui.palette import YschedCommands
from ysched_tui.tui.screens.help import HELP_SECTIONS, HelpScreen

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class Host(App[None]):
    """Pushes one screen on mount and records what it is dismissed with."""

    def __init__(self, screen: Screen[Any]) -> None:
        super().__init__()
        self.dialog = screen
        self.results: list[Any] = []

    def on_mount(self) -> None:
        self.push_screen(self.dialog, self.results.append)


def make_job(
    *, triggers: tuple[Any, ...] = (CronTrigger(expr="30 2 * * *"),), target: Any = None
) -> JobView:
    spec = JobSpec(code="backup", target=target or CommandTarget(command="echo hi"),
                   triggers=triggers)
    return JobView(spec=spec, state=JobState(code="backup", id="j1"))


def text_of(app: App[Any], selector: str) -> str:
    return str(app.screen.query_one(selector, Static).content)


async def retype(pilot: Any, text: str) -> None:
    """Clear the focused Input with keys, paste all of ``text`` but its last key, type that.

    Pasting is what operators do with crontab lines, and is 50x faster than a key per char.
    """
    await pilot.press("end", "shift+home", "backspace")
    pilot.app.screen.focused.post_message(events.Paste(text[:-1]))
    await pilot.pause()
    await pilot.press(text[-1])


async def test_confirm_keys() -> None:
    """y and enter confirm; n and esc cancel."""
    for key, expected in (("y", True), ("enter", True), ("n", False), ("escape", False)):
        app = Host(ConfirmDialog("Cancel run", "Cancel run_x of backup?"))
        async with app.run_test() as pilot:
            assert "Cancel run_x of backup?" in text_of(app, "#message")
            await pilot.press(key)
            assert app.results == [expected], key


async def test_reschedule_prefills_and_previews_current_schedule() -> None:
    """The entry starts as the job's schedule, described in words with its next 5 fires."""
    job = make_job()
    app = Host(RescheduleDialog(job, "UTC", now=NOW))
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.screen.query_one("#entry", Input).value == "30 2 * * *"
        assert "02:30" in text_of(app, "#description")
        expected = fire_times(job.triggers, NOW, 5, default_tz="UTC", seed="backup")
        fires = text_of(app, "#fires")
        assert [fmt_time(f, "UTC") in fires for f in expected] == [True] * 5


async def test_reschedule_invalid_entry_names_field_and_cannot_apply() -> None:
    """An invalid cron shows its bad field in place, disables Apply, and enter does nothing."""
    app = Host(RescheduleDialog(make_job(), "UTC", now=NOW))
    async with app.run_test() as pilot:
        await retype(pilot, "0 25 * * *")
        assert "hour" in text_of(app, "#error")
        assert text_of(app, "#fires") == ""
        assert app.screen.query_one("#apply", Button).disabled
        assert app.screen.query_one("#entry", Input).has_class("-invalid")
        await pilot.press("enter")
        await pilot.click("#apply")
        assert app.results == []
        assert isinstance(app.screen, RescheduleDialog)


async def test_reschedule_applies_valid_entry_with_several_triggers() -> None:
    """A valid entry (two triggers separated by ';') is returned, parsed by the core parser."""
    app = Host(RescheduleDialog(make_job(), "Europe/Paris", now=NOW))
    async with app.run_test() as pilot:
        await retype(pilot, "every 5m; @daily")
        assert text_of(app, "#error") == ""
        assert "5 minutes" in text_of(app, "#description")
        assert "13:05" in text_of(app, "#fires")  # 12:05 UTC shown in the job's zone
        await pilot.press("enter")
    assert app.results == [(parse_trigger_text("every 5m"), parse_trigger_text("@daily"))]


async def test_reschedule_past_time_is_refused_and_esc_cancels() -> None:
    """A one-off time in the past never fires, so it cannot be applied; esc returns None."""
    app = Host(RescheduleDialog(make_job(), "UTC", now=NOW))
    async with app.run_test() as pilot:
        await retype(pilot, "at 2020-01-01T00:00")
        assert "never fires" in text_of(app, "#error")
        await pilot.press("enter", "escape")
    assert app.results == [None]


async def test_trigger_plain_job_confirms_with_no_params() -> None:
    """A command job asks 'Run <code> now?'; enter returns {} and esc returns None."""
    app = Host(TriggerDialog(make_job()))
    async with app.run_test() as pilot:
        assert "Run backup now?" in str(app.screen.query_one("#title").content)
        assert not app.screen.query(Input)
        await pilot.press("enter")
    assert app.results == [{}]
    app = Host(TriggerDialog(make_job()))
    async with app.run_test() as pilot:
        await pilot.press("escape")
    assert app.results == [None]


def script_job() -> JobView:
    params = (
        ParamSpec(name="source", type="str", required=True, description="where from"),
        ParamSpec(name="batch", type="int", default=100),
        ParamSpec(name="dry_run", type="bool", default=False),
    )
    return make_job(triggers=(), target=ScriptTarget(path="etl.py", params=params))


async def test_trigger_form_built_from_signature() -> None:
    """One Input per parameter: type in the label, default prefilled, required marked."""
    app = Host(TriggerDialog(script_job()))
    async with app.run_test():
        labels = [str(label.content) for label in app.screen.query(".param-label")]
        assert labels == ["source (str) *", "batch (int)", "dry_run (bool)"]
        values = [i.value for i in app.screen.query(Input)]
        assert values == ["", "100", "false"]


async def test_trigger_form_errors_next_to_field_then_runs() -> None:
    """Missing/invalid values show an error by their field; valid ones return parsed values."""
    app = Host(TriggerDialog(script_job()))
    async with app.run_test() as pilot:
        await pilot.press("enter")
        assert "source" in text_of(app, "#error-source")
        assert app.results == []
        await pilot.press("s", "3", "tab")
        await retype(pilot, "lots")
        await pilot.press("enter")
        assert "batch" in text_of(app, "#error-batch")
        assert text_of(app, "#error-source") == ""
        await retype(pilot, "250")
        await pilot.press("enter")
    assert app.results == [{"source": "s3", "batch": 250, "dry_run": False}]


async def test_help_lists_every_key_by_context() -> None:
    """Help shows each context and each key the console promises, and esc closes it."""
    contexts = [title for title, _ in HELP_SECTIONS]
    assert contexts == ["Everywhere", "Jobs table", "Log pane", "Job detail", "Run output",
                        "Dialogs"]
    keys = {k for _, rows in HELP_SECTIONS for k, _ in rows}
    for key in ("?", "ctrl+p", "q", "F", "enter", "p", "r", "t", "e", "c", "space", "/",
                "esc", "f", "n / N", "w", "T", "[ / ]", "1 2 3 4", "g / G", "u"):
        assert key in keys, key
    app = Host(HelpScreen())
    async with app.run_test() as pilot:
        await pilot.press("escape")
    assert app.results == [None]


class PaletteHost(App[None]):
    """An app with the palette provider and two of the actions it names."""

    COMMANDS = {YschedCommands}  # noqa: RUF012

    def __init__(self) -> None:
        super().__init__()
        self.done: list[str] = []

    def action_pause(self) -> None:
        self.done.append("pause")

    def action_help(self) -> None:
        self.done.append("help")


async def test_palette_runs_app_actions_by_name() -> None:
    """Choosing 'Pause selected job' in ctrl+p runs the app's pause action."""
    app = PaletteHost()
    async with app.run_test() as pilot:
        await pilot.press("ctrl+p", *"pause")
        await wait_until(lambda: palette_choice(app), pilot=pilot, timeout=3.0,
                         what="the palette to list a command")
        await pilot.press("enter")
        await pilot.pause()
    assert app.done == ["pause"]


async def test_palette_missing_action_notifies_instead_of_crashing() -> None:
    """A palette action the app lacks ('reschedule' here) is explained, not a crash."""
    app = PaletteHost()
    async with app.run_test() as pilot:
        await pilot.press("ctrl+p", *"resched")
        await wait_until(lambda: palette_choice(app), pilot=pilot, timeout=3.0,
                         what="the palette to list a command")
        await pilot.press("enter")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
    assert app.done == []
    assert any("reschedule" in m and "not available" in m for m in messages)
