"""The scheduling engine: the only package importing APScheduler.

:class:`Engine` implements :class:`ysched_tui.core.service.SchedulerService` in-process, from a
repository and a jobs loader it is given (built by :mod:`ysched_tui.owner.assembly`).
"""

from ysched_tui.engine.service import Engine

__all__ = ["Engine"]
