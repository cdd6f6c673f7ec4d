"""Window figures, trends and per-job figures, fast at a million runs.

Counts and averages come from ``stats_hourly`` for the whole hours of a window (the ``*`` rows
when no job is asked for, one row per hour) and from ``runs`` only for the partial hours at its
edges. Percentiles are nearest-rank over the durations of runs that ended on their own (success,
failed, timeout), computed in SQL with window functions over a range of a covering index; exact
up to :data:`PERCENTILE_SAMPLE` durations, above that over an even sample of about that many
(every k-th row), so their cost stays bounded whatever the window holds.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from ysched_tui.core.models import TrendBucket, WindowStats
from ysched_tui.storage.schema import (
    ALL_JOBS,
    STATUS_COUNTERS,
    ceil_hour,
    floor_hour,
    to_db,
)

PERCENTILE_SAMPLE = 20_000
"""Most durations a percentile is computed from (exact below, an even sample above)."""

_IN_DURATION = "status IN ('success', 'failed', 'timeout')"
_IN_FINAL = "status IN (" + ", ".join(f"'{s}'" for s in STATUS_COUNTERS) + ")"
_SUMS = "total, success, failed, timeout, missed, skipped, timed, total_d"
_HOURLY_SUMS = (
    "SELECT sum(total), sum(success), sum(failed), sum(timeout), sum(missed), "
    "sum(skipped), sum(timed), sum(total_duration_ms) FROM stats_hourly "
    "WHERE job_code = :hcode AND hour_start >= :lo AND hour_start < :hi"
)
_RUN_SUMS = (
    "SELECT {group} count(*), sum(status = 'success'), sum(status = 'failed'), "
    "sum(status = 'timeout'), sum(status = 'missed'), sum(status = 'skipped'), "
    f"sum({_IN_DURATION} AND duration_ms IS NOT NULL), "
    f"sum(CASE WHEN {_IN_DURATION} THEN duration_ms END) FROM runs "
    f"WHERE run_time >= :lo AND run_time {{hi_op}} :hi AND {_IN_FINAL} {{code}} {{group_by}}"
)
_PERCENTILES = (
    "SELECT {bucket_out} duration_ms, rn, n FROM (SELECT {bucket} duration_ms, "
    "row_number() OVER ({part} ORDER BY duration_ms) AS rn, count(*) OVER ({part}) AS n "
    f"FROM runs WHERE {_IN_DURATION} AND duration_ms IS NOT NULL AND run_time >= :lo "
    "AND run_time <= :hi AND rowid % :step = 0 {code}) "
    "WHERE rn = (n * 50 + 99) / 100 OR rn = (n * 95 + 99) / 100"
)
_JOB_RATES = (
    "SELECT j.code, (SELECT sum(s.success) || ' ' || sum(s.total) FROM stats_hourly s "
    "WHERE s.job_code = j.code AND s.hour_start >= :lo AND s.hour_start < :hi), "
    "d.recent_json FROM jobs j LEFT JOIN job_durations d ON d.job_code = j.code"
)


@dataclass(slots=True)
class Sums:
    """Counts and duration totals of final runs."""

    total: int = 0
    success: int = 0
    failed: int = 0
    timeout: int = 0
    missed: int = 0
    skipped: int = 0
    timed: int = 0
    total_d: int = 0

    def add(self, values: tuple[Any, ...]) -> None:
        """Add one row of the eight aggregates (NULL sums count as 0)."""
        for name, value in zip(_SUMS.split(", "), values, strict=True):
            setattr(self, name, getattr(self, name) + int(value or 0))


def _code_filter(code: str | None) -> str:
    return "AND job_code = :code" if code is not None else ""


def _pieces(lo: datetime, hi: datetime) -> list[tuple[bool, datetime, datetime, str]]:
    """Split ``[lo, hi]`` into (from_hourly, start, end, end operator) pieces."""
    a, b = ceil_hour(lo), floor_hour(hi)
    if a < b:
        return [(True, a, b, "<"), (False, lo, a, "<"), (False, b, hi, "<=")]
    return [(False, lo, hi, "<=")]


async def window_sums(
    conn: AsyncConnection, lo: datetime, hi: datetime, code: str | None
) -> Sums:
    """Sums of final runs with ``lo <= run_time <= hi`` (of one job, or all)."""
    out = Sums()
    for hourly, p_lo, p_hi, hi_op in _pieces(lo, hi):
        params = {"lo": to_db(p_lo), "hi": to_db(p_hi), "code": code, "hcode": code or ALL_JOBS}
        sql = _HOURLY_SUMS if hourly else _RUN_SUMS.format(
            group="", group_by="", hi_op=hi_op, code=_code_filter(code)
        )
        row = (await conn.execute(text(sql), params)).one()
        if row[0]:
            out.add(tuple(row))
    return out


async def percentiles(
    conn: AsyncConnection,
    lo: datetime,
    hi: datetime,
    code: str | None,
    population: int,
    bucket_len: int = 0,
) -> dict[str | None, tuple[float, float]]:
    """Nearest-rank (p50, p95) of durations in ``[lo, hi]``, per ``substr(run_time, 1, len)``
    bucket when ``bucket_len`` is set. ``population`` (how many durations the range holds)
    sets the sampling step."""
    if population <= 0:
        return {}
    step = -(-population // PERCENTILE_SAMPLE)
    if bucket_len:
        bucket = f"substr(run_time, 1, {bucket_len})"
        fmt = {"bucket_out": "b,", "bucket": f"{bucket} AS b,", "part": f"PARTITION BY {bucket}"}
    else:
        fmt = {"bucket_out": "", "bucket": "", "part": ""}
    sql = _PERCENTILES.format(code=_code_filter(code), **fmt)
    params = {"lo": to_db(lo), "hi": to_db(hi), "code": code, "step": step}
    found: dict[str | None, dict[int, float]] = {}
    for row in await conn.execute(text(sql), params):
        key, dur, rn, n = (row[0], *row[1:]) if bucket_len else (None, *row)
        ranks = found.setdefault(key, {})
        for pct in (50, 95):
            if rn == (n * pct + 99) // 100:
                ranks[pct] = float(dur)
    return {k: (v[50], v[95]) for k, v in found.items()}


async def window_stats(
    conn: AsyncConnection, lo: datetime, hi: datetime, code: str | None
) -> WindowStats:
    """The :class:`WindowStats` of ``[lo, hi]``."""
    sums = await window_sums(conn, lo, hi, code)
    pcts = (await percentiles(conn, lo, hi, code, sums.timed)).get(None)
    return WindowStats(
        total_runs=sums.total,
        success_runs=sums.success,
        failed_runs=sums.failed,
        timeout_runs=sums.timeout,
        missed_runs=sums.missed,
        skipped_runs=sums.skipped,
        success_rate=round(100.0 * sums.success / sums.total, 2) if sums.total else None,
        avg_duration_ms=sums.total_d / sums.timed if sums.timed else None,
        p50_duration_ms=pcts[0] if pcts else None,
        p95_duration_ms=pcts[1] if pcts else None,
    )


def bucket_starts(now: datetime, unit: str, count: int) -> list[datetime]:
    """Start of each of the last ``count`` UTC hours or days, oldest first."""
    last = floor_hour(now)
    step = timedelta(hours=1)
    if unit == "day":
        last, step = last.replace(hour=0), timedelta(days=1)
    return [last - step * i for i in range(count - 1, -1, -1)]


async def trend(
    conn: AsyncConnection, now: datetime, code: str | None, unit: str, count: int
) -> list[TrendBucket]:
    """Buckets of the last ``count`` hours or days, empty ones included."""
    starts = bucket_starts(now, unit, count)
    step = timedelta(hours=1) if unit == "hour" else timedelta(days=1)
    key_len = 13 if unit == "hour" else 10
    sql = (
        f"SELECT substr(hour_start, 1, {key_len}) AS b, sum(success), sum(failed), "
        "sum(timeout), sum(missed), sum(skipped), sum(timed) FROM stats_hourly "
        "WHERE job_code = :hcode AND hour_start >= :lo AND hour_start < :hi GROUP BY b"
    )
    lo, hi = starts[0], starts[-1] + step
    params = {"lo": to_db(lo), "hi": to_db(hi), "hcode": code or ALL_JOBS}
    counts = {row[0]: row[1:] for row in await conn.execute(text(sql), params)}
    timed = sum(int(c[5] or 0) for c in counts.values())
    end = hi - timedelta(microseconds=1)
    pcts = await percentiles(conn, lo, end, code, timed, key_len)
    buckets = []
    for start in starts:
        key = (to_db(start) or "")[:key_len]
        c = counts.get(key, (0, 0, 0, 0, 0, 0))
        p = pcts.get(key)
        buckets.append(
            TrendBucket(
                start=start, success=c[0], failed=c[1], timeout=c[2], missed=c[3],
                skipped=c[4], p50_duration_ms=p[0] if p else None,
                p95_duration_ms=p[1] if p else None,
            )
        )
    return buckets


async def job_figures(
    conn: AsyncConnection, now: datetime
) -> dict[str, tuple[float | None, int | None]]:
    """Per stored job: (7-day success rate 0..1, median of its latest successes' durations).

    Two queries: whole hours from ``stats_hourly`` by primary key per job joined with
    ``job_durations``, and the partial first hour of the window from ``runs``.
    """
    lo = now - timedelta(days=7)
    a = ceil_hour(lo)
    params = {"lo": to_db(a), "hi": to_db(floor_hour(now)), "code": None}
    result = await conn.execute(text(_JOB_RATES), params)
    rates: dict[str, list[int]] = {}
    medians: dict[str, int | None] = {}
    for code, pair, recent_json in result:  # one job's durations at a time, not all at once
        rates[code] = [int(x) for x in pair.split()] if pair else [0, 0]
        recent = json.loads(recent_json) if recent_json else None
        medians[code] = int(statistics.median_low(recent)) if recent else None
    edges = [(lo, a, "<"), (floor_hour(now), now, "<=")] if a < floor_hour(now) else []
    for p_lo, p_hi, hi_op in edges or [(lo, now, "<=")]:
        sql = _RUN_SUMS.format(group="job_code,", group_by="GROUP BY job_code", hi_op=hi_op,
                               code="")
        for row in await conn.execute(text(sql), {"lo": to_db(p_lo), "hi": to_db(p_hi)}):
            if row[0] in rates:
                rates[row[0]][0] += int(row[2] or 0)
                rates[row[0]][1] += int(row[1] or 0)
    return {
        code: (
            success / total if total else None,
            medians[code],
        )
        for code, (success, total) in rates.items()
    }
