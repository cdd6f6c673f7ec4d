"""The jobs table's cursor: moving it with keys and the mouse, and saying which job it is on.

A mixin of :class:`~ysched_tui.tui.widgets.jobs_table.JobsTable`, kept apart from the data the
screen pushes and from drawing. The cursor is a row index, clamped to the rows shown and kept on
screen; when it lands on another job the table posts ``JobsTable.Highlighted``, and ``enter`` (or
a click on the row under the cursor, or a double click) posts ``JobsTable.Selected``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from textual import events

if TYPE_CHECKING:
    from textual.message import Message
    from textual.scroll_view import ScrollView as _Table

    class _JobMessageClass(Protocol):
        """How the cursor makes ``JobsTable.Highlighted`` and ``.Selected`` (typing only)."""

        def __call__(self, table: Any, code: str) -> Message:
            ...
else:
    _Table = object  # a plain mixin: no extra DOM type, no CSS or bindings of its own


class JobsTableCursor(_Table):
    """Cursor keys, clicks, focus redraws, and the highlighted job."""

    _order: list[str]
    _cursor: int
    _highlighted: str | None

    if TYPE_CHECKING:  # provided by JobsTable (its message classes and reads)
        Highlighted: ClassVar[_JobMessageClass]
        Selected: ClassVar[_JobMessageClass]

        @property
        def selected_code(self) -> str | None:
            ...

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

    # --- bookkeeping --------------------------------------------------------------------

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
