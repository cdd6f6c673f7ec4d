"""History throughput: runs recorded per second by the store against raw sqlite3.

Both sides write the same final run records into the same schema in the same process, on fresh
files: the store through ``SqliteRepository.record_run`` + ``flush`` (batched async Core
upserts, which also maintain ``stats_hourly`` and ``job_durations``), the baseline through one
``sqlite3`` ``executemany`` of plain INSERTs in one transaction. Target: store >= 0.5 x raw.

    python -m bench.history_throughput [--runs 20000] [--jobs 100]
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ysched_tui.core.models import RunRecord, RunStatus
from ysched_tui.storage import SqliteRepository
from ysched_tui.storage.convert import RUN_COLUMNS, run_to_row

TARGET = 0.5


def make_runs(count: int, jobs: int) -> list[RunRecord]:
    """Final runs spread over the last day, round-robin over ``jobs`` jobs."""
    now = datetime.now(UTC)
    runs = []
    for i in range(count):
        start = now - timedelta(seconds=86400 * (count - i) / count)
        status = RunStatus.FAILED if i % 10 == 0 else RunStatus.SUCCESS
        runs.append(
            RunRecord(
                run_id=f"run_{start:%Y%m%d_%H%M%S}_{i:06x}", job_code=f"job_{i % jobs}",
                job_id=f"id{i % jobs}", scheduled_time=start, start_time=start,
                end_time=start + timedelta(milliseconds=150), duration_ms=150, status=status,
                exit_code=0 if status is RunStatus.SUCCESS else 1, hostname="bench", pid=42,
                result={"rows": i}, params={"day": "2026-01-21"},
            )
        )
    return runs


async def _create(path: Path) -> SqliteRepository:
    repo = SqliteRepository(str(path))
    await repo.open()
    return repo


async def store_rate(path: Path, runs: list[RunRecord]) -> float:
    """Runs per second through the repository (record every run, then flush)."""
    repo = await _create(path)
    try:
        t0 = time.perf_counter()
        for run in runs:
            await repo.record_run(run)
        await repo.flush()
        elapsed = time.perf_counter() - t0
    finally:
        await repo.close()
    return len(runs) / elapsed


def raw_rate(path: Path, runs: list[RunRecord]) -> float:
    """Runs per second through raw sqlite3 executemany into the same schema."""
    async def create() -> None:
        await (await _create(path)).close()

    asyncio.run(create())
    con = sqlite3.connect(path)
    con.execute("PRAGMA synchronous=NORMAL")
    marks = ', '.join('?' * len(RUN_COLUMNS))
    sql = f"INSERT INTO runs ({', '.join(RUN_COLUMNS)}) VALUES ({marks})"
    try:
        t0 = time.perf_counter()
        with con:
            con.executemany(sql, (tuple(run_to_row(r).values()) for r in runs))
        elapsed = time.perf_counter() - t0
    finally:
        con.close()
    return len(runs) / elapsed


def main() -> None:
    """Run both measurements and print the figures and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20_000)
    parser.add_argument("--jobs", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3, help="best of N alternating rounds")
    args = parser.parse_args()
    runs = make_runs(args.runs, args.jobs)
    raw = store = 0.0
    with tempfile.TemporaryDirectory(prefix="ysched-bench-") as tmp:
        for i in range(args.rounds):
            raw = max(raw, raw_rate(Path(tmp) / f"raw{i}.db", runs))
            store = max(store, asyncio.run(store_rate(Path(tmp) / f"store{i}.db", runs)))
    ratio = store / raw
    print(f"runs recorded: {args.runs} ({args.jobs} jobs), best of {args.rounds} rounds")
    print(f"raw sqlite3 executemany : {raw:10,.0f} runs/s")
    print(f"SqliteRepository        : {store:10,.0f} runs/s")
    print(f"ratio store/raw         : {ratio:10.2f}  (target >= {TARGET}) "
          f"{'OK' if ratio >= TARGET else 'BELOW TARGET'}")


if __name__ == "__main__":
    main()
