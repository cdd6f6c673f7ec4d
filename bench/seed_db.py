"""Fill a ysched-tui database with many jobs and runs, fast, for cold-start benchmarks.

The schema is created by :class:`~ysched_tui.storage.SqliteRepository` itself; rows go in with
raw ``sqlite3`` ``executemany`` in one transaction, and ``stats_hourly`` is then derived from
``runs`` in one statement, so the result is exactly what the store would have written.

    python -m bench.seed_db PATH [--jobs 10000] [--runs 1000000]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ysched_tui.core.models import CommandTarget, JobSource, JobSpec, JobState, new_job_id
from ysched_tui.core.triggers import CronTrigger
from ysched_tui.storage import SqliteRepository
from ysched_tui.storage.convert import RUN_COLUMNS, job_to_row
from ysched_tui.storage.schema import RECENT_SUCCESSES, STATUS_COUNTERS

_STATUSES = ["success"] * 90 + ["failed"] * 5 + ["timeout"] * 2 + ["missed"] * 2 + ["skipped"]
_FINAL = ", ".join(f"'{s}'" for s in STATUS_COUNTERS)
_DUR = "status IN ('success', 'failed', 'timeout')"
_STATS_FROM_RUNS = (
    "INSERT INTO stats_hourly SELECT job_code, substr(run_time, 1, 13) || ':00:00.000000+00:00', "
    "count(*), " + ", ".join(f"sum(status = '{s}')" for s in STATUS_COUNTERS)
    + f", sum({_DUR} AND duration_ms IS NOT NULL), min(CASE WHEN {_DUR} THEN duration_ms END), "
    f"max(CASE WHEN {_DUR} THEN duration_ms END), avg(CASE WHEN {_DUR} THEN duration_ms END), "
    f"coalesce(sum(CASE WHEN {_DUR} THEN duration_ms END), 0) FROM runs "
    f"WHERE status IN ({_FINAL}) GROUP BY 1, 2"
)
_ALL_JOBS_FROM_STATS = (
    "INSERT INTO stats_hourly SELECT '*', hour_start, sum(total), "
    + ", ".join(f"sum({s})" for s in STATUS_COUNTERS)
    + ", sum(timed), min(min_duration_ms), max(max_duration_ms), "
    "CAST(sum(total_duration_ms) AS REAL) / nullif(sum(timed), 0), sum(total_duration_ms) "
    "FROM stats_hourly GROUP BY hour_start"
)
_DURATIONS_FROM_RUNS = (
    "INSERT OR REPLACE INTO job_durations SELECT job_code, json_group_array(duration_ms), "
    "max(run_time) FROM (SELECT job_code, duration_ms, run_time, row_number() OVER "
    "(PARTITION BY job_code ORDER BY run_time DESC) AS k FROM runs WHERE status = 'success' "
    f"AND duration_ms IS NOT NULL) WHERE k <= {RECENT_SUCCESSES} GROUP BY job_code"
)


def _job_rows(jobs: int) -> list[dict[str, Any]]:
    rows = []
    for i in range(jobs):
        code = f"job_{i:05d}"
        spec = JobSpec(
            code=code,
            name=f"Job number {i}",
            description="seeded for benchmarks",
            target=CommandTarget(command=f"echo {i}"),
            triggers=(CronTrigger(expr=f"{i % 60} * * * *"),),
            source=JobSource.FILE,
            source_file="ysched.toml",
        )
        rows.append(job_to_row(spec, JobState(code=code, id=new_job_id(), run_count=0)))
    return rows


def _run_rows(jobs: int, runs: int, now: datetime, days: int) -> Iterator[tuple[Any, ...]]:
    rnd = random.Random(42)
    span = days * 86400.0
    for i in range(runs):
        job = i % jobs
        start = now - timedelta(seconds=span * (runs - i) / runs)
        status = "running" if i >= runs - 10 else rnd.choice(_STATUSES)
        ran = status in ("success", "failed", "timeout")
        duration = int(rnd.lognormvariate(7, 1)) if ran else None
        start_s = start.isoformat(timespec="microseconds")
        end_s = (start + timedelta(milliseconds=duration or 0)).isoformat(timespec="microseconds")
        yield (
            f"run_{start:%Y%m%d_%H%M%S}_{i:07x}", f"job_{job:05d}", f"id{job}", 1, None,
            "scheduled", start_s, start_s if ran or status == "running" else None,
            end_s if status != "running" else None, duration, status,
            (0 if status == "success" else 1) if ran else None, None, None,
            "boom" if status == "failed" else None, None, "bench-host", 4242, None, 0, 0,
        )


def seed(path: str | Path, jobs: int = 10_000, runs: int = 1_000_000, days: int = 30) -> None:
    """Create (or extend) the database at ``path`` with ``jobs`` jobs and ``runs`` runs.

    Runs are spread evenly over the last ``days`` days, round-robin over the jobs, 90% success;
    the last 10 are left ``running`` (as after a crash). ``stats_hourly`` is rebuilt from runs.
    """
    path = Path(path)

    async def create() -> None:
        repo = SqliteRepository(str(path))
        await repo.open()
        await repo.close()

    asyncio.run(create())
    now = datetime.now(UTC)
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA synchronous=OFF")
        with con:
            job_rows = _job_rows(jobs)
            cols = list(job_rows[0]) if job_rows else []
            con.executemany(
                f"INSERT OR REPLACE INTO jobs ({', '.join(cols)}) "
                f"VALUES ({', '.join(':' + c for c in cols)})",
                job_rows,
            )
            con.executemany(
                f"INSERT INTO runs ({', '.join(RUN_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(RUN_COLUMNS))})",
                _run_rows(max(jobs, 1), runs, now, days),
            )
            con.execute("DELETE FROM stats_hourly")
            con.execute(_STATS_FROM_RUNS)
            con.execute(_ALL_JOBS_FROM_STATS)
            con.execute(_DURATIONS_FROM_RUNS)
        con.execute("PRAGMA optimize")
    finally:
        con.close()


def main() -> None:
    """Command line: seed a database and say how long it took."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=1_000_000)
    args = parser.parse_args()
    t0 = time.perf_counter()
    seed(args.path, args.jobs, args.runs)
    print(f"seeded {args.path}: {args.jobs} jobs, {args.runs} runs "
          f"in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
