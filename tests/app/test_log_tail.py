"""The log pane under a flood: it keeps at most ``log_max_lines``, says so, and keeps following
the end while old lines are let go; scrolling up still pauses following."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from textual.app import App, ComposeResult
from textual.widgets import Static

from tests.waiting import wait_until
from ysched_tui.core.models import OutputLine, RunRecord, RunStatus
from ysched_tui.tui.widgets.log_pane import LogPane

T0 = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)
RUN = RunRecord(run_id="run_1", job_code="flood", job_id="flood", status=RunStatus.RUNNING,
                start_time=T0)


def lines(start: int, count: int) -> list[OutputLine]:
    return [OutputLine(run_id="run_1", seq=i, ts=T0 + timedelta(milliseconds=i),
                       text=f"line {i}") for i in range(start, start + count)]


class PaneHost(App[None]):
    def compose(self) -> ComposeResult:
        yield LogPane(tz="UTC", max_lines=200, id="log-pane")


def status(app: PaneHost) -> str:
    return str(app.query_one("#log-status", Static).render())


async def test_a_flood_is_capped_and_still_followed() -> None:
    """5,000 lines into a 200-line pane: at most ~220 kept, the newest on screen, following on."""
    app = PaneHost()
    async with app.run_test(size=(80, 20)) as pilot:
        pane = app.query_one(LogPane)
        pane.show_run("flood", RUN, lines(1, 50))
        for start in range(51, 5051, 250):  # batches, as the bridge sends them
            pane.append("run_1", lines(start, 250))
            await pilot.pause()
        view = pane.log_view
        assert len(view.source) <= 220 and view.line_count <= 200
        assert view.source[-1].text == "line 5050" and view.dropped >= 4800
        assert view.following and view.scroll_y == view.max_scroll_y
        await wait_until(lambda: "line 5050" in "\n".join(
            strip.text for strip in app.screen._compositor.render_strips()), pilot=pilot)
        assert "last" in status(app) and "ysched-tui logs" in status(app)


async def test_scrolling_up_pauses_following_despite_the_flood() -> None:
    """After the operator scrolls up, new lines (and the pruning they cause) do not move the
    view back to the end, and following stays paused until ``f``."""
    app = PaneHost()
    async with app.run_test(size=(80, 20)) as pilot:
        pane = app.query_one(LogPane)
        pane.show_run("flood", RUN, lines(1, 150))
        await pilot.pause()
        pane.log_view.focus()
        await pilot.press("k", "k", "k")
        await wait_until(lambda: not pane.log_view.following, pilot=pilot)
        for start in range(151, 1151, 100):
            pane.append("run_1", lines(start, 100))
            await pilot.pause()
        assert not pane.log_view.following
        assert pane.log_view.scroll_y < pane.log_view.max_scroll_y
        await pilot.press("f")
        await wait_until(lambda: pane.log_view.following
                         and pane.log_view.scroll_y == pane.log_view.max_scroll_y, pilot=pilot)


async def test_selecting_a_long_finished_run_reads_only_its_end(tmp_path) -> None:
    """With log_max_lines = 100 the pane asks for (and shows) the last 100 of 300 stored lines."""
    from tests.app.conftest import SPECS, finished
    from tests.waiting import wait_until
    from ysched_tui.owner.assembly import build_engine
    from ysched_tui.settings import Settings
    from ysched_tui.tui.app import YschedApp
    from ysched_tui.tui.widgets.jobs_table import JobsTable

    settings = Settings(db=str(tmp_path / "t.db"), jobs=None, timezone="UTC",
                        ui={"log_max_lines": 100})
    engine = build_engine(settings, specs=SPECS)
    await engine.start()
    try:
        run_id = await engine.trigger("many")
        await finished(engine, run_id)
        app = YschedApp(engine, settings)
        async with app.run_test(size=(160, 40)) as pilot:
            table = app.screen.query_one(JobsTable)
            await wait_until(lambda: table.row_count >= len(SPECS), pilot=pilot)
            table.move_cursor(row=table.get_row_index("many"))
            pane = app.screen.query_one(LogPane)
            await wait_until(lambda: pane.run_id == run_id and pane.log_view.source, pilot=pilot)
            texts = [line.text for line in pane.log_view.source]
            assert texts == [str(i) for i in range(201, 301)]
            await app.settle()
    finally:
        await engine.stop(grace=0)
