"""The bridge from engine events to Textual messages, batching what can flood.

The engine calls a subscriber on its event loop for every event and expects it to return at once.
The bridge therefore only records: job updates are coalesced per job code and output lines are
collected per run, and each kind is flushed as one message at most ``table_hz`` / ``log_hz`` times
a second (measured: a 10,000-row table updated 20x/s pushed key latency to ~156 ms; 4x/s ~103 ms).
When to flush is decided by two batchers (:class:`~ysched_tui.core.batching.Batcher`), trailing:
the first change after a quiet spell waits one interval for company. Rare events (runs starting
or ending, status changes) are posted straight away; a finished run's output is flushed before
the run's end is forwarded, so its log is complete when the screen hears of it.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.message_pump import MessagePump

from ysched_tui.core.batching import Batcher
from ysched_tui.core.events import (
    Event,
    JobRemoved,
    JobUpdated,
    RetryScheduled,
    RunFinished,
    RunMissed,
    RunOutput,
    RunStarted,
    StatusChanged,
)
from ysched_tui.core.models import JobView, OutputLine
from ysched_tui.core.service import SchedulerService
from ysched_tui.tui.messages import JobsChanged, OutputBatch, RunChanged, StatusUpdated


class EventBridge:
    """Subscribes to a service and posts batched console messages to ``target``.

    Args:
        service: the scheduler to listen to.
        target: the message pump (normally the main screen) that receives the messages.
        table_hz: the most job-change batches per second.
        log_hz: the most output batches per second.
    """

    def __init__(
        self,
        service: SchedulerService,
        target: MessagePump,
        *,
        table_hz: float = 4.0,
        log_hz: float = 20.0,
    ) -> None:
        self._service = service
        self._target = target
        self._jobs: dict[str, JobView] = {}
        self._removed: set[str] = set()
        self._lines: dict[str, list[OutputLine]] = {}
        self._job_batches = Batcher(self.flush_jobs, interval=1.0 / max(table_hz, 0.1),
                                    name="console job changes", leading=False)
        self._output_batches = Batcher(self.flush_output, interval=1.0 / max(log_hz, 0.1),
                                       name="console output", leading=False)
        self._unsubscribe: Callable[[], None] | None = None

    def start(self) -> None:
        """Begin listening; must be called on the service's event loop."""
        if self._unsubscribe is None:
            self._job_batches.start()
            self._output_batches.start()
            self._unsubscribe = self._service.subscribe(self.on_event)

    def stop(self) -> None:
        """Stop listening and drop anything not yet flushed."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._job_batches.cancel()
        self._output_batches.cancel()
        self.drop_job_changes()
        self._lines.clear()

    def on_event(self, event: Event) -> None:
        """The subscriber: record or forward one event without blocking."""
        if isinstance(event, JobUpdated):
            self._removed.discard(event.job.code)
            self._jobs[event.job.code] = event.job
            self._job_batches.poke()
        elif isinstance(event, JobRemoved):
            self._jobs.pop(event.code, None)
            self._removed.add(event.code)
            self._job_batches.poke()
        elif isinstance(event, RunOutput):
            self._lines.setdefault(event.run_id, []).extend(event.lines)
            self._output_batches.poke()
        elif isinstance(event, StatusChanged):
            self._target.post_message(StatusUpdated(event.status))
        else:
            self._forward_run_event(event)

    def _forward_run_event(self, event: Event) -> None:
        """Post run lifecycle events at once, output first so a finished run's log is complete."""
        kinds: tuple[tuple[type[Event], str], ...] = (
            (RunStarted, "started"),
            (RunFinished, "finished"),
            (RunMissed, "missed"),
            (RetryScheduled, "retry"),
        )
        for event_type, kind in kinds:
            if isinstance(event, event_type):
                if kind == "finished":
                    self.flush_output()
                run = event.run  # type: ignore[attr-defined]
                self._target.post_message(RunChanged(run=run, kind=kind))
                return

    def flush_jobs(self) -> None:
        """Post the collected job changes as one message."""
        if self._jobs or self._removed:
            changed, removed = self._jobs, frozenset(self._removed)
            self._jobs, self._removed = {}, set()
            self._target.post_message(JobsChanged(changed=changed, removed=removed))

    def drop_job_changes(self) -> None:
        """Forget the job changes not yet posted (a job list read just now already has them)."""
        self._jobs.clear()
        self._removed.clear()

    def flush_output(self) -> None:
        """Post the collected output lines as one message (the batcher's flush, and at once
        before a finished run is forwarded)."""
        if self._lines:
            lines, self._lines = self._lines, {}
            self._target.post_message(OutputBatch(lines=lines))
