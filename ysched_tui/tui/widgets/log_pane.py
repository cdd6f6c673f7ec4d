"""The log pane: a run header, the run's output tailing live, and a status line with the modes.

The screen pushes the run to show (:meth:`LogPane.show_run`) and live lines (:meth:`append`);
the pane asks the screen for the previous/next run with a :class:`RunStepRequested` message.
Keys while the log is focused: ``f`` follow, ``/`` search, ``n``/``N`` next/previous match, ``w``
wrap, ``T`` timestamps, ``[``/``]`` previous/next run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Static

from ysched_tui.core.models import OutputLine, RunRecord
from ysched_tui.tui.format import fmt_ms, fmt_time, status_cell
from ysched_tui.tui.messages import RunStepRequested
from ysched_tui.tui.widgets.run_log import Kept, RunLog
from ysched_tui.tui.widgets.search_box import SearchBox


def run_header(code: str | None, run: RunRecord | None, tz: str) -> Text:
    """``run_id · trigger · attempt · start · status`` for the run shown."""
    if run is None:
        what = f"{code}: no runs yet" if code else "select a job to see its runs"
        return Text(what, style="dim")
    line = Text(f"{run.run_id}", style="bold")
    line.append(f"  {run.trigger_type.value}  attempt {run.attempt}")
    line.append(f"  started {fmt_time(run.start_time or run.scheduled_time, tz)}  ")
    line.append_text(status_cell(run.status))
    if run.duration_ms is not None:
        line.append(f"  took {fmt_ms(run.duration_ms)}")
    if run.exit_code is not None:
        line.append(f"  exit {run.exit_code}")
    return line


class LogPane(Vertical):
    """Shows one run of the selected job."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "follow", "Follow"),
        Binding("slash", "search", "Search"),
        Binding("n", "next_match", "Next match", show=False),
        Binding("N", "previous_match", "Prev match", show=False),
        Binding("w", "toggle_wrap", "Wrap"),
        Binding("T", "toggle_timestamps", "Timestamps"),
        Binding("left_square_bracket", "step(-1)", "Prev run"),
        Binding("right_square_bracket", "step(1)", "Next run"),
        Binding("j", "scroll('down')", "Down", show=False),
        Binding("k", "scroll('up')", "Up", show=False),
        Binding("g", "scroll('home')", "Top", show=False),
        Binding("G", "scroll('end')", "Bottom", show=False),
    ]

    def __init__(self, *, tz: str, max_lines: int = 10_000, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tz = tz
        self.max_lines = max_lines
        self.code: str | None = None
        """The job whose run is shown."""
        self.run: RunRecord | None = None
        """The run shown (None: the job has no runs yet)."""
        self._search_info = ""

    def compose(self) -> ComposeResult:
        yield Static(run_header(None, None, self.tz), id="run-header")
        yield RunLog(tz=self.tz, max_lines=self.max_lines, id="run-log")
        yield SearchBox(placeholder="search, enter to jump, esc to clear", id="log-search")
        yield Static("", id="log-status")

    @property
    def log_view(self) -> RunLog:
        return self.query_one(RunLog)

    @property
    def run_id(self) -> str | None:
        return self.run.run_id if self.run else None

    def show_run(self, code: str, run: RunRecord | None, lines: list[OutputLine]) -> None:
        """Show a run with its stored lines (a different run, or the same one reloaded)."""
        self.code, self.run = code, run
        self.query_one("#run-header", Static).update(run_header(code, run, self.tz))
        self.log_view.set_lines(lines)
        self._refresh_status()

    def append(self, run_id: str, lines: Sequence[OutputLine | Kept]) -> None:
        """Live lines: written only if they belong to the run shown."""
        if run_id == self.run_id:
            view = self.log_view
            dropped = view.dropped
            view.append(lines)
            if view.dropped != dropped:
                self._refresh_status()

    def update_run(self, run: RunRecord) -> None:
        """A newer record of the run shown (it finished, for example): refresh the header."""
        if run.run_id == self.run_id:
            self.run = run
            self.query_one("#run-header", Static).update(run_header(self.code, run, self.tz))

    def _refresh_status(self) -> None:
        view = self.log_view
        parts = [
            "following" if view.following else "following paused — f to resume",
            f"wrap {'on' if view.wrap else 'off'} (w)",
            f"timestamps {'on' if view.timestamps else 'off'} (T)",
            "[ ] runs",
        ]
        if view.dropped:
            parts.append(f"last {len(view.source):,} lines (older: ysched-tui logs)")
        if self._search_info:
            parts.append(self._search_info)
        status = Text("  ·  ".join(parts))
        if not view.following:
            status.stylize("bold yellow", 0, len(parts[0]))
        self.query_one("#log-status", Static).update(status)

    @on(RunLog.FollowChanged)
    def _follow_changed(self, event: RunLog.FollowChanged) -> None:
        event.stop()
        self._refresh_status()

    # --- actions -----------------------------------------------------------------------

    def action_follow(self) -> None:
        """Resume following the end of the output."""
        self.log_view.follow()
        self._refresh_status()

    def action_search(self) -> None:
        """Open the search box."""
        box = self.query_one("#log-search", Input)
        box.add_class("-open")
        box.focus()

    def action_next_match(self) -> None:
        self._jump(forward=True)

    def action_previous_match(self) -> None:
        self._jump(forward=False)

    def _jump(self, *, forward: bool) -> None:
        found = self.log_view.jump(forward)
        self._search_info = f"match {found[0]}/{found[1]}" if found else "no match"
        self._refresh_status()

    def action_toggle_wrap(self) -> None:
        """Wrap long lines to the pane's width, or let them scroll sideways."""
        self.log_view.wrap = not self.log_view.wrap
        self.log_view.rerender()
        self._refresh_status()

    def action_toggle_timestamps(self) -> None:
        """Show or hide the time each line was printed."""
        self.log_view.timestamps = not self.log_view.timestamps
        self.log_view.rerender()
        self._refresh_status()

    def action_step(self, delta: int) -> None:
        """Ask the screen for the previous (-1) or next (+1) run."""
        self.post_message(RunStepRequested(run_id=self.run_id, delta=delta))

    def action_scroll(self, where: str) -> None:
        view = self.log_view
        {"down": view.scroll_down, "up": view.scroll_up}.get(where, lambda: None)()
        if where == "home":
            view.scroll_home(animate=False)
        elif where == "end":
            view.follow()
            self._refresh_status()

    # --- search box --------------------------------------------------------------------

    @on(Input.Changed, "#log-search")
    def _search_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.log_view.set_search(event.value)

    @on(Input.Submitted, "#log-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._close_search()
        if event.value:
            self._jump(forward=True)

    @on(SearchBox.Cancelled)
    def _search_cancelled(self, event: SearchBox.Cancelled) -> None:
        """Esc in the search box clears the search and closes it."""
        event.stop()
        self.query_one("#log-search", Input).value = ""
        self._search_info = ""
        self.log_view.set_search("")
        self._close_search()
        self._refresh_status()

    def _close_search(self) -> None:
        self.query_one("#log-search", Input).remove_class("-open")
        self.log_view.focus()
