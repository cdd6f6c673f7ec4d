"""From wall-clock times to instants: IANA zones and what DST changes do to a local time.

Cron works in wall-clock time, the world in instants. Around a DST change a wall time can be
missing (spring forward: 02:30 does not exist in Berlin on 2026-03-29) or repeated (fall back:
02:30 happens at +02:00 and again at +01:00 on 2026-10-25). :func:`resolve_wall` says which, and
gives the instants; the rules for which of them fire live in :mod:`ysched_tui.core.schedule`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ysched_tui.errors import ConfigError

__all__ = ["WallTime", "get_zone", "repeat_start", "resolve_wall", "to_utc"]


@lru_cache(maxsize=1024)
def get_zone(name: str) -> ZoneInfo:
    """The zone for an IANA name such as ``Europe/Berlin`` (or ``UTC``).

    Raises:
        ConfigError: naming the unknown zone.
    """
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ConfigError(
            f"unknown time zone {name!r}: expected an IANA name such as 'Europe/Berlin' or 'UTC'"
        ) from exc


def to_utc(value: datetime, zone: ZoneInfo) -> datetime:
    """An instant in UTC; a naive ``value`` is read as wall time in ``zone`` (first occurrence)."""
    if value.tzinfo is None:
        return resolve_wall(value, zone).first.astimezone(UTC)
    return value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class WallTime:
    """What a wall-clock time is in a zone.

    Attributes:
        first: the earliest instant it denotes (for a missing time: the instant of the change,
            i.e. the first existing moment after it), aware in the zone.
        second: for a repeated time, its second occurrence; otherwise ``None``.
        missing: the time was skipped by a spring-forward change.
    """

    first: datetime
    second: datetime | None = None
    missing: bool = False


def _offset_at(ts: int, zone: ZoneInfo) -> timedelta | None:
    return datetime.fromtimestamp(ts, zone).utcoffset()


def _change_instant(zone: ZoneInfo, before: int, after: int) -> datetime:
    """The first whole second in (before, after] with ``after``'s UTC offset (bisection)."""
    target = _offset_at(after, zone)
    while after - before > 1:
        middle = (before + after) // 2
        if _offset_at(middle, zone) == target:
            after = middle
        else:
            before = middle
    return datetime.fromtimestamp(after, zone)


@lru_cache(maxsize=4096)
def _missing(wall: datetime, zone: ZoneInfo) -> datetime:
    """The instant a spring-forward change skipped ``wall`` (cached: it repeats yearly)."""
    after_offset = wall.replace(tzinfo=zone, fold=1).utcoffset()
    before_offset = wall.replace(tzinfo=zone, fold=0).utcoffset()
    assert after_offset is not None and before_offset is not None
    epoch_wall = (wall - datetime(1970, 1, 1)) // timedelta(seconds=1)
    low = epoch_wall - int(after_offset.total_seconds())
    high = epoch_wall - int(before_offset.total_seconds())
    return _change_instant(zone, low, high)


def resolve_wall(wall: datetime, zone: ZoneInfo) -> WallTime:
    """Map a naive wall-clock time in ``zone`` to the instant(s) it denotes.

    Args:
        wall: naive wall-clock time (any tzinfo/fold on it is ignored).
        zone: the zone to read it in.

    Returns:
        One instant for an ordinary time; two for a time repeated by a fall-back change; for a
        time skipped by a spring-forward change, the instant of the change, flagged ``missing``.
    """
    first = wall.replace(tzinfo=zone, fold=0)
    other = wall.replace(tzinfo=zone, fold=1)
    first_offset, other_offset = first.utcoffset(), other.utcoffset()
    if first_offset == other_offset:
        return WallTime(first)
    assert first_offset is not None and other_offset is not None
    if first_offset < other_offset:  # the offset grows: a gap (PEP 495: fold=0 is "before")
        return WallTime(_missing(wall.replace(tzinfo=None, fold=0), zone), missing=True)
    return WallTime(first, other)


def repeat_start(local: datetime) -> datetime | None:
    """For an instant in the *first* pass of a repeated (fall-back) period, the naive wall time
    at which that period starts; ``None`` otherwise.

    Args:
        local: an aware datetime in a :class:`ZoneInfo` zone (as ``astimezone`` returns it).
    """
    zone = local.tzinfo
    if local.fold or not isinstance(zone, ZoneInfo):
        return None
    later = local.replace(fold=1)
    if later.utcoffset() == local.utcoffset():
        return None
    before = int(local.timestamp())
    change = _change_instant(zone, before, int(later.timestamp()) + 1)
    return change.replace(tzinfo=None, fold=0)
