"""One declared job, and how it becomes the final spec plus the callable the engine runs.

Callable refs are ``module:qualname`` when that name resolves to the very callable (so the ref is
importable), else ``module:qualname@CODE`` (closures, lambdas, class-job runners, functions
wrapped for a ``should_retry`` predicate), which is unique per job and stable across restarts.
Refs are computed when jobs are collected, after the module has finished importing: while a
decorator runs, the function's module attribute is not bound yet.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ysched_tui.api.options import JobOptions
from ysched_tui.api.retry import CustomRetryPolicy, apply_should_retry
from ysched_tui.core.models import HttpTarget, JobSpec, PythonTarget
from ysched_tui.core.triggers import TriggerSpec

__all__ = ["Declared", "materialize", "source_of"]


@dataclass(frozen=True, kw_only=True)
class Declared:
    """One declared job: what it runs, when, and with which options."""

    code: str
    triggers: tuple[TriggerSpec, ...]
    options: JobOptions
    origin: object
    """What the user declared (function or class): stacked decorators merge on it."""
    runner: Callable[..., Any] | None
    """The callable to run; ``None`` for HTTP jobs."""
    http: HttpTarget | None
    description: str
    source_file: str | None
    source_line: int | None
    spec: JobSpec
    """The validated spec, with a provisional ref for Python jobs."""


def source_of(obj: object) -> tuple[str | None, int | None]:
    """The file and first line a function (or the file a class) was defined in, if known."""
    code = getattr(obj, "__code__", None)
    if code is not None:
        return code.co_filename, code.co_firstlineno
    try:
        return inspect.getsourcefile(obj), None  # type: ignore[arg-type]
    except TypeError:
        return None, None


def resolves_to(ref: str, obj: object) -> bool:
    """Whether importing ``module:qualname`` (already imported modules only) gives ``obj``."""
    module_name, _, qualname = ref.partition(":")
    found: object = sys.modules.get(module_name)
    for part in qualname.split("."):
        found = getattr(found, part, None)
        if found is None:
            return False
    return found is obj


def materialize(decl: Declared) -> tuple[JobSpec, str | None, Callable[..., object] | None]:
    """The final spec (with its ref), the ref and the callable to register (``None`` for HTTP)."""
    if decl.runner is None:
        return decl.spec, None, None
    runner = decl.runner
    retry = decl.options.retry
    if isinstance(retry, CustomRetryPolicy) and retry.should_retry is not None:
        runner = apply_should_retry(runner, retry.should_retry, retry.retry_on)
    base = f"{runner.__module__}:{runner.__qualname__}"
    ref = base if resolves_to(base, runner) else f"{base}@{decl.code}"
    assert isinstance(decl.spec.target, PythonTarget)
    target = decl.spec.target.model_copy(update={"ref": ref})
    return decl.spec.model_copy(update={"target": target}), ref, runner
