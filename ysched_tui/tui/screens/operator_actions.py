"""The main screen's operator keys: pause, resume, trigger, reschedule, cancel, mark, filter.

Every action is a call on the service; the table changes when the resulting event arrives (never
ahead of it), and every action ends in a notification: what was done, or why not (errors from the
service, such as "job X is already paused", shown with ``severity="error"``). Dialogs are awaited
inside workers (``push_screen_wait``) and imported when first used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import work
from textual.binding import Binding
from textual.screen import Screen

from ysched_tui.core.models import JobView
from ysched_tui.core.schedule import describe_all
from ysched_tui.core.service import SchedulerService
from ysched_tui.errors import YschedError
from ysched_tui.tui.widgets.jobs_table import JobsTable
from ysched_tui.tui.widgets.search_box import SearchBox


class OperatorActions(Screen[None]):
    """Actions on the selected (or marked) jobs."""

    ACTION_BINDINGS: ClassVar[list[Binding]] = [
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
    ]
    """Bindings the main screen adds for these actions."""

    service: SchedulerService
    jobs: dict[str, JobView]
    selected: str | None
    filter_text: str
    show_jobs: Callable[[], None]
    """Rebuilds the jobs table from the model (the screen's)."""
    action_show_pane: Callable[[int], None]
    """Shows and focuses a pane by index (the screen's)."""

    @property
    def default_tz(self) -> str:
        return str(self.app.settings.timezone)  # type: ignore[attr-defined]

    def selected_job(self) -> JobView | None:
        """The job under the cursor, or None (with a notification) when there is none."""
        job = self.jobs.get(self.selected or "")
        if job is None:
            self.notify("no job selected", severity="warning")
        return job

    def targets(self) -> list[str]:
        """The marked jobs, or else the selected one."""
        marked = self.query_one(JobsTable).marked
        if marked:
            return sorted(marked)
        return [self.selected] if self.selected in self.jobs else []

    def action_pause(self) -> None:
        """Pause the selected job, or all marked jobs."""
        self._bulk("pause")

    def action_resume(self) -> None:
        """Resume the selected job, or all marked jobs."""
        self._bulk("resume")

    @work(group="actions", exit_on_error=False)
    async def _bulk(self, verb: str) -> None:
        codes = self.targets()
        if not codes:
            self.notify("no job selected", severity="warning")
            return
        call = self.service.pause if verb == "pause" else self.service.resume
        done: list[str] = []
        for code in codes:
            try:
                await call(code)
            except YschedError as exc:
                self.notify(str(exc), severity="error")
            else:
                done.append(code)
        if done:
            self.notify(f"{verb}d {', '.join(done)}")
        table = self.query_one(JobsTable)
        if table.marked:
            table.marked.clear()
            table.refresh_marks()

    @work(group="dialogs", exit_on_error=False)
    async def action_trigger(self) -> None:
        """Run the selected job now, after the trigger dialog (a form for script parameters)."""
        from ysched_tui.tui.dialogs.trigger import TriggerDialog

        job = self.selected_job()
        if job is None:
            return
        params = await self.app.push_screen_wait(TriggerDialog(job))
        if params is None:
            self.notify(f"{job.code}: trigger cancelled", timeout=2)
            return
        try:
            run_id = await self.service.trigger(job.code, dict(params) or None)
        except YschedError as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify(f"triggered {job.code}: {run_id}")

    @work(group="dialogs", exit_on_error=False)
    async def action_reschedule(self) -> None:
        """Change the selected job's schedule through the reschedule dialog."""
        from ysched_tui.tui.dialogs.reschedule import RescheduleDialog

        job = self.selected_job()
        if job is None:
            return
        dialog = RescheduleDialog(job, self.default_tz, now=self.app.now())  # type: ignore[attr-defined]
        triggers = await self.app.push_screen_wait(dialog)
        if triggers is None:
            self.notify(f"{job.code}: schedule unchanged", timeout=2)
            return
        try:
            await self.service.reschedule(job.code, triggers)
        except YschedError as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify(f"rescheduled {job.code}: {describe_all(triggers)}")

    @work(group="dialogs", exit_on_error=False)
    async def action_cancel_run(self) -> None:
        """Cancel the selected job's run in progress, after a confirmation."""
        from ysched_tui.tui.dialogs.confirm import ConfirmDialog

        job = self.selected_job()
        if job is None:
            return
        if not job.running:
            self.notify(f"job {job.code!r} has no run in progress", severity="error")
            return
        run_id = job.running[-1]
        message = f"Cancel {run_id} of {job.code}? Its process tree will be killed."
        if not await self.app.push_screen_wait(ConfirmDialog("Cancel run", message)):
            self.notify(f"{run_id} left running", timeout=2)
            return
        try:
            await self.service.cancel(run_id)
        except YschedError as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify(f"cancelled {run_id}")

    def action_mark(self) -> None:
        """Mark or unmark the selected job for a bulk pause/resume."""
        table = self.query_one(JobsTable)
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
        table = self.query_one(JobsTable)
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
