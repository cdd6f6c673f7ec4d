"""The console application: the shell around the main screen, app-wide keys, and the factory.

:class:`YschedApp` receives a :class:`~ysched_tui.core.service.SchedulerService` (it never builds
one: the console does not import the engine) and a clock used for every time it shows, so
snapshot tests can freeze it. When ``start_service`` is set the app starts the service on mount
and stops it on exit, because ``App.run()`` owns the event loop the embedded engine must run on.

The app leaves the process alone: whoever owns the process (the console's entry point) may pass
hooks run once the jobs are first painted and after a large batch of changes is painted (the
console tunes garbage collection and gives freed memory back to the OS there).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import ClassVar

from textual import on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.screen import Screen

from ysched_tui.core.models import Actor
from ysched_tui.core.service import SchedulerService, current_actor
from ysched_tui.errors import YschedError
from ysched_tui.settings import Settings
from ysched_tui.tui.screens.main import MainScreen
from ysched_tui.tui.widgets.jobs_table import JobsTable


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _palette() -> type[Provider]:
    """The command palette provider, imported when the palette first opens."""
    from ysched_tui.tui.palette import YschedCommands

    return YschedCommands


class YschedApp(App[None]):
    """The operator console over one scheduler service."""

    CSS_PATH = "app.tcss"
    TITLE = "ysched-tui"
    wants_ownership = False
    """Set by an attached console's ``O`` (its owner gone): the console opens again as owner."""
    OWNS_RUNS: ClassVar[bool] = True
    """Whether the runs shown are this process's (quitting would interrupt them); a console
    attached to another process's scheduler quits without asking — the runs go on there."""
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {
        *App.COMMANDS,
        _palette,
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Help"),
        Binding("ctrl+p", "command_palette", "Palette", show=False),
    ]

    def __init__(
        self,
        service: SchedulerService,
        settings: Settings,
        *,
        clock: Callable[[], datetime] | None = None,
        start_service: bool = False,
        after_first_paint: Callable[[], None] | None = None,
        after_bulk_change: Callable[[], None] | None = None,
        serve_after_paint: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """Build the app.

        Args:
            service: the scheduler to show and operate.
            settings: the settings (timezone, database, ``ui`` refresh rates and bell).
            clock: "now" for every displayed time; frozen in snapshot tests.
            start_service: start the service on mount and stop it on exit (the CLI's embedded
                engine); leave False when the caller manages the service's life.
            after_first_paint: called once the jobs are first on screen, before anything else
                starts (the process owner's tuning).
            after_bulk_change: called once a batch of changes that replaced most jobs' views
                is on screen (the process owner's tuning).
            serve_after_paint: started in a worker once the jobs are first on screen (the
                console's control server: other processes attach once it is up).
        """
        super().__init__()
        self.service = service
        self.settings = settings
        self.clock = clock or _utcnow
        self.start_service = start_service
        self.after_first_paint = after_first_paint
        self.after_bulk_change = after_bulk_change
        self.serve_after_paint = serve_after_paint
        self._main: MainScreen | None = None

    def now(self) -> datetime:
        """The clock's time, as an aware datetime."""
        now = self.clock()
        return now if now.tzinfo is not None else now.replace(tzinfo=UTC)

    def get_default_screen(self) -> Screen[None]:
        return self.main_screen

    async def on_load(self) -> None:
        """Start an embedded service before the first screen reads from it.

        Also attributes every operator action taken from here on to the console (the audit's
        ``via``), unless whoever runs the app already said who acts.
        """
        if current_actor.get() is None:
            current_actor.set(Actor.here("console"))
        if self.start_service:
            try:
                await self.service.start()
            except YschedError as exc:
                self.start_service = False
                self.exit(return_code=exc.exit_code, message=f"ysched-tui: {exc}")

    def _first_paint_done(self) -> None:
        """The main screen painted the jobs: the owner's hook, then what was left for after."""
        if self.after_first_paint is not None:
            self.after_first_paint()
        serve, self.serve_after_paint = self.serve_after_paint, None
        if serve is not None:
            self._after_paint(serve)

    def _bulk_change_done(self) -> None:
        if self.after_bulk_change is not None:
            self.after_bulk_change()

    @work(group="after-paint", exit_on_error=False)
    async def _after_paint(self, work: Callable[[], Awaitable[None]]) -> None:
        try:
            await work()
        except Exception as exc:  # other processes cannot attach; this console works on
            self.notify(f"control API not started: {exc}", severity="error", timeout=10)

    async def settle(self) -> None:
        """Wait for the console's service calls still in flight (before stopping the service)."""
        if self._main is not None:
            await self._main.settle()

    async def on_unmount(self) -> None:
        if self.start_service:
            await self.settle()
            await self.service.stop()

    @property
    def main_screen(self) -> MainScreen:
        """The main screen (always at the bottom of the stack)."""
        if self._main is None:
            self._main = MainScreen(
                self.service, self.settings, clock=self.now, attached=not self.OWNS_RUNS,
                first_paint=self._first_paint_done, bulk_paint=self._bulk_change_done,
            )
        return self._main

    # --- app-wide actions (also reached from the command palette) ----------------------

    def action_help(self) -> None:
        """Every key by context."""
        from ysched_tui.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def action_failures(self) -> None:
        """The failed runs of the last 24 h."""
        from ysched_tui.tui.screens.failures import FailuresScreen

        tz = self.settings.timezone
        self.push_screen(FailuresScreen(self.service, tz=tz, clock=self.now))

    def action_audit(self) -> None:
        """Every operator action, newest first."""
        from ysched_tui.tui.screens.audit import AuditScreen

        self.push_screen(AuditScreen(self.service, tz=self.settings.timezone, clock=self.now))

    @on(JobsTable.Selected)
    def _job_opened(self, event: JobsTable.Selected) -> None:
        """``enter`` on a row of the main screen's table (the message bubbles up to here)."""
        self.open_job(event.code)

    def open_job(self, code: str) -> None:
        """Open a job's detail screen."""
        from ysched_tui.tui.screens.detail import JobDetailScreen

        if code not in self.main_screen.jobs:
            self.notify(f"unknown job code {code!r}", severity="error")
            return
        self.push_screen(
            JobDetailScreen(self.service, code, self.settings.timezone, clock=self.now)
        )

    def action_pause(self) -> None:
        self.main_screen.action_pause()

    def action_resume(self) -> None:
        self.main_screen.action_resume()

    def action_trigger(self) -> None:
        self.main_screen.action_trigger()

    def action_reschedule(self) -> None:
        self.main_screen.action_reschedule()

    def action_cancel_run(self) -> None:
        self.main_screen.action_cancel_run()

    def action_reload_jobs(self) -> None:
        """Read the jobs file again (the owner's, when attached) and say what changed."""
        self._reload_jobs()

    @work(group="reload", exclusive=True, exit_on_error=False)
    async def _reload_jobs(self) -> None:
        try:
            report = await self.service.reload_jobs()
        except YschedError as exc:
            self.notify(f"not reloaded, nothing changed: {exc}", title="jobs file",
                        severity="error", timeout=15)
            return
        self.notify(f"reloaded: {report.summary()}", title="jobs file")

    async def action_quit(self) -> None:
        """Quit; if runs are in progress here, say they will be interrupted and ask first."""
        self._confirm_quit()

    @work(group="quit", exclusive=True, exit_on_error=False)
    async def _confirm_quit(self) -> None:
        from ysched_tui.tui.dialogs.confirm import ConfirmDialog

        running = sum(len(job.running) for job in self.main_screen.jobs.values())
        if running and self.OWNS_RUNS:
            noun = "run" if running == 1 else "runs"
            message = f"Quitting will interrupt {running} running {noun}. Quit anyway?"
            if not await self.push_screen_wait(ConfirmDialog("Quit", message)):
                self.notify("still running", timeout=1.5)
                return
        self.exit()


__all__ = ["YschedApp"]
