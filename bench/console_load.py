"""The jobs files of the console benchmark: the seeded jobs, a streaming run, and load jobs.

Both console sessions of the benchmark use a TOML jobs file declaring the same 10,000 jobs as
:func:`bench.seed_db.seed` (same codes, commands and schedules) plus ``aa_stream``, a command job
started by ``@reboot`` that runs ``stream.py``; its code sorts first, so it is the job selected
when the console opens and its output is what the log pane tails.

* idle: ``aa_stream`` prints a burst of lines and ends (the log has something to scroll), nothing
  else runs (but the seeded jobs themselves: every minute ~1/60 of them fire ``echo``).
* load: ``aa_stream`` prints ``rate`` lines per second (paced by the clock in chunks every 5 ms),
  and ``load.py`` (a Python jobs module, included from the TOML) declares
  ``n`` no-op coroutine jobs every 1 s, staggered over the second. Each fire publishes three
  ``JobUpdated`` events (the fire moves "next run", the run starts, the run ends) and two run
  events, so ``n = changes / 3`` gives ``changes`` job state changes per second spread evenly.
  Python no-ops rather than ``true`` commands: 300+ process spawns a second on the console's own
  event loop would measure fork/exec, not the console.

The engine caps the output it keeps and publishes per run (``max_output_lines``, 20,000 by
default: four seconds at 5,000 lines/s), so one endless run would fall silent after four seconds.
By default the streaming job therefore runs every few seconds (queued: never two at once), each
run printing just under the cap, and the console's log follows each new run: there is always one
run printing ``rate`` lines per second, with the engine's defaults. ``one_run`` instead makes a
single run print for the whole session with the cap raised to match (what memory does when a
run's output is not capped).
"""

from __future__ import annotations

import sys
from pathlib import Path

DEFAULT_CAP = 20_000
"""The engine's default ``max_output_lines``."""

STREAM_CODE = "aa_stream"
"""The streaming job: sorts before ``job_00000``, so the console selects it on start."""

LOAD_PREFIX = "load_"

STREAM_SCRIPT = '''\
"""Print `total` numbered lines at `rate` lines/s (0: at once); stop if the parent goes."""
import os, sys, time
total, rate = int(sys.argv[1]), float(sys.argv[2])
parent, out, start, n = os.getppid(), sys.stdout, time.monotonic(), 0
while n < total and os.getppid() == parent:
    due = total if rate <= 0 else min(total, int((time.monotonic() - start) * rate))
    if due > n:
        out.write("".join(f"stream {i:07d}\\n" for i in range(n, due)))
        out.flush()
        n = due
    if n < total:
        time.sleep(0.005)
'''

LOAD_MODULE = '''\
"""{count} no-op coroutine jobs every 1 s, staggered over the second (benchmark load)."""
from datetime import UTC, datetime, timedelta

from ysched_tui import Scheduler, interval

scheduler = Scheduler()
COUNT = {count}


async def tick() -> None:
    """Does nothing: the point is the job state changes around it."""


_anchor = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
for _i in range(COUNT):
    scheduler.add_job(
        tick,
        interval(seconds=1, start_date=_anchor + timedelta(seconds=_i / COUNT)),
        code=f"{prefix}{{_i:04d}}",
        name=f"Load {{_i}}",
        misfire_grace_time=30,
    )
'''


def _seeded_jobs(jobs: int) -> str:
    """The jobs of :func:`bench.seed_db.seed`, as TOML (as bench/cold_start.py writes them)."""
    return "".join(
        f'[[jobs]]\ncode = "job_{i:05d}"\nname = "Job number {i}"\n'
        f'description = "seeded for benchmarks"\ncron = "{i % 60} * * * *"\n'
        f'command = "echo {i}"\n\n'
        for i in range(jobs)
    )


def stream_schedule(rate: float, *, one_run: bool, seconds: float) -> tuple[str, int, int | None]:
    """(TOML trigger line, lines per run, max_output_lines or None) for the streaming job."""
    if rate <= 0:
        return 'cron = "@reboot"', 2000, None
    if one_run:
        total = int(rate * (seconds + 120))
        return 'cron = "@reboot"', total, max(total, DEFAULT_CAP)
    period = max(1, int(0.95 * DEFAULT_CAP // rate))
    # "queue": a fire while the previous run still prints waits for it instead of being skipped
    return f'every = "{period}s"\nconcurrency = "queue"', int(rate * (period - 0.2)), None


def write_jobs(
    folder: Path, name: str, *, jobs: int, stream_rate: float, load_jobs: int,
    one_run: bool = False, seconds: float = 0,
) -> Path:
    """Write ``<name>.toml`` (and ``stream.py``, ``<name>_load.py``) into ``folder``.

    Args:
        folder: where the files go.
        name: the session's name (file stem).
        jobs: seeded jobs to declare.
        stream_rate: lines per second of the streaming job (0: one burst of 2,000 at start).
        load_jobs: no-op jobs every 1 s (0: none).
        one_run: one streaming run for the whole session (cap raised), not a run every few s.
        seconds: how long the session lasts (for ``one_run``).

    Returns:
        The TOML jobs file.
    """
    stream = folder / "stream.py"
    stream.write_text(STREAM_SCRIPT)
    trigger, lines, cap = stream_schedule(stream_rate, one_run=one_run, seconds=seconds)
    head = [f"include = [\"{name}_load.py\"]\n\n" if load_jobs else ""]
    if load_jobs:
        module = LOAD_MODULE.format(count=load_jobs, prefix=LOAD_PREFIX)
        (folder / f"{name}_load.py").write_text(module)
    command = f"{sys.executable} {stream} {lines} {stream_rate:g}"
    head.append('[settings]\ntimezone = "UTC"\n' + (f"max_output_lines = {cap}\n" if cap else ""))
    head.append(
        f'\n[[jobs]]\ncode = "{STREAM_CODE}"\nname = "Streams output"\n{trigger}\n'
        f"command = {_toml_string(command)}\n\n"
    )
    path = folder / f"{name}.toml"
    path.write_text("".join(head) + _seeded_jobs(jobs))
    return path


def _toml_string(text: str) -> str:
    """A TOML basic string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
