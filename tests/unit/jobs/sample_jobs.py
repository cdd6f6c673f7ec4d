"""Job functions imported by ref ("tests.unit.jobs.sample_jobs:name") in the Python job tests."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ysched_tui.core.context import JobContext, TaskResult, current_context, task_log

seen: dict[str, object] = {}
"""What the jobs observed, for the tests to check."""


def add(a: int, b: int, c: int = 0) -> int:
    seen["add_thread"] = threading.get_ident()
    return a + b + c


async def async_add(a: int, b: int) -> int:
    seen["async_thread"] = threading.get_ident()
    return a + b


def sync_logs(context: JobContext) -> str:
    task_log("hello from", "a thread", 42)
    context.log("via context")
    seen["current"] = current_context()
    return context.run_id


async def async_logs(ctx: JobContext) -> dict[str, object]:
    task_log("hello from the loop")
    seen["current"] = current_context()
    return {"attempt": ctx.attempt, "code": ctx.job_code}


def fails() -> None:
    raise ValueError("bad input 7")


def refused() -> None:
    raise ConnectionRefusedError("nobody listening")


def exits() -> None:
    raise SystemExit(3)


@dataclass
class Point:
    x: int
    when: datetime


def odd_values() -> object:
    return {"point": Point(1, datetime(2026, 1, 2, 3, 4, tzinfo=UTC)), "tags": {"b", "a"},
            "span": timedelta(minutes=2), "path": Path("/tmp/x"), "nan": float("nan"),
            1: b"bytes"}


class ReportJob:
    """A class job like the API's Job classes: a fresh instance per run."""

    instances = 0

    def __init__(self) -> None:
        type(self).instances += 1

    async def execute(self, context: JobContext) -> dict[str, object]:
        return {"run_id": context.run_id, "instances": type(self).instances}


def result_success() -> TaskResult:
    return TaskResult.success(data={"synced": 3}, message="sync finished")


def result_failed() -> TaskResult:
    return TaskResult.failed("database unreachable", data={"done": 1})


def result_skipped() -> TaskResult:
    return TaskResult.skipped("nothing to do")


async def waits_for_cancel(started: asyncio.Event | None = None) -> None:
    if started is not None:
        started.set()
    try:
        await asyncio.sleep(60)
    finally:
        seen["cleaned_up"] = True
