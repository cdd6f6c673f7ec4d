"""Durations as people type them ("90s", "5m", "1h30m", "2d", "500ms") and as we show them.

Jobs files, the Python API, the reschedule dialog and the CLI all read timeouts, retry delays,
intervals and jitter through :func:`parse_duration`, so one spelling works everywhere, and
:func:`format_duration` writes the compact form back so what is shown can be typed again.
"""

from __future__ import annotations

import math
import re

from ysched_tui.errors import DurationError

__all__ = ["format_duration", "parse_duration"]

_UNIT_SECONDS: dict[str, float] = {
    "ms": 0.001,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
    "d": 86400.0,
    "w": 604800.0,
}
"""Seconds per canonical unit."""

_UNIT_ALIASES: dict[str, str] = {
    **{u: u for u in _UNIT_SECONDS},
    **dict.fromkeys(("msec", "msecs", "millisecond", "milliseconds"), "ms"),
    **dict.fromkeys(("sec", "secs", "second", "seconds"), "s"),
    **dict.fromkeys(("min", "mins", "minute", "minutes"), "m"),
    **dict.fromkeys(("hr", "hrs", "hour", "hours"), "h"),
    **dict.fromkeys(("day", "days"), "d"),
    **dict.fromkeys(("week", "weeks"), "w"),
}
"""Unit spellings accepted, so "every 5 minutes" (what :func:`describe` prints) parses too."""

_NUMBER = r"(?:\d+(?:\.\d*)?|\.\d+)"
_PART_RE = re.compile(rf"\s*({_NUMBER})\s*([a-z]+)\s*")
_BARE_RE = re.compile(rf"\s*({_NUMBER})\s*")

_EXPECTED = (
    "expected a number of seconds or amounts with units, such as "
    "'90', '90s', '5m', '1h30m', '1h 30m', '2d', '1w' or '500ms'"
)


def _error(text: object) -> DurationError:
    return DurationError(f"invalid duration {text!r}: {_EXPECTED}")


def _parse_text(text: str) -> float:
    """Sum the ``<number><unit>`` parts of ``text``; a bare number is seconds."""
    lowered = text.lower()
    bare = _BARE_RE.fullmatch(lowered)
    if bare:
        return float(bare.group(1))
    total, pos = 0.0, 0
    while pos < len(lowered):
        part = _PART_RE.match(lowered, pos)
        if part is None or part.group(2) not in _UNIT_ALIASES:
            raise _error(text)
        total += float(part.group(1)) * _UNIT_SECONDS[_UNIT_ALIASES[part.group(2)]]
        pos = part.end()
    if pos == 0:
        raise _error(text)
    return total


def parse_duration(text: str | int | float) -> float:
    """Read a duration in seconds.

    Args:
        text: "90" or 90 (seconds), "90s", "5m", "1h30m", "1h 30m", "2d", "1w", "500ms",
            "1.5h"; unit words ("5 minutes") work too.

    Returns:
        The duration in seconds (never negative).

    Raises:
        DurationError: naming the bad text and the accepted forms.
    """
    if isinstance(text, bool):
        raise _error(text)
    if isinstance(text, int | float):
        value = float(text)
    elif isinstance(text, str):
        value = _parse_text(text)
    else:
        raise _error(text)
    if not math.isfinite(value) or value < 0:
        raise _error(text)
    return value


def _format_seconds(seconds: float) -> str:
    """Seconds below a minute with up to millisecond precision: "45s", "1.5s"."""
    return f"{seconds:.3f}".rstrip("0").rstrip(".") + "s"


def format_duration(seconds: float) -> str:
    """Write a duration compactly so that :func:`parse_duration` reads it back.

    Args:
        seconds: the duration.

    Returns:
        "1h30m", "5m", "45s", "1.5s", "250ms", "1w2d"; "0s" for zero.
    """
    if seconds < 0:
        return "-" + format_duration(-seconds)
    seconds = round(seconds, 3)
    if seconds == 0:
        return "0s"
    if seconds < 1:
        return f"{seconds * 1000:.3f}".rstrip("0").rstrip(".") + "ms"
    whole = math.floor(seconds)
    fraction = round(seconds - whole, 3)  # already whole milliseconds; strips float noise
    parts: list[str] = []
    for unit in ("w", "d", "h", "m"):
        size = int(_UNIT_SECONDS[unit])
        if whole >= size:
            parts.append(f"{whole // size}{unit}")
            whole %= size
    if whole or fraction:
        parts.append(_format_seconds(whole + fraction))
    return "".join(parts)
