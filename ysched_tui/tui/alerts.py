"""Toasts for failed, timed-out and missed runs, without flooding the screen.

One toast per failure is right for a few; when hundreds of runs fail at once (a database down,
a bad deploy) one toast each buried the screen and slowed it down (Textual checks every live
toast on every message: measured 4 million checks in 20 s). So at most :data:`BURST` toasts in
any :data:`WINDOW` seconds; the rest are counted and summed up in one toast when the window
ends, pointing at the failures view (``F``). The bell follows the same rule.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import Literal

from ysched_tui.core.models import RunRecord

BURST = 3
"""Most toasts shown in one window."""

WINDOW = 5.0
"""Seconds of the window."""

Severity = Literal["information", "warning", "error"]
Notify = Callable[[str, Severity], None]


class Alerts:
    """Decides which run alerts become toasts and sums up the rest.

    Args:
        notify: shows a toast (message, severity).
        bell: rings the terminal bell (or does nothing).
        later: runs a callback after some seconds (the screen's ``set_timer``).
        clock: monotonic seconds (tests pass a fake one).
    """

    def __init__(self, notify: Notify, bell: Callable[[], None],
                 later: Callable[[float, Callable[[], None]], object],
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._notify = notify
        self._bell = bell
        self._later = later
        self._clock = clock
        self._shown: deque[float] = deque()
        self.held = 0
        """Alerts not shown since the last summary."""
        self._summary_due = False

    def run_alert(self, kind: str, run: RunRecord) -> None:
        """A run changed: toast it if it failed, timed out or was missed."""
        if kind == "missed":
            self._alert(f"{run.job_code}: a fire was missed", "warning")
        elif run.status.is_failure:
            why = f": {run.error}" if run.error else ""
            self._alert(f"{run.job_code} {run.status.value}{why}", "error")

    def _alert(self, message: str, severity: Severity) -> None:
        now = self._clock()
        while self._shown and now - self._shown[0] >= WINDOW:
            self._shown.popleft()
        if len(self._shown) < BURST:
            self._shown.append(now)
            self._notify(message, severity)
            self._bell()
            return
        self.held += 1
        if not self._summary_due:
            self._summary_due = True
            self._later(WINDOW, self.summarize)

    def summarize(self) -> None:
        """Show one toast for the alerts held back (called when the window ends)."""
        self._summary_due = False
        if self.held:
            count, self.held = self.held, 0
            noun = "alert" if count == 1 else "alerts"
            self._shown.append(self._clock())
            self._notify(f"{count} more {noun} (failed, timed out or missed runs): "
                         "F shows the recent failures", "error")
            self._bell()
