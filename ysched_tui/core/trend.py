"""The arguments of a trend (runs per hour or per day): one check for every layer.

A trend is asked for at the engine, through the control client, and of a repository; each
refuses the same bad arguments with the same message by calling :func:`check_trend_args`. The
HTTP API declares the same units through :data:`TrendUnit`, so its schema lists them.
"""

from __future__ import annotations

from typing import Literal, get_args

from ysched_tui.errors import InvalidOperation

TrendUnit = Literal["hour", "day"]
"""The width of one trend bucket: a UTC hour or a UTC day."""

TREND_UNITS: tuple[str, ...] = get_args(TrendUnit)
"""The units :func:`check_trend_args` accepts."""


def check_trend_args(unit: str, count: int) -> None:
    """Refuse a trend of an unknown unit or of no buckets.

    Args:
        unit: ``"hour"`` or ``"day"``.
        count: how many buckets, at least 1.

    Raises:
        InvalidOperation: ``unit`` is not one of :data:`TREND_UNITS`, or ``count`` < 1; the
            message names the bad value.
    """
    if unit not in TREND_UNITS:
        raise InvalidOperation(f"unit must be 'hour' or 'day', not {unit!r}")
    if count < 1:
        raise InvalidOperation(f"trend count must be at least 1, not {count}")
