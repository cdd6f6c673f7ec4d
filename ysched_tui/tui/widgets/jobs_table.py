"""The jobs table: one row per job, drawn only for the rows on screen.

A 10,000-row Textual ``DataTable`` re-measures and re-indexes every row whenever a cell changes
(measured: 1.3 s to the first paint, key p95 over 400 ms with 1,000 job changes a second). This
table is a :class:`~textual.scroll_view.ScrollView` over the screen's list of views instead: a batch
of changes only replaces views and forgets their cached line, the clock tick only touches rows on
screen or running, and drawing costs the ~40 visible rows whatever the number of jobs.

The screen decides which jobs are shown (the filter) and in which order (by code); the table
renders them, keeps the cursor on the same job across updates, and says which job is highlighted
(:class:`JobsTable.Highlighted`) or opened with ``enter`` (:class:`JobsTable.Selected`).

The class reads top to bottom as:

- what the screen reads and pushes (:meth:`JobsTable.show`, :meth:`JobsTable.apply`,
  :meth:`JobsTable.tick`, :attr:`JobsTable.marked`);
- the cursor: a row index, clamped to the rows shown and kept on screen; when it lands on
  another job the table posts ``Highlighted``, and ``enter`` (or a click on the row under the
  cursor, or a double click) posts ``Selected``;
- drawing: Textual asks for the ~40 lines on screen; a job's line is rendered once from its cells
  (:func:`~ysched_tui.tui.widgets.job_cells.row_cells`) and cached until its view changes, its
  clock-driven cells change or the column widths do; the cursor and header colours are laid over
  the cached line, and the sideways window is cut out of it;
- the column layout: columns have fixed widths, spare width goes to name and schedule
  (:data:`GROWTH`). On a narrow terminal only whole columns are drawn: state and code stay put
  (:data:`FIXED_COLUMNS`), ``left``/``right`` bring the others into view a column at a time, and
  arrows in the header say that columns are off to the side. The layout is recomputed on a
  resize or a sideways step, never per row drawn.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ysched_tui.core.models import JobView
from ysched_tui.tui.widgets.job_cells import CLOCK_COLUMNS, COLUMNS, row_cells

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


Cell = Text | str
"""What a cell holds: plain text, or text with styles."""


class JobMessage(Message):
    """A message about one job of the table (``on`` handlers match the table by its id)."""

    def __init__(self, table: JobsTable, code: str) -> None:
        super().__init__()
        self.table = table
        self.code = code

    @property
    def control(self) -> JobsTable:
        return self.table


class JobsTable(ScrollView, can_focus=True):
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

    # --- the cursor ----------------------------------------------------------------------

    def move_cursor(self, *, row: int, scroll: bool = True) -> None:
        """Put the cursor on ``row`` (clamped), scrolling it into view."""
        self._cursor = min(max(row, 0), max(len(self._order) - 1, 0))
        self._cursor_moved(scroll=scroll)
        self.refresh()

    # --- keys and mouse -------------------------------------------------------------------

    def action_cursor_up(self) -> None:
        self.move_cursor(row=self._cursor - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(row=self._cursor + 1)

    def action_page_up(self) -> None:
        self.move_cursor(row=self._cursor - self._page())

    def action_page_down(self) -> None:
        self.move_cursor(row=self._cursor + self._page())

    def action_scroll_top(self) -> None:
        self.move_cursor(row=0)

    def action_scroll_bottom(self) -> None:
        self.move_cursor(row=len(self._order) - 1)

    def action_select_cursor(self) -> None:
        if self._order:
            self.post_message(self.Selected(self, self._order[self._cursor]))

    def on_click(self, event: events.Click) -> None:
        row = int(self.scroll_y) + event.y - 1
        if event.y < 1 or not 0 <= row < len(self._order):
            return
        if row == self._cursor or event.chain > 1:
            self.move_cursor(row=row)
            self.action_select_cursor()
        else:
            self.move_cursor(row=row)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # --- drawing ---------------------------------------------------------------------------

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


    # --- the column layout -----------------------------------------------------------------

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

    def _page(self) -> int:
        return max(self.scrollable_content_region.height - 2, 1)

    def _cursor_moved(self, *, scroll: bool) -> None:
        """Keep the cursor on screen and tell the screen when another job is highlighted."""
        if scroll and self._order:
            rows = max(self.scrollable_content_region.height - 1, 1)
            top = int(self.scroll_y)
            if self._cursor < top:
                self.scroll_to(y=self._cursor, animate=False)
            elif self._cursor >= top + rows:
                self.scroll_to(y=self._cursor - rows + 1, animate=False)
        code = self.selected_code
        if code is not None and code != self._highlighted:
            self._highlighted = code
            self.post_message(self.Highlighted(self, code))


def _signature(cell: Cell) -> tuple[str, str]:
    """What makes a cell look different: its text and its style."""
    if isinstance(cell, Text):
        return cell.plain + "\0" + str(cell.style), str(cell.spans)
    return cell, ""


def _post_style(line: Strip, style: Style) -> Strip:
    """``style`` laid over every segment (a cursor or header colour wins over cell colours)."""
    return Strip(Segment.apply_style(iter(line), post_style=style), line.cell_length)
