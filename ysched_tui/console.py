"""The one factory of the console: ``make_app(settings, service=None)``.

Used by the CLI, the tests and the screenshot script. It lives outside ``ysched_tui.tui`` because
it may build the engine, and the console package must never import the engine's libraries.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from ysched_tui.core.service import SchedulerService
from ysched_tui.settings import Settings

if TYPE_CHECKING:
    from ysched_tui.tui.app import YschedApp


def make_app(
    settings: Settings,
    service: SchedulerService | None = None,
    *,
    clock: Callable[[], datetime] | None = None,
) -> YschedApp:
    """The console app on ``service`` (default: an engine embedded on ``settings``).

    The caller starts and stops the service; see :func:`run_console`.
    """
    from ysched_tui.tui.app import YschedApp

    if service is None:
        from ysched_tui.engine import Engine

        service = Engine(settings, clock=clock)
    return YschedApp(service, settings, clock=clock)


async def run_console(settings: Settings) -> int:
    """Start the embedded engine, run the console until it quits, then stop the engine."""
    from ysched_tui.engine import Engine

    engine = Engine(settings)
    await engine.start()
    try:
        app = make_app(settings, engine)
        await app.run_async()
    finally:
        await engine.stop()
    return 0
