"""The log pane under a flood: it keeps at most ``log_max_lines``, says so, and keeps following
the end while old lines are let go; scrolling up still pauses following."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from textual.app import App, ComposeResult
from textual.widgets import Static

from tests.app.conftest import wait_for
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
        await wait_for(pilot, lambda: "line 5050" in "\n".join(
            strip.text for strip in app.screen._compositor.render_strips()))
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
        await wait_for(pilot, lambda: not pane.log_view.following)
        for start in range(151, 1151, 100):
            pane.append("run_1", lines(start, 100))
            await pilot.pause()
        assert not pane.log_view.following
        assert pane.log_view.scroll_y < pane.log_view.max_scroll_y
        await pilot.press("f")
        await wait_for(pilot, lambda: pane.log_view.following
                       and pane.log_view.scroll_y == pane.log_view.max_scroll_y)
