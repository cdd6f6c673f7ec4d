"""The console holds garbage collection until the jobs are painted, then freezes what lives on
and turns collection back on (run_console disables it before starting the engine)."""

from __future__ import annotations

import gc

from tests.app.conftest import SPECS, wait_for
from ysched_tui.engine import Engine
from ysched_tui.tui.app import YschedApp
from ysched_tui.tui.widgets.jobs_table import JobsTable


async def test_collection_comes_back_after_the_first_paint(app: YschedApp, engine: Engine) -> None:
    """With collection off at start, painting the job list turns it on and freezes survivors."""
    gc.disable()
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            table = app.screen.query_one(JobsTable)
            await wait_for(pilot, lambda: table.row_count >= len(SPECS))
            await wait_for(pilot, gc.isenabled)
            assert gc.get_freeze_count() > 0
    finally:
        gc.enable()
        gc.unfreeze()
