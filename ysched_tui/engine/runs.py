"""Running jobs: one asyncio task per run, from its start to its recorded outcome, and after.

A run goes pending -> running -> final. Every transition is recorded through the repository
(buffered, in a task of its own so recording never holds a run up) and then published as an
event. A job can never crash or stall the engine: runners turn every failure into an outcome,
and anything unexpected here is caught and recorded too.

:class:`RunManager` is the whole life of a run:

- *starting*: whether the job may start another run now is its
  :class:`~ysched_tui.engine.run_admission.Admission`'s call; a run beyond the job's
  concurrency waits in its line (``queue``) or is recorded as ``skipped`` with the reason;
- *executing*: the job's runner, with the run's output going through the
  :class:`~ysched_tui.engine.output.OutputCollector` (which owns the per-run output cap);
- *following up*: notification hooks in their own tasks (a slow webhook never holds a run up),
  a retryable failure's next attempt after the job's retry delay, the next run waiting in line;
- *recording*: run records, missed fires, and the job figures a finished run changes;
- *cancelling and stopping*.

Time comes from two injected callables: ``clock`` (the current time, recorded on runs) and
``call_later`` (waits before a retry; the running loop's ``call_later`` unless given), so the
policies can be driven with a fake clock.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import traceback
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from ysched_tui.core.context import JobContext
from ysched_tui.core.events import RetryScheduled, RunFinished, RunMissed, RunStarted
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
from ysched_tui.engine.run_admission import Admission, Verdict
from ysched_tui.engine.table import JobEntry, JobTable
from ysched_tui.errors import InvalidOperation, RunNotFound
from ysched_tui.jobs import Outcome, RunRequest, execute, notify
from ysched_tui.jobs.http_client import HttpSource
from ysched_tui.settings import Settings

log = logging.getLogger("ysched_tui.engine")

_HOST = socket.gethostname()
"""The host recorded on every run (where it ran)."""


class Cancellable(Protocol):
    """A pending call that can be called off (``asyncio.TimerHandle`` is one)."""

    def cancel(self) -> None: ...


CallLater = Callable[[float, Callable[[], None]], Cancellable]
"""Calls the function after the delay in seconds; returns a handle to call it off."""


def _loop_call_later(delay: float, callback: Callable[[], None]) -> Cancellable:
    return asyncio.get_running_loop().call_later(delay, callback)


class RunManager:
    """Starts, executes, records, follows up, cancels and retries runs.

    Args:
        table: the jobs; entries' ``running`` maps and states are kept up to date here.
        repo: where run records and (through ``output``) output lines are stored.
        bus: where run events are published.
        output: collects, caps, stores and publishes the runs' output lines.
        settings: default timeout, kill grace, parallel-run limit, global hooks, time zone.
        http: the shared HTTP client for HTTP jobs and webhooks.
        callables: functions registered through the Python API, by ref.
        clock: the current aware time.
        on_change: told when a job's runs in progress or state changed.
        call_later: schedules a retry after its delay (default: the running loop's).
        admission: the concurrency bookkeeping (default: a new :class:`Admission`).
    """

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
        call_later: CallLater = _loop_call_later,
        admission: Admission | None = None,
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
        self._call_later = call_later
        self._admission = admission or Admission()
        self._sem = asyncio.Semaphore(settings.max_parallel_runs)
        self._zone = ZoneInfo(settings.timezone)
        self._tasks: dict[str, asyncio.Task[None]] = {}
        """Run id -> the task executing it, while it is in progress."""
        self._runs: dict[str, RunRecord] = {}
        """Run id -> its latest record, while it is pending or running."""
        self._retries: dict[str, Cancellable] = {}
        """Run id of a failed run -> its scheduled retry."""
        self._hook_tasks: set[asyncio.Task[None]] = set()
        self._recording: set[asyncio.Task[None]] = set()
        self.stopping = False
        """Set by :meth:`stop`: nothing new starts (no retry, no queued run)."""

    # --- queries ---------------------------------------------------------------------------

    @property
    def running_count(self) -> int:
        """Runs started and not finished."""
        return len(self._tasks)

    def active_run(self, run_id: str) -> RunRecord | None:
        """A run in progress (or pending), if ``run_id`` is one."""
        return self._runs.get(run_id)

    @property
    def retries_pending(self) -> int:
        """Retries scheduled and not yet started."""
        return len(self._retries)

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
        verdict = self._admission.verdict(entry)
        if verdict is Verdict.QUEUE:
            self._admission.enqueue(run)
            self._record(run)
            return run
        if verdict is Verdict.REFUSE:
            reason = self._admission.reason(entry)
            if trigger_type is TriggerType.MANUAL:
                raise InvalidOperation(f"job {entry.spec.code!r} {reason}")
            return self._skip(run, reason)
        self._launch(entry, run)
        return run

    def _params(self, entry: JobEntry, params: Mapping[str, Any]) -> dict[str, Any]:
        target = entry.spec.target
        if isinstance(target, ScriptTarget):
            return validate_params(target.params, {**target.values, **params})
        return dict(params)

    def _skip(self, run: RunRecord, reason: str) -> RunRecord:
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
        self._count(entry, final)
        self._record(final)
        self._bus.publish(RunFinished(run=final))
        self._on_change(entry)
        self._follow_up(entry, final, outcome)

    # --- following up ----------------------------------------------------------------------

    def _follow_up(self, entry: JobEntry, run: RunRecord, outcome: Outcome) -> None:
        """Hooks of the run's outcome, its retry if one is due, the next run waiting in line."""
        if run.status is RunStatus.SUCCESS:
            self._hooks(entry, run, "success")
        elif run.status.is_failure:
            self._hooks(entry, run, "failure")
            self._maybe_retry(entry, run, outcome)
        if not self.stopping:
            while (waiting := self._admission.next_for(entry)) is not None:
                self._launch(entry, waiting)

    def _maybe_retry(self, entry: JobEntry, run: RunRecord, outcome: Outcome) -> None:
        policy = entry.spec.retries
        retry_number = run.attempt  # the n-th retry follows the n-th attempt
        if self.stopping or not outcome.retryable or retry_number > policy.max:
            return
        delay = policy.delay_for(retry_number)
        when = self._clock().timestamp() + delay
        code = entry.spec.code

        def fire() -> None:
            self._retries.pop(run.run_id, None)
            current = self._table.find(code)
            if current is None:  # the job was removed meanwhile
                return
            self.start(
                current,
                trigger_type=TriggerType.RETRY,
                scheduled_time=run.scheduled_time,
                params=run.params,
                attempt=run.attempt + 1,
                retry_of=run.run_id,
            )

        self._retries[run.run_id] = self._call_later(delay, fire)
        next_time = datetime.fromtimestamp(when, tz=run.end_time.tzinfo if run.end_time else None)
        self._bus.publish(
            RetryScheduled(run=run, next_retry_time=next_time, attempt=run.attempt + 1)
        )

    def _hooks(self, entry: JobEntry, run: RunRecord, event: str) -> None:
        hooks = [h for h in (*entry.spec.hooks, *self._settings.hooks) if event in h.on]
        for hook in hooks:
            task = asyncio.get_running_loop().create_task(
                notify(hook, event, run, entry.spec, self._http)
            )
            self._hook_tasks.add(task)
            task.add_done_callback(self._hook_tasks.discard)

    # --- recording -------------------------------------------------------------------------

    def record_missed(self, entry: JobEntry, scheduled_time: datetime, reason: str) -> RunRecord:
        """Record a fire that did not run as ``missed``, publish it and run its hooks."""
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

    def _count(self, entry: JobEntry, run: RunRecord) -> None:
        """Add a finished run to its job's figures (run and fail counts, last run)."""
        st = entry.state
        self._table.update(entry, state=st.model_copy(
            update={
                "run_count": st.run_count + 1,
                "fail_count": st.fail_count + (1 if run.status.is_failure else 0),
                "last_run_id": run.run_id,
                "last_status": run.status,
                "last_duration_ms": run.duration_ms,
                "last_end_time": run.end_time,
            }
        ))

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

    # --- cancelling and stopping -----------------------------------------------------------

    async def cancel(self, run_id: str) -> None:
        """Cancel a run in progress (or waiting in line) and wait until it is recorded.

        Raises:
            RunNotFound: no run in progress or waiting has this id.
        """
        queued = self._admission.take(run_id)
        if queued is not None:
            await self._finish(self._table.get(queued.job_code), queued, Outcome(
                status=RunStatus.CANCELLED, error="cancelled by operator while queued",
                retryable=False))
            return
        task = self._tasks.get(run_id)
        if task is None:
            raise RunNotFound(run_id)
        task.cancel()
        await asyncio.wait({task})

    async def stop(self, grace: float) -> None:
        """Drop pending retries and queued runs, wait ``grace`` s for runs, then cancel them."""
        self.stopping = True
        for handle in self._retries.values():
            handle.cancel()
        self._retries.clear()
        self._admission.clear()
        tasks = set(self._tasks.values())
        if tasks:
            _done, pending = await asyncio.wait(tasks, timeout=grace)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending)
        if self._hook_tasks:
            await asyncio.wait(set(self._hook_tasks), timeout=grace)


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("recording a run failed: %s", task.exception())
