"""The one factory of the console: ``make_app(settings, service=None)``, and running it.

Used by the CLI, the tests and the screenshot script. It lives outside ``ysched_tui.tui`` because
it may build the engine, and the console package must never import the engine's libraries.

:func:`run_console` opens the scheduler through :func:`~ysched_tui.owner.connect.open_service`:
the first console on a database becomes its owner (embedding the engine and serving the control
API for others); a console started while another process owns the database attaches to it, and
quitting it leaves the owner running. Operator actions from the console are audited as
``via="console"``.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, ClassVar

from ysched_tui.core.models import Actor
from ysched_tui.core.service import SchedulerService, acting_as
from ysched_tui.memory import release_free_memory, release_periodically
from ysched_tui.settings import Settings

if TYPE_CHECKING:
    from ysched_tui.owner.connect import Session
    from ysched_tui.tui.app import YschedApp

NOTICE_SECONDS = 10.0
"""How long the "attached to ..." notice stays on screen."""


GC_HOLD_LIMIT = 30.0
"""Seconds after which garbage collection is back on even if the first paint never came."""

QUIT_GRACE = 1.0
"""Seconds runs get to finish when the console quits (the operator confirmed interrupting)."""

FREEZE_EVERY = 60.0
"""Least seconds between two freezes after large batches of job changes."""


class ConsoleMemory:
    """The console process's garbage collection and heap, tuned around what the console paints.

    :func:`run_console` holds garbage collection from start-up until the jobs are painted: with
    10,000 jobs loaded each full collection took ~170 ms. Once the jobs are on screen
    (:meth:`after_first_paint`), and after a batch of changes replaced most job views (a figures
    refresh; :meth:`after_bulk_change`, at most once per :data:`FREEZE_EVERY`), the long-lived
    objects (the job views, the engine, the widgets) are frozen out of the collector's full
    collections, which walk every tracked object: with 10,000 jobs each took 60-300 ms, a
    visible stall (bench/console_profile.py ``--census``). A collection comes first, so that no
    garbage cycle is frozen for good; frozen objects are still freed when their last reference
    goes. After the first paint, the heap start-up freed goes back to the OS.
    """

    def __init__(self) -> None:
        self._frozen_at = -FREEZE_EVERY

    def after_first_paint(self) -> None:
        """Freeze what start-up left alive, collect again from now on, release freed memory."""
        _freeze_survivors()
        release_free_memory()

    def after_bulk_change(self) -> None:
        """Freeze the views a large batch of changes made (at most once per FREEZE_EVERY)."""
        now = time.monotonic()
        if now - self._frozen_at < FREEZE_EVERY:
            return
        self._frozen_at = now
        _freeze_survivors()


def _freeze_survivors() -> None:
    gc.collect()
    gc.freeze()
    gc.enable()  # held since start-up (run_console)



def make_app(
    settings: Settings,
    service: SchedulerService | None = None,
    *,
    clock: Callable[[], datetime] | None = None,
    memory: ConsoleMemory | None = None,
    serve_after_paint: Callable[[], Awaitable[None]] | None = None,
) -> YschedApp:
    """The console app on ``service`` (default: an engine embedded on ``settings``).

    The caller starts and stops the service; see :func:`run_console`. ``memory`` is the
    process's tuning (only the entry point that owns the process passes one);
    ``serve_after_paint`` starts once the jobs are painted.
    """
    from ysched_tui.tui.app import YschedApp

    if service is None:
        from ysched_tui.owner.assembly import build_engine

        service = build_engine(settings, clock=clock)
    return YschedApp(
        service, settings, clock=clock, serve_after_paint=serve_after_paint,
        after_first_paint=memory.after_first_paint if memory else None,
        after_bulk_change=memory.after_bulk_change if memory else None,
    )


def session_app(
    settings: Settings, session: Session, *, memory: ConsoleMemory | None = None
) -> YschedApp:
    """The console on an opened session; attached, it says to whom when it is ready."""
    from ysched_tui.tui.app import YschedApp

    if session.role == "owner":
        # others attach once the control server is up
        return make_app(settings, session.service, memory=memory,
                        serve_after_paint=session.start_server)
    from textual.binding import Binding, BindingType

    notice = "\n".join([session.describe(), *session.notes])
    remote = session.role == "remote"

    class AttachedApp(YschedApp):
        """The console attached to another process's scheduler."""

        CSS_PATH = _css_beside(YschedApp)
        OWNS_RUNS = False
        BINDINGS: ClassVar[list[BindingType]] = [
            Binding("O", "own", "Own", show=False),
        ]

        def on_ready(self) -> None:
            self.notify(notice, title="attached", timeout=NOTICE_SECONDS)

        def action_own(self) -> None:
            """With the owner gone, quit to :func:`run_console`, which opens again as owner."""
            if remote:
                self.notify("the owner runs on another host: start `ysched-tui daemon` there",
                            severity="warning")
                return
            if not getattr(self.main_screen, "owner_gone", False):
                self.notify("another process owns the database: this console can own it only "
                            "once that owner is gone", severity="warning")
                return
            self.wants_ownership = True
            self.exit()

    return AttachedApp(
        session.service, settings,
        after_first_paint=memory.after_first_paint if memory else None,
        after_bulk_change=memory.after_bulk_change if memory else None,
    )


def _css_beside(cls: type[YschedApp]) -> Any:
    """``cls``'s CSS path(s) made absolute: Textual resolves relative ones beside the subclass."""
    import inspect

    folder = Path(inspect.getfile(cls)).parent
    paths: Any = cls.CSS_PATH
    if isinstance(paths, str | PurePath):
        return str(folder / paths)
    return [str(folder / p) for p in paths or ()]


async def run_console(
    settings: Settings,
    *,
    connect: str | None = None,
    token_file: Path | None = None,
    listen: str | None = None,
) -> int:
    """Own or attach to the database's scheduler, run the console until it quits, then close.

    Raises:
        NotOwner: ``connect`` cannot be reached. ConfigError / StorageError: owning failed.
    """
    # no garbage collection before the first paint: with 10,000 jobs loaded each full
    # collection took ~170 ms; ConsoleMemory collects once and re-enables it after the jobs
    # are painted, and this timer makes sure it comes back
    gc.disable()
    loop = asyncio.get_running_loop()
    loop.call_later(GC_HOLD_LIMIT, gc.enable)
    # freed heap goes back to the OS every 15 s while the console runs
    trimming = loop.create_task(release_periodically(), name="ysched-trim")
    try:
        return await _console_sessions(settings, connect=connect, token_file=token_file,
                                       listen=listen, memory=ConsoleMemory())
    finally:
        trimming.cancel()


async def _console_sessions(
    settings: Settings,
    *,
    connect: str | None,
    token_file: Path | None,
    listen: str | None,
    memory: ConsoleMemory,
) -> int:
    """Open a session and run the console on it, again while the operator asks to own."""
    from ysched_tui.owner.connect import open_service

    with acting_as(Actor.here("console")):
        while True:
            session = await open_service(settings, connect=connect, token_file=token_file,
                                         listen=listen, via="console", defer_server=True)
            app = session_app(settings, session, memory=memory)
            try:
                await app.run_async()
                await app.settle()  # no service call may be cut off half-way by the stop
            finally:
                gc.enable()  # if the jobs were never painted
                # the operator confirmed that quitting interrupts running runs: no long wait
                await session.close(grace=QUIT_GRACE)
            if not app.wants_ownership or connect is not None:
                return 0
            # O on an attached console whose owner is gone: open again, owning the database
            # (or attached to whoever took it in the meantime)
