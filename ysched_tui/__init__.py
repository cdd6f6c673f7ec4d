"""ysched-tui: a keyboard-driven terminal console for operating job schedules.

This module is the public Python API (seed 000): declare jobs with a :class:`Scheduler`
(decorators, ``add_job``, ``JobBuilder``, ``Job``/``HttpJob`` classes), trigger helpers
:func:`cron`, :func:`interval`, :func:`once`, retries with :class:`RetryStrategy`, and inside a
job :class:`JobContext`, :func:`task_log` and :class:`TaskResult`. Importing it never imports
the console (textual) nor the engine; the engine is loaded by ``Scheduler.start()``.
"""

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
    DurationError,
    InvalidOperation,
    JobNotFound,
    JobsFileError,
    NotOwner,
    ParamError,
    RunNotFound,
    SchemaTooNew,
    StorageError,
    YschedError,
)
from ysched_tui.settings import Settings

__version__ = "0.1.0"

__all__ = [
    "BuiltJob",
    "ConfigError",
    "CronError",
    "DatabaseLocked",
    "DurationError",
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
    "NotOwner",
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
    "TaskResult",
    "TriggerType",
    "YschedError",
    "__version__",
    "cron",
    "interval",
    "once",
    "task_log",
]
