"""One console session of the benchmark: spawn the real ``ysched-tui`` in tmux, time its first
paint, run the key probes, read its memory, quit it.

The console runs as the CLI runs it (``ysched-tui --db ... --jobs ...``, the owner of the
database, engine embedded) under ``env -u COLUMNS -u LINES`` so Textual takes the tmux pane's
size rather than a size inherited from the caller.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.console_load import STREAM_CODE
from bench.console_probes import (
    LOG_STEPS,
    ProbeResult,
    cursor_steps,
    following,
    last_stream_line,
    run_steps,
    shown_line_rate,
)
from bench.console_tmux import Tmux, find_console, memory_mb

START_TIMEOUT = 60.0
"""Longest wait for the console's first full paint."""

QUIT_TIMEOUT = 20.0
"""Longest wait for the console to exit after ``q`` (and ``y``)."""

STREAM_TIMEOUT = 30.0
"""Longest wait for the log pane to show the streaming run once it is selected."""

_COUNTS = re.compile(r"\d+ active, \d+ paused")


@dataclass
class Session:
    """What one session measured."""

    name: str
    milestones: dict[str, float] = field(default_factory=dict)
    """Seconds from spawn to: first frame, panes drawn, jobs table filled, every pane loaded."""
    probes: list[ProbeResult] = field(default_factory=list)
    capture_s: float = float("nan")
    """Mean cost of one ``capture-pane -e`` during this session."""
    command_s: float = float("nan")
    """Mean cost of one tmux client command (what ``send-keys`` costs)."""
    rss_start_mb: float = float("nan")
    """RSS when the measured part began (after the first paint and the settling time)."""
    rss_mb: float = float("nan")
    """RSS at the end of the measured part."""
    hwm_mb: float = float("nan")
    """Peak RSS (VmHWM) at the end."""
    line_rate: float | None = None
    """Lines per second the log pane advanced at the end (load session)."""
    pid: int | None = None
    """The console's process id."""
    window: tuple[float, float] = (0.0, 0.0)
    """Wall-clock (time.time) start and end of the measured part."""
    notes: list[str] = field(default_factory=list)


def console_command(db: Path, jobs: Path) -> str:
    """The shell command tmux runs: the console, then its exit code, then a pause to read it."""
    script = Path(sys.executable).with_name("ysched-tui")
    exe = shlex.quote(str(script)) if script.exists() else f"{sys.executable} -m ysched_tui"
    env = "env -u COLUMNS -u LINES TERM=xterm-256color YSCHED_SHUTDOWN_GRACE=1"
    return (f"{env} {exe} --db {shlex.quote(str(db))} --jobs {shlex.quote(str(jobs))}; "
            "echo EXIT=$?; sleep 60")


def first_paint(tmux: Tmux, name: str, t0: float) -> dict[str, float]:
    """Poll from spawn until every pane has loaded; the time of each milestone."""
    checks = {
        "first frame": lambda s: bool(s.strip()),
        "panes drawn": lambda s: "Jobs" in s and "Log" in s,
        "jobs table filled": lambda s: (STREAM_CODE in s and "job_00000" in s
                                        and _COUNTS.search(s) is not None),
        "all panes loaded": lambda s: ("loading…" not in s and "connecting…" not in s
                                       and "job_00000" in s),
    }
    seen: dict[str, float] = {}
    deadline = t0 + START_TIMEOUT
    while len(seen) < len(checks) and time.perf_counter() < deadline:
        screen = tmux.capture(name)
        now = time.perf_counter()
        for label, check in checks.items():
            if label not in seen and check(screen):
                seen[label] = now - t0
        time.sleep(0.01)  # gentle: a busier poll slows the start it measures
    return seen


def run_session(
    tmux: Tmux, name: str, db: Path, jobs: Path, *, presses: int = 0, settle: float = 0.0,
    load_seconds: float = 0.0, probes: bool = True, rss_after: float = 0.0,
) -> Session:
    """Spawn the console and measure it (see the module docstring); always quits it.

    Args:
        tmux: the private server.
        name: session name ("idle" or "load").
        db: the seeded database.
        jobs: the session's jobs file.
        presses: key presses per probe.
        settle: seconds to let the session settle (load reach steady state) before probing.
        load_seconds: the measured window lasts at least this long (RSS is read at its end).
        probes: run the key probes; without them the session only times the first paint.
        rss_after: without probes, read the RSS this many seconds after the first paint.
    """
    result = Session(name)
    t0 = tmux.spawn(name, console_command(db, jobs))
    try:
        result.milestones = first_paint(tmux, name, t0)
        result.pid = find_console(tmux.pane_pid(name), "ysched-tui")
        if "jobs table filled" not in result.milestones:
            result.notes.append("the jobs table never filled: " + tmux.capture(name)[-800:])
            return result
        if probes:
            _measure(tmux, name, result, presses=presses, settle=settle,
                     load_seconds=load_seconds)
        elif rss_after and result.pid is not None:
            time.sleep(rss_after)
            result.rss_mb, result.hwm_mb = memory_mb(result.pid)
    finally:
        _quit(tmux, name, result)
    return result


def _measure(tmux: Tmux, name: str, result: Session, *, presses: int, settle: float,
             load_seconds: float) -> None:
    time.sleep(settle)
    _cursor_home(tmux, name, result)
    result.capture_s, result.command_s = tmux.overhead(name)
    if result.pid is not None:
        result.rss_start_mb = memory_mb(result.pid)[0]
    result.window = (time.time(), 0.0)
    end = time.perf_counter() + load_seconds
    deadline = end + 60  # probes may outlast the window on a slow console, within reason
    _table_probe(tmux, name, result, presses, deadline)
    tmux.keys(name, "g")  # back to the streaming job, then into the log pane
    tmux.keys(name, "3")
    shown = tmux.wait_for(name, lambda s: following(s) and last_stream_line(s) is not None,
                          STREAM_TIMEOUT)
    if shown is None:
        result.notes.append(f"the log pane did not show the streaming run within "
                            f"{STREAM_TIMEOUT:g} s: log probe skipped")
    else:
        result.probes.append(run_steps(tmux, name, "log k/f", LOG_STEPS, presses,
                                       escapes=False, deadline=deadline))
    remaining = end - time.perf_counter()
    if remaining > 0:
        time.sleep(remaining)
    result.window = (result.window[0], time.time())
    result.line_rate = shown_line_rate(tmux, name, 2.0)
    if result.pid is not None:
        result.rss_mb, result.hwm_mb = memory_mb(result.pid)
    else:
        result.notes.append("console process not found: no RSS")


def _cursor_home(tmux: Tmux, name: str, result: Session) -> None:
    """Put the cursor on the first row (``g``); note it if the console opened elsewhere."""
    if STREAM_CODE not in tmux.capture(name):
        result.notes.append(f"the console opened scrolled away from the first row "
                            f"({STREAM_CODE} not on screen): pressed g")
    tmux.keys(name, "g")
    if tmux.wait_for(name, lambda s: STREAM_CODE in s, 10) is None:
        result.notes.append(f"{STREAM_CODE} never came on screen")


def _table_probe(tmux: Tmux, name: str, result: Session, presses: int,
                 deadline: float) -> None:
    """j/k between job_00000 and job_00001 (the cursor starts on the streaming job above)."""
    table = cursor_steps(tmux, name, STREAM_CODE, "job_00000")
    if table is None:
        result.notes.append("cannot tell the table cursor row from the others")
        return
    tmux.keys(name, "j")
    tmux.wait_for(name, table[0].shows, 10, escapes=True)
    steps = cursor_steps(tmux, name, "job_00000", "job_00001")
    if steps is None:
        result.notes.append("cannot tell the table cursor row from the others")
        return
    result.probes.append(run_steps(tmux, name, "table j/k", steps, presses, escapes=True,
                                   deadline=deadline))


def _quit(tmux: Tmux, name: str, result: Session) -> None:
    """``q`` (and ``y`` if it asks because runs are in progress); kill it if it is stuck.

    The console must be gone before the next session starts: a survivor would still own the
    database, and the next console would attach to it instead of running its own jobs.
    """
    pid = result.pid
    tmux.keys(name, "q")
    seen = tmux.wait_for(name, lambda s: "interrupt" in s or "EXIT=" in s, 10)
    if seen is not None and "EXIT=" not in seen.screen:
        tmux.keys(name, "y")
    if tmux.wait_for(name, lambda s: "EXIT=" in s, QUIT_TIMEOUT) is None:
        result.notes.append(f"the console did not quit within {QUIT_TIMEOUT:g} s: killed")
    tmux.kill_session(name)
    if pid is not None and not _gone(pid, 10):
        os.kill(pid, signal.SIGKILL)
        _gone(pid, 10)


def _gone(pid: int, timeout: float) -> bool:
    """Wait until process ``pid`` has exited."""
    deadline = time.perf_counter() + timeout
    while Path(f"/proc/{pid}").exists():
        if time.perf_counter() > deadline:
            return False
        time.sleep(0.05)
    return True
