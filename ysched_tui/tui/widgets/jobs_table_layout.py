"""The jobs table's column layout: column widths, and which whole columns fit on screen.

A mixin of :class:`~ysched_tui.tui.widgets.jobs_table.JobsTable`, kept apart from the rows and
the cursor. Columns have fixed widths; spare width goes to name and schedule (:data:`GROWTH`).
On a narrow terminal only whole columns are drawn: state and code stay put (:data:`FIXED_COLUMNS`)
and ``left``/``right`` bring the others into view a column at a time. The layout is recomputed
on a resize or a sideways step, never per row drawn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.geometry import Size
from textual.strip import Strip

from ysched_tui.tui.widgets.job_cells import COLUMNS

if TYPE_CHECKING:
    from textual.scroll_view import ScrollView as _Table
else:
    _Table = object  # a plain mixin: no extra DOM type, no CSS or bindings of its own

FIXED_WIDTHS: dict[str, int] = {
    "state": 10,
    "code": 14,
    "name": 12,
    "schedule": 17,
    "next": 18,
    "last": 17,
    "rate": 4,
    "progress": 10,
}
"""Smallest width of each column; longer text is cut with an ellipsis."""

GROWTH: tuple[tuple[str, int], ...] = (("name", 18), ("schedule", 14), ("code", 8))
"""Where spare width goes, in order, and at most how much each column takes."""

FIXED_COLUMNS = 2
"""Leading columns (state, code) that stay on screen when the rest scrolls sideways."""


class JobsTableLayout(_Table):
    """Column widths, the sideways window over the columns, and the table's virtual size."""

    _order: list[str]
    _lines: dict[str, Strip]
    _widths: dict[str, int]
    _first_column: int
    _starts: list[int]
    _window: tuple[int, int, int]

    def action_scroll_right(self) -> None:
        """Bring the next hidden column on the right into view (state and code stay)."""
        shown_to = self._window[2]
        room = self.scrollable_content_region.width
        while self._window[2] <= shown_to < self._full_width():
            self._first_column += 1
            self._lay_out(room)
        self._resized()

    def action_scroll_left(self) -> None:
        """Show the previous column again."""
        if self._first_column:
            self._first_column -= 1
            self._resized()

    def on_resize(self, event: events.Resize) -> None:
        self._resized()

    def _full_width(self) -> int:
        return 1 + sum(width + 1 for width in self._widths.values())

    def _resized(self) -> None:
        """Lay the columns out for the current width and size the rows."""
        room = self.scrollable_content_region.width
        self._lay_out(room)
        self.virtual_size = Size(room, len(self._order) + 1)
        self.refresh()

    def _lay_out(self, room: int) -> None:
        """Share spare width out (GROWTH) and pick the whole columns that fit in ``room``."""
        widths = dict(FIXED_WIDTHS)
        spare = room - 1 - sum(w + 1 for w in widths.values())
        for key, most in GROWTH:
            extra = max(min(spare, most), 0)
            widths[key] += extra
            spare -= extra
        if widths != self._widths:
            self._widths = widths
            self._lines.clear()
        self._starts = [1]
        for key, _ in COLUMNS:
            self._starts.append(self._starts[-1] + widths[key] + 1)
        fixed = self._starts[FIXED_COLUMNS]
        scrollable = len(COLUMNS) - FIXED_COLUMNS
        self._first_column = min(self._first_column, scrollable - 1)
        start = end = self._starts[FIXED_COLUMNS + self._first_column]
        for i in range(FIXED_COLUMNS + self._first_column, len(COLUMNS)):
            if fixed + (self._starts[i + 1] - start) > room and end > start:
                break
            end = self._starts[i + 1]
        if end >= self._full_width():  # everything to the right fits: no column stays hidden
            while self._first_column and fixed + end - self._starts[
                    FIXED_COLUMNS + self._first_column - 1] <= room:
                self._first_column -= 1
                start = self._starts[FIXED_COLUMNS + self._first_column]
        self._window = (fixed, start, end)
