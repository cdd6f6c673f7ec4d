"""The public entry points for jobs: one TOML file, or everything the configuration defines.

:func:`load_all` is what the daemon, the console and ``ysched-tui check`` call: the jobs file
(TOML or Python; a TOML file may ``include`` more files of either kind) plus the scripts found
in ``scripts_dir``, which become manual jobs unless a ``[[jobs]]`` entry schedules them. Every
problem from every source is raised together as one :class:`~ysched_tui.errors.JobsFileError`,
each naming the file, the job code, the field and the line; a code defined twice anywhere is
one of them.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from ysched_tui.config.python_jobs import load_python_jobs
from ysched_tui.config.scripts import discover, script_index
from ysched_tui.config.spec_codec import spec_fingerprint
from ysched_tui.config.toml_jobs import overridden_scripts, read_toml_jobs
from ysched_tui.config.toml_text import forget_parsed
from ysched_tui.core.models import JobSpec
from ysched_tui.errors import JobsFileError, Problem


class JobSources(Protocol):
    """Where the jobs are declared: what this module reads of the settings (which sit above
    config and are given, never imported)."""

    @property
    def jobs(self) -> Path | None:
        """The jobs file (TOML or Python), if any."""

    @property
    def scripts_dir(self) -> Path | None:
        """The scripts folder, if any."""

Callables = dict[str, Callable[..., Any]]
"""Python callables behind API-declared jobs, by job code."""


def load_jobs_file(path: Path, settings: JobSources) -> list[JobSpec]:
    """The jobs a TOML file defines (its ``include`` entries are not followed here).

    Args:
        path: the ``.toml`` file.
        settings: for ``scripts_dir``, which ``script = "name"`` entries refer to.

    Returns:
        One spec per ``[[jobs]]`` table, in file order, with ``source_file``/``source_line``.

    Raises:
        JobsFileError: listing every problem found (syntax, keys, values, duplicates).
    """
    problems: list[Problem] = []
    scripts = discover(settings.scripts_dir, problems)
    try:
        result = read_toml_jobs(path, script_index(scripts))
    except JobsFileError as exc:
        raise JobsFileError(problems + exc.problems) from None
    problems += result.problems
    if problems:
        raise JobsFileError(problems)
    return result.specs


class _Collected:
    """Specs and callables gathered from several files, with their problems."""

    def __init__(self) -> None:
        self.specs: list[JobSpec] = []
        self.callables: Callables = {}
        self.problems: list[Problem] = []
        self.visited: set[Path] = set()
        self.fingerprints: list[tuple[JobSpec, str | None]] = []
        """(spec, fingerprint) of the specs the parse cache knows."""


def load_all(settings: JobSources) -> tuple[list[JobSpec], Callables]:
    """Load every job: ``settings.jobs`` (TOML or .py, following includes) and the scripts.

    Args:
        settings: ``jobs`` and ``scripts_dir`` say where to look; with neither there are no jobs.

    Returns:
        The specs (file jobs first, then unscheduled scripts) and the Python callables by code.

    Raises:
        JobsFileError: every problem in every file, including codes defined more than once.
    """
    collected = _collect(settings)
    return collected.specs, collected.callables


def _collect(settings: JobSources) -> _Collected:
    collected = _Collected()
    discovered = discover(settings.scripts_dir, collected.problems)
    scripts = script_index(discovered)
    if settings.jobs is not None:
        _load_file(settings.jobs, scripts, collected)
    replaced = overridden_scripts(collected.specs, discovered)
    collected.specs += [job for job in discovered if job.code not in replaced]
    collected.problems += _duplicates(collected.specs)
    if collected.problems:
        raise JobsFileError(collected.problems)
    return collected


class JobsLoader:
    """Reads the jobs a configuration declares, and knows the fingerprints of what it read.

    One per engine, built by the composition root. Fingerprints of live specs are remembered
    by identity (~350 bytes a job) until :meth:`forget`: those read from the parse cache come
    with it, others are computed once when asked for.
    """

    def __init__(self) -> None:
        self._fingerprints: dict[int, tuple[weakref.ref[JobSpec], str | None]] = {}

    def load(self, settings: JobSources) -> tuple[list[JobSpec], Callables]:
        """What :func:`load_all` returns, remembering the fingerprints the cache holds.

        Raises:
            JobsFileError: every problem in every file, including codes defined more than once.
        """
        collected = _collect(settings)
        for spec, value in collected.fingerprints:
            self._remember(spec, value)
        return collected.specs, collected.callables

    def fingerprint(self, spec: JobSpec) -> str | None:
        """:func:`~ysched_tui.config.spec_codec.spec_fingerprint` of ``spec``, free for specs
        that came out of the parse cache or whose fingerprint was asked for before."""
        known = self._fingerprints.get(id(spec))
        if known is not None and known[0]() is spec:
            return known[1]
        value = spec_fingerprint(spec)
        self._remember(spec, value)
        return value

    def fingerprints(self, specs: Sequence[JobSpec]) -> dict[str, str | None]:
        """:meth:`fingerprint` of each spec, by code."""
        return {spec.code: self.fingerprint(spec) for spec in specs}

    def forget(self) -> None:
        """Drop the fingerprints and every file this process parsed (the on-disk parse cache
        stays): after a start, which needed them only to build and sync the specs, and
        before a reload, which must read the files again."""
        self._fingerprints.clear()
        forget_parsed()

    def _remember(self, spec: JobSpec, value: str | None) -> None:
        key = id(spec)
        self._fingerprints[key] = (weakref.ref(spec, functools.partial(self._dead, key)), value)

    def _dead(self, key: int, _ref: object) -> None:
        """The spec died: its id may be reused, so its fingerprint goes."""
        self._fingerprints.pop(key, None)


def _load_file(path: Path, scripts: Mapping[str, JobSpec], collected: _Collected) -> None:
    resolved = path.resolve()
    if resolved in collected.visited:
        return
    collected.visited.add(resolved)
    try:
        if path.suffix == ".py":
            specs, callables = load_python_jobs(path)
            collected.specs += specs
            collected.callables.update(callables)
            return
        result = read_toml_jobs(path, scripts)
    except JobsFileError as exc:
        collected.problems += exc.problems
        return
    collected.specs += result.specs
    collected.problems += result.problems
    collected.fingerprints += zip(result.specs, result.fingerprints, strict=False)
    for included in result.includes:
        _load_file(included, scripts, collected)


def _duplicates(specs: list[JobSpec]) -> list[Problem]:
    """A problem for each spec whose code an earlier spec (from another file) already uses."""
    first: dict[str, JobSpec] = {}
    problems: list[Problem] = []
    for spec in specs:
        earlier = first.setdefault(spec.code, spec)
        if earlier is spec:
            continue
        problems.append(Problem(
            file=spec.source_file or spec.source.value,
            message=f"duplicate code {spec.code!r}: also defined in {_where(earlier)}",
            code=spec.code,
            field="code",
            line=spec.source_line,
        ))
    return problems


def _where(spec: JobSpec) -> str:
    where = spec.source_file or f"the {spec.source.value} jobs"
    return f"{where}:{spec.source_line}" if spec.source_line else where
