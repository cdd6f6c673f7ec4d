"""Python jobs: a callable named ``package.module:function``, or a ``Job`` class.

The ref is looked up in the callables registered through the Python API first, then imported.
A class whose instances have ``execute(self, context)`` (the API's ``Job`` classes) is
instantiated for every run and its ``execute`` called. The call itself — context injection,
worker thread for plain functions, timeout, result and exception handling — is
:func:`ysched_tui.jobs.invoke.call_job`.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
from collections.abc import Callable, Mapping
from typing import Any, cast

from ysched_tui.core.models import PythonTarget, RunStatus
from ysched_tui.jobs.base import LineSink, Outcome, RunRequest, failure
from ysched_tui.jobs.http_client import HttpSource
from ysched_tui.jobs.invoke import call_job


class RefError(LookupError):
    """A Python ref cannot be resolved to a callable; the message says why."""


async def run_python(request: RunRequest, sink: LineSink, *, http: HttpSource,
                     callables: Mapping[str, Callable[..., object]]) -> Outcome:
    """Run a :class:`PythonTarget` (see the module docstring)."""
    target = cast(PythonTarget, request.spec.target)
    try:
        # Importing runs module code, which may block: never on the event loop.
        obj = (callables[target.ref] if target.ref in callables
               else await asyncio.to_thread(resolve_ref, target.ref, {}))
    except RefError as exc:
        return Outcome(status=RunStatus.FAILED, error=str(exc), retryable=False)
    try:
        fn = job_callable(obj)
    except Exception as exc:  # the Job class's constructor failed
        return failure(exc, request.spec)
    kwargs: dict[str, Any] = {**target.kwargs, **request.params}
    return await call_job(fn, tuple(target.args), kwargs, request, sink)


def resolve_ref(ref: str, callables: Mapping[str, Callable[..., object]]) -> object:
    """The object ``ref`` names: a registered callable, else ``module:attribute.path``.

    Raises:
        RefError: malformed ref, module that cannot be imported, or missing attribute.
    """
    if ref in callables:
        return callables[ref]
    module_name, sep, attr_path = ref.partition(":")
    if not sep or not module_name or not attr_path:
        raise RefError(f"python ref {ref!r} is neither a registered callable nor of the form "
                       "'package.module:function'")
    try:
        obj: object = importlib.import_module(module_name)
    except Exception as exc:
        raise RefError(f"cannot import module {module_name!r} for python ref {ref!r}: "
                       f"{type(exc).__name__}: {exc}") from exc
    for part in attr_path.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise RefError(f"python ref {ref!r}: {module_name!r} has no attribute "
                           f"{attr_path!r}") from None
    if not callable(obj) and not callable(getattr(obj, "execute", None)):
        raise RefError(f"python ref {ref!r} names a {type(obj).__name__}, not a callable")
    return obj


def job_callable(obj: object) -> Callable[..., object]:
    """The function to call for ``obj``: a class with ``execute`` is instantiated and its bound
    ``execute`` returned; an instance with ``execute`` gives that; a callable is itself."""
    if inspect.isclass(obj) and callable(getattr(obj, "execute", None)):
        obj = obj()
    execute = getattr(obj, "execute", None)
    if not inspect.isroutine(obj) and callable(execute):
        return cast(Callable[..., object], execute)
    return cast(Callable[..., object], obj)
