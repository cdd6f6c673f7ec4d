"""How one job reads as a row of the jobs table: each cell computed from a JobView and the clock.

Kept apart from the widget so the rules (words before colour, relative and absolute next run,
elapsed against the median as a bar) can be read and tested without a terminal. Every cell is
readable without colour: states are words, statuses carry a symbol, the bar is made of blocks.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

from rich.text import Text

from ysched_tui.core.models import JobView
from ysched_tui.core.schedule import describe_all
from ysched_tui.core.triggers import TriggerSpec
from ysched_tui.tui.format import as_tz, fmt_ms, fmt_relative, status_cell

COLUMNS: tuple[tuple[str, str], ...] = (
    ("state", "state"),
    ("code", "code"),
    ("name", "name"),
    ("next", "next run"),
    ("last", "last run, took"),
    ("schedule", "schedule"),
    ("rate", "7d"),
    ("progress", "progress"),
)
"""(column key, header label) in display order: what runs when and how it went first, so an
80-column terminal shows those without scrolling sideways."""

SPINNER = "|/-\\"
"""Spinner frames for running jobs: plain ASCII so TERM=linux consoles draw them too."""

STATE_STYLES = {
    "running": "bold cyan",
    "active": "green",
    "paused": "yellow",
    "disabled": "dim",
    "manual": "",
}
"""Colour of each state word (the word itself carries the meaning)."""

MARK = "*"
"""Shown before the state of jobs marked for a bulk action."""

BAR_WIDTH = 5


@lru_cache(maxsize=4096)
def schedule_words(triggers: tuple[TriggerSpec, ...]) -> str:
    """The schedule in words, cached: 10,000 jobs share a few hundred distinct schedules."""
    return describe_all(triggers)


def state_cell(job: JobView, frame: int, marked: bool = False) -> Text:
    """The state word (``*`` first when marked); running jobs get a spinner the clock turns."""
    word = job.status_word
    label = f"{SPINNER[frame % len(SPINNER)]} running" if word == "running" else word
    return Text(f"{MARK if marked else ' '}{label}", style=STATE_STYLES.get(word, ""))


def last_cell(job: JobView) -> Text:
    """The last run's status (symbol and word) and how long it took."""
    cell = status_cell(job.state.last_status)
    if job.state.last_duration_ms is not None:
        cell.append(f" {fmt_ms(job.state.last_duration_ms)}", style="")
    return cell


def next_cell(job: JobView, now: datetime, tz: str) -> Text:
    """Next fire as ``in 4m 11:45``; the date is added when it is not today."""
    when = job.state.next_run_time
    if when is None or job.state.paused or not job.enabled:
        return Text("-", style="dim")
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    zone = as_tz(tz)
    local, today = when.astimezone(zone), now.astimezone(zone)
    absolute = local.strftime("%H:%M" if local.date() == today.date() else "%m-%d %H:%M")
    return Text(f"{fmt_relative(when, now)} {absolute}")


def rate_cell(job: JobView) -> Text:
    """The 7-day success rate in percent, red below 90 %."""
    if job.success_rate_7d is None:
        return Text("-", style="dim")
    pct = job.success_rate_7d * 100
    return Text(f"{pct:.0f}%", style="red" if pct < 90 else "")


def progress_cell(job: JobView, now: datetime) -> Text:
    """For a running job: elapsed time, and against the median a bar like ``██░░░░ 40%``."""
    if not job.running or job.running_since is None:
        return Text("")
    since = job.running_since
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    elapsed_ms = max((now - since).total_seconds() * 1000, 0.0)
    median = job.median_duration_ms
    if not median:
        return Text(fmt_ms(elapsed_ms), style="cyan")
    ratio = elapsed_ms / median
    filled = min(round(ratio * BAR_WIDTH), BAR_WIDTH)
    bar = "█" * filled + "░" * (BAR_WIDTH - filled)
    return Text(f"{bar} {ratio * 100:.0f}%", style="red" if ratio > 1 else "cyan")


def row_cells(
    job: JobView, now: datetime, tz: str, *, frame: int = 0, marked: bool = False
) -> dict[str, Text | str]:
    """Every cell of a job's row keyed by column key."""
    return {
        "state": state_cell(job, frame, marked),
        "code": job.code,
        "name": job.spec.name,
        "schedule": schedule_words(job.triggers),
        "next": next_cell(job, now, tz),
        "last": last_cell(job),
        "rate": rate_cell(job),
        "progress": progress_cell(job, now),
    }


CLOCK_COLUMNS = ("state", "next", "progress")
"""Cells that change with the clock alone (spinner, relative time, elapsed bar)."""
