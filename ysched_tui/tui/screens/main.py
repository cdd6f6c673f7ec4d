"""The main screen: header, jobs, next runs, log and stats, coordinated in one place.

The screen owns the console's model (the jobs, the filter, the marks, the selected job), receives
the bridge's messages and the workers' results, and pushes data down into the panes; panes never
call each other. At 120x40 and larger all four panes show at once; smaller terminals get one pane
at a time with a tab bar (``1``-``4`` or ``tab`` switch). Operator keys live in
:class:`~ysched_tui.tui.screens.operator_actions.OperatorActions`; service reads in
:class:`~ysched_tui.tui.screens.main_loading.MainLoading`; pane switching in
:class:`~ysched_tui.tui.screens.main_panes.PaneSwitching`; the selected job's log and stats in
:class:`~ysched_tui.tui.screens.main_selection.JobSelection`; the owner's presence in
:class:`~ysched_tui.tui.screens.main_owner.OwnerPresence`.
"""

from __future__ import annotations

import gc
import time
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Container, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Tab, Tabs

from ysched_tui.core.models import JobView
from ysched_tui.core.service import SchedulerService
from ysched_tui.memory import release_free_memory
from ysched_tui.tui.alerts import Alerts
from ysched_tui.tui.bridge import EventBridge
from ysched_tui.tui.messages import (
    JobsChanged,
    JobsLoaded,
    RunChanged,
    UpcomingLoaded,
)
from ysched_tui.tui.screens.main_loading import MainLoading
from ysched_tui.tui.screens.main_owner import OwnerPresence
from ysched_tui.tui.screens.main_panes import PANES, TALL, WIDE, PaneSwitching
from ysched_tui.tui.screens.main_selection import SELECT_SETTLE, JobSelection
from ysched_tui.tui.screens.operator_actions import OperatorActions
from ysched_tui.tui.widgets.header_bar import HeaderBar
from ysched_tui.tui.widgets.job_filter import job_matches
from ysched_tui.tui.widgets.jobs_table import JobsTable
from ysched_tui.tui.widgets.log_pane import LogPane
from ysched_tui.tui.widgets.next_runs import NextRunsPane
from ysched_tui.tui.widgets.run_log import Kept
from ysched_tui.tui.widgets.search_box import SearchBox
from ysched_tui.tui.widgets.stats_pane import StatsPane

FREEZE_EVERY = 60.0
"""Least seconds between two :meth:`MainScreen.freeze_survivors`."""

BULK_CHANGES = 1000
"""A batch of job changes this large replaced most views: freeze the new ones."""

__all__ = [
    "BULK_CHANGES",
    "FREEZE_EVERY",
    "PANES",
    "SELECT_SETTLE",
    "TALL",
    "WIDE",
    "MainScreen",
]


class MainScreen(OperatorActions, MainLoading, OwnerPresence, PaneSwitching, JobSelection,
                 Screen[None]):
    """Everything at a glance, and single keys to act on it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *OperatorActions.ACTION_BINDINGS,
        *PaneSwitching.PANE_BINDINGS,
    ]

    AUTO_FOCUS = "#jobs"
    """The jobs table takes the keys first (not the hidden filter box)."""

    def __init__(self, service: SchedulerService) -> None:
        super().__init__(id="main")
        self.service = service
        self.jobs: dict[str, JobView] = {}
        """Every job, newest view, by code (the table shows the filtered subset)."""
        self.filter_text = ""
        """The jobs filter (see :mod:`ysched_tui.tui.widgets.job_filter`)."""
        self.selected: str | None = None
        """The job the log and stats panes show."""
        self.current_pane = 0
        """Index into :data:`PANES` of the pane shown on small terminals."""
        self.bridge: EventBridge | None = None
        self.stale = False
        """Job changes arrived since the header and timeline were last read."""
        self.awaiting: dict[str, list[Kept]] = {}
        """Live lines of runs being loaded into the log, kept until the load lands."""
        self.loaded = False
        """The first job list is in: job changes apply from then on (older ones are in it)."""
        self.alerts: Alerts | None = None
        """Which run alerts become toasts (made on the first alert)."""
        self._settle: Timer | None = None
        self._frozen_at = -FREEZE_EVERY

    @property
    def tz(self) -> str:
        return str(self.app.settings.timezone)  # type: ignore[attr-defined]

    @property
    def log_max_lines(self) -> int:
        return int(self.app.settings.ui.log_max_lines)  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        header = HeaderBar(tz=self.tz, id="header")
        header.attached = not self.app.OWNS_RUNS  # type: ignore[attr-defined]
        yield header
        tabs = Tabs(*(Tab(label, id=f"tab-{pane}") for pane, label in PANES), id="pane-tabs")
        tabs.can_focus = False
        yield tabs
        titles = {pane: label[2:] for pane, label in PANES}
        with Container(id="panes"):
            with Vertical(id="jobs-pane", classes="pane") as jobs:
                jobs.border_title = titles["jobs-pane"]
                yield SearchBox(placeholder="filter: text tag:x status:failed paused",
                                id="job-filter")
                yield JobsTable(tz=self.tz, id="jobs")
            for pane in (NextRunsPane(tz=self.tz, id="next-pane", classes="pane"),
                         LogPane(tz=self.tz, id="log-pane", classes="pane",
                                 max_lines=self.log_max_lines),
                         StatsPane(id="stats-pane", classes="pane")):
                pane.border_title = titles[pane.id or ""]
                yield pane
        yield Footer()

    def on_mount(self) -> None:
        ui = self.app.settings.ui  # type: ignore[attr-defined]
        self.bridge = EventBridge(self.service, self, table_hz=ui.table_refresh_hz,
                                  log_hz=ui.log_refresh_hz)
        self.bridge.start()
        self.load_jobs()
        self.load_status()
        self.load_upcoming()
        # the all-jobs stats scan the history (1,000,000 runs: ~250 ms of queries): after the
        # jobs are painted (_first_paint_done), not competing with that first paint
        self.call_after_refresh(self._start_clock)

    def _start_clock(self) -> None:
        """Once every pane is mounted: the first tick, the 1 s interval, the focus."""
        self._show_current()
        self.tick()
        self.set_interval(1.0, self.tick)
        self.table.focus()

    def on_unmount(self) -> None:
        gc.enable()
        if self.bridge is not None:
            self.bridge.stop()

    @property
    def table(self) -> JobsTable:
        return self.query_one(JobsTable)

    @property
    def log_pane(self) -> LogPane:
        return self.query_one(LogPane)

    # --- the clock ----------------------------------------------------------------------

    def tick(self) -> None:
        """Once a second: the clock, relative times, spinners; re-read what went stale."""
        now = self.app.now()  # type: ignore[attr-defined]
        self.query_one(HeaderBar).now = now
        self.table.tick(now)
        next_pane = self.query_one(NextRunsPane)
        next_pane.tick(now)
        first = next_pane.first_fire()
        if self.owner_gone:  # nothing to re-read until an owner answers again
            return
        if self.stale or (first is not None and first <= now):
            self.stale = False
            self.load_upcoming()
            self.load_status()

    # --- the model ----------------------------------------------------------------------

    def passes_filter(self, job: JobView) -> bool:
        """Whether the filter lets ``job`` into the table."""
        return job_matches(job, self.filter_text)

    def on_jobs_loaded(self, message: JobsLoaded) -> None:
        self.jobs = {job.code: job for job in message.jobs}
        self.loaded = True
        self.show_jobs()
        self.call_after_refresh(self._first_paint_done)

    def _first_paint_done(self) -> None:
        """The jobs are on screen: settle memory, then load what was left for after that."""
        self.freeze_survivors(first=True)
        release_free_memory()  # what start-up freed, back to the OS
        self.load_stats(None)
        self.app.first_paint_done()  # type: ignore[attr-defined]

    def freeze_survivors(self, *, first: bool = False) -> None:
        """Keep the long-lived objects (the job views, engine, widgets) out of the cyclic
        garbage collector's full collections, which walk every tracked object: with 10,000 jobs
        each took 60-300 ms, a visible stall (bench/console_profile.py ``--census``).

        Called after the first job list and after bulk changes (all views replaced by a
        figures refresh; at most once a minute); a collection first, so that no garbage cycle
        is frozen for good. Frozen objects are still freed when their last reference goes.
        """
        now = time.monotonic()
        if not first:
            if now - self._frozen_at < FREEZE_EVERY:
                return
            self._frozen_at = now
        gc.collect()
        gc.freeze()
        gc.enable()  # the console holds collections until the first paint (run_console)

    def show_jobs(self) -> None:
        """Rebuild the table from the model (first load, filter change)."""
        jobs = [job for _, job in sorted(self.jobs.items()) if self.passes_filter(job)]
        self.table.show(jobs, self.app.now())  # type: ignore[attr-defined]
        self.select(self.table.selected_code)

    def on_jobs_changed(self, message: JobsChanged) -> None:
        if not self.loaded:  # sent before the first list was read: the list is newer
            return
        self.jobs.update(message.changed)
        for code in message.removed:
            self.jobs.pop(code, None)
        shown = [job for job in message.changed.values() if self.passes_filter(job)]
        hidden = set(message.removed)
        hidden.update(c for c, j in message.changed.items() if not self.passes_filter(j))
        self.table.apply(shown, hidden, self.app.now())  # type: ignore[attr-defined]
        if len(message.changed) >= BULK_CHANGES:
            self.call_after_refresh(self.freeze_survivors)
        self.stale = True
        if self.selected is None or self.selected not in self.jobs:
            self.select(self.table.selected_code)

    def on_upcoming_loaded(self, message: UpcomingLoaded) -> None:
        self.query_one(NextRunsPane).show(message.fires, self.app.now())  # type: ignore[attr-defined]

    def alert(self, message: RunChanged) -> None:
        """Toast failures, timeouts and missed fires (never successes), a few at a time."""
        if self.alerts is None:
            ui = self.app.settings.ui  # type: ignore[attr-defined]
            self.alerts = Alerts(
                lambda text, severity: self.notify(text, severity=severity),
                self.app.bell if ui.bell else lambda: None,
                lambda delay, callback: self.set_timer(delay, callback),
            )
        self.alerts.run_alert(message.kind, message.run)

    # --- the filter --------------------------------------------------------------------

    @on(SearchBox.Changed, "#job-filter")
    def _filter_changed(self, event: SearchBox.Changed) -> None:
        self.filter_text = event.value
        self.show_jobs()

    @on(SearchBox.Submitted, "#job-filter")
    def _filter_submitted(self) -> None:
        self.table.focus()

    @on(SearchBox.Cancelled, "#job-filter")
    def _filter_cancelled(self) -> None:
        self.action_clear()
