"""The ``?`` help: every key of the console, grouped by where it applies.

The list is data (:data:`HELP_SECTIONS`) so the tests can check that each key promised by the
console issue is documented, and so one table feeds both this screen and anything else that
wants to show keys.
"""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

HelpSection = tuple[str, tuple[tuple[str, str], ...]]
"""A context name and its (keys, what they do) rows."""

HELP_SECTIONS: tuple[HelpSection, ...] = (
    (
        "Everywhere",
        (
            ("?", "this help"),
            ("ctrl+p", "command palette: every action by name (reload the jobs file too), "
                       "open a job by code"),
            ("tab / shift+tab", "move between panes"),
            ("1 2 3 4", "switch tabs on small terminals (jobs, next runs, log, stats)"),
            ("F", "recent failures view"),
            ("A", "audit log: who paused, triggered, rescheduled what, and when"),
            ("q", "quit (asks first if runs are in progress: they would be interrupted)"),
            ("O", "attached console whose owner is gone: become the owner (schedule from here)"),
        ),
    ),
    (
        "Jobs table",
        (
            ("↑ ↓ / j k", "move the selection"),
            ("g / G", "first / last job"),
            ("pgup / pgdn", "page up / down"),
            ("← →", "narrow terminal: bring hidden columns into view (› ‹ in the header)"),
            ("enter", "open the job's detail"),
            ("p", "pause the selected job (or all marked jobs)"),
            ("r", "resume the selected job (or all marked jobs)"),
            ("t", "trigger now (confirmation; a form for script parameters)"),
            ("e", "reschedule: cron, macro or interval, validated as you type"),
            ("c", "cancel the job's running run (confirmation)"),
            ("space", "mark / unmark the job for bulk actions"),
            ("/", "filter by text, tag, status:failed, status:running, paused"),
            ("esc", "clear the filter and the marks"),
        ),
    ),
    (
        "Log pane",
        (
            ("f", "follow the output again (scrolling up pauses following)"),
            ("/", "search the log"),
            ("n / N", "next / previous match"),
            ("w", "toggle line wrap"),
            ("T", "toggle timestamps"),
            ("[ / ]", "previous / next run of the job"),
        ),
    ),
    (
        "Job detail",
        (
            ("enter", "open the selected run's output"),
            ("p / r", "pause / resume the job"),
            ("t", "trigger now"),
            ("e", "reschedule"),
            ("u", "revert the operator's override to the file's value (confirmation)"),
            ("c", "cancel the job's running run (confirmation)"),
            ("esc", "back"),
        ),
    ),
    (
        "Run output",
        (
            ("f", "follow the output of a running run"),
            ("esc", "back"),
        ),
    ),
    (
        "Dialogs",
        (
            ("y / enter", "confirm"),
            ("n / esc", "cancel"),
            ("tab / shift+tab", "next / previous field of a form"),
            ("enter (reschedule)", "apply; does nothing while the entry is invalid"),
            ("enter (trigger form)", "run with these values once every field is valid"),
        ),
    ),
)
"""Every key of the console by context, as the issue's key list promises."""


def section_table(title: str, rows: tuple[tuple[str, str], ...]) -> Table:
    """One context's keys as a two-column table: the keys bold, then what they do."""
    table = Table.grid(padding=(0, 2))
    table.add_column(min_width=18, no_wrap=True)
    table.add_column(ratio=1)
    table.title = title
    table.title_justify = "left"
    table.title_style = "bold underline"
    for keys, action in rows:
        table.add_row(Text(keys, style="bold"), action)
    return table


class HelpScreen(ModalScreen[None]):
    """Lists every key by context; ``esc``, ``q`` or ``?`` closes it."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > #help {
        width: 90;
        max-width: 100%;
        height: 90%;
        border: thick $primary 80%;
        background: $surface;
    }
    HelpScreen #help-title {
        width: 100%;
        text-style: bold;
        content-align: center middle;
    }
    HelpScreen #help-body {
        padding: 0 1;
    }
    HelpScreen .help-section {
        margin-bottom: 1;
    }
    HelpScreen #help-hint {
        width: 100%;
        color: $text-muted;
        content-align: center middle;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("q", "close", "Close", show=False),
        Binding("question_mark", "close", "Close", show=False),
        Binding("j", "scroll('down')", "Down", show=False),
        Binding("k", "scroll('up')", "Up", show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            yield Label("ysched-tui keys", id="help-title")
            with VerticalScroll(id="help-body"):
                for title, rows in HELP_SECTIONS:
                    yield Static(section_table(title, rows), classes="help-section")
            yield Label("↑↓ j/k scroll · esc close", id="help-hint")

    def on_mount(self) -> None:
        self.query_one("#help-body", VerticalScroll).focus()

    def action_scroll(self, direction: str) -> None:
        """Scroll the list with vi keys as well as the arrows."""
        body = self.query_one("#help-body", VerticalScroll)
        if direction == "down":
            body.scroll_down()
        else:
            body.scroll_up()

    def action_close(self) -> None:
        """Back to where help was opened."""
        self.dismiss(None)
