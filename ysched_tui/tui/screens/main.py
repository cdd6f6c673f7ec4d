"""The main screen: header, jobs, next runs, log and stats, coordinated in one place.

The screen owns the console's model (the jobs, the filter, the marks, the selected job), receives
the bridge's messages and the workers' results, and pushes data down into the panes; panes never
call each other. Two collaborators do the rest:
:class:`~ysched_tui.tui.screens.main_loader.MainLoader` reads from the service in the screen's
workers and posts what it got, and
:class:`~ysched_tui.tui.screens.operator_actions.OperatorActions` carries out the operator's keys
on the jobs the screen picks (the selected one, or the marked ones).

The class reads top to bottom as:

- start-up: the panes, the bridge, the first reads, then the clock once everything is mounted;
- the model: the job list and batches of changes, applied to the table through the filter;
- the selected job: the job under the table's cursor is the one the log and stats panes show;
  its run and stats are read once the cursor rests (:data:`SELECT_SETTLE`), and live output and
  run events are pushed into those panes;
- the owner's presence (an attached console): when the owner stops answering, the header says
  so (``● no owner``), one warning says what to do — start ``ysched-tui daemon``, or press ``O``
  to make this console the owner — and the periodic re-reads stop until an owner answers again
  (the client reconnects by itself and resynchronises), instead of an error toast every second;
- the operator's keys and the filter;
- the panes' layout: at :data:`WIDE` x :data:`TALL` and larger the CSS shows every pane; smaller
  terminals get the ``-small`` class and only the ``-current`` pane shows, with a tab bar to
  switch (``1``-``4``, ``tab``/``shift+tab``, or a click on a tab). Switching also moves the focus
  into the pane, so its keys work at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar, TypeVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container, Vertical
from textual.events import Resize
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Tab, Tabs

from ysched_tui.core.models import JobView, SchedulerStatus
from ysched_tui.core.service import SchedulerService
from ysched_tui.settings import Settings
from ysched_tui.tui.alerts import Alerts
from ysched_tui.tui.bridge import EventBridge
from ysched_tui.tui.messages import (
    JobsChanged,
    JobsLoaded,
    OutputBatch,
    RunChanged,
    RunLoaded,
    RunStepRequested,
    StatsLoaded,
    StatusUpdated,
    UpcomingLoaded,
)
from ysched_tui.tui.screens.main_loader import MainLoader
from ysched_tui.tui.screens.operator_actions import OperatorActions
from ysched_tui.tui.widgets.header_bar import HeaderBar
from ysched_tui.tui.widgets.job_filter import job_matches
from ysched_tui.tui.widgets.jobs_table import JobsTable
from ysched_tui.tui.widgets.log_pane import LogPane
from ysched_tui.tui.widgets.next_runs import NextRunsPane
from ysched_tui.tui.widgets.search_box import SearchBox
from ysched_tui.tui.widgets.stats_pane import StatsPane

T = TypeVar("T")

PANES: tuple[tuple[str, str], ...] = (
    ("jobs-pane", "1 Jobs"),
    ("next-pane", "2 Next runs"),
    ("log-pane", "3 Log"),
    ("stats-pane", "4 Stats"),
)
"""(pane id, tab label) in tab order."""

WIDE, TALL = 120, 40
"""The smallest terminal that shows all four panes at once."""

SELECT_SETTLE = 0.08
"""Seconds the cursor rests on a job before its log and stats are read."""

BULK_CHANGES = 1000
"""A batch of job changes this large replaced most views (``bulk_paint`` is told once painted)."""

GONE_SECONDS = 15.0
"""How long the owner-gone warning stays."""


class MainScreen(Screen[None]):
    """Everything at a glance, and single keys to act on it.

    Args:
        service: the scheduler shown and operated.
        settings: the timezone and the ``ui`` settings (refresh rates, log length, bell).
        clock: "now" for every time shown.
        attached: the scheduler runs in another process (the header says so; an owner that
            stops answering is warned about).
        first_paint: called once the first job list is on screen.
        bulk_paint: called once a large batch of changes (:data:`BULK_CHANGES`) is on screen.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "pause", "Pause"),
        Binding("r", "resume", "Resume"),
        Binding("t", "trigger", "Trigger"),
        Binding("e", "reschedule", "Reschedule"),
        Binding("c", "cancel_run", "Cancel run"),
        Binding("space", "mark", "Mark"),
        Binding("slash", "filter", "Filter"),
        Binding("escape", "clear", "Clear", show=False),
        Binding("F", "app.failures", "Failures", show=False),
        Binding("A", "app.audit", "Audit", show=False),
        Binding("tab", "pane(1)", "Next pane", show=False),
        Binding("shift+tab", "pane(-1)", "Prev pane", show=False),
        *(Binding(str(i + 1), f"show_pane({i})", label, show=False)
          for i, (_, label) in enumerate(PANES)),
    ]

    AUTO_FOCUS = "#jobs"
    """The jobs table takes the keys first (not the hidden filter box)."""

    def __init__(
        self,
        service: SchedulerService,
        settings: Settings,
        *,
        clock: Callable[[], datetime],
        attached: bool = False,
        first_paint: Callable[[], None] | None = None,
        bulk_paint: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(id="main")
        self.service = service
        self.tz = str(settings.timezone)
        self.ui = settings.ui
        self.now = clock
        self.attached = attached
        self._first_paint = first_paint
        self._bulk_paint = bulk_paint
        self.jobs: dict[str, JobView] = {}
        """Every job, newest view, by code (the table shows the filtered subset)."""
        self.filter_text = ""
        """The jobs filter (see :mod:`ysched_tui.tui.widgets.job_filter`)."""
        self.selected: str | None = None
        """The job the log and stats panes show."""
        self.current_pane = 0
        """Index into :data:`PANES` of the pane shown on small terminals."""
        self.stale = False
        """Job changes arrived since the header and timeline were last read."""
        self.loaded = False
        """The first job list is in: job changes apply from then on (older ones are in it)."""
        self.owner_gone = False
        """Attached, and the owner stopped answering (no scheduler runs for the database)."""
        self.alerts: Alerts | None = None
        """Which run alerts become toasts (made on the first alert)."""
        self.bridge = EventBridge(service, self, table_hz=self.ui.table_refresh_hz,
                                  log_hz=self.ui.log_refresh_hz)
        self.loader = MainLoader(service, self, tail_lines=self.ui.log_max_lines,
                                 jobs_read=self.bridge.drop_job_changes)
        self.operator = OperatorActions(service, ask=self._ask, tell=self.notify, tz=self.tz,
                                        clock=clock)
        self._settle: Timer | None = None

    # --- start-up ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        header = HeaderBar(tz=self.tz, id="header")
        header.attached = self.attached
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
                                 max_lines=self.ui.log_max_lines),
                         StatsPane(id="stats-pane", classes="pane")):
                pane.border_title = titles[pane.id or ""]
                yield pane
        yield Footer()

    def on_mount(self) -> None:
        self.bridge.start()
        self.loader.load_jobs()
        self.loader.load_status()
        self.loader.load_upcoming()
        # the all-jobs stats scan the history (1,000,000 runs: ~250 ms of queries): after the
        # jobs are painted (_painted_first), not competing with that first paint
        self.call_after_refresh(self._start_clock)

    def _start_clock(self) -> None:
        """Once every pane is mounted: the first tick, the 1 s interval, the focus."""
        self._show_current()
        self.tick()
        self.set_interval(1.0, self.tick)
        self.table.focus()

    def on_unmount(self) -> None:
        self.bridge.stop()

    async def settle(self) -> None:
        """Wait for service calls still in flight (before the service is stopped)."""
        await self.loader.settle()

    @property
    def table(self) -> JobsTable:
        return self.query_one(JobsTable)

    @property
    def log_pane(self) -> LogPane:
        return self.query_one(LogPane)

    def tick(self) -> None:
        """Once a second: the clock, relative times, spinners; re-read what went stale."""
        now = self.now()
        self.query_one(HeaderBar).now = now
        self.table.tick(now)
        next_pane = self.query_one(NextRunsPane)
        next_pane.tick(now)
        first = next_pane.first_fire()
        if self.owner_gone:  # nothing to re-read until an owner answers again
            return
        if self.stale or (first is not None and first <= now):
            self.stale = False
            self.loader.load_upcoming()
            self.loader.load_status()

    # --- the model -----------------------------------------------------------------------

    def passes_filter(self, job: JobView) -> bool:
        """Whether the filter lets ``job`` into the table."""
        return job_matches(job, self.filter_text)

    def on_jobs_loaded(self, message: JobsLoaded) -> None:
        self.jobs = {job.code: job for job in message.jobs}
        self.loaded = True
        self.show_jobs()
        self.call_after_refresh(self._painted_first)

    def _painted_first(self) -> None:
        """The jobs are on screen: tell the app, then load what was left for after that."""
        if self._first_paint is not None:
            self._first_paint()
        self.loader.load_stats(None)

    def show_jobs(self) -> None:
        """Rebuild the table from the model (first load, filter change)."""
        jobs = [job for _, job in sorted(self.jobs.items()) if self.passes_filter(job)]
        self.table.show(jobs, self.now())
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
        self.table.apply(shown, hidden, self.now())
        if len(message.changed) >= BULK_CHANGES and self._bulk_paint is not None:
            self.call_after_refresh(self._bulk_paint)
        self.stale = True
        if self.selected is None or self.selected not in self.jobs:
            self.select(self.table.selected_code)

    def on_upcoming_loaded(self, message: UpcomingLoaded) -> None:
        self.query_one(NextRunsPane).show(message.fires, self.now())

    # --- the selected job ------------------------------------------------------------------

    @on(JobsTable.Highlighted, "#jobs")
    def _row_highlighted(self, event: JobsTable.Highlighted) -> None:
        self.select(event.code)

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
        """Read the selected job's run in progress (else its latest run) and its stats."""
        self._settle = None
        code = self.selected
        if code is not None:
            job = self.jobs.get(code)
            self.loader.load_run(code, job.running[-1] if job and job.running else None)
            self.loader.load_stats(code)

    def on_stats_loaded(self, message: StatsLoaded) -> None:
        self.query_one(StatsPane).show(message.code, message.report, message.hourly,
                                       message.daily)

    def on_run_loaded(self, message: RunLoaded) -> None:
        early = self.loader.live_lines_of(message.run.run_id) if message.run else []
        if message.code == self.selected:
            self.log_pane.show_run(message.code, message.run, message.lines)
            if message.run is not None and early:
                self.log_pane.append(message.run.run_id, early)

    def on_run_step_requested(self, message: RunStepRequested) -> None:
        """``[`` / ``]`` in the log pane: the previous or next run of the selected job."""
        if self.selected is not None:
            self.loader.step_run(self.selected, message.run_id, message.delta)

    def on_output_batch(self, message: OutputBatch) -> None:
        self.loader.keep_live(message.lines)
        shown = self.log_pane.run_id
        if shown is not None and shown in message.lines:
            self.log_pane.append(shown, message.lines[shown])

    def on_run_changed(self, message: RunChanged) -> None:
        run = message.run
        if message.kind == "started" and run.job_code == self.selected:
            if self.log_pane.log_view.following or self.log_pane.run is None:
                self.loader.load_run(run.job_code, run.run_id)
        else:
            self.log_pane.update_run(run)
        if message.kind in ("finished", "missed"):
            self.stale = True
            self.alert(message)
            if run.job_code == self.selected:
                self.loader.load_stats(run.job_code)

    def alert(self, message: RunChanged) -> None:
        """Toast failures, timeouts and missed fires (never successes), a few at a time."""
        if self.alerts is None:
            self.alerts = Alerts(
                lambda text, severity: self.notify(text, severity=severity),
                self.app.bell if self.ui.bell else lambda: None,
                lambda delay, callback: self.set_timer(delay, callback),
            )
        self.alerts.run_alert(message.kind, message.run)

    # --- the owner's presence -----------------------------------------------------------------

    def on_status_updated(self, message: StatusUpdated) -> None:
        header = self.query_one(HeaderBar)
        header.status = message.status
        gone = header.attached and message.status.state == "stopped"
        if gone and not self.owner_gone:
            self.notify(_gone_text(message.status), title="no owner", severity="warning",
                        timeout=GONE_SECONDS)
        elif self.owner_gone and not gone:
            owner = message.status
            self.notify(f"attached to pid {owner.owner_pid} on {owner.owner_host}",
                        title="owner back")
        self.owner_gone = gone

    # --- the operator's keys ---------------------------------------------------------------

    async def _ask(self, dialog: Screen[T]) -> T:
        """A dialog's answer (only from a worker)."""
        return await self.app.push_screen_wait(dialog)

    def selected_job(self) -> JobView | None:
        """The job under the cursor, or None (with a notification) when there is none."""
        job = self.jobs.get(self.selected or "")
        if job is None:
            self.notify("no job selected", severity="warning")
        return job

    def targets(self) -> list[str]:
        """The marked jobs, or else the selected one."""
        marked = self.table.marked
        if marked:
            return sorted(marked)
        return [self.selected] if self.selected in self.jobs else []

    def action_pause(self) -> None:
        """Pause the selected job, or all marked jobs."""
        self._set_paused(True)

    def action_resume(self) -> None:
        """Resume the selected job, or all marked jobs."""
        self._set_paused(False)

    @work(group="actions", exit_on_error=False)
    async def _set_paused(self, paused: bool) -> None:
        codes = self.targets()
        if not codes:
            self.notify("no job selected", severity="warning")
            return
        await self.operator.set_paused(codes, paused=paused)
        table = self.table
        if table.marked:
            table.marked.clear()
            table.refresh_marks()

    @work(group="dialogs", exit_on_error=False)
    async def action_trigger(self) -> None:
        """Run the selected job now, after the trigger dialog (a form for script parameters)."""
        job = self.selected_job()
        if job is not None:
            await self.operator.trigger(job)

    @work(group="dialogs", exit_on_error=False)
    async def action_reschedule(self) -> None:
        """Change the selected job's schedule through the reschedule dialog."""
        job = self.selected_job()
        if job is not None:
            await self.operator.reschedule(job)

    @work(group="dialogs", exit_on_error=False)
    async def action_cancel_run(self) -> None:
        """Cancel the selected job's run in progress, after a confirmation."""
        job = self.selected_job()
        if job is not None:
            await self.operator.cancel_run(job)

    def action_mark(self) -> None:
        """Mark or unmark the selected job for a bulk pause/resume."""
        table = self.table
        code = table.selected_code
        if code is None:
            self.notify("no job selected", severity="warning")
            return
        table.marked.symmetric_difference_update({code})
        table.refresh_marks()
        self.notify(f"{len(table.marked)} marked", timeout=1.5)
        table.action_cursor_down()

    def action_filter(self) -> None:
        """Open the filter box above the jobs table."""
        self.action_show_pane(0)
        box = self.query_one("#job-filter", SearchBox)
        box.add_class("-open")
        self.call_after_refresh(box.focus)

    def action_clear(self) -> None:
        """Clear the filter and the marks."""
        box = self.query_one("#job-filter", SearchBox)
        table = self.table
        if not (self.filter_text or box.has_class("-open") or table.marked):
            return
        box.remove_class("-open")
        table.marked.clear()
        table.refresh_marks()
        if self.filter_text:
            box.value = ""
            self.filter_text = ""
            self.show_jobs()
        table.focus()
        self.notify("filter and marks cleared", timeout=1.5)

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

    # --- the panes' layout -----------------------------------------------------------------

    def on_resize(self, event: Resize) -> None:
        small = event.size.width < WIDE or event.size.height < TALL
        self.set_class(small, "-small")

    def _show_current(self) -> None:
        """Mark the current pane (CSS shows only it on small terminals) and its tab."""
        for index, (pane, _) in enumerate(PANES):
            self.query(f"#{pane}").set_class(index == self.current_pane, "-current")
        for tabs in self.query(Tabs):
            tabs.active = f"tab-{PANES[self.current_pane][0]}"

    def _focus_target(self, index: int) -> Widget:
        pane = self.query_one(f"#{PANES[index][0]}")
        return {0: self.table, 2: self.log_pane.log_view}.get(index, pane)

    def action_show_pane(self, index: int) -> None:
        """Show (small terminal) and focus pane ``index``."""
        self.current_pane = index % len(PANES)
        self._show_current()
        self.call_after_refresh(self._focus_target(self.current_pane).focus)

    def action_pane(self, step: int) -> None:
        """Move to the next/previous pane (``tab`` / ``shift+tab``)."""
        here = next((i for i in range(len(PANES)) if self._pane_has_focus(i)), self.current_pane)
        self.action_show_pane(here + step)

    def _pane_has_focus(self, index: int) -> bool:
        focused = self.focused
        pane = self.query_one(f"#{PANES[index][0]}")
        return focused is not None and (focused is pane or pane in focused.ancestors)

    @on(Tabs.TabActivated, "#pane-tabs")
    def _tab_clicked(self, event: Tabs.TabActivated) -> None:
        ids = [f"tab-{pane}" for pane, _ in PANES]
        if event.tab.id in ids and ids.index(event.tab.id) != self.current_pane:
            self.action_show_pane(ids.index(event.tab.id))


def _gone_text(status: SchedulerStatus) -> str:
    return (f"pid {status.owner_pid} on {status.owner_host} no longer answers: nothing "
            f"schedules {status.db_path}. Start `ysched-tui daemon` (it keeps scheduling after "
            "you log out), or press O to schedule from this console until it quits.")
