"""The console's "Reload jobs file" (command palette): the table follows the edited file, and a
broken file is an error notification that changes nothing."""

from __future__ import annotations

from pathlib import Path

from tests.app.conftest import Notes, make_settings, palette_choice, palette_open, row_text
from tests.waiting import wait_until
from ysched_tui.console import make_app
from ysched_tui.owner.assembly import build_engine

JOBS = '[[jobs]]\ncode = "alpha"\ncron = "30 2 * * *"\ncommand = "true"\n'


async def test_palette_reload_adds_the_new_job_and_refuses_a_broken_file(tmp_path: Path) -> None:
    """After an edit the palette's reload adds the job to the table; a broken edit says what is
    wrong (file, line, field) and the table keeps its jobs."""
    jobs = tmp_path / "jobs.toml"
    jobs.write_text(JOBS)
    settings = make_settings(tmp_path).model_copy(update={"jobs": jobs})
    engine = build_engine(settings)
    await engine.start()
    notes = Notes()
    app = make_app(settings, engine)
    try:
        async with app.run_test(size=(160, 40), message_hook=notes.hook) as pilot:
            await wait_until(lambda: "alpha" in row_text(app, "alpha"), pilot=pilot)
            jobs.write_text(JOBS + '[[jobs]]\ncode = "beta"\nevery = "5m"\ncommand = "true"\n')
            await pilot.press("ctrl+p")
            await wait_until(lambda: palette_open(app), pilot=pilot)
            await pilot.press(*"Reload jobs")
            await wait_until(lambda: "Reload jobs" in palette_choice(app), pilot=pilot)
            await pilot.press("enter")
            await wait_until(lambda: "beta" in row_text(app, "beta"), pilot=pilot)
            await wait_until(lambda: notes.has("reloaded: added 1 (beta), updated 0, "
                                               "removed 0"), pilot=pilot)
            jobs.write_text(JOBS + '[[jobs]]\ncode = "gamma"\nevery = "5x"\ncommand = "y"\n')
            app.action_reload_jobs()
            await wait_until(lambda: notes.has("not reloaded, nothing changed"), pilot=pilot)
            assert notes.has("field 'every'") and notes.has("jobs.toml:")
            assert row_text(app, "beta") and not row_text(app, "gamma")
            assert "gamma" not in {job.code for job in await engine.list_jobs()}
        await app.settle()
    finally:
        await engine.stop(grace=0)
