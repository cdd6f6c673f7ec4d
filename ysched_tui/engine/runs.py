"""Running jobs: one asyncio task per run, from start to its recorded outcome, and cancelling.

A run goes pending -> running -> final. Every transition is recorded through the repository
(buffered) and then published as an event. A job can never crash or stall the engine: runners
turn every failure into an outcome, and anything unexpected here is caught and recorded too.

:class:`RunManager` starts, executes, cancels and stops runs; its mixins hold the rest:
concurrency admission (:mod:`~ysched_tui.engine.run_admission`), hooks and retries after a run
(:mod:`~ysched_tui.engine.run_followups`) and recording (:mod:`~ysched_tui.engine.run_records`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import traceback
from collections import deque
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from ysched_tui.core.context import JobContext
from ysched_tui.core.events import RunFinished, RunStarted
from ysched_tui.core.models import (
    RunRecord,
    RunStatus,
    ScriptTarget,
    TriggerType,
    ms_between,
    new_run_id,
)
from ysched_tui.core.params import validate_params
from ysched_tui.core.repository import Repository
from ysched_tui.engine.bus import EventBus
from ysched_tui.engine.output import OutputCollector
from ysched_tui.engine.run_admission import RunAdmission, _Fire
from ysched_tui.engine.run_followups import RunFollowUps
from ysched_tui.engine.run_records import _HOST, RunRecording
from ysched_tui.engine.table import JobEntry, JobTable
from ysched_tui.errors import InvalidOperation, RunNotFound
from ysched_tui.jobs import Outcome, RunRequest, execute
from ysched_tui.jobs.http_client import HttpSource
from ysched_tui.settings import Settings

log = logging.getLogger("ysched_tui.engine")


class RunManager(RunAdmission, RunFollowUps, RunRecording):
    """Starts, tracks, cancels and retries runs."""

    def __init__(
        self,
        *,
        table: JobTable,
        repo: Repository,
        bus: EventBus,
        output: OutputCollector,
        settings: Settings,
        http: HttpSource,
        callables: Mapping[str, Callable[..., Any]],
        clock: Callable[[], datetime],
        on_change: Callable[[JobEntry], None],
    ) -> None:
        self._table = table
        self._repo = repo
        self._bus = bus
        self._output = output
        self._settings = settings
        self._http = http
        self._callables = callables
        self._clock = clock
        self._on_change = on_change
        self._sem = asyncio.Semaphore(settings.max_parallel_runs)
        self._zone = ZoneInfo(settings.timezone)
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._runs: dict[str, RunRecord] = {}
        self._queues: dict[str, deque[_Fire]] = {}
        self._retries: dict[str, asyncio.TimerHandle] = {}
        self._hook_tasks: set[asyncio.Task[None]] = set()
        self._recording: set[asyncio.Task[None]] = set()
        self.stopping = False

    # --- queries ---------------------------------------------------------------------------

    @property
    def running_count(self) -> int:
        """Runs started and not finished."""
        return len(self._tasks)

    def active_run(self, run_id: str) -> RunRecord | None:
        """A run in progress (or pending), if ``run_id`` is one."""
        return self._runs.get(run_id)

    # --- starting --------------------------------------------------------------------------

    def start(
        self,
        entry: JobEntry,
        *,
        trigger_type: TriggerType,
        scheduled_time: datetime | None,
        params: Mapping[str, Any] | None = None,
        attempt: int = 1,
        retry_of: str | None = None,
    ) -> RunRecord:
        """Start (or queue, or skip) a run of ``entry``; returns its record.

        Raises:
            ParamError: script parameters are missing or invalid (nothing is recorded).
            InvalidOperation: a manual run of a job whose concurrency forbids another now.
        """
        values = self._params(entry, params or {})
        now = self._clock()
        run = RunRecord(
            run_id=new_run_id(now.astimezone(self._zone)),
            job_code=entry.spec.code,
            job_id=entry.state.id,
            attempt=attempt,
            retry_of=retry_of,
            trigger_type=trigger_type,
            scheduled_time=scheduled_time,
            status=RunStatus.PENDING,
            hostname=_HOST,
            pid=os.getpid(),
            params=values,
        )
        busy = self._busy(entry)
        policy = entry.spec.concurrency
        if busy and policy == "queue":
            self._queues.setdefault(entry.spec.code, deque()).append(_Fire(run=run))
            self._record(run)
            return run
        if busy:
            reason = self._busy_reason(entry)
            if trigger_type is TriggerType.MANUAL:
                raise InvalidOperation(f"job {entry.spec.code!r} {reason}")
            return self._skip(entry, run, reason)
        self._launch(entry, run)
        return run

    def _params(self, entry: JobEntry, params: Mapping[str, Any]) -> dict[str, Any]:
        target = entry.spec.target
        if isinstance(target, ScriptTarget):
            return validate_params(target.params, {**target.values, **params})
        return dict(params)

    def _launch(self, entry: JobEntry, run: RunRecord) -> None:
        self._runs[run.run_id] = run
        entry.running[run.run_id] = self._clock()
        # recorded (pending) at once, not when its task first runs: a state saved next, a
        # history read or a crash before then must already see the run; the writer merges
        # this row with the 'running' one when both are in the same batch
        self._record(run)
        task = asyncio.get_running_loop().create_task(
            self._execute(entry, run), name=f"ysched-run-{run.run_id}"
        )
        self._tasks[run.run_id] = task
        run_id = run.run_id

        def forget(_task: asyncio.Task[None]) -> None:
            self._tasks.pop(run_id, None)

        task.add_done_callback(forget)

    # --- executing -------------------------------------------------------------------------

    async def _execute(self, entry: JobEntry, run: RunRecord) -> None:
        try:
            async with self._sem:
                run = await self._begin(entry, run)
                outcome = await self._outcome(entry, run)
        except asyncio.CancelledError:
            why = "the scheduler stopped" if self.stopping else "cancelled by operator"
            outcome = Outcome(status=RunStatus.CANCELLED, error=why, retryable=False)
        except Exception as exc:  # never let a run break the engine
            log.exception("run %s crashed in the engine", run.run_id)
            outcome = Outcome(
                status=RunStatus.FAILED, error=f"engine error: {exc}",
                traceback=traceback.format_exc(), retryable=False,
            )
        await self._finish(entry, run, outcome)

    async def _begin(self, entry: JobEntry, run: RunRecord) -> RunRecord:
        now = self._clock()
        run = run.model_copy(update={"status": RunStatus.RUNNING, "start_time": now})
        self._runs[run.run_id] = run
        entry.running[run.run_id] = now
        self._output.open(run.run_id, entry.spec.code)
        self._record(run)
        self._bus.publish(RunStarted(run=run))
        self._on_change(entry)
        return run

    async def _outcome(self, entry: JobEntry, run: RunRecord) -> Outcome:
        assert run.start_time is not None
        context = JobContext(
            job_id=entry.state.id,
            job_code=entry.spec.code,
            job_name=entry.spec.display_name,
            run_id=run.run_id,
            attempt=run.attempt,
            trigger_type=run.trigger_type,
            scheduled_time=run.scheduled_time,
            start_time=run.start_time,
            run_count=entry.state.run_count,
            params=run.params,
        )
        timeout = entry.spec.timeout if entry.spec.timeout is not None else (
            self._settings.default_timeout
        )
        request = RunRequest(
            spec=entry.spec,
            context=context,
            params=run.params,
            timeout=timeout or None,
            kill_grace=self._settings.kill_grace,
        )
        return await execute(
            request, self._output.sink(run.run_id), http=self._http, callables=self._callables
        )

    async def _finish(self, entry: JobEntry, run: RunRecord, outcome: Outcome) -> None:
        stored, dropped = await self._output.close(run.run_id)
        now = self._clock()
        start = run.start_time or now
        final = run.model_copy(
            update={
                "status": outcome.status,
                "start_time": start,
                "end_time": now,
                "duration_ms": ms_between(start, now),
                "exit_code": outcome.exit_code,
                "http_status": outcome.http_status,
                "result": outcome.result,
                "error": outcome.error,
                "traceback": outcome.traceback,
                "output_lines": stored,
                "dropped_lines": dropped,
            }
        )
        self._runs.pop(run.run_id, None)
        entry.running.pop(run.run_id, None)
        self._update_state(entry, final)
        self._record(final)
        self._bus.publish(RunFinished(run=final))
        self._on_change(entry)
        self._after(entry, final, outcome)

    # --- cancelling and stopping -----------------------------------------------------------

    async def cancel(self, run_id: str) -> None:
        """Cancel a run in progress and wait until it is recorded.

        Raises:
            RunNotFound: no run in progress has this id.
        """
        if await self._cancel_queued(run_id):
            return
        task = self._tasks.get(run_id)
        if task is None:
            raise RunNotFound(run_id)
        task.cancel()
        await asyncio.wait({task})

    async def stop(self, grace: float) -> None:
        """Drop pending retries and queued fires, wait ``grace`` s for runs, then cancel them."""
        self.stopping = True
        for handle in self._retries.values():
            handle.cancel()
        self._retries.clear()
        self._queues.clear()
        tasks = set(self._tasks.values())
        if tasks:
            _done, pending = await asyncio.wait(tasks, timeout=grace)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending)
        if self._hook_tasks:
            await asyncio.wait(set(self._hook_tasks), timeout=grace)
