"""Loading a ``.py`` jobs file: import it and ask each scheduler object for its jobs.

A Python jobs file declares jobs with the public API (``scheduler = Scheduler()`` and its
decorators). Any module-level object with a ``collect_jobs()`` method returning
``(list[JobSpec], dict[code, callable])`` is asked for its jobs, so the loader does not depend on
the API's class. The file is imported under a private module name (``ysched_jobs_<stem>``) so a
file called ``json.py`` cannot replace the standard library's module, with its folder put on
``sys.path`` so it can import its neighbours. A failing import is reported with the file and the
line from the traceback, never as a traceback.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import sysconfig
import traceback
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from ysched_tui.core.models import JobSpec
from ysched_tui.errors import JobsFileError, Problem

CollectedJobs = tuple[list[JobSpec], dict[str, Callable[..., Any]]]
"""What ``collect_jobs()`` returns: the specs and the callables behind them by job code."""


def load_python_jobs(path: Path) -> CollectedJobs:
    """Import a ``.py`` jobs file and collect the jobs of every scheduler object in it.

    Args:
        path: the ``.py`` file.

    Returns:
        The specs (``source_file`` filled in when the API left it empty) and the callables by code.

    Raises:
        JobsFileError: the file cannot be imported (file and line from the traceback), defines no
            object with ``collect_jobs()``, or two jobs share a code.
    """
    file = str(path)
    module = _import(path)
    providers = _providers(module)
    if not providers:
        message = (
            "defines no scheduler: expected an object with collect_jobs(), such as Scheduler()"
        )
        raise JobsFileError([Problem(file=file, message=message)])
    specs: list[JobSpec] = []
    callables: dict[str, Callable[..., Any]] = {}
    problems: list[Problem] = []
    for name, provider in providers:
        collected = _collect(path, name, provider, problems)
        for spec in collected[0]:
            if any(s.code == spec.code for s in specs):
                problems.append(Problem(file=file, code=spec.code, field="code",
                                        message=f"duplicate code {spec.code!r}"))
                continue
            specs.append(spec if spec.source_file else spec.model_copy(
                update={"source_file": file}))
        callables.update(collected[1])
    if problems:
        raise JobsFileError(problems)
    return specs, callables


def module_name_for(path: Path) -> str:
    """The private module name a jobs file is imported under."""
    return "ysched_jobs_" + re.sub(r"\W", "_", path.stem)


def _import(path: Path) -> ModuleType:
    resolved = path.resolve()
    if not resolved.is_file():
        raise JobsFileError([Problem(file=str(path), message="file not found")])
    folder = str(resolved.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    name = module_name_for(path)
    spec = importlib.util.spec_from_file_location(name, resolved)
    if spec is None or spec.loader is None:
        raise JobsFileError([Problem(file=str(path), message="cannot be imported as Python")])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as exc:
        del sys.modules[name]
        raise JobsFileError([_import_problem(path, exc)]) from None
    return module


def _import_problem(path: Path, exc: BaseException) -> Problem:
    """Where in ``path`` the import failed, and why (plus the deeper origin if elsewhere)."""
    resolved = path.resolve()
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if _same_file(f.filename, resolved)]
    line = own[-1].lineno if own else None
    origin = ""
    if isinstance(exc, SyntaxError) and exc.filename:
        if _same_file(exc.filename, resolved):
            line = exc.lineno
        else:
            origin = f" (in {exc.filename}:{exc.lineno})"
    elif frames and not _same_file(frames[-1].filename, resolved):
        deepest = _deepest_user_frame(frames)
        origin = f" (raised in {deepest.filename}:{deepest.lineno})"
    reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return Problem(file=str(path), message=f"cannot import: {reason}{origin}", line=line)


def _deepest_user_frame(frames: traceback.StackSummary) -> traceback.FrameSummary:
    """The innermost frame outside the standard library (where the user's mistake is)."""
    stdlib = Path(sysconfig.get_paths()["stdlib"]).resolve()
    for frame in reversed(frames):
        if frame.filename.startswith("<"):
            continue
        if not Path(frame.filename).resolve().is_relative_to(stdlib):
            return frame
    return frames[-1]


def _same_file(filename: str, resolved: Path) -> bool:
    try:
        return Path(filename).resolve() == resolved
    except OSError:
        return False


def _providers(module: ModuleType) -> list[tuple[str, Any]]:
    """Module-level objects (not classes or modules) with a callable ``collect_jobs``."""
    found: list[tuple[str, Any]] = []
    seen: set[int] = set()
    for name, value in vars(module).items():
        if isinstance(value, type | ModuleType) or id(value) in seen:
            continue
        if callable(getattr(value, "collect_jobs", None)):
            seen.add(id(value))
            found.append((name, value))
    return found


def _collect(path: Path, name: str, provider: Any, problems: list[Problem]) -> CollectedJobs:
    try:
        result = provider.collect_jobs()
    except Exception as exc:
        problem = _import_problem(path, exc)
        message = problem.message.replace("cannot import", f"{name}.collect_jobs() failed", 1)
        problems.append(Problem(file=problem.file, message=message, line=problem.line))
        return [], {}
    ok = (
        isinstance(result, tuple)
        and len(result) == 2
        and isinstance(result[0], list)
        and all(isinstance(s, JobSpec) for s in result[0])
        and isinstance(result[1], dict)
    )
    if not ok:
        problems.append(Problem(file=str(path), message=(
            f"{name}.collect_jobs() must return (list of JobSpec, dict of callables), "
            f"got {type(result).__name__}")))
        return [], {}
    return result[0], result[1]
