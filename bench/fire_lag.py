"""Fire lag: how late jobs start, the engine with recording on against a bare AsyncIOScheduler.

1,000 interval jobs with a 10 s period, staggered 10 ms apart, give ~100 fires/s. Both sides run
the same schedule for the same time; lag = when the job's function starts - its scheduled time.
The engine records every run (SQLite, batched) and publishes events; the baseline runs no-ops.

    python -m bench.fire_lag [--seconds 60] [--jobs 1000]

Target: p99(engine) <= 100 ms and p99(engine) / p99(bare) <= 1.5.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger as ApsInterval

from ysched_tui.core.context import JobContext
from ysched_tui.core.models import JobSpec, PythonTarget
from ysched_tui.core.triggers import IntervalTrigger
from ysched_tui.owner.assembly import build_engine
from ysched_tui.settings import Settings

PERIOD = 10.0


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) in milliseconds."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    idx = min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))
    return ordered[idx] * 1000


async def bare(jobs: int, seconds: float) -> list[float]:
    """Lags of a bare AsyncIOScheduler running async no-ops."""
    lags: list[float] = []
    anchor = datetime.now(UTC) + timedelta(seconds=1)
    sched = AsyncIOScheduler(timezone="UTC")

    def make(start: datetime):
        async def noop() -> None:
            now = datetime.now(UTC)
            k = (now - start) // timedelta(seconds=PERIOD)
            lags.append((now - (start + k * timedelta(seconds=PERIOD))).total_seconds())

        return noop

    for i in range(jobs):
        start = anchor + timedelta(seconds=i * PERIOD / jobs)
        sched.add_job(make(start), ApsInterval(seconds=PERIOD, start_date=start),
                      misfire_grace_time=None, max_instances=10)
    sched.start()
    await asyncio.sleep(seconds + 1)
    sched.shutdown(wait=False)
    return lags


async def engine(jobs: int, seconds: float, db: Path) -> tuple[list[float], int]:
    """Lags of the engine running recorded Python no-op jobs; also the runs it stored."""
    lags: list[float] = []

    async def noop(context: JobContext) -> None:
        assert context.scheduled_time is not None
        lags.append((datetime.now(UTC) - context.scheduled_time).total_seconds())

    anchor = datetime.now(UTC) + timedelta(seconds=1)
    specs = [
        JobSpec(
            code=f"j{i:04d}",
            target=PythonTarget(ref="bench:noop"),
            triggers=(IntervalTrigger(
                seconds=PERIOD, start=anchor + timedelta(seconds=i * PERIOD / jobs)),),
        )
        for i in range(jobs)
    ]
    settings = Settings(db=str(db), jobs=None, timezone="UTC", max_parallel_runs=64)
    eng = build_engine(settings, specs=specs, callables={"bench:noop": noop})
    await eng.start()
    await asyncio.sleep(seconds + 1)
    await eng.stop()
    count = await _count_runs(settings)
    return lags, count


async def _count_runs(settings: Settings) -> int:
    eng = build_engine(settings, specs=[])
    await eng.open()
    try:
        stats = await eng.stats()
        return stats.today.total_runs
    finally:
        await eng.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--jobs", type=int, default=1000)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    base = asyncio.run(bare(args.jobs, args.seconds))
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        lags, stored = asyncio.run(engine(args.jobs, args.seconds, Path(tmp) / "lag.db"))
        elapsed = time.perf_counter() - t0
    print(f"fire lag: {args.jobs} jobs, {args.seconds:g}s, ~{args.jobs / PERIOD:.0f} fires/s")
    print(f"  bare AsyncIOScheduler: fires={len(base)} p50={pct(base, 50):.1f} ms "
          f"p99={pct(base, 99):.1f} ms")
    print(f"  ysched engine:         fires={len(lags)} p50={pct(lags, 50):.1f} ms "
          f"p99={pct(lags, 99):.1f} ms  (runs stored: {stored}, {elapsed:.0f}s)")
    ratio = pct(lags, 99) / max(pct(base, 99), 1e-3)
    print(f"  ratio p99 engine/bare: {ratio:.2f} (target <= 1.5; p99 target <= 100 ms)")
    if lags:
        print(f"  mean engine lag {statistics.fmean(lags) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
