"""The jobs table: one row per job, updated cell by cell as batches of changes arrive.

The screen decides which jobs are shown (the filter) and pushes them down; the table only renders.
A batch of changes touches only the cells whose text changed (``update_cell``), never a rebuild,
and the clock tick refreshes the clock-driven cells (relative next run, spinner, elapsed bar) of
the rows on screen and of running jobs only, so 10,000 jobs cost the same as 40.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from ysched_tui.core.models import JobView
from ysched_tui.tui.widgets.job_cells import CLOCK_COLUMNS, COLUMNS, row_cells

Cell = Text | str

FIXED_WIDTHS: dict[str, int] = {
    "state": 10,
    "code": 14,
    "name": 12,
    "schedule": 17,
    "next": 18,
    "last": 16,
    "rate": 4,
    "progress": 10,
}
"""Column widths (fixed, so a 10,000-row table never re-measures); longer text is cut."""


def _signature(cell: Cell) -> tuple[str, str]:
    """What makes a cell look different: its text and its style."""
    if isinstance(cell, Text):
        return cell.plain, str(cell.style)
    return cell, ""


class JobsTable(DataTable[Cell]):
    """The jobs, one row each, keyed by job code."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", "scroll_top", "Top", show=False),
        Binding("G", "scroll_bottom", "Bottom", show=False),
    ]

    def __init__(self, *, tz: str, **kwargs: Any) -> None:
        super().__init__(**kwargs, cursor_type="row", zebra_stripes=False)
        self.fixed_columns = 2
        self.tz = tz
        """The zone absolute times are shown in."""
        self.marked: set[str] = set()
        """Codes of the jobs marked for a bulk action (set by the screen)."""
        self._views: dict[str, JobView] = {}
        self._shown: dict[str, dict[str, tuple[str, str]]] = {}
        self._frame = 0
        self._now = datetime.now(UTC)

    def on_mount(self) -> None:
        for key, label in COLUMNS:
            self.add_column(label, key=key, width=FIXED_WIDTHS.get(key))

    @property
    def selected_code(self) -> str | None:
        """The code of the job under the cursor, or None for an empty table."""
        if not self.row_count:
            return None
        return str(self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value)

    def codes(self) -> list[str]:
        """Codes of the rows in display order."""
        return [str(row.key.value) for row in self.ordered_rows]

    def show(self, jobs: Iterable[JobView], now: datetime) -> None:
        """Replace all rows (on first load or when the filter changes), keeping the cursor's job."""
        keep = self.selected_code
        self.clear()
        self._views.clear()
        self._shown.clear()
        for job in jobs:
            self._add(job, now)
        if keep is not None and keep in self._views:
            self.move_cursor(row=self.get_row_index(keep), scroll=True)

    def apply(self, changed: Iterable[JobView], removed: Iterable[str], now: datetime) -> None:
        """Apply a batch: update cells of changed rows, add new ones, drop removed ones.

        Args:
            changed: the newest view of each job that changed and passes the filter.
            removed: codes to take off the table (removed jobs, or ones the filter now hides).
            now: the clock's time for relative cells.
        """
        for code in removed:
            if code in self._views:
                self.remove_row(code)
                del self._views[code], self._shown[code]
        for job in changed:
            if job.code in self._views:
                self._update(job, now, None)
            else:
                self._add(job, now)

    def tick(self, now: datetime) -> None:
        """Advance the spinner and refresh clock-driven cells of visible and running rows."""
        self._frame += 1
        codes = set(self._visible_codes()) | {c for c, j in self._views.items() if j.running}
        for code in codes:
            self._update(self._views[code], now, CLOCK_COLUMNS)

    def refresh_marks(self) -> None:
        """Redraw the state cells after the screen changed :attr:`marked`."""
        now = self._now
        for job in self._views.values():
            self._update(job, now, ("state",))

    def _cells(self, job: JobView, now: datetime) -> dict[str, Cell]:
        self._now = now
        return row_cells(job, now, self.tz, frame=self._frame, marked=job.code in self.marked)

    def _add(self, job: JobView, now: datetime) -> None:
        cells = self._cells(job, now)
        self._views[job.code] = job
        self._shown[job.code] = {key: _signature(cell) for key, cell in cells.items()}
        self.add_row(*(cells[key] for key, _ in COLUMNS), key=job.code)

    def _update(self, job: JobView, now: datetime, only: Iterable[str] | None) -> None:
        self._views[job.code] = job
        cells = self._cells(job, now)
        shown = self._shown[job.code]
        for key in only if only is not None else cells:
            signature = _signature(cells[key])
            if shown[key] != signature:
                shown[key] = signature
                self.update_cell(job.code, key, cells[key])

    def _visible_codes(self) -> list[str]:
        """Codes of the rows currently on screen (plus a small margin)."""
        if not self.row_count:
            return []
        first = max(int(self.scroll_y) - 2, 0)
        last = min(first + self.size.height + 4, self.row_count)
        rows = self.ordered_rows
        return [str(rows[i].key.value) for i in range(first, last)]
