"""Drawing the jobs table: the header line and one cached line per job, with the cursor on top.

A mixin of :class:`~ysched_tui.tui.widgets.jobs_table.JobsTable`, kept apart from the cursor and
the data the screen pushes. Textual asks for the ~40 lines on screen; a job's line is rendered
once from its cells (:func:`~ysched_tui.tui.widgets.job_cells.row_cells`) and cached until its
view changes, its clock-driven cells change or the column widths do. The cursor and header
colours are laid over the cached line, and the sideways window is cut out of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from ysched_tui.core.models import JobView
from ysched_tui.tui.widgets.job_cells import CLOCK_COLUMNS, COLUMNS, row_cells
from ysched_tui.tui.widgets.jobs_table_layout import FIXED_COLUMNS

if TYPE_CHECKING:
    from textual.scroll_view import ScrollView as _Table
else:
    _Table = object  # a plain mixin: no extra DOM type, no CSS or bindings of its own

Cell = Text | str


class JobsTableRows(_Table):
    """The lines Textual asks for: header, job rows (cached per job) and blank rows."""

    tz: str
    marked: set[str]
    _order: list[str]
    _views: dict[str, JobView]
    _lines: dict[str, Strip]
    _clock: dict[str, tuple[tuple[str, str], ...]]
    _widths: dict[str, int]
    _cursor: int
    _first_column: int
    _starts: list[int]
    _window: tuple[int, int, int]
    _frame: int
    _now: datetime

    if TYPE_CHECKING:  # provided by JobsTableLayout

        def _full_width(self) -> int:
            ...

    def render_line(self, y: int) -> Strip:
        _, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            line = self._header()
        else:
            row = scroll_y + y - 1
            if row >= len(self._order):
                return Strip.blank(width, base)
            line = self._row_line(row)
        fixed, start, end = self._window
        if (start, end) != (fixed, line.cell_length):
            line = Strip.join([line.crop(0, fixed), line.crop(start, end)])
        return line.crop_extend(0, width, base).apply_style(base)

    def _row_line(self, row: int) -> Strip:
        code = self._order[row]
        line = self._lines.get(code)
        if line is None:
            cells = self._cells(self._views[code])
            self._clock[code] = tuple(_signature(cells[key]) for key in CLOCK_COLUMNS)
            line = self._lines[code] = self._strip([cells[key] for key, _ in COLUMNS])
        if row == self._cursor:
            component = "jobs-table--cursor" if self.has_focus else "jobs-table--cursor-blurred"
            line = _post_style(line, self.get_component_rich_style(component))
        return line

    def _header(self) -> Strip:
        labels = [f" {label}" if key == "state" else label for key, label in COLUMNS]
        # the state cells begin with the mark column: the label lines up with the word;
        # arrows say that whole columns are off to the side (left/right show them)
        first = FIXED_COLUMNS + self._first_column
        if self._first_column:
            labels[first] = f"‹ {labels[first]}"
        if self._window[2] < self._full_width():
            last = max(i for i in range(first, len(COLUMNS)) if self._starts[i] < self._window[2])
            labels[last] = f"{labels[last]} ›"
        line = self._strip(labels)
        return _post_style(line, self.get_component_rich_style("jobs-table--header"))

    def _strip(self, cells: Sequence[Cell]) -> Strip:
        """One row: each cell cut or padded to its column, a space between columns."""
        console = self.app.console
        segments: list[Segment] = [Segment(" ")]
        for (key, _), cell in zip(COLUMNS, cells, strict=True):
            text = cell.copy() if isinstance(cell, Text) else Text(cell)
            text.no_wrap = True
            text.truncate(self._widths[key], overflow="ellipsis", pad=True)
            segments.extend(text.render(console, end=""))
            segments.append(Segment(" "))
        return Strip(segments)

    def _cells(self, job: JobView) -> dict[str, Cell]:
        return row_cells(job, self._now, self.tz, frame=self._frame,
                         marked=job.code in self.marked)


def _signature(cell: Cell) -> tuple[str, str]:
    """What makes a cell look different: its text and its style."""
    if isinstance(cell, Text):
        return cell.plain + "\0" + str(cell.style), str(cell.spans)
    return cell, ""


def _post_style(line: Strip, style: Style) -> Strip:
    """``style`` laid over every segment (a cursor or header colour wins over cell colours)."""
    return Strip(Segment.apply_style(iter(line), post_style=style), line.cell_length)
