"""The jobs table: one row per job, drawn only for the rows on screen.

A 10,000-row Textual ``DataTable`` re-measures and re-indexes every row whenever a cell changes
(measured: 1.3 s to the first paint, key p95 over 400 ms with 1,000 job changes a second). This
table is a :class:`~textual.scroll_view.ScrollView` over the screen's list of views instead: a batch
of changes only replaces views and forgets their cached line, the clock tick only touches rows on
screen or running, and drawing costs the ~40 visible rows whatever the number of jobs.

The screen decides which jobs are shown (the filter) and in which order (by code); the table
renders them, keeps the cursor on the same job across updates, and says which job is highlighted
(:class:`JobsTable.Highlighted`) or opened with ``enter`` (:class:`JobsTable.Selected`).
Columns have fixed widths (spare width goes to name and schedule). On a narrow terminal only
whole columns are drawn: state and code stay put, ``left``/``right`` bring the others into view a
column at a time, and arrows in the header say that columns are off to the side.

This module holds the table's state and what the screen reads and pushes; mixins of
:class:`JobsTable` hold the rest: the cursor (:mod:`~ysched_tui.tui.widgets.jobs_table_cursor`),
drawing lines (:mod:`~ysched_tui.tui.widgets.jobs_table_rows`) and the column layout
(:mod:`~ysched_tui.tui.widgets.jobs_table_layout`).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ysched_tui.core.models import JobView
from ysched_tui.tui.widgets.job_cells import CLOCK_COLUMNS, COLUMNS
from ysched_tui.tui.widgets.jobs_table_cursor import JobsTableCursor
from ysched_tui.tui.widgets.jobs_table_layout import (
    FIXED_COLUMNS,
    FIXED_WIDTHS,
    GROWTH,
    JobsTableLayout,
)
from ysched_tui.tui.widgets.jobs_table_rows import Cell, JobsTableRows, _signature

__all__ = [
    "FIXED_COLUMNS",
    "FIXED_WIDTHS",
    "GROWTH",
    "Cell",
    "JobMessage",
    "JobsTable",
]


class JobMessage(Message):
    """A message about one job of the table (``on`` handlers match the table by its id)."""

    def __init__(self, table: JobsTable, code: str) -> None:
        super().__init__()
        self.table = table
        self.code = code

    @property
    def control(self) -> JobsTable:
        return self.table


class JobsTable(JobsTableCursor, JobsTableRows, JobsTableLayout, ScrollView, can_focus=True):
    """The jobs, one row each, in the order the screen gives."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,g", "scroll_top", "Top", show=False),
        Binding("end,G", "scroll_bottom", "Bottom", show=False),
        Binding("left", "scroll_left", "Left", show=False),
        Binding("right", "scroll_right", "Right", show=False),
        Binding("enter", "select_cursor", "Open", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "jobs-table--header",
        "jobs-table--cursor",
        "jobs-table--cursor-blurred",
    }

    DEFAULT_CSS = """
    JobsTable {
        background: $surface;
        color: $foreground;
        &:focus { background-tint: $foreground 5%; }
        & > .jobs-table--header { text-style: bold; background: $panel; color: $foreground; }
        &:ansi > .jobs-table--header { background: ansi_bright_blue; color: ansi_default; }
        & > .jobs-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .jobs-table--cursor-blurred {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    class Highlighted(JobMessage):
        """The cursor moved to another job."""

    class Selected(JobMessage):
        """``enter`` (or a click on the row under the cursor) opened a job."""

    def __init__(self, *, tz: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tz = tz
        """The zone absolute times are shown in."""
        self.marked: set[str] = set()
        """Codes of the jobs marked for a bulk action (set by the screen)."""
        self._order: list[str] = []
        self._index: dict[str, int] = {}
        self._views: dict[str, JobView] = {}
        self._lines: dict[str, Strip] = {}
        self._clock: dict[str, tuple[tuple[str, str], ...]] = {}
        self._widths: dict[str, int] = dict(FIXED_WIDTHS)
        self._cursor = 0
        self._first_column = 0
        """How many of the scrollable columns (after state and code) are off to the left."""
        self._starts: list[int] = []
        self._window = (0, 0, 0)
        """(end of the fixed columns, start, end) of what each line shows, in cells."""
        self._highlighted: str | None = None
        self._lay_out(0)
        self._frame = 0
        self._now = datetime.now(UTC)

    # --- what the screen and the tests read -----------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._order)

    @property
    def cursor_row(self) -> int:
        return self._cursor

    @property
    def selected_code(self) -> str | None:
        """The code of the job under the cursor, or None for an empty table."""
        return self._order[self._cursor] if self._order else None

    def codes(self) -> list[str]:
        """Codes of the rows in display order."""
        return list(self._order)

    def get_row_index(self, code: str) -> int:
        """The row of ``code``; KeyError when it is not shown."""
        return self._index[code]

    def get_row(self, code: str) -> list[Cell]:
        """The cells of ``code``'s row as they read now, in column order."""
        cells = self._cells(self._views[code])
        return [cells[key] for key, _ in COLUMNS]

    # --- what the screen pushes -----------------------------------------------------------

    def show(self, jobs: Iterable[JobView], now: datetime) -> None:
        """Replace all rows (first load, filter change), keeping the cursor's job if shown."""
        keep = self.selected_code
        self._now = now
        self._views = {job.code: job for job in jobs}
        self._order = list(self._views)
        self._reindex()
        self._lines.clear()
        self._clock.clear()
        self._cursor = self._index.get(keep, 0) if keep is not None else 0
        self._resized()
        self._cursor_moved(scroll=True)

    def apply(self, changed: Iterable[JobView], removed: Iterable[str], now: datetime) -> None:
        """Apply a batch: replace views of changed rows, add new ones, drop removed ones.

        Costs O(changed) unless rows come or go; only rows on screen are redrawn.

        Args:
            changed: the newest view of each job that changed and passes the filter.
            removed: codes to take off the table (removed jobs, or ones the filter now hides).
            now: the clock's time for relative cells.
        """
        self._now = now
        keep = self.selected_code
        gone = [code for code in removed if code in self._views]
        added: list[str] = []
        for job in changed:
            if job.code not in self._views:
                added.append(job.code)
            self._views[job.code] = job
            self._forget(job.code)
        if gone or added:
            for code in gone:
                del self._views[code]
                self._forget(code)
            dropped = set(gone)
            order = [code for code in self._order if code not in dropped] if gone else self._order
            for code in added:
                order.insert(bisect_left(order, code), code)
            self._order = order
            self._reindex()
            self._resized()
            self._cursor = self._index.get(keep, min(self._cursor, len(order) - 1)) if keep else 0
            self._cursor = max(self._cursor, 0)
            self._cursor_moved(scroll=False)
        self.refresh()

    def tick(self, now: datetime) -> None:
        """Advance the spinner; redraw the clock-driven cells of visible and running rows."""
        self._frame += 1
        self._now = now
        codes = set(self._visible_codes())
        codes.update(code for code, job in self._views.items() if job.running)
        for code in codes:
            job = self._views[code]
            cells = self._cells(job)
            clock = tuple(_signature(cells[key]) for key in CLOCK_COLUMNS)
            if self._clock.get(code) != clock:
                self._forget(code)
        self.refresh()

    def refresh_marks(self) -> None:
        """Redraw every row after the screen changed :attr:`marked`."""
        self._lines.clear()
        self.refresh()

    # --- bookkeeping --------------------------------------------------------------------

    def _forget(self, code: str) -> None:
        self._lines.pop(code, None)

    def _reindex(self) -> None:
        self._index = {code: i for i, code in enumerate(self._order)}

    def _visible_codes(self) -> list[str]:
        """Codes of the rows currently on screen."""
        first = int(self.scroll_y)
        last = min(first + self.scrollable_content_region.height, len(self._order))
        return self._order[first:last]
