"""Small value readers shared by the settings and the jobs file: seconds, time zones, hooks.

Each reader raises ``ValueError`` with a message that says what was expected, so the settings
(through pydantic) and the jobs file loader (as a :class:`~ysched_tui.errors.Problem`) report the
same wording for the same mistake.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable
from typing import Any, Literal, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ysched_tui.core.durations import parse_duration
from ysched_tui.core.models import Hook
from ysched_tui.errors import DurationError

HookEvent = Literal["failure", "success", "missed"]
"""The outcomes a hook can be attached to."""

HOOK_SHORTHANDS: dict[str, HookEvent] = {
    "on_failure": "failure",
    "on_success": "success",
    "on_missed": "missed",
}
"""Keys that attach a webhook URL or a command to one outcome without writing a ``hooks`` list."""

TIMEZONE_EXPECTED = "an IANA time zone name such as 'Europe/Berlin' or 'UTC'"
"""How a bad time zone is explained."""


def seconds(value: Any, *, minimum: float = 0.0, strict_min: bool = False) -> float:
    """Read a number of seconds or a duration such as ``"1h30m"``.

    Args:
        value: an int/float (seconds) or a duration string (``"90"`` counts as seconds too).
        minimum: the smallest accepted value.
        strict_min: whether ``minimum`` itself is excluded.

    Returns:
        The value in seconds.

    Raises:
        ValueError: not a number or duration, or out of range.
    """
    bound = f"> {minimum:g}" if strict_min else f">= {minimum:g}"
    expected = f"a number of seconds {bound} or a duration like '30s', '5m', '1h30m'"
    if isinstance(value, bool):
        raise ValueError(f"expected {expected}, got {value!r}")
    if isinstance(value, int | float):
        result = float(value)
    elif isinstance(value, str):
        result = _parse_seconds_text(value, expected)
    else:
        raise ValueError(f"expected {expected}, got {value!r}")
    if not math.isfinite(result) or result < minimum or (strict_min and result == minimum):
        raise ValueError(f"expected {expected}, got {value!r}")
    return result


def _parse_seconds_text(text: str, expected: str) -> float:
    try:
        return float(text)
    except ValueError:
        pass
    try:
        return parse_duration(text)
    except DurationError:
        raise ValueError(f"expected {expected}, got {text!r}") from None


def timezone_name(value: Any) -> str:
    """Check that ``value`` names a time zone zoneinfo knows, and return it.

    Raises:
        ValueError: naming what was expected.
    """
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected {TIMEZONE_EXPECTED}, got {value!r}")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"expected {TIMEZONE_EXPECTED}, got {value!r}") from None
    return value


def hook_from_target(target: Any, on: Iterable[HookEvent]) -> Hook:
    """A hook from a string: an ``http(s)://`` URL is a webhook, anything else a command.

    Raises:
        ValueError: the target is not a non-empty string.
    """
    if not isinstance(target, str) or not target.strip():
        raise ValueError(f"expected a webhook URL or a command, got {target!r}")
    events = tuple(on)
    if target.startswith(("http://", "https://")):
        return Hook(on=events, webhook=target)
    return Hook(on=events, command=target)


def hooks_from_shorthand(key: str, value: Any) -> list[Hook]:
    """Hooks from ``on_failure = "URL or command"`` (or a list of them).

    Raises:
        ValueError: an entry is not a non-empty string.
    """
    event = HOOK_SHORTHANDS[key]
    items = value if isinstance(value, list) else [value]
    return [hook_from_target(item, (event,)) for item in items]


def hook_from_table(value: Any) -> Hook:
    """A hook from ``{ on = ["failure"], webhook = "..." }`` or ``{ ..., command = "..." }``.

    Raises:
        ValueError: unknown keys, bad ``on`` values, or not exactly one of webhook/command.
    """
    if not isinstance(value, dict):
        raise ValueError(f"expected a table with 'on' and 'webhook' or 'command', got {value!r}")
    unknown = [k for k in value if k not in ("on", "webhook", "command")]
    if unknown:
        raise ValueError(unknown_key_message(unknown[0], ("on", "webhook", "command")))
    on = value.get("on", ["failure"])
    on = [on] if isinstance(on, str) else list(on) if isinstance(on, tuple) else on
    allowed = tuple(HOOK_SHORTHANDS.values())
    if not isinstance(on, list) or not on or any(v not in allowed for v in on):
        raise ValueError(f"'on' expects a list of {', '.join(map(repr, allowed))}, got {on!r}")
    targets = [k for k in ("webhook", "command") if value.get(k) is not None]
    if len(targets) != 1:
        raise ValueError("a hook needs exactly one of 'webhook' (a URL) or 'command'")
    text = value[targets[0]]
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"'{targets[0]}' expects a non-empty string, got {text!r}")
    return Hook(on=tuple(cast(list[HookEvent], on)), **{targets[0]: text})


def unknown_key_message(key: str, valid: Iterable[str]) -> str:
    """``unknown key 'crn'; did you mean 'cron'?`` (the suggestion only when one is close)."""
    close = difflib.get_close_matches(key, list(valid), n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown key {key!r}{hint}"
