"""Job kinds as async runners, and what the engine needs around them.

:func:`execute` runs one job of any kind (command, http, python, script) and always returns an
:class:`Outcome`; :func:`discover_scripts` turns the scripts folder into job specs without
running them; :func:`notify` delivers a hook. Job code itself uses the helpers in
:mod:`ysched_tui.core.context` (``JobContext``, ``task_log``, ``TaskResult``).
"""

from ysched_tui.jobs.base import LineSink, Outcome, RunRequest
from ysched_tui.jobs.discovery import discover_scripts
from ysched_tui.jobs.hooks import notify
from ysched_tui.jobs.runners import execute

__all__ = ["LineSink", "Outcome", "RunRequest", "discover_scripts", "execute", "notify"]
