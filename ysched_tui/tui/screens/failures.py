"""The recent-failures view (``F``, from the header's failure count): failed runs of the last 24 h.

Lists failed, timed-out, interrupted and missed runs newest first, with the error; ``enter`` opens
a run's output and traceback, ``esc`` goes back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from ysched_tui.core.models import RunRecord, RunStatus
from ysched_tui.core.service import SchedulerService
from ysched_tui.errors import YschedError
from ysched_tui.tui.format import fmt_time, status_cell

FAILURE_STATUSES = (RunStatus.FAILED, RunStatus.TIMEOUT, RunStatus.INTERRUPTED, RunStatus.MISSED)
"""What counts as a failure in this view (missed fires included: they are never silent)."""


def _when(run: RunRecord) -> datetime | None:
    return run.end_time or run.start_time or run.scheduled_time


class FailuresScreen(ModalScreen[None]):
    """Failed runs of the last 24 hours."""

    DEFAULT_CSS = """
    FailuresScreen { align: center middle; }
    FailuresScreen > Vertical {
        width: 95%; height: 90%; border: thick $error 80%; background: $surface;
    }
    FailuresScreen #failures-title { text-style: bold; padding: 0 1; }
    FailuresScreen DataTable { height: 1fr; }
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
            yield Label("Failures in the last 24 h — enter: output, esc: back",
                        id="failures-title")
            yield DataTable(cursor_type="row", id="failures")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("when", "job", "status", "run_id", "error")
        table.focus()
        self.load()

    @work(exclusive=True, exit_on_error=False)
    async def load(self) -> None:
        """Read the failed runs of every failure status and show them newest first."""
        since = self.clock() - timedelta(hours=24)
        runs: list[RunRecord] = []
        try:
            for status in FAILURE_STATUSES:
                runs += await self.service.list_runs(status=status, limit=200)
        except YschedError as exc:
            self.notify(f"cannot read failures: {exc}", severity="error")
            return
        recent = [r for r in runs if (w := _when(r)) is not None and w >= since]
        recent.sort(key=lambda r: _when(r) or since, reverse=True)
        table = self.query_one(DataTable)
        for run in recent:
            error = (run.error or "").splitlines()[0] if run.error else ""
            table.add_row(fmt_time(_when(run), self.tz), run.job_code, status_cell(run.status),
                          run.run_id, error[:80], key=run.run_id)
        if not recent:
            self.query_one("#failures-title", Label).update("No failures in the last 24 h")

    def action_cursor(self, direction: str) -> None:
        table = self.query_one(DataTable)
        table.action_cursor_down() if direction == "down" else table.action_cursor_up()

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        from ysched_tui.tui.screens.run_detail import RunDetailScreen

        self.app.push_screen(RunDetailScreen(self.service, str(event.row_key.value),
                                             default_tz=self.tz, clock=self.clock))
