"""Rendering a job for the detail screen: its definition, override, next fires and history rows.

Pure functions from core models to Rich renderables, kept apart from the screen so the screen
module holds only behaviour.
"""

from __future__ import annotations

from datetime import datetime

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from ysched_tui.core.models import JobView, RunRecord, RunStatus
from ysched_tui.core.schedule import describe
from ysched_tui.tui.format import fmt_ms, fmt_relative, fmt_time, status_cell, trigger_raw


def _value(text: object, style: str = "") -> Text:
    """A table value as plain text: commands and URLs may contain ``[`` and must not be markup."""
    return Text(str(text), style=style)


def target_rows(job: JobView) -> list[tuple[str, Text]]:
    """What the job runs, labelled with its kind: the command, URL, callable or script."""
    target = job.spec.target
    if target.kind == "command":
        where = f"  (in {target.cwd})" if target.cwd else ""
        return [("command", _value(target.command + where, "bold"))]
    if target.kind == "http":
        return [("http", _value(f"{target.method} {target.url}", "bold"))]
    if target.kind == "python":
        return [("python", _value(target.ref, "bold"))]
    names = ", ".join(p.name for p in target.params) or "none"
    return [("script", _value(f"{target.path}  (params: {names})", "bold"))]


def schedule_rows(job: JobView, tz: str) -> list[tuple[str, Text]]:
    """The triggers in force in words and raw, and the file's value when overridden."""
    rows: list[tuple[str, Text]] = []
    for trigger in job.triggers or ():
        words = Text(describe(trigger, default_tz=tz), style="bold")
        words.append(f"  {trigger_raw(trigger)}", style="dim")
        rows.append(("schedule" if not rows else "", words))
    if not rows:
        rows.append(("schedule", _value("manual only", "dim")))
    if job.state.override_triggers is not None:
        declared = "; ".join(trigger_raw(t) for t in job.spec.triggers) or "manual only"
        rows.append(("override", _value(f"⚑ operator schedule; file: {declared}  (u reverts)",
                                         "yellow")))
    if job.state.override_enabled is not None:
        now, was = ("enabled", "disabled") if job.enabled else ("disabled", "enabled")
        rows.append(("override", _value(f"⚑ operator {now}; file: {was}  (u reverts)", "yellow")))
    return rows


def policy_text(job: JobView) -> Text:
    """Timeout, retries, overlap and catch-up on one line ("default" = the settings' value)."""
    spec = job.spec
    retries = spec.retries
    retry = f"{retries.max} × {retries.delay:g}s" if retries.max else "none"
    if retries.max and retries.backoff != 1:
        retry += f" ×{retries.backoff:g}"
    timeout = f"{spec.timeout:g}s" if spec.timeout else "default"
    catch_up = spec.catch_up.value if spec.catch_up else "default"
    return _value(f"timeout {timeout} · retries {retry} · overlap {spec.concurrency} · "
                  f"catch-up {catch_up}")


def policy_rows(job: JobView, default_tz: str) -> list[tuple[str, Text]]:
    """Zone, limits, tags, description and where the job was declared."""
    spec = job.spec
    source = spec.source.value
    if spec.source_file:
        source += f" {spec.source_file}" + (f":{spec.source_line}" if spec.source_line else "")
    rows = [
        ("timezone", _value(spec.timezone or f"{default_tz} (default)")),
        ("policy", policy_text(job)),
        ("tags", _value(", ".join(spec.tags) or "-")),
    ]
    if spec.description:
        rows.append(("description", _value(spec.description)))
    rows.append(("source", _value(source)))
    return rows


def definition_table(job: JobView, default_tz: str) -> Table:
    """The whole definition as a two-column grid."""
    table = Table.grid(padding=(0, 1))
    table.add_column(style="dim", no_wrap=True)
    table.add_column(ratio=1)
    rows = target_rows(job) + schedule_rows(job, job.spec.timezone or default_tz)
    rows += policy_rows(job, default_tz)
    for name, value in rows:
        table.add_row(name, value)
    return table


def fires_text(job: JobView, fires: list[datetime], tz: str, now: datetime) -> Text:
    """The next fires, with a warning when the job will not actually fire them."""
    text = Text(f"Next {len(fires)} fires ({tz})\n", style="bold")
    if job.state.paused or not job.enabled:
        text.append(f"{job.status_word}: these will not fire\n", style="yellow")
    if not fires:
        text.append("none scheduled" if job.triggers else "manual only", style="dim")
    for fire in fires:
        text.append(fmt_time(fire, tz, seconds=fire.second != 0))
        text.append(f"  {fmt_relative(fire, now)}\n", style="dim")
    text.rstrip()
    return text


def _short(moment: datetime | None, tz: str) -> str:
    """``MM-DD HH:MM:SS``: the year is in the run_id, and narrow terminals need the room."""
    return fmt_time(moment, tz)[5:] if moment is not None else "-"


def run_cells(run: RunRecord, tz: str, now: datetime) -> dict[str, RenderableType]:
    """One history row keyed by column; a running run shows its elapsed time so far."""
    duration = fmt_ms(run.duration_ms)
    if run.status is RunStatus.RUNNING and run.start_time is not None:
        duration = fmt_ms((now - run.start_time).total_seconds() * 1000) + "…"
    exit_text = "-"
    if run.exit_code is not None:
        exit_text = str(run.exit_code)
    elif run.http_status is not None:
        exit_text = f"HTTP {run.http_status}"
    return {
        "run_id": run.run_id, "status": status_cell(run.status),
        "start": _short(run.start_time, tz), "duration": duration, "exit": exit_text,
        "trigger": run.trigger_type.value, "attempt": str(run.attempt),
        "scheduled": _short(run.scheduled_time, tz),
    }
