"""Keeping ``stats_hourly`` and ``job_durations`` in step with ``runs`` in each history batch.

A run counts once, in the hour of its ``run_time``, for its job and for the all-jobs row
(``job_code = '*'``), from the moment it is stored with a final status. Re-recording a final run
unchanged does nothing; changing it (another status, duration or hour) recomputes the hours
involved from ``runs``, so the table never drifts. A newly successful run also appends its
duration to its job's ``job_durations`` list.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncConnection

from ysched_tui.storage.schema import (
    ALL_JOBS,
    DURATION_STATUSES,
    RECENT_SUCCESSES,
    STATUS_COUNTERS,
    hour_key,
    to_db,
)

_FINAL = frozenset(STATUS_COUNTERS)
_DURATION = frozenset(DURATION_STATUSES)
_IN_DURATION = "status IN ('success', 'failed', 'timeout')"
_IN_FINAL = "status IN (" + ", ".join(f"'{s}'" for s in STATUS_COUNTERS) + ")"

_EXISTING = (
    "SELECT run_id, job_code, status, run_time, duration_ms FROM runs WHERE run_id IN ({marks})"
)

_COUNTERS = ", ".join(STATUS_COUNTERS)
_UPSERT = (
    f"INSERT INTO stats_hourly (job_code, hour_start, total, {_COUNTERS}, timed, "
    "min_duration_ms, max_duration_ms, total_duration_ms, avg_duration_ms) "
    f"VALUES ({', '.join('?' * (len(STATUS_COUNTERS) + 7))}, "
    f"CAST(?{len(STATUS_COUNTERS) + 7} AS REAL) / nullif(?{len(STATUS_COUNTERS) + 4}, 0)) "
    "ON CONFLICT (job_code, hour_start) DO UPDATE SET total = total + excluded.total, "
    + ", ".join(f"{s} = {s} + excluded.{s}" for s in STATUS_COUNTERS)
    + ", timed = timed + excluded.timed, "
    "min_duration_ms = min(coalesce(min_duration_ms, excluded.min_duration_ms), "
    "coalesce(excluded.min_duration_ms, min_duration_ms)), "
    "max_duration_ms = max(coalesce(max_duration_ms, excluded.max_duration_ms), "
    "coalesce(excluded.max_duration_ms, max_duration_ms)), "
    "total_duration_ms = total_duration_ms + excluded.total_duration_ms, "
    "avg_duration_ms = CAST(total_duration_ms + excluded.total_duration_ms AS REAL) "
    "/ nullif(timed + excluded.timed, 0)"
)
"""Add aggregated newly final runs to an hour (positional, for the driver's executemany)."""
_COUNTER_INDEX = {status: 1 + i for i, status in enumerate(STATUS_COUNTERS)}
_TIMED = len(STATUS_COUNTERS) + 1
_DELETE = text("DELETE FROM stats_hourly WHERE job_code = :job_code AND hour_start = :hour_start")
_RECOMPUTE = (
    f"INSERT INTO stats_hourly (job_code, hour_start, total, {_COUNTERS}, timed, "
    "min_duration_ms, max_duration_ms, avg_duration_ms, total_duration_ms) "
    "SELECT :job_code, :hour_start, count(*), "
    + ", ".join(f"sum(status = '{s}')" for s in STATUS_COUNTERS)
    + f", sum({_IN_DURATION} AND duration_ms IS NOT NULL), "
    f"min(CASE WHEN {_IN_DURATION} THEN duration_ms END), "
    f"max(CASE WHEN {_IN_DURATION} THEN duration_ms END), "
    f"avg(CASE WHEN {_IN_DURATION} THEN duration_ms END), "
    f"coalesce(sum(CASE WHEN {_IN_DURATION} THEN duration_ms END), 0) "
    "FROM runs WHERE {code} run_time >= :hour_start AND run_time < :next "
    f"AND {_IN_FINAL} HAVING count(*) > 0"
)
_RECOMPUTE_JOB = text(_RECOMPUTE.format(code="job_code = :job_code AND"))
_RECOMPUTE_ALL = text(_RECOMPUTE.format(code=""))
_DURATIONS = text(
    "SELECT job_code, recent_json FROM job_durations WHERE job_code IN :codes"
).bindparams(bindparam("codes", expanding=True))
_DURATIONS_UPSERT = text(
    "INSERT INTO job_durations (job_code, recent_json, updated_at) "
    "VALUES (:job_code, :recent_json, :updated_at) ON CONFLICT (job_code) DO UPDATE SET "
    "recent_json = excluded.recent_json, updated_at = excluded.updated_at"
)

Key = tuple[str, str]
"""(job_code, hour_start)."""


@dataclass(frozen=True, slots=True)
class Contribution:
    """What one final run adds to its hour."""

    key: Key
    status: str
    duration: int | None


def contribution(
    job_code: str, status: str, run_time: str | None, duration: int | None
) -> Contribution | None:
    """The hourly contribution of a run, or ``None`` when it is not final or has no time."""
    if status not in _FINAL or run_time is None:
        return None
    timed = duration if status in _DURATION else None
    return Contribution((job_code, hour_key(run_time)), status, timed)


def row_contribution(row: dict[str, Any]) -> Contribution | None:
    """The contribution of a ``runs`` row about to be written."""
    run_time = row["start_time"] or row["scheduled_time"] or row["end_time"]
    return contribution(row["job_code"], row["status"], run_time, row["duration_ms"])


async def existing(conn: AsyncConnection, run_ids: list[str]) -> dict[str, Contribution | None]:
    """For the stored runs among ``run_ids``: their current contribution (``None``: not final)."""
    found: dict[str, Contribution | None] = {}
    for start in range(0, len(run_ids), 5000):
        chunk = run_ids[start : start + 5000]
        sql = _EXISTING.format(marks=", ".join("?" * len(chunk)))
        rows: list[Any] = list(await conn.exec_driver_sql(sql, tuple(chunk)))
        for row in rows:
            found[row[0]] = contribution(row[1], row[2], row[3], row[4])
    return found


async def apply(
    conn: AsyncConnection, rows: list[dict[str, Any]], before: dict[str, Contribution | None]
) -> None:
    """Update ``stats_hourly`` for ``rows`` (already upserted; ``before``: their contributions
    before the upsert, from :func:`existing`).

    Newly final runs are summed per hour here and added with one upsert per hour; runs that
    were final already and changed trigger a recompute of the hours involved.
    """
    recompute: set[Key] = set()
    finals: set[str] = set()
    for row in rows:
        old = before.get(row["run_id"])
        if old is None:
            if row["status"] in _FINAL:
                finals.add(row["run_id"])
            continue
        new = row_contribution(row)
        if old != new:
            recompute.update(c.key for c in (old, new) if c is not None)
    recompute.update([(ALL_JOBS, hour) for _, hour in recompute])
    sums = _sum_new([row for row in rows if row["run_id"] in finals])
    if sums:
        await conn.exec_driver_sql(_UPSERT, [(*key, *acc) for key, acc in sums.items()])
    await recompute_hours(conn, recompute)
    await _append_durations(conn, [r for r in rows if r["run_id"] in finals])


def _sum_new(rows: list[dict[str, Any]]) -> dict[Key, list[Any]]:
    """Per (job, hour) and ('*', hour): [total, one count per status, timed, min, max, sum]."""
    sums: dict[Key, list[Any]] = {}
    width = _TIMED + 4
    for row in rows:
        run_time = row["start_time"] or row["scheduled_time"] or row["end_time"]
        if run_time is None:
            continue
        hour = hour_key(run_time)
        status = row["status"]
        duration = row["duration_ms"] if status in _DURATION else None
        key = (row["job_code"], hour)
        acc = sums.get(key)
        if acc is None:
            acc = sums[key] = [0] * width
            acc[_TIMED + 1] = acc[_TIMED + 2] = None
        acc[0] += 1
        acc[_COUNTER_INDEX[status]] += 1
        if duration is not None:
            acc[_TIMED] += 1
            low, high = acc[_TIMED + 1], acc[_TIMED + 2]
            acc[_TIMED + 1] = duration if low is None or duration < low else low
            acc[_TIMED + 2] = duration if high is None or duration > high else high
            acc[_TIMED + 3] += duration
    for (_, hour), acc in list(sums.items()):
        total = sums.get((ALL_JOBS, hour))
        if total is None:
            sums[(ALL_JOBS, hour)] = list(acc)
            continue
        for i in range(_TIMED + 1):
            total[i] += acc[i]
        total[_TIMED + 3] += acc[_TIMED + 3]
        for i, pick in ((_TIMED + 1, min), (_TIMED + 2, max)):
            values = [v for v in (total[i], acc[i]) if v is not None]
            total[i] = pick(values) if values else None
    return sums


async def _append_durations(conn: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    """Append newly successful runs' durations to their jobs' recent lists."""
    added: dict[str, list[int]] = {}
    for row in rows:
        if row["status"] == "success" and row["duration_ms"] is not None:
            added.setdefault(row["job_code"], []).append(row["duration_ms"])
    if not added:
        return
    result = await conn.execute(_DURATIONS, {"codes": list(added)})
    stored: dict[str, str] = {row[0]: row[1] for row in result}
    now = to_db(datetime.now(UTC))
    params = [
        {
            "job_code": code,
            "recent_json": json.dumps(
                (json.loads(stored.get(code) or "[]") + new)[-RECENT_SUCCESSES:]
            ),
            "updated_at": now,
        }
        for code, new in added.items()
    ]
    await conn.execute(_DURATIONS_UPSERT, params)


async def recompute_hours(conn: AsyncConnection, keys: Iterable[Key]) -> None:
    """Rebuild the given (job_code, hour) rows of ``stats_hourly`` from ``runs``."""
    for code, hour in keys:
        nxt = (datetime.fromisoformat(hour) + timedelta(hours=1)).isoformat(
            timespec="microseconds"
        )
        params = {"job_code": code, "hour_start": hour, "next": nxt}
        await conn.execute(_DELETE, params)
        await conn.execute(_RECOMPUTE_ALL if code == ALL_JOBS else _RECOMPUTE_JOB, params)
