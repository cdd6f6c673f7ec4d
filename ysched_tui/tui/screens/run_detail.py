"""One run in full: its header, its whole stored output, and for failures the error and traceback.

Reached with ``enter`` on a run. A worker reads the run and its output page by page; handlers
write the lines into a :class:`~textual.widgets.Log`. While the run is still going, the screen
listens to the service for this run's output and appends it in batches (every 50 ms at most),
following the end unless the operator has scrolled up (``f`` follows again).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Label, Log, Static

from ysched_tui.core.events import Event, RunOutput
from ysched_tui.core.models import OutputLine, RunRecord, RunStatus
from ysched_tui.core.service import SchedulerService
from ysched_tui.errors import RunNotFound, YschedError
from ysched_tui.tui.format import fmt_ms, fmt_time, status_cell

PAGE_SIZE = 5000
"""Lines read per request when loading stored output."""
FLUSH_SECONDS = 0.05
"""Live lines are written in batches at most this often (the issue measured 20-50 Hz as safe)."""
STREAM_PREFIX = {"stdout": "", "stderr": "[err] ", "log": "[log] ", "system": "[sys] "}
"""How each stream's lines are marked in the plain-text log."""


@dataclass
class RunRead(Message):
    """The run record was (re)read."""

    run: RunRecord


@dataclass
class OutputPage(Message):
    """A page of stored output lines, in order."""

    lines: list[OutputLine]
    last: bool


def header_table(run: RunRecord, tz: str, now: datetime) -> Table:
    """Every field of the run that is set, two label/value pairs per row."""
    duration = fmt_ms(run.duration_ms)
    if run.status is RunStatus.RUNNING and run.start_time is not None:
        duration = fmt_ms((now - run.start_time).total_seconds() * 1000) + " so far"
    lines = "-" if not run.output_lines else str(run.output_lines)
    if run.dropped_lines:
        lines += f" (+{run.dropped_lines} dropped: over the per-run cap)"
    pairs: list[tuple[str, Text | str | None]] = [
        ("run", run.run_id), ("status", status_cell(run.status)),
        ("job", run.job_code), ("trigger", run.trigger_type.value),
        ("attempt", str(run.attempt)), ("retry of", run.retry_of),
        ("scheduled", fmt_time(run.scheduled_time, tz) if run.scheduled_time else None),
        ("started", fmt_time(run.start_time, tz) if run.start_time else None),
        ("ended", fmt_time(run.end_time, tz) if run.end_time else None),
        ("duration", duration if run.start_time else None),
        ("exit code", None if run.exit_code is None else str(run.exit_code)),
        ("HTTP", None if run.http_status is None else str(run.http_status)),
        ("host", run.hostname or None), ("pid", None if run.pid is None else str(run.pid)),
        ("params", repr(run.params) if run.params else None),
        ("result", None if run.result is None else repr(run.result)[:200]),
        ("lines", lines), ("job id", run.job_id),
    ]
    shown = [(k, Text(v) if isinstance(v, str) else v) for k, v in pairs if v is not None]
    table = Table.grid(padding=(0, 1))
    for _ in range(2):
        table.add_column(style="dim", no_wrap=True)
        table.add_column(ratio=1)
    for i in range(0, len(shown), 2):
        row: list[Text | str] = [shown[i][0], shown[i][1]]
        if i + 1 < len(shown):
            row += [shown[i + 1][0], shown[i + 1][1]]
        table.add_row(*row)
    return table


def failure_text(run: RunRecord) -> Text | None:
    """The error and traceback, or ``None`` when the run has neither."""
    if not run.error and not run.traceback:
        return None
    text = Text()
    if run.error:
        text.append(f"✗ {run.error}\n", style="bold red")
    if run.traceback:
        text.append(run.traceback.rstrip(), style="red")
    text.rstrip()
    return text


class RunDetailScreen(Screen[None]):
    """A run's header, output and failure; ``esc`` goes back, ``f`` follows live output."""

    DEFAULT_CSS = """
    RunDetailScreen #title { width: 100%; background: $primary 30%; text-style: bold; }
    RunDetailScreen #header { height: auto; padding: 0 1; }
    RunDetailScreen #failure {
        height: auto; max-height: 10; border: heavy $error; display: none;
    }
    RunDetailScreen #failure.-shown { display: block; }
    RunDetailScreen #follow { width: 100%; color: $text-muted; padding: 0 1; }
    RunDetailScreen #output { height: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("f", "follow", "Follow"),
    ]

    def __init__(
        self,
        service: SchedulerService,
        run_id: str,
        *,
        default_tz: str = "UTC",
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """Build the screen.

        Args:
            service: the scheduler to read from.
            run_id: the run to show.
            default_tz: the zone times are shown in.
            clock: "now" for a running run's elapsed time (frozen in tests).
        """
        super().__init__()
        self.service = service
        self.run_id = run_id
        self.default_tz = default_tz
        self.clock = clock or (lambda: datetime.now(UTC))
        self.run: RunRecord | None = None
        """The run as last read."""
        self.last_seq = 0
        """The seq of the last line written to the log."""
        self._loaded = False
        self._pending: list[OutputLine] = []
        self._run_stale = False
        self._unsubscribe: Callable[[], None] | None = None

    def compose(self) -> ComposeResult:
        yield Label(f" {self.run_id}", id="title")
        yield Static("loading…", id="header")
        with VerticalScroll(id="failure"):
            yield Static("", id="failure-text")
        yield Label("", id="follow")
        yield Log(id="output")
        yield Footer()

    def on_mount(self) -> None:
        # Subscribe before reading, so no line falls between the stored pages and live events.
        self._unsubscribe = self.service.subscribe(self._on_event)
        self.set_interval(FLUSH_SECONDS, self._flush)
        self.query_one("#output", Log).focus()
        self.load()

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _on_event(self, event: Event) -> None:
        """Engine listener: keep this run's lines and note changes to it; nothing else."""
        if isinstance(event, RunOutput):
            if event.run_id == self.run_id:
                self._pending.extend(event.lines)
            return
        run = getattr(event, "run", None)
        if isinstance(run, RunRecord) and run.run_id == self.run_id:
            self._run_stale = True

    @work(exclusive=True, group="run-detail-load", exit_on_error=False)
    async def load(self) -> None:
        """Read the run, then its stored output page by page."""
        try:
            self.post_message(RunRead(await self.service.get_run(self.run_id)))
            after = 0
            while True:
                lines = await self.service.run_output(self.run_id, after_seq=after, limit=PAGE_SIZE)
                last = len(lines) < PAGE_SIZE
                self.post_message(OutputPage(lines, last))
                if last:
                    return
                after = lines[-1].seq
        except RunNotFound as exc:
            self.app.notify(str(exc), severity="error")
            self.app.pop_screen()
        except YschedError as exc:  # storage trouble: say so, keep what is shown
            self.app.notify(f"cannot read {self.run_id}: {exc}", severity="error")

    @work(exclusive=True, group="run-detail-header", exit_on_error=False)
    async def reload_run(self) -> None:
        """Re-read the record after it changed (finished, retried)."""
        self.post_message(RunRead(await self.service.get_run(self.run_id)))

    @on(RunRead)
    def _render_run(self, message: RunRead) -> None:
        run = self.run = message.run
        self.query_one("#title", Label).update(f" {run.run_id} — {run.job_code}")
        self.query_one("#header", Static).update(header_table(run, self.default_tz, self.clock()))
        failure = failure_text(run)
        box = self.query_one("#failure", VerticalScroll)
        box.set_class(failure is not None, "-shown")
        self.query_one("#failure-text", Static).update(failure or "")

    @on(OutputPage)
    def _render_page(self, message: OutputPage) -> None:
        self._write(message.lines)
        if message.last:
            self._loaded = True
            self._flush()

    def _write(self, lines: list[OutputLine]) -> None:
        """Append lines newer than the last written one (pages and live events may overlap)."""
        fresh = [line for line in lines if line.seq > self.last_seq]
        if not fresh:
            return
        self.query_one("#output", Log).write_lines(
            STREAM_PREFIX.get(line.stream, "") + line.text for line in fresh
        )
        self.last_seq = fresh[-1].seq

    def _flush(self) -> None:
        """Timer: write buffered live lines, refresh the header when the run changed."""
        if self._run_stale:
            self._run_stale = False
            self.reload_run()
        if self._loaded and self._pending:
            pending, self._pending = self._pending, []
            self._write(sorted(pending, key=lambda line: line.seq))
        self._show_follow_state()

    def _show_follow_state(self) -> None:
        """Say whether live output is being followed."""
        run = self.run
        if run is None or run.status.is_final:
            text = "loading output…" if not self._loaded else (
                f"output: {self.last_seq} lines" if self.last_seq else "no output stored")
        elif self.query_one("#output", Log).is_vertical_scroll_end:
            text = "▶ following live output"
        else:
            text = "⏸ following paused — f follows again"
        label = self.query_one("#follow", Label)
        if str(label.content) != text:
            label.update(text)

    def action_follow(self) -> None:
        """Jump to the end; new lines keep it there."""
        self.query_one("#output", Log).scroll_end(animate=False)

    def action_back(self) -> None:
        self.app.pop_screen()
