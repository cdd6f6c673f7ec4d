"""Finding script jobs in the scripts folder without running any of them.

Each ``*.py`` file not starting with ``_`` becomes one job. Everything is read with
:mod:`ast` — the parameters of ``run``, the ``TASK_INFO`` literal, the module docstring — so a
script with side effects at import does nothing until it is actually run. A script is manual-only
unless its ``TASK_INFO`` gives ``cron`` (one expression or a list) or ``every`` (a duration).
Problems in every script are collected and raised together, each naming the file and line.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ysched_tui.core.cron import validate_cron
from ysched_tui.core.durations import parse_duration
from ysched_tui.core.models import JobSource, JobSpec, ScriptTarget
from ysched_tui.core.params import params_from_source
from ysched_tui.core.triggers import CronTrigger, IntervalTrigger, TriggerSpec
from ysched_tui.errors import ConfigError, JobsFileError, Problem, YschedError


def discover_scripts(scripts_dir: Path) -> list[JobSpec]:
    """One :class:`JobSpec` per script in ``scripts_dir``, sorted by file name.

    Raises:
        JobsFileError: every problem found (syntax errors, no ``run``, bad ``TASK_INFO``,
            duplicate codes), each naming the file and, where known, the line.
        ConfigError: ``scripts_dir`` is not a folder.
    """
    if not scripts_dir.is_dir():
        raise ConfigError(f"scripts folder {str(scripts_dir)!r} does not exist or is not a folder")
    specs: list[JobSpec] = []
    problems: list[Problem] = []
    seen: dict[str, Path] = {}
    for path in sorted(scripts_dir.glob("*.py")):
        if path.name.startswith("_") or not path.is_file():
            continue
        try:
            spec = script_spec(path)
        except JobsFileError as exc:
            problems.extend(exc.problems)
            continue
        if spec.code in seen:
            problems.append(Problem(file=str(path), code=spec.code, message=(
                f"job code {spec.code!r} is already used by {seen[spec.code].name}")))
            continue
        seen[spec.code] = path
        specs.append(spec)
    if problems:
        raise JobsFileError(problems)
    return specs


def script_spec(path: Path) -> JobSpec:
    """The job described by one script file.

    Raises:
        JobsFileError: naming the file, the field and the line of what is wrong.
    """
    file = str(path)
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        unreadable = Problem(file=file, message=f"cannot read the script: {exc}")
        raise JobsFileError([unreadable]) from None
    params, info = params_from_source(source, file)
    tree = ast.parse(source, filename=file)
    info_line = _assignment_line(tree, "TASK_INFO")
    run_line = _assignment_line(tree, "run")
    code = str(info.get("code") or path.stem)

    def problem(message: str, field: str | None = None) -> JobsFileError:
        return JobsFileError([Problem(file=file, code=code, field=field, message=message,
                                      line=info_line if field else run_line)])

    docstring = (ast.get_docstring(tree) or "").strip()
    try:
        return JobSpec(
            code=code,
            name=str(info.get("name") or docstring.split("\n", 1)[0]),
            description=str(info.get("description") or docstring),
            tags=_tags(info.get("tags")),
            target=ScriptTarget(path=str(path.resolve()), params=params),
            triggers=_triggers(info, problem),
            timeout=_timeout(info, problem),
            source=JobSource.SCRIPT,
            source_file=file,
            source_line=run_line,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or None
        hint = "; set TASK_INFO['code']" if field == "code" and "code" not in info else ""
        raise problem(first["msg"].removeprefix("Value error, ") + hint,
                      f"TASK_INFO.{field}" if field else None) from None


def _assignment_line(tree: ast.Module, name: str) -> int | None:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
            return node.lineno
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, ast.AnnAssign) else [])
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return node.lineno
    return None


def _tags(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(t.strip() for t in value.split(",") if t.strip())
    return tuple(str(t) for t in value)


def _triggers(info: dict[str, Any], problem: Any) -> tuple[TriggerSpec, ...]:
    triggers: list[TriggerSpec] = []
    cron = info.get("cron")
    for expr in [cron] if isinstance(cron, str) else (cron or []):
        try:
            validate_cron(str(expr))  # kept as written; validated here to point at the file
            triggers.append(CronTrigger(expr=str(expr)))
        except YschedError as exc:
            raise problem(str(exc), "TASK_INFO.cron") from None
    if info.get("every") is not None:
        try:
            triggers.append(IntervalTrigger(seconds=parse_duration(info["every"])))
        except (YschedError, ValidationError) as exc:
            raise problem(f"every: {exc}", "TASK_INFO.every") from None
    return tuple(triggers)


def _timeout(info: dict[str, Any], problem: Any) -> float | None:
    if info.get("timeout") is None:
        return None
    try:
        return parse_duration(info["timeout"])
    except YschedError as exc:
        raise problem(str(exc), "TASK_INFO.timeout") from None
