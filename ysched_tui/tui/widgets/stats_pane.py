"""The stats pane: run figures for the selected job and for all jobs, with sparklines.

For each scope: runs per hour over 24 h and per day over 14 days split into successes and
failures, the p50/p95 duration trend per day, the 24 h success rate and the counts of missed and
timed-out runs. Each sparkline row carries its total and peak as numbers, so the pane reads
without colour; the screen pushes the figures down with :meth:`StatsPane.show`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Label, Sparkline, Static

from ysched_tui.core.models import StatsReport, TrendBucket
from ysched_tui.tui.format import fmt_ms

Series = Callable[[TrendBucket], float]

ROWS: tuple[tuple[str, str, str], ...] = (
    ("h-ok", "24h ok  ", "hourly"),
    ("h-fail", "24h fail", "hourly"),
    ("d-ok", "14d ok  ", "daily"),
    ("d-fail", "14d fail", "daily"),
    ("d-p50", "p50/day ", "daily"),
    ("d-p95", "p95/day ", "daily"),
)
"""(row id, label, which trend) of each sparkline row of a scope."""


def _ok(bucket: TrendBucket) -> float:
    return float(bucket.success)


def _fail(bucket: TrendBucket) -> float:
    return float(bucket.failed + bucket.timeout)


def _p50(bucket: TrendBucket) -> float:
    return bucket.p50_duration_ms or 0.0


def _p95(bucket: TrendBucket) -> float:
    return bucket.p95_duration_ms or 0.0


SERIES: dict[str, Series] = {"ok": _ok, "fail": _fail, "p50": _p50, "p95": _p95}


def summary_line(title: str, report: StatsReport) -> Text:
    """``title: 24h 12 runs · 92% ok · p50 1.2s p95 3.4s · 1 missed · 0 timed out``."""
    day = report.last_24h
    rate = "-" if day.success_rate is None else f"{day.success_rate:.0f}% ok"
    line = Text(f"{title}", style="bold")
    line.append(f"  24h {day.total_runs} runs · {rate}")
    line.append(f" · p50 {fmt_ms(day.p50_duration_ms)} p95 {fmt_ms(day.p95_duration_ms)}")
    line.append(f" · {day.missed_runs} missed · {day.timeout_runs} timed out")
    week = report.last_7d
    line.append(f"  (7d {week.total_runs} runs, {week.failed_runs + week.timeout_runs} failed)")
    return line


def figure(row_id: str, values: Sequence[float]) -> str:
    """The numbers beside a sparkline: total and peak for counts, latest/peak for durations."""
    if row_id.endswith(("p50", "p95")):
        latest = next((v for v in reversed(values) if v), None)
        return f"{fmt_ms(latest)}/{fmt_ms(max(values, default=0) or None)}"
    return f"Σ{int(sum(values))} max {int(max(values, default=0))}"


class ScopeStats(Vertical):
    """The figures of one scope (a job, or all jobs)."""

    def __init__(self, title: str, **kwargs: Any) -> None:
        super().__init__(classes="scope", **kwargs)
        self.title = title

    def compose(self) -> ComposeResult:
        yield Static(Text(f"{self.title}: loading…", style="dim"), classes="scope-title")
        for row_id, label, _ in ROWS:
            with Horizontal(classes="spark-row"):
                yield Label(label, classes="spark-label")
                yield Sparkline([], id=row_id, classes="spark")
                yield Label("", id=f"{row_id}-figure", classes="spark-figure")

    def show(self, title: str, report: StatsReport, hourly: list[TrendBucket],
             daily: list[TrendBucket]) -> None:
        """Render one scope's figures."""
        self.query_one(".scope-title", Static).update(summary_line(title, report))
        trends = {"hourly": hourly, "daily": daily}
        for row_id, _, trend in ROWS:
            values = [SERIES[row_id.split("-")[1]](b) for b in trends[trend]]
            self.query_one(f"#{row_id}", Sparkline).data = values
            self.query_one(f"#{row_id}-figure", Label).update(figure(row_id, values))


class StatsPane(VerticalScroll):
    """Stats for the selected job above stats for all jobs."""

    can_focus = True

    def compose(self) -> ComposeResult:
        yield ScopeStats("selected job", id="stats-job")
        yield ScopeStats("all jobs", id="stats-all")

    def show(self, code: str | None, report: StatsReport, hourly: list[TrendBucket],
             daily: list[TrendBucket]) -> None:
        """Render the figures of ``code`` (None: all jobs) in its section."""
        scope = self.query_one("#stats-all" if code is None else "#stats-job", ScopeStats)
        scope.show(code or "all jobs", report, hourly, daily)
