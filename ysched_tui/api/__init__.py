"""The Python API: declare jobs in code and run them on the ysched-tui engine.

Everything here produces the same core models as a jobs file (``JobSpec`` with ``source=api``),
so a job declared in Python is stored, shown, previewed and operated exactly like any other. The
names are re-exported from :mod:`ysched_tui`; import them from there.
"""

from ysched_tui.api.builder import BuiltJob, JobBuilder
from ysched_tui.api.job_class import HttpJob, Job
from ysched_tui.api.retry import RetryableError, RetryStrategy
from ysched_tui.api.scheduler import Scheduler
from ysched_tui.api.triggers import cron, interval, once

__all__ = [
    "BuiltJob",
    "HttpJob",
    "Job",
    "JobBuilder",
    "RetryStrategy",
    "RetryableError",
    "Scheduler",
    "cron",
    "interval",
    "once",
]
