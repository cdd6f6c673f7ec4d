"""Reading one TOML jobs file: ``[[jobs]]`` tables, top-level keys and ``include`` entries.

The whole file is checked in one pass and problems are collected rather than raised, so the
caller (:mod:`ysched_tui.config.jobs_file`) can report them together with those of other files.
The ``[settings]`` table is only accepted here; :mod:`ysched_tui.settings` reads it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ysched_tui.config import parse_cache
from ysched_tui.config.job_table import read_job
from ysched_tui.config.table_reader import JobContext
from ysched_tui.config.toml_text import LineIndex, line_index, read_toml_file
from ysched_tui.config.values import unknown_key_message
from ysched_tui.core.models import JobSpec, ScriptTarget
from ysched_tui.errors import Problem

TOP_LEVEL_KEYS = ("jobs", "settings", "include")
"""What a TOML jobs file may contain at its top level."""

INCLUDE_SUFFIXES = (".toml", ".py")
"""The kinds of file ``include`` may name."""


@dataclass(slots=True)
class TomlJobs:
    """What one TOML jobs file defines, and what is wrong with it."""

    specs: list[JobSpec] = field(default_factory=list)
    includes: list[Path] = field(default_factory=list)
    """Other jobs files named by ``include``, resolved against this file's folder."""
    problems: list[Problem] = field(default_factory=list)
    fingerprints: list[str | None] = field(default_factory=list)
    """One per spec when the parse cache holds the specs (read from it or stored in it): the
    fingerprint each is known by; empty otherwise."""


def read_toml_jobs(path: Path, scripts: Mapping[str, JobSpec]) -> TomlJobs:
    """Read a TOML jobs file, collecting problems instead of raising on them.

    Args:
        path: the ``.toml`` file.
        scripts: discovered script jobs by code and by file stem.

    Raises:
        JobsFileError: only when the file cannot be read or is not valid TOML.
    """
    found = read_toml_file(path)
    data, lines = found.data, line_index(found.text)
    result = TomlJobs()
    file = str(path)
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            message = unknown_key_message(key, TOP_LEVEL_KEYS) + " at the top level"
            result.problems.append(Problem(file=file, message=message, field=key,
                                           line=lines.line_of(key)))
    result.includes = _read_includes(path, data.get("include"), lines, result.problems)
    tables = data.get("jobs", [])
    if not isinstance(tables, list):
        result.problems.append(Problem(file=file, message="'jobs' must be [[jobs]] tables",
                                       field="jobs", line=lines.line_of("jobs")))
        return result
    cache_key = parse_cache.specs_key(path, scripts)
    cached = parse_cache.cached_specs(path, found.digest, cache_key)
    if cached is not None:
        result.specs, result.fingerprints = cached
    else:
        known = len(result.problems)
        with parse_cache.paused_gc():
            _read_tables(tables, file, lines, scripts, result)
        if len(result.problems) == known:
            stored = parse_cache.store_specs(path, found.digest, cache_key, result.specs)
            result.fingerprints = stored or []
    result.problems.sort(key=lambda problem: problem.line or 0)
    return result


def _read_tables(
    tables: list[Any], file: str, lines: LineIndex, scripts: Mapping[str, JobSpec],
    result: TomlJobs,
) -> None:
    """Every ``[[jobs]]`` table into ``result``: its spec, or its problems."""
    first_line: dict[str, int | None] = {}
    for index, table in enumerate(tables):
        ctx = JobContext(file=file, index=index, lines=lines, problems=result.problems)
        if not isinstance(table, dict):
            ctx.add(None, f"expected a [[jobs]] table, got {table!r}")
            continue
        spec = read_job(table, ctx, scripts)
        if ctx.code is not None and ctx.code in first_line:
            first = first_line[ctx.code]
            ctx.add("code", f"duplicate code {ctx.code!r}: also defined at line {first}")
            continue
        if ctx.code is not None:
            first_line[ctx.code] = ctx.header_line
        if spec is not None:
            result.specs.append(spec)


def _read_includes(
    path: Path, raw: Any, lines: LineIndex, problems: list[Problem]
) -> list[Path]:
    if raw is None:
        return []
    names: Iterable[Any] = [raw] if isinstance(raw, str) else raw
    if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
        problems.append(Problem(file=str(path), field="include", line=lines.line_of("include"),
                                message=f"expected a list of file names, got {raw!r}"))
        return []
    found: list[Path] = []
    for name in names:
        target = (path.parent / Path(name).expanduser()).resolve()
        message = None
        if target.suffix not in INCLUDE_SUFFIXES:
            message = f"cannot include {name!r}: expected a .toml or .py jobs file"
        elif not target.is_file():
            message = f"cannot include {name!r}: file not found ({target})"
        if message is not None:
            problems.append(Problem(file=str(path), message=message, field="include",
                                    line=lines.line_of("include")))
        else:
            found.append(target)
    return found


def overridden_scripts(specs: Iterable[JobSpec], discovered: Iterable[JobSpec]) -> set[str]:
    """Codes of discovered script jobs that a jobs file entry replaces.

    A ``[[jobs]]`` entry with ``script = "name"`` and the same code as the discovered job (the
    script's own code) schedules that script: its triggers and values win, and the discovered
    manual-only job is dropped rather than reported as a duplicate.
    """
    paths = {
        spec.code: spec.target.path for spec in specs if isinstance(spec.target, ScriptTarget)
    }
    return {
        job.code
        for job in discovered
        if isinstance(job.target, ScriptTarget) and paths.get(job.code) == job.target.path
    }
