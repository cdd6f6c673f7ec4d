"""The console benchmark's figures and the block it prints: each figure with its target,
PASS/FAIL, and its ratio against the baseline measured in the same run (idle console, or a bare
Textual app for the cold start)."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field

from bench.console_probes import ProbeResult, percentile
from bench.console_session import Session

FIRST_PAINT_TARGET_S = 1.5
P95_TARGET_MS = 50.0
P95_RATIO_TARGET = 3.0
RSS_TARGET_MB = 200.0
PAINT = "jobs table filled"


@dataclass
class Figures:
    """Everything the benchmark measured."""

    jobs: int
    runs: int
    seed_s: float
    load_jobs: int
    lines: int
    seconds: float
    bare_paint_s: float | None = None
    bare_rss_mb: float = float("nan")
    one_run: bool = False
    idle: Session = field(default_factory=lambda: Session("idle"))
    restart: Session = field(default_factory=lambda: Session("restart"))
    load: Session = field(default_factory=lambda: Session("load"))
    load_first: Session = field(default_factory=lambda: Session("load-first"))
    restart_paints: list[float | None] = field(default_factory=list)
    load_runs_s: float = float("nan")
    stored_lines_s: float = float("nan")


def _verdict(ok: bool | None) -> str:
    return "n/a " if ok is None else ("PASS" if ok else "FAIL")


def _ms(seconds: float | None) -> str:
    return "   -   " if seconds is None or math.isnan(seconds) else f"{seconds * 1000:7.0f}"


def _net(probe: ProbeResult, capture_s: float) -> list[float]:
    """Latencies minus one capture (the poll that saw the change), never below zero."""
    return [max(v - capture_s, 0.0) for v in probe.raw]


def _probe(session: Session, name: str) -> ProbeResult | None:
    return next((p for p in session.probes if p.name == name), None)


def report(f: Figures) -> None:
    """Print the figures block."""
    print(f"\nconsole latency: {f.jobs:,} jobs, {f.runs:,} runs, tmux 120x40, "
          f"{os.cpu_count()} CPUs")
    if f.runs < 1_000_000:
        print(f"  NOTE: --runs {f.runs:,} is below the issue's 1,000,000 runs: a quick run, "
              "not the reference figure")
    _print_load(f)
    _print_cold_start(f)
    _print_keys(f)
    _print_memory(f)
    for session in (f.idle, f.restart, f.load_first, f.load):
        for note in session.notes:
            print(f"  note ({session.name}): {note}")


def _print_load(f: Figures) -> None:
    changes = 3 * f.load_runs_s
    print(f"  load: {f.load_jobs} no-op Python jobs every 1 s -> {f.load_runs_s:.0f} runs/s = "
          f"{changes:.0f} job state changes/s (JobUpdated: fire, start, end); "
          f"aa_stream printing {f.lines} lines/s ({f.stored_lines_s:.0f} stored/s, "
          + ("one run, output cap raised)" if f.one_run else
             "a new run every few s under the default 20,000-line cap)"))
    rate = f.load.line_rate
    print(f"  log pane advanced {rate:.0f} lines/s while following (end of window)"
          if rate is not None else "  log pane rate: unknown")
    print(f"  tmux costs: capture-pane -e {f.idle.capture_s * 1000:.1f} ms idle / "
          f"{f.load.capture_s * 1000:.1f} ms under load; one tmux command (send-keys) "
          f"{f.idle.command_s * 1000:.1f} ms / {f.load.command_s * 1000:.1f} ms")


def _print_cold_start(f: Figures) -> None:
    sessions = (f.idle, f.restart, f.load_first)
    print("\n  cold start, spawn -> milestone (ms)   idle 1st start  restart  load 1st start")
    for label in ("first frame", "panes drawn", PAINT, "all panes loaded"):
        cells = [_ms(s.milestones.get(label)) for s in sessions]
        print(f"    {label:<34} {cells[0]:>14} {cells[1]:>8} {cells[2]:>15}")
    paint = f.restart.milestones.get(PAINT)
    ok = None if paint is None else paint <= FIRST_PAINT_TARGET_S
    ratio = (f"{paint / f.bare_paint_s:.1f}x" if paint and f.bare_paint_s else "-")
    each = ", ".join(_ms(p).strip() for p in f.restart_paints)
    print(f"  first full paint (restart, {f.jobs:,} jobs / {f.runs:,} runs): {_ms(paint).strip()}"
          f" ms (median of {each})  target <= {FIRST_PAINT_TARGET_S * 1000:.0f} ms  "
          f"{_verdict(ok)}")
    print(f"    baseline: bare Textual app painting a {f.jobs:,}-row DataTable "
          f"{_ms(f.bare_paint_s).strip()} ms; ratio console/bare {ratio}")


def _print_keys(f: Figures) -> None:
    print("\n  key-to-screen (ms; net = raw - one capture)  n   p50 net  p95 net  p95 raw"
          "   max  timeouts")
    for name in ("table j/k", "log k/f"):
        rows = [(s, _probe(s, name)) for s in (f.idle, f.load)]
        for session, probe in rows:
            if probe is None:
                print(f"    {name:<10} {session.name:<5} not measured")
                continue
            net = _net(probe, session.capture_s)
            print(f"    {name:<10} {session.name:<5} {len(net):>24} "
                  f"{_ms(percentile(net, 50))}  {_ms(percentile(net, 95))}  "
                  f"{_ms(percentile(probe.raw, 95))} {_ms(max(probe.raw))}  {probe.timeouts:>5}")
        idle, load = rows[0][1], rows[1][1]
        if idle is None or load is None or not idle.raw or not load.raw:
            continue
        p95_idle = percentile(_net(idle, f.idle.capture_s), 95)
        p95_load = percentile(_net(load, f.load.capture_s), 95)
        ratio = p95_load / max(p95_idle, 1e-3)
        ok = p95_load * 1000 <= P95_TARGET_MS or ratio <= P95_RATIO_TARGET
        print(f"    {name}: p95 load {p95_load * 1000:.0f} ms, ratio load/idle {ratio:.2f}  "
              f"target <= {P95_TARGET_MS:.0f} ms or <= {P95_RATIO_TARGET:g}x idle  "
              f"{_verdict(ok)}")


def _print_memory(f: Figures) -> None:
    load, idle = f.load, f.idle
    ok = None if math.isnan(load.rss_mb) else load.rss_mb <= RSS_TARGET_MB
    window = max(load.window[1] - load.window[0], 1e-9)
    growth = (load.rss_mb - load.rss_start_mb) / window
    print(f"\n  RSS of the console at the end of the {window:.0f} s load window: "
          f"{load.rss_mb:.0f} MB (peak {load.hwm_mb:.0f} MB)  target <= {RSS_TARGET_MB:.0f} MB  "
          f"{_verdict(ok)}")
    print(f"    at the window's start {load.rss_start_mb:.0f} MB: {growth:+.2f} MB/s under load; "
          f"idle console {idle.rss_mb:.0f} MB, ratio load/idle {load.rss_mb / idle.rss_mb:.2f}; "
          f"bare Textual {f.jobs:,}-row table {f.bare_rss_mb:.0f} MB")
    first = f.load_first
    print(f"    the first start of the changed jobs file (parse + sync of {f.jobs:,} jobs), "
          f"same load, {f.seconds:.0f} s in: {first.rss_mb:.0f} MB (peak {first.hwm_mb:.0f} MB)")
