"""The scripts folder as the loader sees it: script jobs, indexed for ``script = "name"``.

Discovery itself (reading ``async def run(**params)`` signatures and ``TASK_INFO``) belongs to
:mod:`ysched_tui.jobs.discovery`; here its results are collected into the loader's problem list so a
broken script is reported together with the jobs file's own problems.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ysched_tui.core.models import JobSpec, ScriptTarget
from ysched_tui.errors import ConfigError, JobsFileError, Problem
from ysched_tui.jobs.discovery import discover_scripts


def discover(scripts_dir: Path | None, problems: list[Problem]) -> list[JobSpec]:
    """The script jobs in ``scripts_dir`` (none when unset); problems are appended, not raised."""
    if scripts_dir is None:
        return []
    try:
        return discover_scripts(scripts_dir)
    except JobsFileError as exc:
        problems.extend(exc.problems)
    except ConfigError as exc:
        problems.append(Problem(file=str(scripts_dir), field="scripts_dir", message=str(exc)))
    return []


def script_index(scripts: Sequence[JobSpec]) -> dict[str, JobSpec]:
    """Script jobs by file stem and by code, so ``script = "name"`` may use either."""
    index: dict[str, JobSpec] = {}
    for job in scripts:
        if isinstance(job.target, ScriptTarget):
            index[Path(job.target.path).stem] = job
    for job in scripts:
        index[job.code] = job
    return index
