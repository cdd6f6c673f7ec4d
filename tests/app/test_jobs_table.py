"""The jobs table at 10,000 rows: it draws only the rows on screen, keeps the cursor on its job,
moves with the keys, and keeps state and code in view on a narrow terminal."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from textual.app import App, ComposeResult

from tests.app.test_main_widgets import NOW, view
from tests.waiting import wait_until
from ysched_tui.core.models import JobView
from ysched_tui.tui.widgets.jobs_table import JobsTable


class TableHost(App[None]):
    """The table alone, recording the messages it sends."""

    def __init__(self) -> None:
        super().__init__()
        self.got: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        yield JobsTable(tz="UTC", id="jobs")

    def on_jobs_table_highlighted(self, event: JobsTable.Highlighted) -> None:
        self.got.append(("highlighted", event.code))

    def on_jobs_table_selected(self, event: JobsTable.Selected) -> None:
        self.got.append(("selected", event.code))


def many(n: int = 10_000) -> list[JobView]:
    return [view(f"job{i:05d}") for i in range(n)]


def count_cells(table: JobsTable) -> list[str]:
    """Record the code of every row whose cells the table computes from here on."""
    seen: list[str] = []
    original = table._cells

    def counting(job: JobView) -> Any:
        seen.append(job.code)
        return original(job)

    table._cells = counting  # type: ignore[method-assign]
    return seen


def screen_text(app: App[Any]) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def test_a_batch_redraws_only_visible_rows() -> None:
    """100 changed jobs among 10,000 cost the ~40 rows on screen, and show their new state."""
    app = TableHost()
    async with app.run_test(size=(160, 40)) as pilot:
        table = app.query_one(JobsTable)
        table.show(many(), NOW)
        await pilot.pause()
        seen = count_cells(table)
        table.apply([view(f"job{i:05d}", paused=True) for i in range(0, 10_000, 100)], [], NOW)
        assert seen == []  # applying is bookkeeping only
        await pilot.pause()
        assert 0 < len(seen) <= 40 and set(seen) <= {f"job{i:05d}" for i in range(40)}
        assert "paused" in screen_text(app).split("job00000")[0].splitlines()[-1]
        seen.clear()
        table.tick(NOW + timedelta(minutes=1))
        await pilot.pause()
        assert 0 < len(set(seen)) <= 80 and all(code < "job00040" for code in seen)


async def test_cursor_keys_and_messages() -> None:
    """j/k, G/g and pgdn move the cursor and say which job is highlighted; enter opens it."""
    app = TableHost()
    async with app.run_test(size=(120, 30)) as pilot:
        table = app.query_one(JobsTable)
        table.show(many(500), NOW)
        table.focus()
        await pilot.press("j", "j", "k")
        assert table.selected_code == "job00001"
        await pilot.press("G")
        assert table.selected_code == "job00499"
        await wait_until(lambda: "job00499" in screen_text(app), pilot=pilot)
        await pilot.press("g", "pagedown")
        assert 20 <= table.cursor_row <= 29
        await pilot.press("enter")
        await wait_until(lambda: app.got and app.got[-1][0] == "selected", pilot=pilot)
        assert app.got[-1] == ("selected", table.selected_code)
        assert ("highlighted", "job00499") in app.got


async def test_cursor_stays_on_its_job_when_rows_come_and_go() -> None:
    """Rows added before the cursor's job or removed after it leave the cursor on that job."""
    app = TableHost()
    async with app.run_test(size=(120, 30)) as pilot:
        table = app.query_one(JobsTable)
        table.show([view(c) for c in ("b", "d", "f")], NOW)
        table.move_cursor(row=table.get_row_index("d"))
        table.apply([view("a"), view("c")], ["f"], NOW)
        assert table.codes() == ["a", "b", "c", "d"] and table.selected_code == "d"
        table.apply([], ["d"], NOW)  # the cursor's own job goes: the cursor stays in the table
        assert table.selected_code in {"a", "b", "c"}
        await pilot.pause()


async def test_narrow_terminal_shows_whole_columns_and_scrolls_by_column() -> None:
    """At 80 columns only whole columns show, an arrow says more are to the right, and right
    brings them in one at a time while state and code stay put."""
    app = TableHost()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(JobsTable)
        table.show([view("a", running=True, median=60_000), *many(50)], NOW)
        table.focus()
        await pilot.pause()
        header = screen_text(app).splitlines()[0]
        assert header.rstrip().endswith("last run, took ›") and "schedule" not in header
        assert "in 4m 09:04" in screen_text(app)  # the next-run column is whole
        await pilot.press("right")
        await pilot.pause()
        header = screen_text(app).splitlines()[0]
        assert "‹ last run, took" in header and "schedule" in header
        for _ in range(10):
            await pilot.press("right")
        await pilot.pause()
        text = screen_text(app)
        assert "progress" in text.splitlines()[0] and "›" not in text.splitlines()[0]
        assert "██░░░ 50%" in text and "state" in text and "job00000" in text
        await pilot.press("left", "left", "left", "left", "left", "left")
        await pilot.pause()
        assert "‹" not in screen_text(app).splitlines()[0]


async def test_holding_j_reads_the_database_once_the_cursor_rests(app: Any, engine: Any) -> None:
    """Moving through the jobs quickly loads the log and stats of the job the cursor stops on,
    not of every job passed."""
    from tests.app.conftest import SPECS
    from ysched_tui.tui.widgets.log_pane import LogPane

    reads: list[str] = []
    list_runs = engine.list_runs

    async def counting(code: str | None = None, **kw: Any) -> Any:
        reads.append(str(code))
        return await list_runs(code, **kw)

    engine.list_runs = counting
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.screen.query_one(JobsTable)
        await wait_until(lambda: table.row_count >= len(SPECS), pilot=pilot)
        await wait_until(lambda: reads == ["backup"], pilot=pilot)
        for _ in range(5):  # a held key: repeats arrive faster than the panes could load
            table.action_cursor_down()
        await wait_until(lambda: app.query_one(LogPane).code == "tick", pilot=pilot)
        assert reads == ["backup", "tick"]
