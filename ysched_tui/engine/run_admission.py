"""Concurrency admission: whether a job may start another run now, and what happens if not.

A mixin of :class:`~ysched_tui.engine.runs.RunManager`, kept apart from starting and executing
runs. A job's ``concurrency`` is how many of its runs may be in progress at once (a number, or
``"queue"``/``"skip"`` meaning one): a fire beyond it waits in the job's line (``queue``) or is
recorded as ``skipped`` with the reason; a finished run lets the next queued fire in.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from ysched_tui.core.events import RunFinished
from ysched_tui.core.models import RunRecord, RunStatus
from ysched_tui.engine.bus import EventBus
from ysched_tui.engine.table import JobEntry, JobTable
from ysched_tui.jobs import Outcome


@dataclass(frozen=True, kw_only=True)
class _Fire:
    """A request to run a job, waiting in a ``queue`` job's line."""

    run: RunRecord


class RunAdmission:
    """Busy checks, skipped runs and the ``queue`` jobs' lines of waiting fires."""

    _table: JobTable
    _bus: EventBus
    _clock: Callable[[], datetime]
    _queues: dict[str, deque[_Fire]]

    if TYPE_CHECKING:  # provided by RunManager and RunRecording

        def _launch(self, entry: JobEntry, run: RunRecord) -> None:
            ...

        async def _finish(self, entry: JobEntry, run: RunRecord, outcome: Outcome) -> None:
            ...

        def _record(self, run: RunRecord) -> None:
            ...

    def _busy(self, entry: JobEntry) -> bool:
        policy = entry.spec.concurrency
        limit = policy if isinstance(policy, int) else 1
        return len(entry.running) >= limit

    def _busy_reason(self, entry: JobEntry) -> str:
        current = ", ".join(entry.running) or "?"
        policy = entry.spec.concurrency
        return f"is already running ({current}; concurrency={policy})"

    def _skip(self, entry: JobEntry, run: RunRecord, reason: str) -> RunRecord:
        now = self._clock()
        skipped = run.model_copy(
            update={
                "status": RunStatus.SKIPPED,
                "start_time": now,
                "end_time": now,
                "duration_ms": 0,
                "error": f"skipped: {reason}",
            }
        )
        self._record(skipped)
        self._bus.publish(RunFinished(run=skipped))
        return skipped

    def _next_from_queue(self, entry: JobEntry) -> None:
        queue = self._queues.get(entry.spec.code)
        while queue and not self._busy(entry):
            self._launch(entry, queue.popleft().run)

    async def _cancel_queued(self, run_id: str) -> bool:
        """Take ``run_id`` out of its job's line and record it cancelled.

        Returns:
            Whether ``run_id`` was waiting in a line (False: it is not queued).
        """
        for code, queue in self._queues.items():
            for fire in list(queue):
                if fire.run.run_id == run_id:
                    queue.remove(fire)
                    entry = self._table.get(code)
                    await self._finish(entry, fire.run, Outcome(
                        status=RunStatus.CANCELLED, error="cancelled by operator while queued",
                        retryable=False))
                    return True
        return False
