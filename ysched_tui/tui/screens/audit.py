"""The audit view (``A``): every operator action, newest first — when, who, how, what, and the
value before and after. Read through the service, so an attached console shows the owner's log."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from ysched_tui.core.models import AuditEntry
from ysched_tui.core.service import SchedulerService
from ysched_tui.errors import YschedError
from ysched_tui.tui.format import fmt_time

AUDIT_LIMIT = 500
"""How many recent actions the view reads."""


def short_json(value: Any, width: int = 40) -> str:
    """A value before/after as compact one-line JSON, cut to ``width`` characters."""
    if value is None:
        return "-"
    text = json.dumps(value, separators=(",", ":"), default=str, ensure_ascii=False)
    return text if len(text) <= width else text[: width - 1] + "…"


def audit_row(entry: AuditEntry, tz: str) -> tuple[str, ...]:
    """One table row: when, who (user@address), via, action, target, before, after."""
    who = entry.actor.user + (f"@{entry.actor.address}" if entry.actor.address else "")
    target = entry.job_code or ""
    if entry.run_id:
        target = f"{target} {entry.run_id}".strip()
    return (fmt_time(entry.time, tz), who, entry.actor.via, entry.action, target,
            short_json(entry.before), short_json(entry.after))


class AuditScreen(ModalScreen[None]):
    """Operator actions, newest first."""

    DEFAULT_CSS = """
    AuditScreen { align: center middle; }
    AuditScreen > Vertical {
        width: 95%; height: 90%; border: thick $accent 80%; background: $surface;
    }
    AuditScreen #audit-title { text-style: bold; padding: 0 1; }
    AuditScreen DataTable { height: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Back"),
        Binding("j", "cursor('down')", "Down", show=False),
        Binding("k", "cursor('up')", "Up", show=False),
    ]

    def __init__(self, service: SchedulerService, *, tz: str,
                 clock: Callable[[], datetime]) -> None:
        super().__init__()
        self.service = service
        self.tz = tz
        self.clock = clock

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Operator actions, newest first — esc: back", id="audit-title")
            yield DataTable(cursor_type="row", id="audit")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("when", "who", "via", "action", "job / run", "before", "after")
        table.focus()
        self.load()

    @work(exclusive=True, exit_on_error=False)
    async def load(self) -> None:
        """Read the audit log and show it."""
        try:
            entries = await self.service.audit(AUDIT_LIMIT)
        except YschedError as exc:
            self.notify(f"cannot read the audit log: {exc}", severity="error")
            return
        table = self.query_one(DataTable)
        for entry in entries:
            table.add_row(*audit_row(entry, self.tz))
        if not entries:
            self.query_one("#audit-title", Label).update("No operator actions recorded yet")

    def action_cursor(self, direction: str) -> None:
        table = self.query_one(DataTable)
        table.action_cursor_down() if direction == "down" else table.action_cursor_up()
