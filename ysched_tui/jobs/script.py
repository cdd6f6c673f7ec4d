"""Script jobs: ``*.py`` files in the scripts folder exposing ``async def run(**params)``.

Running a script loads its file (cached by path, modification time and size, compiled from the
source each time it changes, so an edit is picked up by the next run), checks the parameters
against the ones read from its signature, and calls ``run`` like any Python job. Discovering
scripts (:func:`discover_scripts`, from :mod:`ysched_tui.jobs.discovery`) never imports them.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib.util
import inspect
import re
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any, cast

from ysched_tui.core.models import ParamSpec, RunStatus, ScriptTarget
from ysched_tui.core.params import params_from_source, validate_params
from ysched_tui.errors import JobsFileError, ParamError
from ysched_tui.jobs.base import LineSink, Outcome, RunRequest, failure
from ysched_tui.jobs.http_client import HttpSource
from ysched_tui.jobs.invoke import call_job

_cache: dict[str, tuple[int, int, ModuleType, tuple[ParamSpec, ...]]] = {}
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


async def run_script(request: RunRequest, sink: LineSink, *, http: HttpSource,
                     callables: Mapping[str, Callable[..., object]]) -> Outcome:
    """Run a :class:`ScriptTarget` with its validated parameters."""
    target = cast(ScriptTarget, request.spec.target)
    try:
        module, file_specs = await asyncio.to_thread(_load, Path(target.path))
    except (OSError, SyntaxError, JobsFileError) as exc:
        return Outcome(status=RunStatus.FAILED, error=_load_error(target.path, exc),
                       retryable=False)
    except (Exception, SystemExit) as exc:  # the script failed while being imported
        return failure(exc, request.spec)
    run = getattr(module, "run", None)
    if not callable(run):
        return Outcome(status=RunStatus.FAILED, retryable=False,
                       error=f"script {target.path} has no run() function")
    specs = target.params or file_specs
    try:
        kwargs = validate_params(specs, {**target.values, **request.params})
    except ParamError as exc:
        return Outcome(status=RunStatus.FAILED, error=str(exc), retryable=False)
    return await call_job(run, (), _fill_optional(run, specs, kwargs), request, sink)


def _load_error(path: str, exc: BaseException) -> str:
    if isinstance(exc, SyntaxError):
        return f"syntax error in script {path}, line {exc.lineno}: {exc.msg}"
    if isinstance(exc, FileNotFoundError):
        return f"script file not found: {path}"
    return f"cannot load script {path}: {exc}"


def _fill_optional(run: Callable[..., object], specs: tuple[ParamSpec, ...],
                   kwargs: dict[str, object]) -> dict[str, Any]:
    """Pass ``None`` for optional parameters (``x: int | None``) that have no Python default."""
    optional = {s.name for s in specs if not s.required}
    try:
        params = inspect.signature(run).parameters.values()
    except (TypeError, ValueError):
        return kwargs
    filled: dict[str, Any] = dict(kwargs)
    for p in params:
        if p.default is p.empty and p.name in optional and p.name not in filled:
            filled[p.name] = None
    return filled


def load_script(path: Path) -> ModuleType:
    """The module of the script at ``path``, executed once per version of the file.

    Raises:
        OSError: the file cannot be read.
        SyntaxError: the script does not compile.
        Exception: whatever the script raises while being imported.
    """
    return _load(path)[0]


def _load(path: Path) -> tuple[ModuleType, tuple[ParamSpec, ...]]:
    key = str(path.resolve())
    with _lock_for(key):
        stat = path.stat()
        hit = _cache.get(key)
        if hit and hit[0] == stat.st_mtime_ns and hit[1] == stat.st_size:
            return hit[2], hit[3]
        source = path.read_bytes()
        specs, _info = params_from_source(source.decode("utf-8", errors="replace"), key)
        module = _execute(path, key, source)
        _cache[key] = (stat.st_mtime_ns, stat.st_size, module, specs)
        return module, specs


def _lock_for(key: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


def _execute(path: Path, key: str, source: bytes) -> ModuleType:
    """Compile and run the script as a fresh module (no bytecode cache: an edit made within
    the same second must still be seen)."""
    digest = hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:10]
    stem = re.sub(r"\W", "_", path.stem)
    name = f"ysched_script_{stem}_{digest}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path} as a Python module")
    module = importlib.util.module_from_spec(spec)
    code = compile(source, key, "exec", dont_inherit=True)
    previous = sys.modules.get(name)
    sys.modules[name] = module
    try:
        exec(code, module.__dict__)
    except BaseException:
        if previous is not None:
            sys.modules[name] = previous
        else:
            sys.modules.pop(name, None)
        raise
    return module
