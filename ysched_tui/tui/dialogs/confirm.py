"""A yes/no confirmation for actions that cannot be undone (cancel a run, quit, revert).

Keyboard first: ``y`` or ``enter`` confirms, ``n`` or ``esc`` cancels, so an operator over SSH
never needs the mouse. The dialog returns ``True`` or ``False`` through ``dismiss``.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static


class ConfirmDialog(ModalScreen[bool]):
    """Ask one question; dismiss with ``True`` (confirm) or ``False`` (cancel)."""

    DEFAULT_CSS = """
    ConfirmDialog {
        align: center middle;
    }
    ConfirmDialog > #dialog {
        width: 60;
        max-width: 100%;
        height: auto;
        border: thick $warning 80%;
        background: $surface;
        padding: 0 1;
    }
    ConfirmDialog #title {
        text-style: bold;
        width: 100%;
        content-align: center middle;
    }
    ConfirmDialog #message {
        margin: 1 0;
    }
    ConfirmDialog #buttons {
        height: auto;
        align: center middle;
    }
    ConfirmDialog Button {
        margin: 0 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "confirm", "Yes"),
        Binding("enter", "confirm", "Yes", show=False),
        Binding("n", "cancel", "No"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, title: str, message: str) -> None:
        """Build the dialog.

        Args:
            title: a few words naming the action ("Cancel run").
            message: the question, naming what it acts on ("Cancel run_... of backup?").
        """
        super().__init__()
        self.title_text = title
        """The bold line at the top."""
        self.message = message
        """The question asked."""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.title_text, id="title")
            yield Static(self.message, id="message", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Yes (y)", id="yes", variant="warning")
                yield Button("No (n)", id="no", variant="primary")

    def on_mount(self) -> None:
        # "Yes" has focus so enter confirms as the keys promise; tab reaches "No".
        self.query_one("#yes", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Buttons mirror the keys, for terminals where a mouse is at hand."""
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_confirm(self) -> None:
        """Confirm: the caller goes ahead."""
        self.dismiss(True)

    def action_cancel(self) -> None:
        """Cancel: nothing happens."""
        self.dismiss(False)
