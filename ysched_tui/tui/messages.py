"""App-wide console messages: engine news turned into Textual messages, and data workers fetched.

Engine events arrive through :mod:`ysched_tui.tui.bridge`, which batches the ones that can flood
(job updates, output lines) so the screen sees at most a few of them per second. Messages carrying
only "the latest value" (scheduler status) implement ``can_replace`` so a backlog collapses to one.
Workers end by posting one of the ``*Loaded`` messages; handlers render them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.message import Message

from ysched_tui.core.models import (
    JobView,
    OutputLine,
    RunRecord,
    SchedulerStatus,
    StatsReport,
    TrendBucket,
    UpcomingFire,
)


@dataclass
class JobsChanged(Message):
    """A batch of job changes since the last batch: the newest view of each job, and removals."""

    changed: dict[str, JobView]
    removed: frozenset[str] = frozenset()


@dataclass
class OutputBatch(Message):
    """Lines printed by runs since the last batch, keyed by run_id, in order."""

    lines: dict[str, list[OutputLine]]


@dataclass
class RunChanged(Message):
    """A run started, finished, was missed or will be retried (``kind`` says which)."""

    run: RunRecord
    kind: str
    """started | finished | missed | retry."""


@dataclass
class StatusUpdated(Message):
    """The header figures changed; only the newest matters."""

    status: SchedulerStatus

    def can_replace(self, message: Message) -> bool:
        """A newer status supersedes an older one still in the queue."""
        return isinstance(message, StatusUpdated)


@dataclass
class JobsLoaded(Message):
    """The full job list, read when the screen opens."""

    jobs: list[JobView]


@dataclass
class UpcomingLoaded(Message):
    """The merged timeline of the next fires across all jobs."""

    fires: list[UpcomingFire]


@dataclass
class RunLoaded(Message):
    """A run chosen for the log pane, with its stored output (``run`` is None: no runs yet)."""

    code: str
    run: RunRecord | None
    lines: list[OutputLine] = field(default_factory=list)


@dataclass
class StatsLoaded(Message):
    """Figures for the stats pane: ``code`` None means all jobs."""

    code: str | None
    report: StatsReport
    hourly: list[TrendBucket]
    daily: list[TrendBucket]


@dataclass
class RunStepRequested(Message):
    """The log pane asks for the previous (-1) or next (+1) run of the job it shows."""

    run_id: str | None
    delta: int
