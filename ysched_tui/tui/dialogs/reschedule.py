"""The ``e`` dialog: type a new schedule, see it in words and its next fires, apply on confirm.

Validated as you type: each keystroke re-reads the entry with the core schedule functions (the
ones the engine fires from) through :func:`evaluate_entry`. The error, naming the bad field, is
shown in place of the preview, and ``enter``/Apply do nothing while it is shown, so an invalid
entry can never be applied.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.validation import ValidationResult, Validator
from textual.widgets import Button, Input, Label, Static

from ysched_tui.core.models import JobView
from ysched_tui.core.triggers import TriggerSpec
from ysched_tui.tui.dialogs.schedule_entry import EntryResult, evaluate_entry
from ysched_tui.tui.format import fmt_relative, fmt_time, triggers_raw

PREVIEW_COUNT = 5
"""How many upcoming fires the dialog previews."""


class ScheduleValidator(Validator):
    """Marks the Input invalid (red) whenever the dialog's last verdict has an error."""

    def __init__(self, dialog: RescheduleDialog) -> None:
        super().__init__()
        self._dialog = dialog

    def validate(self, value: str) -> ValidationResult:
        result = self._dialog.evaluate(value)
        return self.success() if result.valid else self.failure(result.error, value)


class RescheduleDialog(ModalScreen[tuple[TriggerSpec, ...] | None]):
    """Edit a job's schedule; dismisses with the new triggers, or ``None`` when cancelled."""

    DEFAULT_CSS = """
    RescheduleDialog {
        align: center middle;
    }
    RescheduleDialog > #dialog {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $primary 80%;
        background: $surface;
        padding: 0 1;
    }
    RescheduleDialog #title {
        width: 100%;
        text-style: bold;
        content-align: center middle;
    }
    RescheduleDialog #current, RescheduleDialog #hint {
        color: $text-muted;
    }
    RescheduleDialog #error {
        color: $error;
        text-style: bold;
        min-height: 1;
    }
    RescheduleDialog #description {
        color: $success;
        text-style: bold;
    }
    RescheduleDialog #buttons {
        height: auto;
        align: right middle;
    }
    RescheduleDialog Button {
        margin: 0 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, job: JobView, default_tz: str, *, now: datetime | None = None) -> None:
        """Build the dialog.

        Args:
            job: the job to reschedule; its current triggers prefill the entry.
            default_tz: the settings' zone, used when the job has none.
            now: a fixed instant to preview from (tests, screenshots); ``None`` = the clock.
        """
        super().__init__()
        self.job = job
        """The job being rescheduled."""
        self.timezone = job.spec.timezone or default_tz
        """The zone the entry is read in and the fires are shown in."""
        zones = {t.timezone for t in job.triggers}
        self.trigger_zone = zones.pop() if len(zones) == 1 else None
        """The zone the current triggers pin (kept on the new ones), ``None`` = the job's."""
        self._now = now
        self._last: tuple[str, EntryResult] | None = None

    # --- reading the entry -----------------------------------------------------------------

    def evaluate(self, text: str) -> EntryResult:
        """The verdict on ``text``; cached per text so each keystroke parses once."""
        if self._last is None or self._last[0] != text:
            after = self._now or datetime.now(UTC)
            result = evaluate_entry(
                text,
                timezone=self.timezone,
                after=after,
                seed=self.job.code,
                count=PREVIEW_COUNT,
                trigger_zone=self.trigger_zone,
            )
            self._last = (text, result)
        return self._last[1]

    @property
    def result(self) -> EntryResult:
        """The verdict on what the Input holds now."""
        return self.evaluate(self.query_one("#entry", Input).value)

    # --- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        job = self.job
        origin = "operator override" if job.state.override_triggers is not None else "definition"
        current = triggers_raw(job.triggers) or "manual only"
        with Vertical(id="dialog"):
            yield Label(f"Reschedule {job.code}", id="title")
            yield Static(f"Now: {current}  ({origin})", id="current", markup=False)
            yield Input(
                triggers_raw(job.triggers),
                placeholder="*/5 * * * *  ·  @daily  ·  every 5m  ·  at 2026-12-31T23:59",
                validators=[ScheduleValidator(self)],
                id="entry",
            )
            yield Static("", id="error", markup=False)
            yield Static("", id="description", markup=False)
            yield Static("", id="fires")
            yield Static(
                f"Times in {self.timezone}. Several triggers: separate with ';'.", id="hint"
            )
            with Horizontal(id="buttons"):
                yield Button("Apply (enter)", id="apply", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#entry", Input).focus()
        self._show(self.result)

    # --- keeping the preview in step ------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        """Re-read the entry on every keystroke."""
        event.stop()
        self._show(self.evaluate(event.value))

    def _show(self, result: EntryResult) -> None:
        """Put the verdict on screen: the error in place, or the words and the fires."""
        self.query_one("#error", Static).update(f"✗ {result.error}" if result.error else "")
        self.query_one("#description", Static).update(
            f"✓ {result.description}" if result.valid else ""
        )
        self.query_one("#fires", Static).update(self._fires_text(result))
        self.query_one("#apply", Button).disabled = not result.valid

    def _fires_text(self, result: EntryResult) -> Text:
        """The next fires, absolute in the job's zone and relative to now."""
        if not result.valid:
            return Text("")
        now = self._now or datetime.now(UTC)
        text = Text(f"Next {len(result.fires)} fires:\n", style="bold")
        for fire in result.fires:
            text.append(f"  {fmt_time(fire, self.timezone)}", style="bold")
            text.append(f"  {fmt_relative(fire, now)}\n", style="dim")
        text.rstrip()
        return text

    # --- applying --------------------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """``enter`` in the entry applies, but only a valid entry."""
        event.stop()
        self.action_apply()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "apply":
            self.action_apply()
        else:
            self.action_cancel()

    def action_apply(self) -> None:
        """Dismiss with the new triggers; refuse (with a bell) while the entry is invalid."""
        result = self.result
        if not result.valid:
            self.app.bell()
            return
        self.dismiss(result.triggers)

    def action_cancel(self) -> None:
        """Leave the schedule as it is."""
        self.dismiss(None)
