"""The log view of one run: Textual's Log fed in batches, with follow, search, wrap and timestamps.

Lines arrive already batched (at most ``log_refresh_hz`` times a second) and are written with one
``write_lines`` call per batch: line-by-line writes at 5,000 lines/s pushed key latency to ~2 s.
The raw lines are kept so that toggling wrap or timestamps can re-render them. Scrolling up pauses
following (the view stays put while lines arrive); :meth:`RunLog.follow` resumes it.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from rich.highlighter import Highlighter
from rich.text import Text
from textual.events import Resize
from textual.message import Message
from textual.widgets import Log

from ysched_tui.core.models import OutputLine
from ysched_tui.tui.format import as_tz

STREAM_PREFIX = {"stdout": "", "stderr": "! ", "log": "", "system": "# "}
"""Prefix per stream, so stderr and engine notes stand out without colour."""


class Kept(NamedTuple):
    """A received line as the view keeps it: a plain tuple of atoms, which the cyclic garbage
    collector stops tracking (10,000 kept pydantic lines made every full collection slower)."""

    seq: int
    ts: datetime
    stream: str
    text: str


def kept_lines(lines: Sequence[OutputLine | Kept]) -> list[Kept]:
    """Lines as the view keeps them."""
    return [Kept(line.seq, line.ts, line.stream, line.text) for line in lines]


class SearchHighlighter(Highlighter):
    """Marks every match of the search in reverse video (visible with NO_COLOR too)."""

    def __init__(self) -> None:
        self.pattern: re.Pattern[str] | None = None

    def highlight(self, text: Text) -> None:
        if self.pattern is not None:
            text.highlight_regex(self.pattern, style="reverse bold")


class RunLog(Log):
    """A run's output, following the end unless the operator scrolled up."""

    @dataclass
    class FollowChanged(Message):
        """Following was paused (scrolled up) or resumed."""

        following: bool

    def __init__(self, *, tz: str, max_lines: int = 10_000, **kwargs: Any) -> None:
        super().__init__(highlight=True, max_lines=max_lines, **kwargs)
        self.highlighter = SearchHighlighter()
        self.tz = tz
        self.source: list[Kept] = []
        """The run's lines as received (the Log holds their rendered form)."""
        self.wrap = False
        self.timestamps = False
        self.following = True
        self.dropped = 0
        """Lines of the run shown that were let go to keep at most ``max_lines``."""
        self._last_seq = 0
        self._resetting = False
        self._match_y = -1

    # --- content -----------------------------------------------------------------------

    def set_lines(self, lines: Sequence[OutputLine | Kept]) -> None:
        """Replace the content with a run's stored lines."""
        self.source = kept_lines(lines)
        self.dropped = 0
        self._trim()
        self._last_seq = max((line.seq for line in lines), default=0)
        self.rerender()

    def append(self, lines: Sequence[OutputLine | Kept]) -> None:
        """Add a batch of live lines, skipping any already shown (fetch and stream overlap)."""
        fresh = [line for line in lines if line.seq > self._last_seq]
        if not fresh:
            return
        self._last_seq = fresh[-1].seq
        kept = kept_lines(fresh)
        self.source.extend(kept)
        self._trim()
        # pruning the top moves the view up: that is not the operator scrolling away
        self._resetting = True
        try:
            self.write_lines(self._format(kept), scroll_end=False)
        finally:
            self._resetting = False
        if self.following:  # always, not only when Log thinks the view was at the end
            self.scroll_end(animate=False, immediate=True, x_axis=False)

    def _trim(self) -> None:
        """Keep at most ``max_lines`` received lines (in slices, not on every batch)."""
        limit = self.max_lines or 0
        extra = len(self.source) - limit
        if limit and extra > limit // 10:
            del self.source[:extra]
            self.dropped += extra

    def rerender(self) -> None:
        """Rebuild the view from :attr:`source` (after wrap/timestamps change or a new run)."""
        self._resetting = True
        try:
            self.clear()
            self.write_lines(self._format(self.source), scroll_end=False)
        finally:
            self._resetting = False
        if self.following:
            self.scroll_end(animate=False, immediate=True, x_axis=False)

    def _format(self, lines: list[Kept]) -> list[str]:
        zone = as_tz(self.tz)
        out: list[str] = []
        width = max(self.scrollable_content_region.width - 1, 20)
        for line in lines:
            text = STREAM_PREFIX.get(line.stream, "") + line.text
            if self.timestamps:
                ts = line.ts if line.ts.tzinfo else line.ts.replace(tzinfo=UTC)
                text = f"{ts.astimezone(zone):%H:%M:%S} {text}"
            if self.wrap and len(text) > width:
                out.extend(textwrap.wrap(text, width, drop_whitespace=False) or [""])
            else:
                out.extend(text.splitlines() or [""])
        return out

    def on_resize(self, event: Resize) -> None:
        if self.wrap:
            self.rerender()

    # --- follow ------------------------------------------------------------------------

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self._resetting or new_value >= old_value or old_value > self.max_scroll_y:
            return
        self._set_following(False)

    def follow(self) -> None:
        """Resume following: jump to the end and stay there as lines arrive."""
        self._set_following(True)
        self.scroll_end(animate=False, immediate=True, x_axis=False)

    def _set_following(self, following: bool) -> None:
        if following != self.following:
            self.following = following
            self.auto_scroll = following
            self.post_message(self.FollowChanged(following))

    # --- search ------------------------------------------------------------------------

    def set_search(self, query: str) -> None:
        """Highlight every (case-insensitive) match of ``query``; empty clears."""
        search = self.highlighter
        assert isinstance(search, SearchHighlighter)
        search.pattern = re.compile(re.escape(query), re.IGNORECASE) if query else None
        self._match_y = int(self.scroll_y) - 1
        self.notify_style_update()
        self.refresh()

    def matches(self) -> list[int]:
        """Display line numbers that contain a match."""
        search = self.highlighter
        assert isinstance(search, SearchHighlighter)
        if search.pattern is None:
            return []
        return [y for y, line in enumerate(self.lines) if search.pattern.search(line)]

    def jump(self, forward: bool) -> tuple[int, int] | None:
        """Scroll to the next (or previous) match; returns (match number, total) or None."""
        hits = self.matches()
        if not hits:
            return None
        here = self._match_y
        later = [y for y in hits if (y > here if forward else y < here)]
        target = (later[0] if forward else later[-1]) if later else hits[0 if forward else -1]
        self._match_y = target
        self._set_following(False)
        self.scroll_to(y=target, animate=False, immediate=True)
        return hits.index(target) + 1, len(hits)
