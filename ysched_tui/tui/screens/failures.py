"""The recent-failures view (``F``, from the header's failure count): failed runs of the last 24 h.

Lists failed, timed-out, interrupted and missed runs newest first, with the error; ``enter`` opens
a run's output and traceback, ``esc`` goes back.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from textual import on, work
from textual.widgets import DataTable

from ysched_tui.core.models import RunRecord, RunStatus
from ysched_tui.errors import YschedError
from ysched_tui.tui.format import fmt_time, status_cell
from ysched_tui.tui.screens.table_modal import TableModal

FAILURE_STATUSES = (RunStatus.FAILED, RunStatus.TIMEOUT, RunStatus.INTERRUPTED, RunStatus.MISSED)
"""What counts as a failure in this view (missed fires included: they are never silent)."""


def _when(run: RunRecord) -> datetime | None:
    return run.end_time or run.start_time or run.scheduled_time


class FailuresScreen(TableModal):
    """Failed runs of the last 24 hours."""

    DEFAULT_CSS = """
    FailuresScreen > Vertical { border: thick $error 80%; }
    """
    TITLE_TEXT = "Failures in the last 24 h — enter: output, esc: back"
    COLUMNS = ("when", "job", "status", "run_id", "error")

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
            self.set_title("No failures in the last 24 h")

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        from ysched_tui.tui.screens.run_detail import RunDetailScreen

        self.app.push_screen(RunDetailScreen(self.service, str(event.row_key.value),
                                             default_tz=self.tz, clock=self.clock))
