"""Reading the configuration: the jobs file (TOML or Python), its includes and the scripts folder.

``load_all(settings)`` is what ``ysched-tui check`` calls and :class:`JobsLoader` what the engine
is given (the same reading, remembering fingerprints); the other functions load one kind of
file. Every problem found is raised together as one
:class:`~ysched_tui.errors.JobsFileError`. Settings themselves live in :mod:`ysched_tui.settings`.

The names below are imported on first use (PEP 562): :mod:`ysched_tui.settings` uses the small
helper modules of this package, and importing it must not pull in the loaders, the scripts
discovery and the job kinds behind them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ysched_tui.config.jobs_file import JobsLoader, load_all, load_jobs_file
    from ysched_tui.config.python_jobs import load_python_jobs

__all__ = ["JobsLoader", "load_all", "load_jobs_file", "load_python_jobs"]

_HOMES = {
    "JobsLoader": "ysched_tui.config.jobs_file",
    "load_all": "ysched_tui.config.jobs_file",
    "load_jobs_file": "ysched_tui.config.jobs_file",
    "load_python_jobs": "ysched_tui.config.python_jobs",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
