"""The audit view (``A``): every operator action, newest first — when, who, how, what, and the
value before and after. Read through the service, so an attached console shows the owner's log."""

from __future__ import annotations

import json
from typing import Any

from textual import work
from textual.widgets import DataTable

from ysched_tui.core.models import AuditEntry
from ysched_tui.errors import YschedError
from ysched_tui.tui.format import fmt_time
from ysched_tui.tui.screens.table_modal import TableModal

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


class AuditScreen(TableModal):
    """Operator actions, newest first."""

    TITLE_TEXT = "Operator actions, newest first — esc: back"
    COLUMNS = ("when", "who", "via", "action", "job / run", "before", "after")

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
            self.set_title("No operator actions recorded yet")
