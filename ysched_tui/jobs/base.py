"""The runner contract: what the engine hands a job kind, and what it gets back.

The engine calls :func:`~ysched_tui.jobs.runners.execute` for every run; it picks the runner for
the job's kind (command, http, python, script) and guarantees the two things the engine relies
on:

* it never raises for a job's failure — every exception becomes an :class:`Outcome` with status
  ``failed``, the error and the traceback — so a job can never crash the engine;
* it honours cancellation — when the engine cancels the task running ``execute``, the runner
  cleans up (kills the process group, closes the response) and re-raises ``CancelledError``.

Timeouts are enforced by each runner, because only the runner knows how to stop its work.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from ysched_tui.core.context import JobContext, run_scope
from ysched_tui.core.durations import format_duration
from ysched_tui.core.models import JobSpec, RunStatus

LineSink = Callable[[str, str], None]
"""``(stream, text)`` with stream one of stdout, stderr, log, system; called on the loop thread."""

_PLUMBING_DIRS = tuple(
    str(Path(m.__file__).parent)
    for m in (asyncio, concurrent.futures, sys.modules[__name__])
    if m.__file__
)
"""Frames in these folders (the runners, asyncio, thread pools) are not the job's code."""
_task_logger = logging.getLogger("ysched_tui.task")


@dataclass(frozen=True, kw_only=True)
class RunRequest:
    """One run to execute.

    Attributes:
        spec: the job as declared.
        context: what the job may know about the run (injected into Python jobs).
        params: the run's parameters (script parameters, extra kwargs of Python jobs).
        timeout: seconds the whole run may take; ``None`` for no limit.
        kill_grace: seconds between SIGTERM and SIGKILL when a process must be stopped.
    """

    spec: JobSpec
    context: JobContext
    params: dict[str, object]
    timeout: float | None
    kill_grace: float = 5.0


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """How a run ended, as the engine records it.

    Attributes:
        status: a final :class:`RunStatus`.
        exit_code: a command's exit code (negative: killed by that signal).
        http_status: an HTTP job's response status.
        result: JSON-serializable result (return value, TaskResult data, HTTP summary).
        error: one line saying why it did not succeed.
        traceback: the Python traceback, when an exception caused the failure.
        retryable: ``False`` when a retry cannot help (see the job kinds' rules).
    """

    status: RunStatus
    exit_code: int | None = None
    http_status: int | None = None
    result: object = None
    error: str | None = None
    traceback: str | None = None
    retryable: bool = True


def failure(exc: BaseException, spec: JobSpec, *, retryable: bool | None = None) -> Outcome:
    """The outcome of a job that raised ``exc``: error line, trimmed traceback, retryability."""
    allowed = retry_allowed(exc, spec.retries.retry_on) if retryable is None else retryable
    return Outcome(status=RunStatus.FAILED, error=describe_exception(exc),
                   traceback=format_traceback(exc), retryable=allowed)


def timed_out(timeout: float, note: str = "", **fields: Any) -> Outcome:
    """The outcome of a run stopped by its timeout (retryable unless ``retryable`` says no)."""
    error = f"timed out after {format_duration(timeout)}" + (f"; {note}" if note else "")
    return Outcome(status=RunStatus.TIMEOUT, error=error, **fields)


def describe_exception(exc: BaseException) -> str:
    """``TypeName: message`` (just the type when the message is empty)."""
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def format_traceback(exc: BaseException) -> str:
    """The traceback without the leading runner/asyncio frames, so it starts in the job's code."""
    tb: TracebackType | None = exc.__traceback__
    while tb is not None and tb.tb_next is not None and tb.tb_frame.f_code.co_filename.startswith(
        _PLUMBING_DIRS
    ):
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb))


def retry_allowed(exc: BaseException, retry_on: tuple[str, ...]) -> bool:
    """Whether ``exc`` may be retried: always when ``retry_on`` is empty, else when its type
    or a base class is named there (bare name like ``ConnectionError`` or qualified name)."""
    if not retry_on:
        return True
    wanted = set(retry_on)
    for cls in type(exc).__mro__:
        names = {cls.__name__, cls.__qualname__, f"{cls.__module__}.{cls.__qualname__}"}
        if names & wanted:
            return True
    return False


class LogBridge:
    """Delivers ``task_log`` lines to the sink on the event loop thread, from any thread.

    Once closed (the run has ended, e.g. a timed-out worker thread still logging), lines go to
    the ``ysched_tui.task`` logger instead of a run that is already recorded as finished.
    """

    def __init__(self, sink: LineSink, run_id: str) -> None:
        self._sink = sink
        self._run_id = run_id
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        self._closed = False

    def write(self, text: str) -> None:
        """Send one ``task_log`` line; safe from the loop thread and from worker threads."""
        self.write_to("log", text)

    def write_to(self, stream: str, text: str) -> None:
        """Send one line of ``stream`` (``log``, or ``stdout``/``stderr`` for prints)."""
        if self._closed:
            self._late(text)
        elif threading.get_ident() == self._thread:
            self._deliver(text, stream)
        else:
            try:
                self._loop.call_soon_threadsafe(self._deliver, text, stream)
            except RuntimeError:  # the loop is closed
                self._late(text)

    def close(self) -> None:
        """Stop delivering to the run."""
        self._closed = True

    def _deliver(self, text: str, stream: str = "log") -> None:
        if self._closed:
            self._late(text)
            return
        try:
            self._sink(stream, text)
        except Exception:
            _task_logger.exception("output sink failed for run %s", self._run_id)

    def _late(self, text: str) -> None:
        _task_logger.info("[%s, after the run ended] %s", self._run_id, text)


@contextmanager
def job_scope(request: RunRequest, sink: LineSink) -> Iterator[LogBridge]:
    """Make the run's context current and route ``task_log`` to ``sink`` inside the block."""
    bridge = LogBridge(sink, request.context.run_id)
    try:
        with run_scope(request.context, bridge.write):
            yield bridge
    finally:
        bridge.close()
