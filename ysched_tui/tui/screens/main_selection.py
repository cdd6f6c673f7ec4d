"""The main screen's selected job: which job the log and stats panes show, and what reaches them.

A mixin of :class:`~ysched_tui.tui.screens.main.MainScreen`, kept apart from the job list and the
layout. The job under the table's cursor is the selected one; its run and stats are read once
the cursor rests (:data:`SELECT_SETTLE`). Handlers here push what arrives into the log and stats
panes: a loaded run, live output lines (kept for a run still loading, so none are lost between
the read and the first batch), and run events that start following a new run or refresh the
job's stats.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import on
from textual.screen import Screen
from textual.timer import Timer

from ysched_tui.tui.messages import OutputBatch, RunChanged, RunLoaded, StatsLoaded
from ysched_tui.tui.widgets.jobs_table import JobsTable
from ysched_tui.tui.widgets.log_pane import LogPane
from ysched_tui.tui.widgets.run_log import Kept, kept_lines
from ysched_tui.tui.widgets.stats_pane import StatsPane

SELECT_SETTLE = 0.08
"""Seconds the cursor rests on a job before its log and stats are read."""


class JobSelection(Screen[None]):
    """Mixin for the main screen: the selected job, its log and its stats."""

    selected: str | None
    """The job the log and stats panes show (the screen's)."""
    awaiting: dict[str, list[Kept]]
    stale: bool
    _settle: Timer | None
    load_run: Callable[[str, str | None], object]
    """Reads a run (``None``: the job's latest) into the log pane (the screen's worker)."""
    load_stats: Callable[[str | None], object]
    """Reads a job's stats (``None``: all jobs') into the stats pane (the screen's worker)."""
    alert: Callable[[RunChanged], None]
    """Toasts what an operator should hear of a run (the screen's)."""

    if TYPE_CHECKING:  # the screen's

        @property
        def log_pane(self) -> LogPane:
            ...

        @property
        def log_max_lines(self) -> int:
            ...

    @on(JobsTable.Highlighted, "#jobs")
    def _row_highlighted(self, event: JobsTable.Highlighted) -> None:
        self.select(event.code)

    @on(JobsTable.Selected, "#jobs")
    def _row_selected(self, event: JobsTable.Selected) -> None:
        self.app.open_job(event.code)  # type: ignore[attr-defined]

    def select(self, code: str | None) -> None:
        """Make ``code`` the job the log and stats panes show.

        The panes load once the cursor rests (:data:`SELECT_SETTLE`): holding ``j`` through
        hundreds of jobs reads the database once, not once per row passed.
        """
        if code == self.selected or code is None:
            return
        first = self.selected is None
        self.selected = code
        if self._settle is not None:
            self._settle.stop()
        if first:  # the first job's log and stats: once the job list is on screen
            self.call_after_refresh(self._load_selected)
        else:
            self._settle = self.set_timer(SELECT_SETTLE, self._load_selected)

    def _load_selected(self) -> None:
        self._settle = None
        if self.selected is not None:
            self.load_run(self.selected, None)
            self.load_stats(self.selected)

    def on_stats_loaded(self, message: StatsLoaded) -> None:
        self.query_one(StatsPane).show(message.code, message.report, message.hourly,
                                       message.daily)

    def on_run_loaded(self, message: RunLoaded) -> None:
        early = self.awaiting.pop(message.run.run_id, []) if message.run else []
        if message.code == self.selected:
            self.log_pane.show_run(message.code, message.run, message.lines)
            if message.run is not None and early:
                self.log_pane.append(message.run.run_id, early)

    def on_output_batch(self, message: OutputBatch) -> None:
        for run_id, lines in message.lines.items():
            if run_id in self.awaiting:
                early = self.awaiting[run_id]
                early.extend(kept_lines(lines))
                del early[:-self.log_max_lines]  # the log keeps no more than this either
        shown = self.log_pane.run_id
        if shown is not None and shown in message.lines:
            self.log_pane.append(shown, message.lines[shown])

    def on_run_changed(self, message: RunChanged) -> None:
        run = message.run
        if message.kind == "started" and run.job_code == self.selected:
            if self.log_pane.log_view.following or self.log_pane.run is None:
                self.load_run(run.job_code, run.run_id)
        else:
            self.log_pane.update_run(run)
        if message.kind in ("finished", "missed"):
            self.stale = True
            self.alert(message)
            if run.job_code == self.selected:
                self.load_stats(run.job_code)
