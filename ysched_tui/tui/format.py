"""Formatting shared by every console screen: run status cells, times, durations.

One place decides how a status, an instant or a duration reads, so the jobs table, the log
header, the detail screen and the dialogs never disagree. Each status carries a symbol as well as
a colour, so the console stays readable with ``NO_COLOR`` or on a monochrome ``TERM=linux``.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

from rich.text import Text

from ysched_tui.core.models import RunStatus
from ysched_tui.core.triggers import CronTrigger, IntervalTrigger, OnceTrigger, TriggerSpec

__all__ = [
    "STATUS_STYLES",
    "STATUS_SYMBOLS",
    "as_tz",
    "fmt_ms",
    "fmt_relative",
    "fmt_seconds",
    "fmt_time",
    "status_cell",
    "trigger_raw",
    "triggers_raw",
]

STATUS_SYMBOLS: dict[RunStatus, str] = {
    RunStatus.SUCCESS: "✓",
    RunStatus.FAILED: "✗",
    RunStatus.TIMEOUT: "⏱",
    RunStatus.RUNNING: "▶",
    RunStatus.SKIPPED: "↷",
    RunStatus.MISSED: "⚠",
    RunStatus.CANCELLED: "⊘",
    RunStatus.INTERRUPTED: "↯",
    RunStatus.PENDING: "…",
}
"""The symbol shown before each status word; it alone must tell the statuses apart."""

STATUS_STYLES: dict[RunStatus, str] = {
    RunStatus.SUCCESS: "green",
    RunStatus.FAILED: "bold red",
    RunStatus.TIMEOUT: "bold red",
    RunStatus.RUNNING: "cyan",
    RunStatus.SKIPPED: "dim",
    RunStatus.MISSED: "yellow",
    RunStatus.CANCELLED: "yellow",
    RunStatus.INTERRUPTED: "red",
    RunStatus.PENDING: "dim",
}
"""The Rich style of each status: red for failures, yellow for things worth a look."""

NONE_TEXT = "-"
"""What an absent value (no run yet, no end time) reads as."""


def status_cell(status: RunStatus | None) -> Text:
    """A status as ``"<symbol> <word>"`` in its colour, or a dim dash when there is none.

    Args:
        status: the run status, or ``None`` for a job that never ran.

    Returns:
        Rich text for a table cell or a header.
    """
    if status is None:
        return Text(NONE_TEXT, style="dim")
    status = RunStatus(status)
    return Text(f"{STATUS_SYMBOLS[status]} {status.value}", style=STATUS_STYLES[status])


def as_tz(tz: str | tzinfo | None) -> tzinfo:
    """Turn an IANA name (or ``None`` meaning UTC) into a tzinfo.

    Raises:
        zoneinfo.ZoneInfoNotFoundError: for an unknown zone name.
    """
    if tz is None:
        return UTC
    if isinstance(tz, str):
        return UTC if tz.upper() == "UTC" else ZoneInfo(tz)
    return tz


def fmt_time(dt: datetime | None, tz: str | tzinfo | None = None, *, seconds: bool = True) -> str:
    """An instant as ``YYYY-MM-DD HH:MM:SS`` in ``tz``; naive instants are taken as UTC.

    Args:
        dt: the instant, or ``None`` (shown as a dash).
        tz: the zone to show it in (IANA name or tzinfo); ``None`` shows UTC.
        seconds: whether to include the seconds.
    """
    if dt is None:
        return NONE_TEXT
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    local = dt.astimezone(as_tz(tz))
    return local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def _span(seconds: float) -> str:
    """The largest whole unit of a non-negative span: ``45s``, ``4m``, ``2h``, ``3d``."""
    whole = int(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m"
    if whole < 86400:
        return f"{whole // 3600}h"
    return f"{whole // 86400}d"


def fmt_relative(dt: datetime | None, now: datetime) -> str:
    """An instant relative to ``now``: ``"in 4m"``, ``"2h ago"``, ``"now"`` within a second.

    Naive datetimes are taken as UTC, so aware and naive values can be mixed safely.
    """
    if dt is None:
        return NONE_TEXT
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    delta = (dt - now).total_seconds()
    if abs(delta) < 1:
        return "now"
    return f"in {_span(delta)}" if delta > 0 else f"{_span(-delta)} ago"


def fmt_ms(ms: float | None) -> str:
    """A duration in milliseconds as ``850ms``, ``1.2s``, ``4m 05s`` or ``2h 03m``."""
    if ms is None:
        return NONE_TEXT
    if ms < 1000:
        return f"{int(ms)}ms"
    secs = ms / 1000
    if secs < 60:
        return f"{secs:.1f}s"
    whole = int(secs)
    if whole < 3600:
        return f"{whole // 60}m {whole % 60:02d}s"
    return f"{whole // 3600}h {whole % 3600 // 60:02d}m"


def fmt_seconds(seconds: float) -> str:
    """A period as the shortest exact ``every`` text: ``90s``, ``5m``, ``2h``, ``1d``."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def trigger_raw(trigger: TriggerSpec) -> str:
    """A trigger as the text an operator would type to get it back in the reschedule dialog.

    Cron triggers show the expression as written, intervals ``every 5m``, one-off fires
    ``at <ISO time>`` and startup triggers ``@reboot``.
    """
    kind = trigger.kind
    if isinstance(trigger, CronTrigger):
        return trigger.expr
    if isinstance(trigger, IntervalTrigger):
        return f"every {fmt_seconds(trigger.seconds)}"
    if isinstance(trigger, OnceTrigger):
        spec = "seconds" if trigger.at.second else "minutes"
        return f"at {trigger.at.isoformat(timespec=spec)}"
    return "@reboot" if kind == "startup" else kind


def triggers_raw(triggers: tuple[TriggerSpec, ...]) -> str:
    """Several triggers joined with ``"; "``, the separator the reschedule dialog accepts."""
    return "; ".join(trigger_raw(t) for t in triggers)
