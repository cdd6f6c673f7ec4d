"""The next-runs pane: the merged timeline of the next fires across all jobs, grouped by time.

The screen reads the timeline from the service (which computes it from the same trigger objects
that fire) and pushes it down with :meth:`NextRunsPane.show`; the clock tick re-renders the
relative times. Paused jobs are greyed and say "paused", so they read right without colour.
"""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import groupby
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from ysched_tui.core.models import UpcomingFire
from ysched_tui.tui.format import as_tz, fmt_relative


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def timeline_text(fires: list[UpcomingFire], now: datetime, tz: str) -> Text:
    """The fires as text: one heading per distinct time, then one indented line per job.

    Args:
        fires: the timeline, soonest first.
        now: the clock's time, for the relative part of each heading.
        tz: the zone the absolute times are shown in.
    """
    if not fires:
        return Text("no scheduled fires", style="dim")
    zone, today = as_tz(tz), now.astimezone(as_tz(tz)).date()
    out = Text()
    for when, group in groupby(fires, key=lambda f: _aware(f.time)):
        local = when.astimezone(zone)
        stamp = local.strftime("%H:%M:%S" if local.date() == today else "%m-%d %H:%M:%S")
        out.append(f"{stamp}  {fmt_relative(when, now)}\n", style="bold")
        for fire in group:
            label = f"  {fire.code}" + (f"  {fire.name}" if fire.name else "")
            if fire.paused:
                out.append(f"{label}  (paused)\n", style="dim")
            else:
                out.append(f"{label}\n")
    out.rstrip()
    return out


class NextRunsPane(VerticalScroll):
    """A scrollable timeline of upcoming fires."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "scroll_down", "Down", show=False),
        Binding("k", "scroll_up", "Up", show=False),
        Binding("g", "scroll_home", "Top", show=False),
        Binding("G", "scroll_end", "Bottom", show=False),
    ]

    can_focus = True

    def __init__(self, *, tz: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tz = tz
        self.fires: list[UpcomingFire] = []
        """The timeline last pushed down by the screen."""

    def compose(self) -> ComposeResult:
        yield Static(Text("loading…", style="dim"), id="timeline")

    def show(self, fires: list[UpcomingFire], now: datetime) -> None:
        """Render a new timeline."""
        self.fires = fires
        self.tick(now)

    def tick(self, now: datetime) -> None:
        """Re-render with the current time (relative times move on)."""
        self.query_one("#timeline", Static).update(timeline_text(self.fires, now, self.tz))

    def first_fire(self) -> datetime | None:
        """The soonest fire shown, so the screen can re-read the timeline once it has passed."""
        return _aware(self.fires[0].time) if self.fires else None
