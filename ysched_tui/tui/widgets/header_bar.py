"""The header line: scheduler state, job counts, running now, failures in 24 h, database, clock.

The screen sets :attr:`HeaderBar.status` when the figures change and :attr:`HeaderBar.now` on each
clock tick; the bar only renders. Figures are words and numbers, so the line reads the same with
or without colour.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from ysched_tui.core.models import SchedulerStatus
from ysched_tui.tui.format import as_tz

STATE_STYLES = {"running": "bold green", "attached": "bold green", "paused": "bold yellow"}
"""Colour of the scheduler state word; anything else (starting, stopped) reads in red."""


class HeaderBar(Widget):
    """One line of figures at the top of the main screen."""

    status: reactive[SchedulerStatus | None] = reactive(None)
    """The latest scheduler figures (None until the first read)."""
    now: reactive[datetime | None] = reactive(None)
    """The clock's time, set once per second."""
    attached = False
    """This console is attached to another process's scheduler: ``stopped`` then means that
    the owner is gone and nothing schedules the database."""

    def __init__(self, *, tz: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tz = tz

    def render(self) -> Text:
        line = self._figures()
        clock = self._clock("%Y-%m-%d %H:%M:%S %Z ")
        if line.cell_len + len(clock) + 2 > self.size.width:
            clock = self._clock("%H:%M:%S ")
        room = self.size.width - line.cell_len - len(clock) - 2
        if self.status is not None and room > 8:
            db = f"  db {self.status.db_path}"
            if len(db) > room:
                db = "  db …" + db[len(db) - room + 6 :]
            line.append(db, style="dim")
        line.append(" " * max(self.size.width - line.cell_len - len(clock), 2))
        line.append(clock, style="bold")
        line.truncate(max(self.size.width, 1), overflow="ellipsis")
        return line

    def _figures(self) -> Text:
        """State, counts, running now and failures: the part that is never cut."""
        status = self.status
        if status is None:
            return Text(" connecting…")
        line = Text(" ")
        if self.attached and status.state == "stopped":
            line.append("● no owner", style="bold red")
            line.append(f": pid {status.owner_pid} on {status.owner_host} is gone, nothing "
                        "schedules; O = own it here")
            return line
        line.append(f"● {status.state}", style=STATE_STYLES.get(status.state, "bold red"))
        if status.state == "attached" and status.owner_pid is not None:
            since = status.owner_since
            when = since.astimezone(as_tz(self.tz)).strftime("%m-%d %H:%M") if since else "?"
            line.append(f" to pid {status.owner_pid} on {status.owner_host}, owner since {when}")
        line.append(f"  {status.jobs_active} active, {status.jobs_paused} paused")
        line.append(f"  {status.running_now} running")
        failures = Text(f"  ✗ {status.failures_24h} failed/24h [F]")
        if status.failures_24h:
            failures.stylize("bold red")
        return line.append_text(failures)

    def _clock(self, fmt: str) -> str:
        if self.now is None:
            return ""
        return self.now.astimezone(as_tz(self.tz)).strftime(fmt)
