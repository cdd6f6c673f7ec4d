"""A job's detail: its definition (and any operator override), next fires and run history.

Reached with ``enter`` on a job. Everything is read through the scheduler service: a worker
fetches the job, its runs and its next fires, and a handler renders them. The screen listens to
the service's events for this job only and reloads at most four times a second, so a busy job
cannot flood it. Actions (``p r t e u c``) call the service; the screen changes when the
resulting event arrives, never ahead of it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Static

from ysched_tui.core.events import Event, JobRemoved, JobUpdated, RunOutput
from ysched_tui.core.models import JobView, RunRecord, RunStatus
from ysched_tui.core.schedule import fire_times
from ysched_tui.core.service import SchedulerService
from ysched_tui.errors import JobNotFound, YschedError
from ysched_tui.tui.dialogs.confirm import ConfirmDialog
from ysched_tui.tui.dialogs.reschedule import RescheduleDialog
from ysched_tui.tui.dialogs.trigger import TriggerDialog
from ysched_tui.tui.screens.job_definition import definition_table, fires_text, run_cells
from ysched_tui.tui.screens.run_detail import RunDetailScreen

FIRE_COUNT = 10
"""How many upcoming fires the detail shows."""
HISTORY_LIMIT = 100
"""How many recent runs the history table holds."""
REFRESH_SECONDS = 0.25
"""The most often the screen reloads after events (the issue allows a few Hz)."""
COLUMNS = (
    ("run_id", "run_id"), ("status", "status"), ("start", "start"), ("duration", "duration"),
    ("exit", "exit/HTTP"), ("trigger", "trigger"), ("attempt", "try"), ("scheduled", "scheduled"),
)
"""History columns (key, label): the ones that matter most come first for narrow terminals."""


@dataclass
class DetailLoaded(Message):
    """A worker read the job, its recent runs and its next fires."""

    job: JobView
    runs: list[RunRecord]
    fires: list[datetime]


class JobDetailScreen(Screen[None]):
    """One job in full; ``esc`` goes back, ``enter`` on a run opens its output."""

    DEFAULT_CSS = """
    JobDetailScreen #title { width: 100%; background: $primary 30%; text-style: bold; }
    JobDetailScreen #top { height: auto; max-height: 50%; }
    JobDetailScreen #top-row { height: auto; }
    JobDetailScreen #definition { width: 1fr; height: auto; padding: 0 1; }
    JobDetailScreen #fires { width: 30; height: auto; padding: 0 1; border-left: vkey $primary; }
    JobDetailScreen #history-title { width: 100%; text-style: bold; padding: 0 1; }
    JobDetailScreen #runs { height: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("p", "pause", "Pause"),
        Binding("r", "resume", "Resume"),
        Binding("t", "trigger", "Trigger"),
        Binding("e", "reschedule", "Reschedule"),
        Binding("u", "revert", "Revert"),
        Binding("c", "cancel_run", "Cancel run"),
    ]

    def __init__(
        self,
        service: SchedulerService,
        code: str,
        default_tz: str,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """Build the screen.

        Args:
            service: the scheduler to read and operate.
            code: the job's code.
            default_tz: the settings' zone, for jobs without one and for run times.
            clock: the "now" for fire previews and relative times (frozen in tests).
        """
        super().__init__()
        self.service = service
        self.code = code
        self.default_tz = default_tz
        self.clock = clock or (lambda: datetime.now(UTC))
        self.job: JobView | None = None
        """The job as last read; ``None`` until the first load."""
        self.runs: list[RunRecord] = []
        """The runs shown in the history table, newest first."""
        self._stale = False
        self._unsubscribe: Callable[[], None] | None = None

    def compose(self) -> ComposeResult:
        yield Label(f" {self.code}", id="title")
        with VerticalScroll(id="top"), Horizontal(id="top-row"):
            yield Static("loading…", id="definition")
            yield Static("", id="fires")
        yield Label("History (enter: output)", id="history-title")
        yield DataTable(id="runs", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#runs", DataTable)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        table.focus()
        self._unsubscribe = self.service.subscribe(self._on_event)
        self.set_interval(REFRESH_SECONDS, self._tick)
        self.load()

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    # --- data in ---------------------------------------------------------------------------

    def _on_event(self, event: Event) -> None:
        """Engine listener: only note that this job changed; the tick reloads (non-blocking)."""
        code: str | None = None
        if isinstance(event, JobUpdated):
            code = event.job.code
        elif isinstance(event, JobRemoved):
            code = event.code
        elif not isinstance(event, RunOutput):
            run = getattr(event, "run", None)
            code = run.job_code if isinstance(run, RunRecord) else None
        if code == self.code:
            self._stale = True

    def _tick(self) -> None:
        """Reload after events (batched), or just advance the running runs' elapsed time."""
        if self._stale:
            self._stale = False
            self.load()
        elif any(run.status is RunStatus.RUNNING for run in self.runs):
            self._render_runs(self.runs)

    @work(exclusive=True, group="job-detail-load", exit_on_error=False)
    async def load(self) -> None:
        """Read the job, its history and its next fires; the handler renders them."""
        try:
            job = await self.service.get_job(self.code)
            runs = await self.service.list_runs(self.code, limit=HISTORY_LIMIT)
        except JobNotFound as exc:
            self.app.notify(str(exc), severity="error")
            self.app.pop_screen()
            return
        except YschedError as exc:  # storage trouble: say so, keep what is shown
            self.app.notify(f"cannot read {self.code}: {exc}", severity="error")
            return
        tz = job.spec.timezone or self.default_tz
        fires = fire_times(job.triggers, self.clock(), FIRE_COUNT, default_tz=tz, seed=job.code)
        self.post_message(DetailLoaded(job, runs, list(fires)))

    @on(DetailLoaded)
    def _render_loaded(self, message: DetailLoaded) -> None:
        job = self.job = message.job
        tz = job.spec.timezone or self.default_tz
        title = f" {job.code}" + (f" — {job.spec.name}" if job.spec.name else "")
        self.query_one("#title", Label).update(Text(f"{title}  [{job.status_word}]"))
        self.query_one("#definition", Static).update(definition_table(job, self.default_tz))
        self.query_one("#fires", Static).update(fires_text(job, message.fires, tz, self.clock()))
        self._render_runs(message.runs)

    def _render_runs(self, runs: list[RunRecord]) -> None:
        """Update changed rows in place; rebuild (keeping the cursor's run) when rows came/went."""
        table = self.query_one("#runs", DataTable)
        now = self.clock()
        if [r.run_id for r in runs] == [r.run_id for r in self.runs] and table.row_count:
            for run in runs:
                for key, value in run_cells(run, self.default_tz, now).items():
                    table.update_cell(run.run_id, key, value)
        else:
            selected = self.runs[table.cursor_row].run_id if self.runs and table.row_count else None
            table.clear()
            for run in runs:
                table.add_row(*run_cells(run, self.default_tz, now).values(), key=run.run_id)
            if selected in {r.run_id for r in runs}:
                table.move_cursor(row=table.get_row_index(selected))
        self.runs = runs

    # --- actions ---------------------------------------------------------------------------

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """``enter`` on a run opens its output."""
        event.stop()
        if event.row_key.value is not None:
            self.app.push_screen(RunDetailScreen(
                self.service, event.row_key.value, default_tz=self.default_tz, clock=self.clock))

    def action_back(self) -> None:
        self.app.pop_screen()

    def _act(self, call: Callable[[], Awaitable[Any]], done: Callable[[Any], str]) -> None:
        """Run a service call off the handler; notify its result or its error."""

        async def act() -> None:
            try:
                result = await call()
            except YschedError as exc:
                self.app.notify(str(exc), severity="error")
                return
            self.app.notify(done(result))

        self.run_worker(act(), group="job-detail-action", exit_on_error=False)

    def action_pause(self) -> None:
        self._act(lambda: self.service.pause(self.code), lambda _: f"Paused {self.code}")

    def action_resume(self) -> None:
        self._act(lambda: self.service.resume(self.code), lambda _: f"Resumed {self.code}")

    def action_trigger(self) -> None:
        if self.job is None:
            return

        def run(params: dict[str, object] | None) -> None:
            if params is not None:
                self._act(lambda: self.service.trigger(self.code, params or None),
                          lambda run_id: f"Started {run_id}")

        self.app.push_screen(TriggerDialog(self.job), run)

    def action_reschedule(self) -> None:
        if self.job is None:
            return

        def apply(triggers: tuple[Any, ...] | None) -> None:
            if triggers is not None:
                self._act(lambda: self.service.reschedule(self.code, triggers),
                          lambda _: f"Rescheduled {self.code}")

        self.app.push_screen(RescheduleDialog(self.job, self.default_tz, now=self.clock()), apply)

    def action_revert(self) -> None:
        job = self.job
        if job is None:
            return
        if job.state.override_triggers is None and job.state.override_enabled is None:
            self.app.notify(f"{self.code} has no operator override", severity="warning")
            return

        def revert(yes: bool | None) -> None:
            if yes:
                self._act(lambda: self.service.revert(self.code),
                          lambda _: f"Reverted {self.code} to its definition")

        message = f"Drop the operator's changes to {self.code} and use the definition again?"
        self.app.push_screen(ConfirmDialog("Revert override", message), revert)

    def action_cancel_run(self) -> None:
        if self.job is None or not self.job.running:
            self.app.notify(f"{self.code} has no run in progress", severity="warning")
            return
        run_id = self.job.running[0]

        def cancel(yes: bool | None) -> None:
            if yes:
                self._act(lambda: self.service.cancel(run_id), lambda _: f"Cancelled {run_id}")

        message = f"Cancel {run_id} of {self.code}? Its process tree is killed."
        self.app.push_screen(ConfirmDialog("Cancel run", message), cancel)
