"""A Python jobs module: the ysched-tui Python API in one file, lively and offline.

Use it as a jobs file (``ysched-tui --jobs examples/jobs.py daemon``, or include it from a TOML
jobs file), or run it on its own: ``YSCHED_DB=demo.db python examples/jobs.py`` (Ctrl-C stops).

It shows a coroutine job using its JobContext and task_log, a plain function (run in a worker
thread), a class job, an HttpJob to 127.0.0.1, a job that fails now and then and is retried with
exponential backoff, multi-trigger jobs, a JobBuilder chain, a manual-only job with parameters
and the event listeners.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import shutil
from typing import Any

from ysched_tui import (
    HttpJob,
    Job,
    JobBuilder,
    JobContext,
    RetryScheduled,
    RetryStrategy,
    RunRecord,
    Scheduler,
    TaskResult,
    cron,
    interval,
    task_log,
)

scheduler = Scheduler()
log = logging.getLogger("examples.jobs")


@scheduler.interval(seconds=10, code="py.heartbeat", name="Heartbeat (coroutine)", tags=["demo"])
async def heartbeat(context: JobContext) -> dict[str, Any]:
    """Logs what its JobContext says, every 10 seconds."""
    task_log(f"run {context.run_id}, attempt {context.attempt}, {context.trigger_type}")
    await asyncio.sleep(0.3)
    task_log(f"scheduled for {context.scheduled_time}, {context.run_count} runs before this one")
    return {"run_count": context.run_count}


@scheduler.interval(seconds=30, code="py.disk_usage", name="Disk usage (plain function)")
def disk_usage() -> dict[str, float]:
    """A plain function: it runs in a worker thread, never on the scheduler's event loop."""
    total, used, free = shutil.disk_usage(os.getcwd())
    task_log(f"{used / total:.0%} of {total / 1e9:.1f} GB used")
    return {"used_fraction": round(used / total, 3), "free_gb": round(free / 1e9, 1)}


@scheduler.interval(
    seconds=20,
    code="py.flaky_upstream",
    name="Flaky upstream (retries)",
    retry=RetryStrategy.exponential(
        max_retries=3, initial_delay=2, factor=2, max_delay=10, retry_on=[ConnectionError]
    ),
)
async def flaky_upstream(context: JobContext) -> str:
    """Fails about one run in three with a ConnectionError; retried after 2, 4, 8 s."""
    task_log(f"calling upstream (attempt {context.attempt})")
    await asyncio.sleep(0.2)
    if random.random() < 0.35:
        raise ConnectionError("upstream did not answer (simulated)")
    return "synced"


@scheduler.cron("*/2 * * * *", code="py.stretch", name="Stretch reminder (3 triggers)")
@scheduler.cron("0 9 * * mon-fri")
@scheduler.cron(hour=17, minute=30)
def stretch_reminder() -> TaskResult:
    """One job, three triggers: every 2 minutes, 09:00 on weekdays and 17:30 daily."""
    if random.random() < 0.2:
        return TaskResult.skipped("nobody at the desk")
    task_log("time to stand up and stretch")
    return TaskResult.success(message="reminded", people=1)


@scheduler.job(code="py.greet", name="Greet (manual, with parameters)")
async def greet(name: str = "world", times: int = 1) -> str:
    """Manual only: run it with `ysched-tui run py.greet --param name=Ada --param times=2`."""
    for _ in range(int(times)):
        task_log(f"hello, {name}")
    return f"greeted {name} {times}x"


class CountLines(Job):
    """A class job: counts the lines of this file every minute."""

    code = "py.count_lines"
    name = "Count lines (class job)"
    trigger = interval(minutes=1)
    concurrent = False
    timeout = 30

    async def execute(self, context: JobContext) -> dict[str, int]:
        with open(__file__, encoding="utf-8") as handle:
            count = sum(1 for _ in handle)
        task_log(f"{os.path.basename(__file__)} has {count} lines")
        return {"lines": count}


class LocalHealth(HttpJob):
    """Checks a local HTTP service; start one with `python -m http.server 8765` to see success.

    With nothing listening the run fails with "connection refused": no network is needed.
    """

    code = "py.local_health"
    name = "Local health check (HTTP)"
    trigger = cron("*/5 * * * *")
    url = "http://127.0.0.1:8765/"
    method = "GET"
    timeout = 5
    success_codes = (200,)
    retry_on_codes = (502, 503, 504)
    max_retries = 1
    retry_delay = 5


async def rotate_reports(keep: int) -> str:
    """Pretends to delete old reports, keeping the newest ``keep``."""
    task_log(f"keeping the newest {keep} reports")
    return f"kept {keep}"


scheduler.add_job_class(CountLines)
scheduler.add_job_class(LocalHealth)
scheduler.add_job(
    JobBuilder(rotate_reports)
    .code("py.rotate_reports")
    .name("Rotate reports (JobBuilder)")
    .triggers([cron("15 * * * *"), cron("45 * * * *")])
    .kwargs(keep=5)
    .timeout(60)
    .build()
)


@scheduler.on_job_error
def report_failure(run: RunRecord) -> None:
    """Listeners receive the run record; a real one would send an alert."""
    log.warning("[%s] %s failed: %s", run.run_id, run.job_code, run.error)


@scheduler.on_job_retry
async def report_retry(event: RetryScheduled) -> None:
    """Coroutine listeners work too."""
    log.info("%s will retry (attempt %d) at %s", event.run.job_code, event.attempt,
             f"{event.next_retry_time:%H:%M:%S}")


if __name__ == "__main__":
    scheduler.run_forever()
