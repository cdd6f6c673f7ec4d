"""ysched-tui: a keyboard-driven terminal console for operating job schedules.

This module is the public Python API: declare jobs with a :class:`Scheduler`
(decorators, ``add_job``, ``JobBuilder``, ``Job``/``HttpJob`` classes), trigger helpers
:func:`cron`, :func:`interval`, :func:`once`, retries with :class:`RetryStrategy`, and inside a
job :class:`JobContext`, :func:`task_log` and :class:`TaskResult`. It also exports what the
scheduler's methods return (``JobView``, ``RunRecord`` ...), the events ``Scheduler.subscribe``
delivers, and the errors they raise. Importing it never imports
the console (textual) nor the engine; the engine is loaded by ``Scheduler.start()``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ysched_tui.version import __version__

if TYPE_CHECKING:
    from ysched_tui.api import (
        BuiltJob,
        HttpJob,
        Job,
        JobBuilder,
        RetryableError,
        RetryStrategy,
        Scheduler,
        cron,
        interval,
        once,
    )
    from ysched_tui.api.listeners import Subscription
    from ysched_tui.core.context import JobContext, TaskResult, task_log
    from ysched_tui.core.events import (
        Event,
        JobRemoved,
        JobUpdated,
        RetryScheduled,
        RunFinished,
        RunMissed,
        RunOutput,
        RunStarted,
        StatusChanged,
    )
    from ysched_tui.core.models import (
        JobSpec,
        JobView,
        OutputLine,
        RetryPolicy,
        RunRecord,
        RunStatus,
        StatsReport,
        TriggerType,
    )
    from ysched_tui.errors import (
        ConfigError,
        CronError,
        DatabaseLocked,
        InvalidOperation,
        JobNotFound,
        JobsFileError,
        ParamError,
        RunNotFound,
        SchemaTooNew,
        StorageError,
        YschedError,
    )
    from ysched_tui.settings import Settings

_LAZY: dict[str, str] = {
    "BuiltJob": "ysched_tui.api",
    "HttpJob": "ysched_tui.api",
    "Job": "ysched_tui.api",
    "JobBuilder": "ysched_tui.api",
    "RetryableError": "ysched_tui.api",
    "RetryStrategy": "ysched_tui.api",
    "Scheduler": "ysched_tui.api",
    "cron": "ysched_tui.api",
    "interval": "ysched_tui.api",
    "once": "ysched_tui.api",
    "Subscription": "ysched_tui.api.listeners",
    "JobContext": "ysched_tui.core.context",
    "TaskResult": "ysched_tui.core.context",
    "task_log": "ysched_tui.core.context",
    "Event": "ysched_tui.core.events",
    "JobRemoved": "ysched_tui.core.events",
    "JobUpdated": "ysched_tui.core.events",
    "RetryScheduled": "ysched_tui.core.events",
    "RunFinished": "ysched_tui.core.events",
    "RunMissed": "ysched_tui.core.events",
    "RunOutput": "ysched_tui.core.events",
    "RunStarted": "ysched_tui.core.events",
    "StatusChanged": "ysched_tui.core.events",
    "JobSpec": "ysched_tui.core.models",
    "JobView": "ysched_tui.core.models",
    "OutputLine": "ysched_tui.core.models",
    "RetryPolicy": "ysched_tui.core.models",
    "RunRecord": "ysched_tui.core.models",
    "RunStatus": "ysched_tui.core.models",
    "StatsReport": "ysched_tui.core.models",
    "TriggerType": "ysched_tui.core.models",
    "ConfigError": "ysched_tui.errors",
    "CronError": "ysched_tui.errors",
    "DatabaseLocked": "ysched_tui.errors",
    "InvalidOperation": "ysched_tui.errors",
    "JobNotFound": "ysched_tui.errors",
    "JobsFileError": "ysched_tui.errors",
    "ParamError": "ysched_tui.errors",
    "RunNotFound": "ysched_tui.errors",
    "SchemaTooNew": "ysched_tui.errors",
    "StorageError": "ysched_tui.errors",
    "YschedError": "ysched_tui.errors",
    "Settings": "ysched_tui.settings",
}
"""Public name -> the module defining it, imported on first use (PEP 562): the console and
the CLI import this package but never need the Python API, whose import alone took ~240 ms."""


__all__ = [
    "BuiltJob",
    "ConfigError",
    "CronError",
    "DatabaseLocked",
    "Event",
    "HttpJob",
    "InvalidOperation",
    "Job",
    "JobBuilder",
    "JobContext",
    "JobNotFound",
    "JobRemoved",
    "JobSpec",
    "JobUpdated",
    "JobView",
    "JobsFileError",
    "OutputLine",
    "ParamError",
    "RetryPolicy",
    "RetryScheduled",
    "RetryStrategy",
    "RetryableError",
    "RunFinished",
    "RunMissed",
    "RunNotFound",
    "RunOutput",
    "RunRecord",
    "RunStarted",
    "RunStatus",
    "Scheduler",
    "SchemaTooNew",
    "Settings",
    "StatsReport",
    "StatusChanged",
    "StorageError",
    "Subscription",
    "TaskResult",
    "TriggerType",
    "YschedError",
    "__version__",
    "cron",
    "interval",
    "once",
    "task_log",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'ysched_tui' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
