"""The scheduling engine: the only package importing APScheduler.

:class:`Engine` implements :class:`ysched_tui.core.service.SchedulerService` in-process.
"""

from ysched_tui.engine.service import Engine

__all__ = ["Engine"]
