"""What follows a finished run: its notification hooks, its retry, the next queued fire.

A mixin of :class:`~ysched_tui.engine.runs.RunManager`, kept apart from executing runs. Hooks
run in their own tasks (a slow webhook never holds a run up); a retryable failure schedules the
next attempt after the job's retry delay and publishes :class:`RetryScheduled`; nothing new is
started once the manager is stopping.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ysched_tui.core.events import RetryScheduled
from ysched_tui.core.models import RunRecord, RunStatus, TriggerType
from ysched_tui.engine.bus import EventBus
from ysched_tui.engine.table import JobEntry, JobTable
from ysched_tui.jobs import Outcome, notify
from ysched_tui.jobs.http_client import HttpSource
from ysched_tui.settings import Settings


class RunFollowUps:
    """Hooks on success, failure and missed fires; retry scheduling; queue hand-over."""

    _table: JobTable
    _bus: EventBus
    _settings: Settings
    _http: HttpSource
    _clock: Callable[[], datetime]
    _retries: dict[str, asyncio.TimerHandle]
    _hook_tasks: set[asyncio.Task[None]]
    stopping: bool

    if TYPE_CHECKING:  # provided by RunManager and RunAdmission

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
            ...

        def _next_from_queue(self, entry: JobEntry) -> None:
            ...

    def _after(self, entry: JobEntry, run: RunRecord, outcome: Outcome) -> None:
        if run.status is RunStatus.SUCCESS:
            self._hooks(entry, run, "success")
        elif run.status.is_failure:
            self._hooks(entry, run, "failure")
            self._maybe_retry(entry, run, outcome)
        if not self.stopping:
            self._next_from_queue(entry)

    def _maybe_retry(self, entry: JobEntry, run: RunRecord, outcome: Outcome) -> None:
        policy = entry.spec.retries
        retry_number = run.attempt  # the n-th retry follows the n-th attempt
        if self.stopping or not outcome.retryable or retry_number > policy.max:
            return
        delay = policy.delay_for(retry_number)
        when = self._clock().timestamp() + delay
        loop = asyncio.get_running_loop()

        def fire() -> None:
            self._retries.pop(run.run_id, None)
            if entry.spec.code not in self._table:
                return
            self.start(
                self._table.get(entry.spec.code),
                trigger_type=TriggerType.RETRY,
                scheduled_time=run.scheduled_time,
                params=run.params,
                attempt=run.attempt + 1,
                retry_of=run.run_id,
            )

        self._retries[run.run_id] = loop.call_later(delay, fire)
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
