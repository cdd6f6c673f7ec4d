"""Concurrency admission: whether a job may start another run now, and the lines of waiting runs.

A job's ``concurrency`` is how many of its runs may be in progress at once (a number, or
``"queue"``/``"skip"`` meaning one). A run beyond it waits in its job's line (``queue``) or is
refused (any other policy: the caller records it as skipped, or refuses a manual run). When a
run ends, the next one waiting in the line may start.

:class:`Admission` is bookkeeping only: it reads a job's runs in progress from its
:class:`~ysched_tui.engine.table.JobEntry` and keeps the lines; starting, recording and
cancelling runs stay with :class:`~ysched_tui.engine.runs.RunManager`, which owns one.
"""

from __future__ import annotations

from collections import deque
from enum import Enum

from ysched_tui.core.models import RunRecord
from ysched_tui.engine.table import JobEntry


class Verdict(Enum):
    """What to do with a new run of a job."""

    START = "start"
    """Start it now."""
    QUEUE = "queue"
    """Put it in the job's line: the job is busy and its policy is ``queue``."""
    REFUSE = "refuse"
    """Do not run it: the job is busy and its policy is not ``queue``."""


class Admission:
    """Busy checks and the ``queue`` jobs' lines of waiting runs, by job code."""

    def __init__(self) -> None:
        self._lines: dict[str, deque[RunRecord]] = {}

    @staticmethod
    def busy(entry: JobEntry) -> bool:
        """Whether ``entry`` already has as many runs in progress as its concurrency allows."""
        policy = entry.spec.concurrency
        limit = policy if isinstance(policy, int) else 1
        return len(entry.running) >= limit

    def verdict(self, entry: JobEntry) -> Verdict:
        """Whether a new run of ``entry`` starts now, waits in line or is refused."""
        if not self.busy(entry):
            return Verdict.START
        return Verdict.QUEUE if entry.spec.concurrency == "queue" else Verdict.REFUSE

    @staticmethod
    def reason(entry: JobEntry) -> str:
        """Why a run of ``entry`` cannot start now (for the skipped run and the operator)."""
        current = ", ".join(entry.running) or "?"
        return f"is already running ({current}; concurrency={entry.spec.concurrency})"

    def enqueue(self, run: RunRecord) -> None:
        """Put ``run`` at the end of its job's line."""
        self._lines.setdefault(run.job_code, deque()).append(run)

    def next_for(self, entry: JobEntry) -> RunRecord | None:
        """Take the next run waiting in ``entry``'s line if the job may start one now."""
        line = self._lines.get(entry.spec.code)
        if not line or self.busy(entry):
            return None
        return line.popleft()

    def take(self, run_id: str) -> RunRecord | None:
        """Take ``run_id`` out of its line (``None``: it is not waiting in any)."""
        for line in self._lines.values():
            for run in line:
                if run.run_id == run_id:
                    line.remove(run)
                    return run
        return None

    def waiting(self, code: str) -> int:
        """How many runs of ``code`` wait in its line."""
        return len(self._lines.get(code, ()))

    def clear(self) -> None:
        """Forget every waiting run (the manager is stopping)."""
        self._lines.clear()
