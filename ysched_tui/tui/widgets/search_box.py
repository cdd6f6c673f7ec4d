"""A one-line input for filters and searches whose ``esc`` means "never mind".

Plain ``Input`` lets ``esc`` bubble to whatever binds it further up; the filter and the log
search need esc to clear *themselves* first, so this box turns it into a :class:`Cancelled`
message for its parent.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input


class SearchBox(Input):
    """An input posting :class:`SearchBox.Cancelled` on ``esc``."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Clear")]

    class Cancelled(Message):
        """The operator pressed esc in the box."""

        def __init__(self, box: SearchBox) -> None:
            super().__init__()
            self.box = box

        @property
        def control(self) -> SearchBox:
            """The box, so ``@on(SearchBox.Cancelled, "#id")`` can match it."""
            return self.box

    def action_cancel(self) -> None:
        """Tell the parent to clear and close the box."""
        self.post_message(self.Cancelled(self))
