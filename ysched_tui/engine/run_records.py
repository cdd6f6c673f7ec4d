"""Recording runs: every run record handed to the repository, and the job figures it changes.

A mixin of :class:`~ysched_tui.engine.runs.RunManager`, kept apart from starting and executing
runs. Records are written in tasks (the repository buffers them) so that recording never holds a
run up; :meth:`RunRecording.drain` lets a reader wait for the ones already handed over. A failed
write is logged, never raised into the engine.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ysched_tui.core.events import RunMissed
from ysched_tui.core.models import RunRecord, RunStatus, TriggerType, new_run_id
from ysched_tui.core.repository import Repository
from ysched_tui.engine.bus import EventBus
from ysched_tui.engine.table import JobEntry

log = logging.getLogger("ysched_tui.engine")

_HOST = socket.gethostname()
"""The host recorded on every run (where it ran)."""


class RunRecording:
    """Run records to the repository, missed fires, and a job's run figures."""

    _repo: Repository
    _bus: EventBus
    _clock: Callable[[], datetime]
    _zone: ZoneInfo
    _recording: set[asyncio.Task[None]]

    if TYPE_CHECKING:  # provided by RunFollowUps

        def _hooks(self, entry: JobEntry, run: RunRecord, event: str) -> None:
            ...

    def record_missed(self, entry: JobEntry, scheduled_time: datetime, reason: str) -> RunRecord:
        """Record a fire that did not run as ``missed`` and publish it."""
        now = self._clock()
        run = RunRecord(
            run_id=new_run_id(now.astimezone(self._zone)),
            job_code=entry.spec.code,
            job_id=entry.state.id,
            trigger_type=TriggerType.SCHEDULED,
            scheduled_time=scheduled_time,
            end_time=now,
            status=RunStatus.MISSED,
            error=f"missed: {reason}",
            hostname=_HOST,
            pid=os.getpid(),
        )
        self._record(run)
        self._bus.publish(RunMissed(run=run))
        self._hooks(entry, run, "missed")
        return run

    def _update_state(self, entry: JobEntry, run: RunRecord) -> None:
        st = entry.state
        entry.state = st.model_copy(
            update={
                "run_count": st.run_count + 1,
                "fail_count": st.fail_count + (1 if run.status.is_failure else 0),
                "last_run_id": run.run_id,
                "last_status": run.status,
                "last_duration_ms": run.duration_ms,
                "last_end_time": run.end_time,
            }
        )

    def _record(self, run: RunRecord) -> None:
        task = asyncio.get_running_loop().create_task(self._repo.record_run(run))
        self._recording.add(task)
        task.add_done_callback(self._recording.discard)
        task.add_done_callback(_log_failure)

    async def drain(self) -> None:
        """Wait until every run recorded so far has reached the repository's buffer.

        Only the records pending at the call are awaited: under sustained load new ones keep
        coming, and a reader must not wait for all of them (it would never return).
        """
        if self._recording:
            await asyncio.wait(set(self._recording))


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("recording a run failed: %s", task.exception())
