"""Calling a job's Python function: context injection, off-loop execution, result mapping.

Shared by Python jobs and scripts. Coroutine functions are awaited on the event loop; plain
functions run in a worker thread (``asyncio.to_thread`` copies the context, so ``task_log`` works
there too) — a blocking job must never stall the scheduler. ``print()`` goes to the run's output
(:mod:`ysched_tui.jobs.stdio`). The return value is stored as JSON;
a :class:`~ysched_tui.core.context.TaskResult` decides the status itself.
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
import inspect
import math
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from ysched_tui.core.context import JobContext, TaskResult
from ysched_tui.core.models import RunStatus
from ysched_tui.jobs.base import (
    LineSink,
    Outcome,
    RunRequest,
    failure,
    job_scope,
    retry_allowed,
    timed_out,
)
from ysched_tui.jobs.stdio import capture_prints

_THREAD_NOTE = "its worker thread cannot be stopped and keeps running until the function returns"
_MAX_DEPTH = 50


class UnknownParameters(TypeError):
    """The run passes parameters the function does not take."""


async def call_job(fn: Callable[..., object], args: tuple[Any, ...], kwargs: dict[str, Any],
                   request: RunRequest, sink: LineSink) -> Outcome:
    """Call ``fn`` for one run and turn what happens into an outcome (never raises but for
    cancellation)."""
    try:
        args, kwargs = inject_context(fn, args, kwargs, request.context)
    except UnknownParameters as exc:
        return Outcome(status=RunStatus.FAILED, error=str(exc), retryable=False)
    threaded = not _is_async(fn)
    deadline = asyncio.timeout(request.timeout)
    with job_scope(request, sink) as bridge, capture_prints(bridge.write_to):
        try:
            async with deadline:
                value = await _call(fn, args, kwargs, threaded)
        except TimeoutError as exc:
            if not deadline.expired() or request.timeout is None:
                return failure(exc, request.spec)
            note = _THREAD_NOTE if threaded else ""
            retryable = retry_allowed(TimeoutError(), request.spec.retries.retry_on)
            return timed_out(request.timeout, note, retryable=retryable)
        except (Exception, SystemExit) as exc:  # sys.exit() in a job must not stop the engine
            return failure(exc, request.spec)
        return _outcome(value, sink)


async def _call(fn: Callable[..., object], args: tuple[Any, ...], kwargs: dict[str, Any],
                threaded: bool) -> object:
    value = await asyncio.to_thread(fn, *args, **kwargs) if threaded else fn(*args, **kwargs)
    while inspect.isawaitable(value):
        value = await value
    return value


def _is_async(fn: Callable[..., object]) -> bool:
    call = getattr(fn, "__call__", None)  # noqa: B004 - callable objects with async __call__
    return inspect.iscoroutinefunction(fn) or (
        not inspect.isroutine(fn) and call is not None and inspect.iscoroutinefunction(call)
    )


def inject_context(fn: Callable[..., object], args: tuple[Any, ...], kwargs: dict[str, Any],
                   context: JobContext) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Add ``context`` for a parameter annotated ``JobContext`` or named ``context``, and check
    that every keyword is accepted.

    Raises:
        UnknownParameters: naming the keywords the function does not take.
    """
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):  # some builtins have no signature: call as given
        return args, kwargs
    hints = _hints(fn)
    kwargs = dict(kwargs)
    params = list(sig.parameters.values())
    for index, p in enumerate(params):
        if not _wants_context(p, hints) or p.name in kwargs:
            continue
        if p.kind is p.POSITIONAL_ONLY and index == len(args):
            args = (*args, context)
        elif p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and index >= len(args):
            kwargs[p.name] = context
    if not any(p.kind is p.VAR_KEYWORD for p in params):
        names = {p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
        unknown = sorted(set(kwargs) - names)
        if unknown:
            name = getattr(fn, "__qualname__", repr(fn))
            raise UnknownParameters(f"{name}() takes no parameter named "
                                    + ", ".join(repr(u) for u in unknown))
    return args, kwargs


def _hints(fn: Callable[..., object]) -> dict[str, Any]:
    try:
        return typing.get_type_hints(fn)
    except Exception:  # unresolvable forward references: fall back to the raw annotations
        return {}


def _wants_context(p: inspect.Parameter, hints: Mapping[str, Any]) -> bool:
    if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
        return False
    annotation = hints.get(p.name, p.annotation)
    if annotation is JobContext:
        return True
    if isinstance(annotation, str) and annotation.rsplit(".", 1)[-1] == "JobContext":
        return True
    return p.name == "context"


def _outcome(value: object, sink: LineSink) -> Outcome:
    if not isinstance(value, TaskResult):
        return Outcome(status=RunStatus.SUCCESS, result=to_json(value))
    if value.message and value.status is not RunStatus.SKIPPED:
        sink("log", value.message)
    return Outcome(status=value.status, result=to_json(value.data), error=value.error)


def to_json(value: object, _depth: int = 0) -> object:
    """A JSON-serializable copy of ``value``: dates as ISO 8601, timedeltas as seconds,
    dataclasses and pydantic models as dicts, sets as lists, anything else as its ``repr``."""
    if _depth > _MAX_DEPTH:
        return "..."
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, enum.Enum):
        return to_json(value.value, _depth + 1)
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, Mapping):
        return {str(k): to_json(v, _depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        return [to_json(v, _depth + 1) for v in items]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_json({f.name: getattr(value, f.name) for f in dataclasses.fields(value)},
                       _depth + 1)
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        try:
            return to_json(dump(mode="json"), _depth + 1)
        except Exception:
            return repr(value)
    return repr(value)
