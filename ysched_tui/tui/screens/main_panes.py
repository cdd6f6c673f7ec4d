"""The main screen's panes: all four at once on a large terminal, one at a time on a small one.

A mixin of :class:`~ysched_tui.tui.screens.main.MainScreen`, kept apart from the data the panes
show. At :data:`WIDE` x :data:`TALL` and larger the CSS shows every pane; below that the screen
gets the ``-small`` class and only the ``-current`` pane shows, with a tab bar to switch
(``1``-``4``, ``tab``/``shift+tab``, or a click on a tab). Switching also moves the focus into the
pane, so its keys work at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.binding import Binding
from textual.events import Resize
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Tabs

from ysched_tui.tui.widgets.jobs_table import JobsTable
from ysched_tui.tui.widgets.log_pane import LogPane

PANES: tuple[tuple[str, str], ...] = (
    ("jobs-pane", "1 Jobs"),
    ("next-pane", "2 Next runs"),
    ("log-pane", "3 Log"),
    ("stats-pane", "4 Stats"),
)
"""(pane id, tab label) in tab order."""

WIDE, TALL = 120, 40
"""The smallest terminal that shows all four panes at once."""


class PaneSwitching(Screen[None]):
    """Mixin for the main screen: which pane shows on a small terminal, and pane focus."""

    PANE_BINDINGS: ClassVar[list[Binding]] = [
        Binding("tab", "pane(1)", "Next pane", show=False),
        Binding("shift+tab", "pane(-1)", "Prev pane", show=False),
        *(Binding(str(i + 1), f"show_pane({i})", label, show=False)
          for i, (_, label) in enumerate(PANES)),
    ]
    """Bindings the main screen adds for switching panes."""

    current_pane: int
    """Index into :data:`PANES` of the pane shown on small terminals (the screen's)."""

    if TYPE_CHECKING:  # the screen's

        @property
        def table(self) -> JobsTable:
            ...

        @property
        def log_pane(self) -> LogPane:
            ...

    def on_resize(self, event: Resize) -> None:
        small = event.size.width < WIDE or event.size.height < TALL
        self.set_class(small, "-small")

    def _show_current(self) -> None:
        """Mark the current pane (CSS shows only it on small terminals) and its tab."""
        for index, (pane, _) in enumerate(PANES):
            self.query(f"#{pane}").set_class(index == self.current_pane, "-current")
        for tabs in self.query(Tabs):
            tabs.active = f"tab-{PANES[self.current_pane][0]}"

    def _focus_target(self, index: int) -> Widget:
        pane = self.query_one(f"#{PANES[index][0]}")
        return {0: self.table, 2: self.log_pane.log_view}.get(index, pane)

    def action_show_pane(self, index: int) -> None:
        """Show (small terminal) and focus pane ``index``."""
        self.current_pane = index % len(PANES)
        self._show_current()
        self.call_after_refresh(self._focus_target(self.current_pane).focus)

    def action_pane(self, step: int) -> None:
        """Move to the next/previous pane (``tab`` / ``shift+tab``)."""
        here = next((i for i in range(len(PANES)) if self._pane_has_focus(i)), self.current_pane)
        self.action_show_pane(here + step)

    def _pane_has_focus(self, index: int) -> bool:
        focused = self.focused
        pane = self.query_one(f"#{PANES[index][0]}")
        return focused is not None and (focused is pane or pane in focused.ancestors)

    @on(Tabs.TabActivated, "#pane-tabs")
    def _tab_clicked(self, event: Tabs.TabActivated) -> None:
        ids = [f"tab-{pane}" for pane, _ in PANES]
        if event.tab.id in ids and ids.index(event.tab.id) != self.current_pane:
            self.action_show_pane(ids.index(event.tab.id))
