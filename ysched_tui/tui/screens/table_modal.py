"""A modal list over the main screen: a title and a row table, ``j``/``k`` to move, ``esc`` back.

The failures view and the audit view are both this shape; subclasses give the title, the
columns and a worker that loads the rows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from ysched_tui.core.service import SchedulerService


class TableModal(ModalScreen[None]):
    """A titled row table loaded from the service when shown."""

    DEFAULT_CSS = """
    TableModal { align: center middle; }
    TableModal > Vertical {
        width: 95%; height: 90%; border: thick $accent 80%; background: $surface;
    }
    TableModal .table-modal-title { text-style: bold; padding: 0 1; }
    TableModal DataTable { height: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Back"),
        Binding("j", "cursor('down')", "Down", show=False),
        Binding("k", "cursor('up')", "Up", show=False),
    ]

    TITLE_TEXT: ClassVar[str] = ""
    """The title line (with the keys that apply)."""
    COLUMNS: ClassVar[tuple[str, ...]] = ()
    """The table's column labels."""

    def __init__(self, service: SchedulerService, *, tz: str,
                 clock: Callable[[], datetime]) -> None:
        super().__init__()
        self.service = service
        self.tz = tz
        self.clock = clock

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.TITLE_TEXT, classes="table-modal-title")
            yield DataTable(cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*self.COLUMNS)
        table.focus()
        self.load()

    def load(self) -> object:
        """Start the worker that fills the table (subclasses: a ``@work`` method)."""
        return None

    def set_title(self, text: str) -> None:
        """Replace the title line (e.g. to say there is nothing to show)."""
        self.query_one(".table-modal-title", Label).update(text)

    def action_cursor(self, direction: str) -> None:
        table = self.query_one(DataTable)
        table.action_cursor_down() if direction == "down" else table.action_cursor_up()
