"""Job specifications, job state and run records: the data every layer exchanges.

A :class:`JobSpec` is what a job *is* (declared in a jobs file, the Python API, a script or at
runtime). :class:`JobState` is what the engine persists about it (paused, operator overrides,
next fire, counters). :class:`JobView` joins both for readers (console, CLI, API). A
:class:`RunRecord` is one execution; :class:`OutputLine` one line it printed.

This module is the stable import point for all of them; the models live by subject in
:mod:`~ysched_tui.core.models_specs` (specs and targets), :mod:`~ysched_tui.core.models_runs`
(runs, output, run figures, run ids), :mod:`~ysched_tui.core.models_state` (job state, views,
scheduler status) and :mod:`~ysched_tui.core.models_audit` (actors and the audit).
"""

from __future__ import annotations

from ysched_tui.core.models_audit import Actor, AuditAction, AuditEntry, Via
from ysched_tui.core.models_runs import (
    OutputLine,
    RunRecord,
    RunStatus,
    StatsReport,
    TrendBucket,
    TriggerType,
    WindowStats,
    ms_between,
    new_run_id,
)
from ysched_tui.core.models_specs import (
    CODE_PATTERN,
    CatchUp,
    CommandTarget,
    Hook,
    HttpTarget,
    JobSource,
    JobSpec,
    ParamSpec,
    ParamType,
    PythonTarget,
    RetryPolicy,
    ScriptTarget,
    Target,
)
from ysched_tui.core.models_state import (
    JobState,
    JobView,
    ReloadReport,
    SchedulerStatus,
    UpcomingFire,
    new_job_id,
)
from ysched_tui.core.triggers import TriggerSpec

__all__ = [
    "CODE_PATTERN",
    "Actor",
    "AuditAction",
    "AuditEntry",
    "CatchUp",
    "CommandTarget",
    "Hook",
    "HttpTarget",
    "JobSource",
    "JobSpec",
    "JobState",
    "JobView",
    "OutputLine",
    "ParamSpec",
    "ParamType",
    "PythonTarget",
    "ReloadReport",
    "RetryPolicy",
    "RunRecord",
    "RunStatus",
    "SchedulerStatus",
    "ScriptTarget",
    "StatsReport",
    "Target",
    "TrendBucket",
    "TriggerSpec",
    "TriggerType",
    "UpcomingFire",
    "Via",
    "WindowStats",
    "ms_between",
    "new_job_id",
    "new_run_id",
]
