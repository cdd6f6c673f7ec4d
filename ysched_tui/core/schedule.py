"""When triggers fire: the one code path behind every fire and every preview.

The engine wraps :func:`next_fire` in its APScheduler trigger; the console, the CLI and
``check`` call the same functions for previews, so what is shown is what fires.

Rules (cron as cron(8) means it, see :mod:`ysched_tui.core.cron` for the syntax):

* **Zones.** Each trigger is evaluated in its own IANA zone (``trigger.timezone``, else the
  ``default_tz`` argument); results are aware datetimes in that zone. Naive inputs (``after``,
  ``start``, ``end``, ``at``) are read as wall time: ``after`` in ``default_tz``, the trigger's
  own fields in the trigger's zone. An unknown zone raises :class:`ConfigError`.
* **Spring forward.** A wall time skipped by the change fires once, at the instant of the change
  (``30 2 * * *`` in Europe/Berlin on 2026-03-29 fires at 03:00 CEST). Several skipped times
  collapse into that one fire, and a regular fire at the same instant is not doubled.
  cronie does the same for fixed-time jobs; for a job like ``*/15 2 * * *`` it would run nothing
  that day, but the product rule ("a skipped time fires once") wins.
* **Fall back.** Following cronie (jobs flagged MIN_STAR/HR_STAR in its entry.c): an expression
  whose minute or hour field starts with ``*`` (``*/15 * * * *``, ``0 * * * *``, ``* 2 * * *``)
  fires at every real instant matching the wall clock, so ``0 * * * *`` fires at 02:00 CEST *and*
  02:00 CET; any other expression (``30 2 * * *``) fires once, at the first occurrence.
* **Intervals** are absolute: fires at ``anchor + k * seconds`` (anchor = ``start``, else the Unix
  epoch), computed directly, never before ``start``.
* **Once** fires at ``at`` if that is after ``after``.
* **Start-up** triggers (``@reboot``) are not times: they never appear here; the engine fires
  them when it starts.
* **Bounds.** ``start`` and ``end`` bound the nominal fire times (inclusive).
* **Jitter.** Each nominal fire is delayed by ``blake2b(seed, nominal instant)`` mapped into
  ``[0, jitter)``: deterministic, so preview == firing. Successive calls enumerate the jittered
  fires in time order even when jitter exceeds the period.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from ysched_tui.core.cron import CronSchedule, compile_cron
from ysched_tui.core.trigger_text import (
    describe,
    describe_all,
    parse_datetime_text,
    parse_trigger_text,
)
from ysched_tui.core.triggers import CronTrigger, IntervalTrigger, OnceTrigger, TriggerSpec
from ysched_tui.core.wallclock import get_zone, repeat_start, resolve_wall, to_utc

__all__ = [
    "cron_fire_times",
    "describe",
    "describe_all",
    "fire_times",
    "fires_between",
    "next_fire",
    "next_fire_multi",
    "parse_datetime_text",
    "parse_trigger_text",
    "trigger_zone",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TICK = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class _Plan:
    """A trigger with everything per-trigger already resolved (zone, bounds, parsed cron)."""

    zone: ZoneInfo
    start: datetime | None
    end: datetime | None
    jitter_us: int
    cron: CronSchedule | None = None
    period_us: int = 0
    at: datetime | None = None


@lru_cache(maxsize=65536)
def _plan(trigger: TriggerSpec, default_tz: str) -> _Plan:
    zone = get_zone(trigger.timezone or default_tz)
    start = to_utc(trigger.start, zone) if trigger.start is not None else None
    end = to_utc(trigger.end, zone) if trigger.end is not None else None
    jitter_us = int(trigger.jitter * 1_000_000)
    if isinstance(trigger, CronTrigger):
        return _Plan(zone, start, end, jitter_us, cron=compile_cron(trigger.expr))
    if isinstance(trigger, IntervalTrigger):
        period = max(1, round(trigger.seconds * 1_000_000))
        return _Plan(zone, start, end, jitter_us, period_us=period)
    if isinstance(trigger, OnceTrigger):
        return _Plan(zone, start, end, jitter_us, at=to_utc(trigger.at, zone))
    return _Plan(zone, start, end, jitter_us)  # StartupTrigger: fires on start-up, not at a time


def trigger_zone(trigger: TriggerSpec, default_tz: str) -> ZoneInfo:
    """The zone a trigger is evaluated in. Raises ConfigError for an unknown zone."""
    return get_zone(trigger.timezone or default_tz)


def _cron_next(cron: CronSchedule, zone: ZoneInfo, after: datetime) -> datetime | None:
    """First fire (UTC) strictly after the UTC instant ``after`` under the DST rules above."""
    local = after.astimezone(zone)
    best = _scan_forward(cron, zone, local.replace(tzinfo=None, fold=0), after)
    if cron.wildcard_time:
        # In the first pass of a repeated hour, the second pass of walls *before* ours is next.
        start = repeat_start(local)
        wall = cron.next_after(start - _TICK) if start is not None else None
        second = resolve_wall(wall, zone).second if wall is not None else None
        if second is not None:
            again = second.astimezone(UTC)
            if again > after and (best is None or again < best):
                best = again
    return best


def _scan_forward(
    cron: CronSchedule, zone: ZoneInfo, wall: datetime, after: datetime
) -> datetime | None:
    while True:
        found = cron.next_after(wall)
        if found is None:
            return None
        wall = found
        resolved = resolve_wall(wall, zone)
        candidates = (resolved.first, resolved.second if cron.wildcard_time else None)
        for instant in candidates:
            if instant is not None and instant.astimezone(UTC) > after:
                return instant.astimezone(UTC)


def _nominal_next(plan: _Plan, after: datetime) -> datetime | None:
    """The next nominal (unjittered, unbounded above) fire strictly after ``after`` (UTC)."""
    if plan.cron is not None:
        return _cron_next(plan.cron, plan.zone, after)
    if plan.period_us:
        anchor = plan.start or _EPOCH
        k = (after - anchor) // _TICK // plan.period_us + 1
        if plan.start is not None:
            k = max(k, 0)
        return anchor + timedelta(microseconds=k * plan.period_us)
    return plan.at if plan.at is not None and plan.at > after else None


def _jitter(plan: _Plan, seed: str, nominal: datetime) -> timedelta:
    digest = hashlib.blake2b(f"{seed}\x00{nominal.isoformat()}".encode(), digest_size=8).digest()
    fraction = int.from_bytes(digest, "big") / 2**64
    return timedelta(microseconds=min(int(fraction * plan.jitter_us), plan.jitter_us - 1))


def _next_utc(plan: _Plan, after: datetime, seed: str) -> datetime | None:
    """The next (jittered) fire strictly after the UTC instant ``after``, in UTC."""
    jitter = timedelta(microseconds=plan.jitter_us)
    low = after - jitter
    if plan.start is not None and low < plan.start:
        low = plan.start - _TICK
    try:
        nominal = _nominal_next(plan, low)
        best: datetime | None = None
        while nominal is not None and (plan.end is None or nominal <= plan.end):
            if not plan.jitter_us:
                return nominal
            if best is not None and nominal >= best:
                break
            fired = nominal + _jitter(plan, seed, nominal)
            if fired > after and (best is None or fired < best):
                best = fired
            nominal = _nominal_next(plan, nominal)
        return best
    except OverflowError:  # beyond year 9999
        return None


def _after_utc(after: datetime, default_tz: str) -> datetime:
    return to_utc(after, get_zone(default_tz))


def next_fire(
    trigger: TriggerSpec, after: datetime, *, default_tz: str, seed: str = ""
) -> datetime | None:
    """The first fire strictly after ``after``.

    Args:
        trigger: the trigger.
        after: an aware instant in any zone (naive: wall time in ``default_tz``).
        default_tz: the zone for a trigger without its own (the job's or the settings' zone).
        seed: what jitter is derived from (the job code), so preview and firing agree.

    Returns:
        An aware datetime in the trigger's zone, or ``None`` when it will not fire again.

    Raises:
        ConfigError: unknown time zone. CronError: invalid expression.
    """
    plan = _plan(trigger, default_tz)
    fire = _next_utc(plan, _after_utc(after, default_tz), seed)
    return fire.astimezone(plan.zone) if fire is not None else None


def _merged(
    triggers: Sequence[TriggerSpec], after: datetime, default_tz: str, seed: str
) -> tuple[list[_Plan], list[datetime | None]]:
    plans = [_plan(t, default_tz) for t in triggers]
    start = _after_utc(after, default_tz)
    return plans, [_next_utc(p, start, seed) for p in plans]


def _earliest(heads: list[datetime | None]) -> int | None:
    """Index of the earliest head; the lowest index wins a tie."""
    best: int | None = None
    for i, head in enumerate(heads):
        if head is not None and (best is None or head < heads[best]):  # type: ignore[operator]
            best = i
    return best


def _advance(plans: list[_Plan], heads: list[datetime | None], fired: datetime, seed: str) -> None:
    """Move every trigger that fires at ``fired`` past it (one fire per instant)."""
    for i, head in enumerate(heads):
        if head == fired:
            heads[i] = _next_utc(plans[i], fired, seed)


def next_fire_multi(
    triggers: Sequence[TriggerSpec], after: datetime, *, default_tz: str, seed: str = ""
) -> tuple[datetime, int] | None:
    """The earliest next fire of several triggers and the index of the trigger firing then.

    Triggers firing at the same instant fire once; the lowest index is reported.

    Returns:
        ``(fire, index)`` with ``fire`` in that trigger's zone, or ``None`` if none fires again.
    """
    plans, heads = _merged(triggers, after, default_tz, seed)
    index = _earliest(heads)
    if index is None:
        return None
    fire = heads[index]
    assert fire is not None
    return fire.astimezone(plans[index].zone), index


def fire_times(
    triggers: Sequence[TriggerSpec], after: datetime, n: int, *, default_tz: str, seed: str = ""
) -> list[datetime]:
    """The next ``n`` distinct fires of several triggers, merged in time order (for previews)."""
    plans, heads = _merged(triggers, after, default_tz, seed)
    fires: list[datetime] = []
    while len(fires) < n and (index := _earliest(heads)) is not None:
        fired = heads[index]
        assert fired is not None
        fires.append(fired.astimezone(plans[index].zone))
        _advance(plans, heads, fired, seed)
    return fires


def fires_between(
    triggers: Sequence[TriggerSpec],
    start: datetime,
    end: datetime,
    *,
    default_tz: str,
    seed: str = "",
    limit: int = 10000,
) -> list[datetime]:
    """Fires in ``(start, end]`` (catch-up and missed-fire accounting), at most ``limit``."""
    plans, heads = _merged(triggers, start, default_tz, seed)
    stop = _after_utc(end, default_tz)
    fires: list[datetime] = []
    while len(fires) < limit and (index := _earliest(heads)) is not None:
        fired = heads[index]
        assert fired is not None
        if fired > stop:
            break
        fires.append(fired.astimezone(plans[index].zone))
        _advance(plans, heads, fired, seed)
    return fires


def cron_fire_times(
    expr: str, n: int = 10, *, after: datetime | None = None, tz: str
) -> list[datetime]:
    """The next ``n`` fires of one expression: what ``ysched-tui cron EXPR`` prints.

    Args:
        expr: the expression as typed.
        n: how many fires.
        after: start instant (naive: wall time in ``tz``); default now.
        tz: IANA zone the expression is evaluated in.

    Returns:
        Aware datetimes in ``tz`` (``.isoformat()`` gives the offset).

    Raises:
        CronError: invalid expression, naming the field. ConfigError: unknown zone.
    """
    get_zone(tz)
    trigger = CronTrigger(expr=expr, timezone=tz)
    start = after if after is not None else datetime.now(UTC)
    return fire_times([trigger], start, n, default_tz=tz)

