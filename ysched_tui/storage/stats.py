"""Window figures, trends and per-job figures, fast at a million runs.

Counts and averages come from ``stats_hourly`` for the whole hours of a window and from ``runs``
only for the partial hours at its edges. Percentiles are exact (nearest rank over the durations
of runs that ended on their own: success, failed, timeout), computed in SQL with window functions
over a range of the covering index ``ix_runs_status_time``, so no row leaves SQLite but the answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from ysched_tui.core.models import TrendBucket, WindowStats
from ysched_tui.storage.schema import STATUS_COUNTERS, ceil_hour, floor_hour, to_db

RECENT_SUCCESSES = 20
"""How many of a job's latest successes (within 7 days) its median duration is taken from."""

_IN_DURATION = "status IN ('success', 'failed', 'timeout')"
_IN_FINAL = "status IN (" + ", ".join(f"'{s}'" for s in STATUS_COUNTERS) + ")"
_SUMS = "total, success, failed, timeout, missed, skipped, timed, total_d"
_HOURLY_SUMS = (
    "SELECT {group} sum(total), sum(success), sum(failed), sum(timeout), sum(missed), "
    "sum(skipped), sum(timed), sum(total_duration_ms) FROM stats_hourly "
    "WHERE hour_start >= :lo AND hour_start < :hi {code} {group_by}"
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
    "row_number() OVER ({part} ORDER BY duration_ms) AS rn, count(*) OVER ({part_only}) AS n "
    f"FROM runs WHERE {_IN_DURATION} AND duration_ms IS NOT NULL AND run_time >= :lo "
    "AND run_time <= :hi {code}) WHERE rn = (n * 50 + 99) / 100 OR rn = (n * 95 + 99) / 100"
)
_MEDIANS = (
    "SELECT job_code, duration_ms FROM (SELECT job_code, duration_ms, "
    "row_number() OVER (PARTITION BY job_code ORDER BY duration_ms) AS r, "
    "count(*) OVER (PARTITION BY job_code) AS n FROM (SELECT job_code, duration_ms, "
    "row_number() OVER (PARTITION BY job_code ORDER BY run_time DESC) AS k FROM runs "
    "WHERE status = 'success' AND duration_ms IS NOT NULL AND run_time >= :lo "
    "AND run_time <= :hi) WHERE k <= :recent) WHERE r = (n + 1) / 2"
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


async def window_sums(
    conn: AsyncConnection, lo: datetime, hi: datetime, code: str | None, by_job: bool = False
) -> dict[str | None, Sums]:
    """Sums of final runs with ``lo <= run_time <= hi`` (per job when ``by_job``)."""
    a, b = ceil_hour(lo), floor_hour(hi)
    group, group_by = ("job_code,", "GROUP BY job_code") if by_job else ("", "")
    fmt = {"group": group, "group_by": group_by, "code": _code_filter(code)}
    pieces: list[tuple[str, datetime, datetime, str]] = []
    if a < b:
        pieces.append((_HOURLY_SUMS, a, b, "<"))
        pieces.append((_RUN_SUMS, lo, a, "<"))
        pieces.append((_RUN_SUMS, b, hi, "<="))
    else:
        pieces.append((_RUN_SUMS, lo, hi, "<="))
    out: dict[str | None, Sums] = {}
    for sql, p_lo, p_hi, hi_op in pieces:
        params = {"lo": to_db(p_lo), "hi": to_db(p_hi), "code": code}
        result = await conn.execute(text(sql.format(hi_op=hi_op, **fmt)), params)
        for row in result:
            key, values = (row[0], tuple(row[1:])) if by_job else (None, tuple(row))
            if values[0]:
                out.setdefault(key, Sums()).add(values)
    return out


async def percentiles(
    conn: AsyncConnection, lo: datetime, hi: datetime, code: str | None, bucket_len: int = 0
) -> dict[str | None, tuple[float, float]]:
    """Nearest-rank (p50, p95) of durations in the window, per ``substr(run_time, 1, len)``
    bucket when ``bucket_len`` is set."""
    if bucket_len:
        bucket = f"substr(run_time, 1, {bucket_len}) AS b,"
        part = f"PARTITION BY substr(run_time, 1, {bucket_len})"
        sql = _PERCENTILES.format(
            bucket_out="b,", bucket=bucket, part=part, part_only=part, code=_code_filter(code)
        )
    else:
        sql = _PERCENTILES.format(
            bucket_out="", bucket="", part="", part_only="", code=_code_filter(code)
        )
    params = {"lo": to_db(lo), "hi": to_db(hi), "code": code}
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
    sums = (await window_sums(conn, lo, hi, code)).get(None, Sums())
    pcts = (await percentiles(conn, lo, hi, code)).get(None)
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
        "sum(timeout), sum(missed), sum(skipped) FROM stats_hourly WHERE hour_start >= :lo "
        f"AND hour_start < :hi {_code_filter(code)} GROUP BY b"
    )
    lo, hi = starts[0], starts[-1] + step
    params = {"lo": to_db(lo), "hi": to_db(hi), "code": code}
    counts = {row[0]: row[1:] for row in await conn.execute(text(sql), params)}
    pcts = await percentiles(conn, lo, hi - timedelta(microseconds=1), code, key_len)
    buckets = []
    for start in starts:
        key = (to_db(start) or "")[:key_len]
        c = counts.get(key, (0, 0, 0, 0, 0))
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
    """Per stored job: (7-day success rate 0..1, median of its latest successes' durations)."""
    lo = now - timedelta(days=7)
    sums = await window_sums(conn, lo, now, None, by_job=True)
    params = {"lo": to_db(lo), "hi": to_db(now), "recent": RECENT_SUCCESSES}
    medians = {row[0]: int(row[1]) for row in await conn.execute(text(_MEDIANS), params)}
    codes = (await conn.execute(text("SELECT code FROM jobs"))).scalars().all()
    out: dict[str, tuple[float | None, int | None]] = {}
    for code in {*codes, *(k for k in sums if k is not None), *medians}:
        s = sums.get(code)
        out[code] = (s.success / s.total if s and s.total else None, medians.get(code))
    return out

