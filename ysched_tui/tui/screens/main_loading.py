"""The main screen's reads: workers that ask the service and post what they got.

Workers fetch, handlers render: each method here is an exclusive worker (a newer request of the
same kind cancels an older one still waiting on the service) that ends with ``post_message``;
the handlers in :mod:`ysched_tui.tui.screens.main` push the result into the panes. A failed read
is shown as an error notification, never a traceback.

Service calls run shielded (:meth:`MainLoading.read`): cancelling a worker (a newer request, or the
app exiting) abandons the result but lets the call itself finish, because a database read
cancelled half-way leaves its pooled connection to be closed by the garbage collector, which can
hang the event loop's shutdown. :meth:`MainLoading.settle` waits for calls still in flight.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Awaitable
from typing import Any, TypeVar

from textual import work
from textual.screen import Screen

from ysched_tui.core.models import JobView, OutputLine, RunRecord
from ysched_tui.core.service import SchedulerService
from ysched_tui.errors import YschedError
from ysched_tui.tui.bridge import EventBridge
from ysched_tui.tui.messages import (
    JobsLoaded,
    RunLoaded,
    RunStepRequested,
    StatsLoaded,
    StatusUpdated,
    UpcomingLoaded,
)
from ysched_tui.tui.widgets.run_log import Kept

T = TypeVar("T")

UPCOMING = 50
"""Fires read for the next-runs pane (paused jobs included, shown greyed)."""


class MainLoading(Screen[None]):
    """Service reads of the main screen."""

    service: SchedulerService
    jobs: dict[str, JobView]
    selected: str | None
    awaiting: dict[str, list[Kept]]
    bridge: EventBridge | None
    _reads: set[asyncio.Future[Any]]

    async def read(self, call: Awaitable[T]) -> T:
        """Await a service call that a cancelled worker abandons instead of interrupting."""
        if not hasattr(self, "_reads"):
            self._reads = set()
        task: asyncio.Future[T] = asyncio.ensure_future(call)
        self._reads.add(task)
        task.add_done_callback(_retrieve)
        task.add_done_callback(self._reads.discard)
        return await asyncio.shield(task)

    async def settle(self) -> None:
        """Wait for service calls still in flight (before the service is stopped)."""
        pending = list(getattr(self, "_reads", ()))
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)

    @work(exclusive=True, group="jobs", exit_on_error=False)
    async def load_jobs(self) -> None:
        """Read every job once, when the screen opens."""
        try:
            jobs = await self.read(self.service.list_jobs())
            if self.bridge is not None:  # changes still batched are older than this list
                self.bridge.drop_job_changes()
            self.post_message(JobsLoaded(jobs))
        except YschedError as exc:
            gc.enable()  # held until the first paint of the jobs, which will not come
            self.notify(f"cannot read jobs: {exc}", severity="error")

    @work(exclusive=True, group="status", exit_on_error=False)
    async def load_status(self) -> None:
        """Read the header figures."""
        try:
            self.post_message(StatusUpdated(await self.read(self.service.status())))
        except YschedError as exc:
            self.notify(f"cannot read status: {exc}", severity="error")

    @work(exclusive=True, group="upcoming", exit_on_error=False)
    async def load_upcoming(self) -> None:
        """Read the merged timeline of the next fires."""
        try:
            fires = await self.read(self.service.upcoming(UPCOMING, include_paused=True))
        except YschedError as exc:
            self.notify(f"cannot read next runs: {exc}", severity="error")
            return
        self.post_message(UpcomingLoaded(fires))

    def load_stats(self, code: str | None) -> None:
        """Read the stats of one job (or of all jobs, for ``None``)."""
        if code is None:
            self._load_all_stats()
        else:
            self._load_job_stats(code)

    @work(exclusive=True, group="stats-all", exit_on_error=False)
    async def _load_all_stats(self) -> None:
        await self._read_stats(None)

    @work(exclusive=True, group="stats-job", exit_on_error=False)
    async def _load_job_stats(self, code: str) -> None:
        await self._read_stats(code)

    async def _read_stats(self, code: str | None) -> None:
        try:
            report = await self.read(self.service.stats(code))
            hourly = await self.read(self.service.trend(code, unit="hour", count=24))
            daily = await self.read(self.service.trend(code, unit="day", count=14))
        except YschedError as exc:
            self.notify(f"cannot read stats: {exc}", severity="error")
            return
        self.post_message(StatsLoaded(code=code, report=report, hourly=hourly, daily=daily))

    @work(exclusive=True, group="run", exit_on_error=False)
    async def load_run(self, code: str, run_id: str | None) -> None:
        """Read a run and its stored output for the log pane.

        Args:
            code: the job.
            run_id: the run; None means the job's run in progress, else its latest run.
        """
        job = self.jobs.get(code)
        if run_id is None and job is not None and job.running:
            run_id = job.running[-1]
        try:
            run = await self._find_run(code, run_id)
            if run is not None:
                self._await_lines_of(run.run_id)
            lines = await self.read(self._tail(run.run_id)) if run else []
        except YschedError as exc:
            self.notify(f"cannot read runs of {code}: {exc}", severity="error")
            return
        self.post_message(RunLoaded(code=code, run=run, lines=lines))

    async def _tail(self, run_id: str) -> list[OutputLine]:
        """The stored end of a run, as much as the log pane keeps."""
        keep = int(self.app.settings.ui.log_max_lines)  # type: ignore[attr-defined]
        return await self.service.run_output(run_id, tail=keep)

    def _await_lines_of(self, run_id: str) -> None:
        """Keep live lines of the run being loaded (one at a time: an abandoned load's lines
        must not pile up forever)."""
        kept = self.awaiting.get(run_id, [])
        self.awaiting.clear()
        self.awaiting[run_id] = kept

    async def _find_run(self, code: str, run_id: str | None) -> RunRecord | None:
        if run_id is not None:
            return await self.read(self.service.get_run(run_id))
        latest = await self.read(self.service.list_runs(code, limit=1))
        return latest[0] if latest else None

    async def on_run_step_requested(self, message: RunStepRequested) -> None:
        """``[`` / ``]`` in the log pane: the previous or next run of the selected job."""
        if self.selected is not None:
            self._step_run(self.selected, message.run_id, message.delta)

    @work(exclusive=True, group="run", exit_on_error=False)
    async def _step_run(self, code: str, run_id: str | None, delta: int) -> None:
        try:
            runs = await self.read(self.service.list_runs(code, limit=1000))
        except YschedError as exc:
            self.notify(f"cannot read runs of {code}: {exc}", severity="error")
            return
        ids = [run.run_id for run in runs]  # newest first
        index = ids.index(run_id) - delta if run_id in ids else 0
        if not ids or not 0 <= index < len(ids):
            self.notify(f"{code}: no {'older' if delta < 0 else 'newer'} run", timeout=2)
            return
        run = runs[index]
        self._await_lines_of(run.run_id)
        lines = await self.read(self._tail(run.run_id))
        self.post_message(RunLoaded(code=code, run=run, lines=lines))


def _retrieve(task: asyncio.Future[Any]) -> None:
    """Mark an abandoned call's error as seen (the worker that wanted it is gone)."""
    if not task.cancelled():
        task.exception()
