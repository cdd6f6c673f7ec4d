"""The main screen's reads: workers that ask the service and post what they got.

Workers fetch, handlers render: each read runs in an exclusive worker of the screen (a newer
request of the same kind cancels an older one still waiting on the service) and ends with
``post_message`` to the screen, whose handlers push the result into the panes. A failed read is
shown as an error notification, never a traceback.

Service calls run shielded (:meth:`MainLoader.read`): cancelling a worker (a newer request, or the
app exiting) abandons the result but lets the call itself finish, because a database read
cancelled half-way leaves its pooled connection to be closed by the garbage collector, which can
hang the event loop's shutdown. :meth:`MainLoader.settle` waits for calls still in flight.

A run chosen for the log pane is read in two steps (the run, then its stored tail); output lines
printed meanwhile are kept (:meth:`MainLoader.keep_live`) and handed over with the run
(:meth:`MainLoader.live_lines_of`), so none are lost between the read and the first live batch.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import partial
from typing import Any, TypeVar

from textual.widget import Widget

from ysched_tui.core.models import OutputLine, RunRecord
from ysched_tui.core.service import SchedulerService
from ysched_tui.errors import YschedError
from ysched_tui.tui.messages import (
    JobsLoaded,
    RunLoaded,
    StatsLoaded,
    StatusUpdated,
    UpcomingLoaded,
)
from ysched_tui.tui.widgets.run_log import Kept, kept_lines

T = TypeVar("T")

UPCOMING = 50
"""Fires read for the next-runs pane (paused jobs included, shown greyed)."""


class MainLoader:
    """Reads the main screen's data from the service in the screen's workers.

    Args:
        service: the scheduler to read from.
        screen: the widget the workers belong to, the messages go to and failures are told on.
        tail_lines: how many stored lines of a run to read (as many as the log pane keeps).
        jobs_read: called with the job list in hand, before it is posted (job changes still
            being batched are older than the list and must be dropped).
    """

    def __init__(
        self,
        service: SchedulerService,
        screen: Widget,
        *,
        tail_lines: int,
        jobs_read: Callable[[], None],
    ) -> None:
        self._service = service
        self._screen = screen
        self._tail_lines = tail_lines
        self._jobs_read = jobs_read
        self._reads: set[asyncio.Future[Any]] = set()
        self._live: dict[str, list[Kept]] = {}
        """Live lines of the run being loaded into the log, kept until the load lands."""

    # --- calls in flight ----------------------------------------------------------------

    async def read(self, call: Awaitable[T]) -> T:
        """Await a service call that a cancelled worker abandons instead of interrupting."""
        task: asyncio.Future[T] = asyncio.ensure_future(call)
        self._reads.add(task)
        task.add_done_callback(_retrieve)
        task.add_done_callback(self._reads.discard)
        return await asyncio.shield(task)

    async def settle(self) -> None:
        """Wait for service calls still in flight (before the service is stopped)."""
        pending = list(self._reads)
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)

    def _start(self, work: Callable[[], Awaitable[None]], group: str) -> None:
        self._screen.run_worker(work, group=group, exclusive=True, exit_on_error=False)

    def _fail(self, text: str) -> None:
        self._screen.notify(text, severity="error")

    # --- the reads ----------------------------------------------------------------------

    def load_jobs(self) -> None:
        """Read every job once, when the screen opens."""
        self._start(self._read_jobs, "jobs")

    async def _read_jobs(self) -> None:
        try:
            jobs = await self.read(self._service.list_jobs())
        except YschedError as exc:
            self._fail(f"cannot read jobs: {exc}")
            return
        self._jobs_read()
        self._screen.post_message(JobsLoaded(jobs))

    def load_status(self) -> None:
        """Read the header figures."""
        self._start(self._read_status, "status")

    async def _read_status(self) -> None:
        try:
            status = await self.read(self._service.status())
        except YschedError as exc:
            self._fail(f"cannot read status: {exc}")
            return
        self._screen.post_message(StatusUpdated(status))

    def load_upcoming(self) -> None:
        """Read the merged timeline of the next fires."""
        self._start(self._read_upcoming, "upcoming")

    async def _read_upcoming(self) -> None:
        try:
            fires = await self.read(self._service.upcoming(UPCOMING, include_paused=True))
        except YschedError as exc:
            self._fail(f"cannot read next runs: {exc}")
            return
        self._screen.post_message(UpcomingLoaded(fires))

    def load_stats(self, code: str | None) -> None:
        """Read the stats of one job (or of all jobs, for ``None``; each kind in its own
        worker group, so a job's stats never cancel the all-jobs read)."""
        self._start(partial(self._read_stats, code), "stats-all" if code is None else "stats-job")

    async def _read_stats(self, code: str | None) -> None:
        try:
            report = await self.read(self._service.stats(code))
            hourly = await self.read(self._service.trend(code, unit="hour", count=24))
            daily = await self.read(self._service.trend(code, unit="day", count=14))
        except YschedError as exc:
            self._fail(f"cannot read stats: {exc}")
            return
        self._screen.post_message(
            StatsLoaded(code=code, report=report, hourly=hourly, daily=daily))

    def load_run(self, code: str, run_id: str | None) -> None:
        """Read a run and its stored output for the log pane.

        Args:
            code: the job.
            run_id: the run; None means the job's latest run.
        """
        self._start(partial(self._read_run, code, run_id), "run")

    async def _read_run(self, code: str, run_id: str | None) -> None:
        try:
            run = await self._find_run(code, run_id)
            if run is not None:
                self._keep_lines_of(run.run_id)
            lines = await self.read(self._tail(run.run_id)) if run else []
        except YschedError as exc:
            self._fail(f"cannot read runs of {code}: {exc}")
            return
        self._screen.post_message(RunLoaded(code=code, run=run, lines=lines))

    def step_run(self, code: str, run_id: str | None, delta: int) -> None:
        """Read the run ``delta`` runs newer (+) or older (-) than ``run_id`` of ``code``."""
        self._start(partial(self._read_step, code, run_id, delta), "run")

    async def _read_step(self, code: str, run_id: str | None, delta: int) -> None:
        try:
            runs = await self.read(self._service.list_runs(code, limit=1000))
        except YschedError as exc:
            self._fail(f"cannot read runs of {code}: {exc}")
            return
        ids = [run.run_id for run in runs]  # newest first
        index = ids.index(run_id) - delta if run_id in ids else 0
        if not ids or not 0 <= index < len(ids):
            self._screen.notify(f"{code}: no {'older' if delta < 0 else 'newer'} run", timeout=2)
            return
        run = runs[index]
        self._keep_lines_of(run.run_id)
        lines = await self.read(self._tail(run.run_id))
        self._screen.post_message(RunLoaded(code=code, run=run, lines=lines))

    async def _tail(self, run_id: str) -> list[OutputLine]:
        """The stored end of a run, as much as the log pane keeps."""
        return await self._service.run_output(run_id, tail=self._tail_lines)

    async def _find_run(self, code: str, run_id: str | None) -> RunRecord | None:
        if run_id is not None:
            return await self.read(self._service.get_run(run_id))
        latest = await self.read(self._service.list_runs(code, limit=1))
        return latest[0] if latest else None

    # --- live lines of the run being loaded -------------------------------------------------

    def _keep_lines_of(self, run_id: str) -> None:
        """Keep live lines of the run being loaded (one at a time: an abandoned load's lines
        must not pile up forever)."""
        kept = self._live.get(run_id, [])
        self._live.clear()
        self._live[run_id] = kept

    def keep_live(self, lines: Mapping[str, Sequence[OutputLine]]) -> None:
        """Keep the lines of a batch that belong to the run being loaded."""
        for run_id, batch in lines.items():
            if run_id in self._live:
                early = self._live[run_id]
                early.extend(kept_lines(batch))
                del early[:-self._tail_lines]  # the log keeps no more than this either

    def live_lines_of(self, run_id: str) -> list[Kept]:
        """The live lines kept for ``run_id`` while it loaded (and forget them)."""
        return self._live.pop(run_id, [])


def _retrieve(task: asyncio.Future[Any]) -> None:
    """Mark an abandoned call's error as seen (the worker that wanted it is gone)."""
    if not task.cancelled():
        task.exception()
