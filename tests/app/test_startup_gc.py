"""The console holds garbage collection until the jobs are painted, then freezes what lives on
and turns collection back on (run_console disables it before starting the engine, and gives the
app its ConsoleMemory hooks)."""

from __future__ import annotations

import gc
from pathlib import Path

from tests.app.conftest import SPECS, make_settings
from tests.waiting import wait_until
from ysched_tui.console import ConsoleMemory, make_app
from ysched_tui.engine import Engine
from ysched_tui.tui.widgets.jobs_table import JobsTable


async def test_collection_comes_back_after_the_first_paint(engine: Engine, tmp_path: Path) -> None:
    """With collection off at start, painting the job list turns it on and freezes survivors."""
    app = make_app(make_settings(tmp_path), engine, memory=ConsoleMemory())
    gc.disable()
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            table = app.screen.query_one(JobsTable)
            await wait_until(lambda: table.row_count >= len(SPECS), pilot=pilot)
            await wait_until(gc.isenabled, pilot=pilot)
            assert gc.get_freeze_count() > 0
        await app.settle()
    finally:
        gc.enable()
        gc.unfreeze()
