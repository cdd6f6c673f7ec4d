"""Key-to-screen probes: press a key in the real console and time until tmux shows its effect.

Each probe alternates keys whose effects are visible and undo each other, so it can run as long
as needed without drifting:

* ``table``: ``j``/``k`` in the jobs table move the cursor between ``job_00000`` and
  ``job_00001``; the highlighted row is found by its background colour in ``capture-pane -e``
  (the cursor's colour is learned from the screen, not assumed). Each move also selects the job,
  so the log and stats panes reload in the background, as they do for an operator.
* ``log``: with the log pane focused on the streaming run, ``k`` scrolls up one line, which
  pauses following ("following paused" in the status line), and ``f`` resumes it.

A latency is the time from just before ``send-keys`` to the return of the first capture showing
the change; it includes one ``send-keys`` and at least one capture, whose costs are measured
separately and reported (and one capture is subtracted in the "net" figures).
"""

from __future__ import annotations

import random
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.console_tmux import Tmux, line_background

Check = Callable[[str], bool]

PRESS_TIMEOUT = 5.0
"""A press whose effect does not show within this many seconds counts as this long."""

_STREAM_LINE = re.compile(r"stream (\d{7})")


@dataclass
class ProbeResult:
    """The latencies of one probe in one session."""

    name: str
    raw: list[float] = field(default_factory=list)
    """Seconds from send-keys to the capture showing the change."""
    timeouts: int = 0


@dataclass(frozen=True, slots=True)
class Step:
    """One press: the key and what the screen must show afterwards."""

    key: str
    shows: Check


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) of ``values`` (nearest rank), NaN for none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def run_steps(
    tmux: Tmux, session: str, name: str, steps: list[Step], presses: int, *,
    escapes: bool, deadline: float, seed: int = 7,
) -> ProbeResult:
    """Press ``steps`` in a cycle ``presses`` times (or until ``deadline``), timing each."""
    result = ProbeResult(name)
    gaps = random.Random(seed)
    for i in range(presses):
        if time.perf_counter() > deadline:
            break
        step = steps[i % len(steps)]
        t0 = time.perf_counter()
        tmux.keys(session, step.key)
        seen = tmux.wait_for(session, step.shows, PRESS_TIMEOUT, escapes=escapes)
        if seen is None:
            result.timeouts += 1
            result.raw.append(PRESS_TIMEOUT)
            tmux.wait_for(session, step.shows, PRESS_TIMEOUT, escapes=escapes)
        else:
            result.raw.append(seen.at - t0)
        time.sleep(gaps.uniform(0.03, 0.12))  # off the beat of the 1 s clock tick
    return result


def cursor_steps(tmux: Tmux, session: str, first: str, second: str) -> list[Step] | None:
    """Steps moving the table cursor ``first`` -> ``second`` (``j``) and back (``k``).

    The cursor must be on ``first`` when called. Returns None if the cursor row cannot be told
    apart from the others on screen.
    """
    screen = tmux.capture(session, escapes=True)
    cursor = line_background(screen, first)
    other = line_background(screen, second)
    if cursor is None or cursor == other:
        return None

    def on(code: str) -> Check:
        return lambda s: line_background(s, code) == cursor

    return [Step("j", on(second)), Step("k", on(first))]


def following(screen: str) -> bool:
    """The log status line says it follows (and not that following is paused)."""
    return "following paused" not in screen and "following  ·" in screen


def paused(screen: str) -> bool:
    return "following paused" in screen


LOG_STEPS = [Step("k", paused), Step("f", following)]
"""Scroll up one line (pauses following), resume following."""


def last_stream_line(screen: str) -> int | None:
    """The highest ``stream NNNNNNN`` number on screen (the log's newest visible line)."""
    found = [int(n) for n in _STREAM_LINE.findall(screen)]
    return max(found) if found else None


def shown_line_rate(tmux: Tmux, session: str, seconds: float = 1.0) -> float | None:
    """Lines per second the log pane advances while following (None if unknown).

    Read in five steps over ``seconds``; a step across the start of a new streaming run (its
    line numbers start again) is left out, and the median of the other steps is returned.
    """
    rates: list[float] = []
    last = last_stream_line(tmux.capture(session))
    t_last = time.perf_counter()
    for _ in range(5):
        time.sleep(seconds / 5)
        line = last_stream_line(tmux.capture(session))
        now = time.perf_counter()
        if line is not None and last is not None and line >= last:
            rates.append((line - last) / (now - t_last))
        last, t_last = line, now
    return statistics.median(rates) if rates else None
