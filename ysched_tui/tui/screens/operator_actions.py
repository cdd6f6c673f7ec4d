"""What the operator's keys do to jobs: pause, resume, trigger, reschedule, cancel a run.

Every action is a call on the service; the jobs table changes when the resulting event arrives
(never ahead of it), and every action ends in a notification: what was done, or why not (errors
from the service, such as "job X is already paused", shown with ``severity="error"``). Trigger,
reschedule and cancel first ask in a dialog (imported when first used), so the actions are
coroutines for a worker, where awaiting a dialog's answer is allowed.

:class:`OperatorActions` knows nothing of the screen: it is given the service, a way to ask (a
dialog's answer) and a way to tell (a notification); the main screen decides which jobs an
action applies to (the selected one, or the marked ones).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol, TypeVar

from textual.notifications import SeverityLevel
from textual.screen import Screen

from ysched_tui.core.models import JobView
from ysched_tui.core.schedule import describe_all
from ysched_tui.core.service import SchedulerService
from ysched_tui.errors import YschedError

T = TypeVar("T")


class Ask(Protocol):
    """Show a dialog and wait for its answer (``App.push_screen_wait``, in a worker)."""

    async def __call__(self, dialog: Screen[T], /) -> T:
        ...


class Tell(Protocol):
    """Show a notification (``Widget.notify``)."""

    def __call__(self, message: str, *, severity: SeverityLevel = "information",
                 timeout: float | None = None) -> None:
        ...


class OperatorActions:
    """The operator's actions on jobs, each asked, done on the service and told.

    Args:
        service: the scheduler the actions are done on.
        ask: shows a dialog and returns its answer.
        tell: shows a notification.
        tz: the zone the reschedule dialog reads times in by default.
        clock: "now" for the reschedule dialog's preview.
    """

    def __init__(
        self,
        service: SchedulerService,
        *,
        ask: Ask,
        tell: Tell,
        tz: str,
        clock: Callable[[], datetime],
    ) -> None:
        self._service = service
        self._ask = ask
        self._tell = tell
        self._tz = tz
        self._clock = clock

    async def set_paused(self, codes: Sequence[str], *, paused: bool) -> None:
        """Pause (or resume) each of ``codes``; one notification names those that changed."""
        call = self._service.pause if paused else self._service.resume
        done: list[str] = []
        for code in codes:
            try:
                await call(code)
            except YschedError as exc:
                self._tell(str(exc), severity="error")
            else:
                done.append(code)
        if done:
            self._tell(f"{'paused' if paused else 'resumed'} {', '.join(done)}")

    async def trigger(self, job: JobView) -> None:
        """Run ``job`` now, after the trigger dialog (a form for script parameters)."""
        from ysched_tui.tui.dialogs.trigger import TriggerDialog

        params = await self._ask(TriggerDialog(job))
        if params is None:
            self._tell(f"{job.code}: trigger cancelled", timeout=2)
            return
        try:
            run_id = await self._service.trigger(job.code, dict(params) or None)
        except YschedError as exc:
            self._tell(str(exc), severity="error")
            return
        self._tell(f"triggered {job.code}: {run_id}")

    async def reschedule(self, job: JobView) -> None:
        """Change ``job``'s schedule through the reschedule dialog."""
        from ysched_tui.tui.dialogs.reschedule import RescheduleDialog

        triggers = await self._ask(RescheduleDialog(job, self._tz, now=self._clock()))
        if triggers is None:
            self._tell(f"{job.code}: schedule unchanged", timeout=2)
            return
        try:
            await self._service.reschedule(job.code, triggers)
        except YschedError as exc:
            self._tell(str(exc), severity="error")
            return
        self._tell(f"rescheduled {job.code}: {describe_all(triggers)}")

    async def cancel_run(self, job: JobView) -> None:
        """Cancel ``job``'s run in progress, after a confirmation."""
        from ysched_tui.tui.dialogs.confirm import ConfirmDialog

        if not job.running:
            self._tell(f"job {job.code!r} has no run in progress", severity="error")
            return
        run_id = job.running[-1]
        message = f"Cancel {run_id} of {job.code}? Its process tree will be killed."
        if not await self._ask(ConfirmDialog("Cancel run", message)):
            self._tell(f"{run_id} left running", timeout=2)
            return
        try:
            await self._service.cancel(run_id)
        except YschedError as exc:
            self._tell(str(exc), severity="error")
            return
        self._tell(f"cancelled {run_id}")
