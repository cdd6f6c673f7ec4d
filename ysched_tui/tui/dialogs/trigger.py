"""The ``t`` dialog: confirm a manual run, and for a script job fill in its parameters.

A script's ``run(**params)`` signature becomes a form: one Input per parameter labelled with its
type, its default prefilled and required fields marked. Values are checked with the core's
:func:`~ysched_tui.core.params.validate_params` (the engine checks with the same function) before
the dialog returns, and a bad value's message appears next to its field.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from ysched_tui.core.models import JobView, ParamSpec, ScriptTarget
from ysched_tui.core.params import validate_params
from ysched_tui.errors import ParamError

PLACEHOLDERS = {
    "int": "a whole number",
    "float": "a number",
    "bool": "true / false",
    "date": "YYYY-MM-DD, today, yesterday",
    "datetime": "YYYY-MM-DDTHH:MM, now",
    "time": "HH:MM",
    "timedelta": "1h30m, 90s, 2d",
    "list": "[1, 2] or [\"a\", \"b\"]",
    "dict": "{\"key\": \"value\"}",
    "str": "text",
    "any": "any value",
}
"""What each parameter type expects, shown in its empty Input."""


def prefill(value: Any) -> str:
    """A default or fixed value as the text that parses back to it (``None`` = empty)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list | dict | tuple):
        return json.dumps(value, default=str)
    return str(value)


def form_params(job: JobView) -> tuple[ParamSpec, ...]:
    """The parameters to ask for: a script job's signature, nothing for other kinds."""
    target = job.spec.target
    return target.params if isinstance(target, ScriptTarget) else ()


class TriggerDialog(ModalScreen[dict[str, object] | None]):
    """Run a job now; dismisses with the validated parameters (``{}`` for none) or ``None``."""

    DEFAULT_CSS = """
    TriggerDialog {
        align: center middle;
    }
    TriggerDialog > #dialog {
        width: 72;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $accent 80%;
        background: $surface;
        padding: 0 1;
    }
    TriggerDialog #title {
        width: 100%;
        text-style: bold;
        content-align: center middle;
    }
    TriggerDialog #form {
        height: auto;
        max-height: 16;
    }
    TriggerDialog .param-label {
        margin-top: 1;
    }
    TriggerDialog #form Input {
        margin: 0 1 0 0;
    }
    TriggerDialog .param-help {
        color: $text-muted;
    }
    TriggerDialog .param-error, TriggerDialog #error {
        color: $error;
        text-style: bold;
        display: none;
    }
    TriggerDialog .param-error.-shown, TriggerDialog #error.-shown {
        display: block;
    }
    TriggerDialog #buttons {
        height: auto;
        align: right middle;
        margin-top: 1;
    }
    TriggerDialog Button {
        margin: 0 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("y", "confirm", "Run", show=False),
        Binding("n", "cancel", "Cancel", show=False),
    ]

    def __init__(self, job: JobView) -> None:
        """Build the dialog for ``job`` (a form only when it is a script with parameters)."""
        super().__init__()
        self.job = job
        """The job to run."""
        self.params = form_params(job)
        """The script parameters the form asks for."""

    def _initial(self, spec: ParamSpec) -> str:
        """A field's starting text: the jobs file's fixed value, else the signature default."""
        target = self.job.spec.target
        fixed = target.values if isinstance(target, ScriptTarget) else {}
        return prefill(fixed.get(spec.name, spec.default))

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(f"Run {self.job.code} now?", id="title")
            if self.params:
                with VerticalScroll(id="form"):
                    for spec in self.params:
                        yield from self._field(spec)
            yield Static("", id="error", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Run (enter)", id="run", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def _field(self, spec: ParamSpec) -> ComposeResult:
        """Label (name, type, required mark), Input, description and an error line."""
        mark = " *" if spec.required else ""
        yield Label(f"{spec.name} ({spec.type}){mark}", classes="param-label", markup=False)
        yield Input(
            self._initial(spec),
            placeholder=PLACEHOLDERS.get(spec.type, spec.type),
            id=f"param-{spec.name}",
            compact=True,
        )
        if spec.description:
            yield Static(spec.description, classes="param-help", markup=False)
        yield Static("", id=f"error-{spec.name}", classes="param-error", markup=False)

    def on_mount(self) -> None:
        if self.params:
            self.query_one(f"#param-{self.params[0].name}", Input).focus()
        else:
            self.query_one("#run", Button).focus()

    def values(self) -> dict[str, str]:
        """The text of every non-empty field (an empty field means "use the default")."""
        texts = {s.name: self.query_one(f"#param-{s.name}", Input).value for s in self.params}
        return {name: text for name, text in texts.items() if text.strip()}

    def on_input_changed(self, event: Input.Changed) -> None:
        """Editing a field clears its stale error."""
        event.stop()
        name = (event.input.id or "").removeprefix("param-")
        self._set_error(f"#error-{name}", "")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_confirm()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "run":
            self.action_confirm()
        else:
            self.action_cancel()

    def action_confirm(self) -> None:
        """Validate every field; run only when all are valid, else show where it is wrong."""
        try:
            params = dict(validate_params(self.params, self.values())) if self.params else {}
        except ParamError as exc:
            self._show_error(exc)
            return
        self.dismiss(params)

    def _show_error(self, exc: ParamError) -> None:
        """Put the message next to the bad field and focus it (or under the form)."""
        names = {spec.name for spec in self.params}
        if exc.param in names:
            self._set_error(f"#error-{exc.param}", f"✗ {exc}")
            field = self.query_one(f"#param-{exc.param}", Input)
            field.focus()
            field.scroll_visible()
        else:
            self._set_error("#error", f"✗ {exc}")
        self.app.bell()

    def _set_error(self, selector: str, message: str) -> None:
        """Show a message in an error line, or hide the line when there is none."""
        line = self.query_one(selector, Static)
        line.update(message)
        line.set_class(bool(message), "-shown")

    def action_cancel(self) -> None:
        """Do not run."""
        self.dismiss(None)
