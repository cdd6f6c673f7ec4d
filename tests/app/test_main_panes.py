"""Pilot tests of the main screen's panes: filter, log follow/search/wrap/timestamps, run
stepping, next runs, stats, header, small-terminal tabs and the screens keys open."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Static

from tests.app.conftest import SPECS, finished, row_text
from tests.waiting import wait_until
from ysched_tui.engine import Engine
from ysched_tui.tui.app import YschedApp
from ysched_tui.tui.screens.detail import JobDetailScreen
from ysched_tui.tui.screens.failures import FailuresScreen
from ysched_tui.tui.screens.help import HelpScreen
from ysched_tui.tui.screens.main import MainScreen
from ysched_tui.tui.widgets.header_bar import HeaderBar
from ysched_tui.tui.widgets.jobs_table import JobsTable
from ysched_tui.tui.widgets.log_pane import LogPane
from ysched_tui.tui.widgets.next_runs import NextRunsPane
from ysched_tui.tui.widgets.stats_pane import StatsPane


async def ready(pilot: Pilot[Any], code: str | None = None) -> JobsTable:
    """Wait for the jobs to show, then put the cursor on ``code``."""
    table = pilot.app.screen.query_one(JobsTable)
    await wait_until(lambda: table.row_count >= len(SPECS), pilot=pilot)
    if code is not None:
        table.move_cursor(row=table.get_row_index(code))
        await wait_until(lambda: pilot.app.screen.selected == code, pilot=pilot)
    return table


def status_line(app: YschedApp) -> str:
    return str(app.screen.query_one("#log-status", Static).render())


async def test_filter_by_text_tag_and_state(app: YschedApp, engine: Engine) -> None:
    """/ filters the table by text, tag: and paused; esc shows every job again."""
    await engine.pause("tick")
    async with app.run_test(size=(160, 40)) as pilot:
        table = await ready(pilot)
        await pilot.press("slash", *"tag:db")
        await wait_until(lambda: table.codes() == ["backup"], pilot=pilot)
        await pilot.press("escape")
        await wait_until(lambda: len(table.codes()) == len(SPECS) + 1, pilot=pilot)
        await pilot.press("slash", *"paused", "enter")
        await wait_until(lambda: table.codes() == ["tick"], pilot=pilot)
        assert table.has_focus
        await pilot.press("escape")
        await pilot.press("slash", *"hel")
        await wait_until(lambda: table.codes() == ["hello"], pilot=pilot)


async def test_filter_status_failed_and_running(app: YschedApp, engine: Engine) -> None:
    """status:failed keeps jobs whose last run failed; status:running those running now."""
    await engine.trigger("fails")
    await engine.trigger("slow")
    async with app.run_test(size=(160, 40)) as pilot:
        table = await ready(pilot)
        await wait_until(lambda: "✗ failed" in row_text(app, "fails"), pilot=pilot)
        await pilot.press("slash", *"status:failed")
        await wait_until(lambda: table.codes() == ["fails"], pilot=pilot)
        await pilot.press("escape", "slash", *"status:running")
        await wait_until(lambda: table.codes() == ["slow"], pilot=pilot)


async def test_filtered_out_job_leaves_the_table_when_it_changes(app: YschedApp,
                                                                engine: Engine) -> None:
    """With 'paused' filtered, resuming a job in the engine takes its row away."""
    await engine.pause("tick")
    async with app.run_test(size=(160, 40)) as pilot:
        table = await ready(pilot)
        await pilot.press("slash", *"paused", "enter")
        await wait_until(lambda: table.codes() == ["tick"], pilot=pilot)
        await engine.resume("tick")
        await wait_until(lambda: table.codes() == [], pilot=pilot)


async def test_log_follows_and_scrolling_up_pauses(app: YschedApp, engine: Engine) -> None:
    """The log follows new output; scrolling up pauses and says so; f resumes at the end."""
    async with app.run_test(size=(160, 40)) as pilot:
        await ready(pilot, "many")
        await engine.trigger("many")
        pane = app.screen.query_one(LogPane)
        log = pane.log_view
        await wait_until(lambda: "300" in log.lines, pilot=pilot)
        await wait_until(lambda: log.is_vertical_scroll_end, pilot=pilot)
        await pilot.press("3")  # focus the log pane
        await pilot.press("pageup")
        await wait_until(lambda: "following paused — f to resume" in status_line(app), pilot=pilot)
        assert not log.is_vertical_scroll_end
        await pilot.press("f")
        await wait_until(lambda: log.is_vertical_scroll_end and log.following, pilot=pilot)
        assert "following paused" not in status_line(app)


async def test_log_search_wrap_and_timestamps(app: YschedApp, engine: Engine) -> None:
    """/ in the log finds matches (n jumps), w and T toggle wrap and timestamps."""
    await engine.trigger("hello")
    async with app.run_test(size=(160, 40)) as pilot:
        await ready(pilot, "hello")
        log = app.screen.query_one(LogPane).log_view
        await wait_until(lambda: "gamma" in log.lines, pilot=pilot)
        await pilot.press("3", "slash", *"beta", "enter")
        await wait_until(lambda: "match 1/1" in status_line(app), pilot=pilot)
        assert log.matches() == [1]
        await pilot.press("n")
        await wait_until(lambda: "match 1/1" in status_line(app), pilot=pilot)
        await pilot.press("T")
        await wait_until(lambda: log.lines[0].endswith(" alpha") and log.lines[0] != "alpha",
                         pilot=pilot)
        assert "timestamps on" in status_line(app)
        await pilot.press("w")
        await wait_until(lambda: "wrap on" in status_line(app), pilot=pilot)


async def test_brackets_step_between_runs(app: YschedApp, engine: Engine) -> None:
    """[ shows the previous run of the job and ] the next one, in the run header."""
    first = await engine.trigger("backup")
    await finished(engine, first)
    second = await engine.trigger("backup")
    await finished(engine, second)
    async with app.run_test(size=(160, 40)) as pilot:
        await ready(pilot, "backup")
        header = app.screen.query_one("#run-header", Static)
        await wait_until(lambda: second in str(header.render()), pilot=pilot)
        await pilot.press("3", "left_square_bracket")
        await wait_until(lambda: first in str(header.render()), pilot=pilot)
        await pilot.press("right_square_bracket")
        await wait_until(lambda: second in str(header.render()), pilot=pilot)


async def test_next_runs_and_header(app: YschedApp, engine: Engine) -> None:
    """Next runs lists upcoming fires with paused jobs marked; the header shows the counts."""
    await engine.pause("backup")
    async with app.run_test(size=(160, 40)) as pilot:
        await ready(pilot)
        timeline = app.screen.query_one(NextRunsPane).query_one("#timeline", Static)
        await wait_until(lambda: "backup" in str(timeline.render()), pilot=pilot)
        text = str(timeline.render())
        assert "tick  Hourly tick" in text
        assert "backup  Nightly backup  (paused)" in text
        header = app.screen.query_one(HeaderBar)
        await wait_until(lambda: header.status is not None, pilot=pilot)
        assert "1 paused" in header.render().plain
        assert engine.settings.db in header.render().plain


async def test_stats_pane_counts_runs(app: YschedApp, engine: Engine) -> None:
    """The stats pane shows the selected job's and all jobs' run counts."""
    await finished(engine, await engine.trigger("fails"))
    async with app.run_test(size=(160, 40)) as pilot:
        await ready(pilot, "fails")
        stats = app.screen.query_one(StatsPane)
        job_title = stats.query_one("#stats-job .scope-title", Static)
        await wait_until(lambda: "fails  24h 1 runs" in str(job_title.render()), pilot=pilot)
        all_title = stats.query_one("#stats-all .scope-title", Static)
        await wait_until(lambda: "all jobs" in str(all_title.render()), pilot=pilot)


async def test_small_terminal_shows_one_pane_with_tabs(app: YschedApp) -> None:
    """At 80x24 one pane shows at a time; 1-4 and tab switch panes."""
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        screen = app.screen
        assert screen.has_class("-small")

        def shown() -> list[str]:
            return [p.id or "" for p in screen.query(".pane") if p.display and p.region.height]

        await wait_until(lambda: shown() == ["jobs-pane"], pilot=pilot)
        await pilot.press("3")
        await wait_until(lambda: shown() == ["log-pane"], pilot=pilot)
        await pilot.press("tab")
        await wait_until(lambda: shown() == ["stats-pane"], pilot=pilot)
        await pilot.press("tab")
        await wait_until(lambda: shown() == ["jobs-pane"], pilot=pilot)
        assert screen.query_one(JobsTable).has_focus


async def test_large_terminal_shows_four_panes(app: YschedApp) -> None:
    """At 120x40 all four panes show at once and tab moves the focus between them."""
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        panes = [p for p in app.screen.query(".pane") if p.region.height > 3]
        assert len(panes) == 4
        await pilot.press("tab")
        await wait_until(lambda: app.screen.query_one(NextRunsPane).has_focus, pilot=pilot)


async def test_enter_help_and_failures_keys_open_screens(app: YschedApp) -> None:
    """enter opens the job's detail, ? the help, F the failures view; esc comes back."""
    async with app.run_test(size=(160, 40)) as pilot:
        await ready(pilot, "backup")
        await pilot.press("enter")
        await wait_until(lambda: isinstance(app.screen, JobDetailScreen), pilot=pilot)
        await pilot.press("escape")
        await wait_until(lambda: isinstance(app.screen, MainScreen), pilot=pilot)
        await pilot.press("question_mark")
        await wait_until(lambda: isinstance(app.screen, HelpScreen), pilot=pilot)
        await pilot.press("escape")
        await pilot.press("F")
        await wait_until(lambda: isinstance(app.screen, FailuresScreen), pilot=pilot)
        await pilot.press("escape")
        await wait_until(lambda: isinstance(app.screen, MainScreen), pilot=pilot)


async def test_audit_view_lists_the_pause_just_made(app: YschedApp, engine: Engine) -> None:
    """p pauses through the engine, and A shows that action with who, how, before and after."""
    from textual.widgets import DataTable

    from ysched_tui.tui.screens.audit import AuditScreen

    async with app.run_test(size=(160, 40)) as pilot:
        await ready(pilot, "backup")
        await pilot.press("p")
        await wait_until(lambda: engine.table.get("backup").state.paused, pilot=pilot)
        await pilot.press("A")
        await wait_until(lambda: isinstance(app.screen, AuditScreen), pilot=pilot)
        table = app.screen.query_one(DataTable)
        await wait_until(lambda: table.row_count >= 1, pilot=pilot)
        row = [str(cell) for cell in table.get_row_at(0)]
        assert row[3] == "pause" and row[4] == "backup" and row[2] == "console"
        assert '"paused":false' in row[5] and '"paused":true' in row[6]
        await pilot.press("escape")
        await wait_until(lambda: isinstance(app.screen, MainScreen), pilot=pilot)
