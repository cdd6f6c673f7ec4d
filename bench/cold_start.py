"""Cold start: process start -> scheduler running, 10,000 jobs and 1,000,000 runs in the database.

The engine side is a fresh ``python`` process that loads a 10,000-job jobs file, opens the seeded
database, syncs, recovers and starts APScheduler; the baseline is a fresh process that starts a
bare AsyncIOScheduler with 10,000 in-memory cron jobs (no storage at all). Each is timed from
spawn to its "ready" line, best of 3. The first engine start syncs the seeded jobs and fills the
jobs-file parse cache (kept in the run's temporary folder); the restarts are what is compared.
The engine child starts the engine as the daemon does (the garbage collector held meanwhile) and
reports where its time went (imports, settings, ``Engine.start()``).

    python -m bench.cold_start [--jobs 10000] [--runs 1000000]

Target: engine <= 1 s.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ENGINE_CHILD = """
import time; t0 = time.perf_counter()
import asyncio, sys
from ysched_tui.memory import collector_held
from ysched_tui.owner.assembly import build_engine
from ysched_tui.settings import load_settings
from pathlib import Path
async def main():
    t1 = time.perf_counter()
    s = load_settings(jobs_file=Path(sys.argv[2]), db=sys.argv[1])
    e = build_engine(s)
    t2 = time.perf_counter()
    with collector_held():  # as the daemon starts it
        await e.start()
    t3 = time.perf_counter()
    ms = [round((b - a) * 1000) for a, b in ((t0, t1), (t1, t2), (t2, t3))]
    print("ready", len(e.table), *ms, flush=True)
    await e.stop(grace=0)
asyncio.run(main())
"""
"""Prints ``ready <jobs> <imports ms> <settings ms> <start() ms>`` (times within the child)."""

BARE_CHILD = """
import asyncio, sys
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
async def noop(): pass
async def main():
    s = AsyncIOScheduler(timezone="UTC")
    for i in range(int(sys.argv[1])):
        s.add_job(noop, CronTrigger(minute=i % 60), id=f"job_{i:05d}")
    s.start()
    print("ready", len(s.get_jobs()), flush=True)
    s.shutdown(wait=False)
asyncio.run(main())
"""


def jobs_file(path: Path, jobs: int) -> None:
    """The jobs file matching the seeded jobs (same codes, commands and schedules)."""
    with path.open("w") as f:
        f.write('[settings]\ntimezone = "UTC"\n\n')
        for i in range(jobs):
            f.write(
                f'[[jobs]]\ncode = "job_{i:05d}"\nname = "Job number {i}"\n'
                f'description = "seeded for benchmarks"\ncron = "{i % 60} * * * *"\n'
                f'command = "echo {i}"\n\n'
            )


def time_child(args: list[str], env: dict[str, str] | None = None) -> float:
    """Seconds from spawn to the child's 'ready' line."""
    return time_child_phases(args, env)[0]


def time_child_phases(
    args: list[str], env: dict[str, str] | None = None
) -> tuple[float, list[int]]:
    """Seconds from spawn to the child's 'ready' line, and the phase times it printed (ms)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", *args], stdout=subprocess.PIPE, text=True,
                            env=env)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - t0
    proc.wait(60)
    if not line.startswith("ready"):
        raise SystemExit(f"child failed: {line!r}")
    return elapsed, [int(v) for v in line.split()[2:]]


def _phases(elapsed: float, phases: list[int]) -> str:
    if len(phases) != 3:
        return ""
    spawn = round(elapsed * 1000) - sum(phases)
    return (f"    (python start + pipe {spawn} ms, imports {phases[0]} ms, "
            f"settings {phases[1]} ms, Engine.start() {phases[2]} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from bench.bytecode import compile_package
    from bench.seed_db import seed

    compile_package()

    with tempfile.TemporaryDirectory() as tmp:
        db, toml = Path(tmp) / "cold.db", Path(tmp) / "jobs.toml"
        # the jobs-file parse cache starts empty and stays out of the user's cache folder
        env = {**os.environ, "XDG_CACHE_HOME": str(Path(tmp) / "cache")}
        t0 = time.perf_counter()
        seed(db, args.jobs, args.runs)
        jobs_file(toml, args.jobs)
        print(f"seeded {args.jobs} jobs / {args.runs} runs in {time.perf_counter() - t0:.1f}s")
        child = [ENGINE_CHILD, str(db), str(toml)]
        first = time_child_phases(child, env)  # syncs file metadata, fills the parse cache
        engine = min((time_child_phases(child, env) for _ in range(args.repeat)),
                     key=lambda timed: timed[0])
        bare = min(time_child([BARE_CHILD, str(args.jobs)]) for _ in range(args.repeat))
    print(f"cold start with {args.jobs} jobs, {args.runs} runs:")
    print(f"  bare AsyncIOScheduler (memory, no db): {bare * 1000:.0f} ms")
    print(f"  ysched engine (first start, syncing):  {first[0] * 1000:.0f} ms")
    print(_phases(*first))
    print(f"  ysched engine (restart):               {engine[0] * 1000:.0f} ms")
    print(_phases(*engine))
    print(f"  ratio engine/bare: {engine[0] / bare:.2f} (target: engine <= 1000 ms)")


if __name__ == "__main__":
    main()
