"""A private tmux server for console benchmarks: spawn, send keys, capture, time, measure memory.

Every call is one ``tmux -L <socket> -f /dev/null`` client process, so nothing touches the user's
tmux server or configuration. A holder session is started first so that spawning a console never
includes the server's own start-up. Key-to-screen times are measured by polling ``capture-pane``
as fast as the machine allows; :meth:`Tmux.overhead` measures what one capture costs so that the
report can state it and subtract it.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

WIDTH, HEIGHT = 120, 40
"""The terminal size of every session (the console's four-pane layout)."""

POLL_SLEEP = 0.001
"""Pause between two captures: leaves the CPU to the console on a small machine."""

_SGR = re.compile(r"\x1b\[([0-9;]*)m")


@dataclass(frozen=True, slots=True)
class Seen:
    """A screen that satisfied a wait, and when."""

    screen: str
    at: float
    """``time.perf_counter()`` when the capture that showed it returned."""
    captures: int
    """How many captures the wait took."""


class Tmux:
    """One private tmux server (``tmux -L socket``) holding the benchmark's sessions."""

    def __init__(self, socket: str) -> None:
        self.socket = socket
        self.started = False

    def run(self, *args: str, check: bool = True) -> str:
        """Run one tmux command against the private server; its stdout."""
        done = subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", *args],
            capture_output=True, text=True, check=False,
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"tmux {' '.join(args[:2])} failed: {done.stderr.strip()}")
        return done.stdout

    def start_server(self) -> None:
        """Start the server with an idle holder session (so spawns do not pay for it)."""
        self.run("new-session", "-d", "-s", "holder", "-x", str(WIDTH), "-y", str(HEIGHT),
                 "sleep 3600")
        self.run("set-option", "-g", "remain-on-exit", "off")
        self.started = True

    def kill_server(self) -> None:
        """Stop the server and everything running in it (always safe to call)."""
        if self.started:
            self.run("kill-server", check=False)
            self.started = False

    def spawn(self, name: str, command: str) -> float:
        """Start ``command`` in a new 120x40 session; returns the spawn time (perf_counter)."""
        t0 = time.perf_counter()
        self.run("new-session", "-d", "-s", name, "-x", str(WIDTH), "-y", str(HEIGHT), command)
        size = self.run("display-message", "-p", "-t", name, "#{pane_width}x#{pane_height}")
        if size.strip() != f"{WIDTH}x{HEIGHT}":
            self.run("resize-window", "-t", name, "-x", str(WIDTH), "-y", str(HEIGHT))
        return t0

    def kill_session(self, name: str) -> None:
        self.run("kill-session", "-t", name, check=False)

    def keys(self, name: str, *keys: str) -> None:
        """Send keys (tmux key names, e.g. ``j``, ``Escape``) to a session."""
        self.run("send-keys", "-t", name, *keys)

    def capture(self, name: str, *, escapes: bool = False) -> str:
        """The visible screen of a session (with colour escapes if asked)."""
        return self.run("capture-pane", "-p", "-t", name, *(["-e"] if escapes else []))

    def wait_for(
        self, name: str, predicate: Callable[[str], bool], timeout: float, *,
        escapes: bool = False,
    ) -> Seen | None:
        """Poll the screen until ``predicate`` holds; None after ``timeout`` seconds."""
        deadline = time.perf_counter() + timeout
        count = 0
        while True:
            screen = self.capture(name, escapes=escapes)
            now = time.perf_counter()
            count += 1
            if predicate(screen):
                return Seen(screen=screen, at=now, captures=count)
            if now > deadline:
                return None
            time.sleep(POLL_SLEEP)

    def overhead(self, name: str, samples: int = 40) -> tuple[float, float]:
        """Mean seconds of one ``capture-pane -e`` and of one ``send-keys`` (a no-op key)."""
        t0 = time.perf_counter()
        for _ in range(samples):
            self.capture(name, escapes=True)
        capture = (time.perf_counter() - t0) / samples
        t0 = time.perf_counter()
        for _ in range(samples // 4):
            self.run("display-message", "-p", "-t", name, "#{pane_pid}")
        command = (time.perf_counter() - t0) / (samples // 4)
        return capture, command

    def pane_pid(self, name: str) -> int:
        return int(self.run("display-message", "-p", "-t", name, "#{pane_pid}").strip())


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (children first), from /proc."""
    found: list[int] = []
    todo = [pid]
    while todo:
        parent = todo.pop(0)
        path = Path(f"/proc/{parent}/task/{parent}/children")
        try:
            kids = [int(p) for p in path.read_text().split()]
        except OSError:
            continue
        found.extend(kids)
        todo.extend(kids)
    return found


def find_console(pane_pid: int, marker: str) -> int | None:
    """The pid of the process under the pane whose command line contains ``marker``."""
    for pid in [pane_pid, *descendants(pane_pid)]:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if marker in cmdline and "python" in Path(f"/proc/{pid}/exe").resolve().name:
            return pid
    return None


def memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MB, from /proc/<pid>/status; NaN if it is gone."""
    values = {"VmRSS": float("nan"), "VmHWM": float("nan")}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in values:
                values[key] = int(rest.split()[0]) / 1024
    except OSError:
        pass
    return values["VmRSS"], values["VmHWM"]


def line_background(screen: str, text: str) -> str | None:
    """The first 256-colour background set on the (escaped) screen line containing ``text``."""
    for line in screen.splitlines():
        if text not in _SGR.sub("", line):
            continue
        for match in _SGR.finditer(line):
            background = _sgr_background(match.group(1).split(";"))
            if background is not None:
                return background
        return None
    return None


def _sgr_background(params: list[str]) -> str | None:
    """The ``48;5;N`` colour in one SGR parameter list, skipping ``38;5;N`` foregrounds."""
    i = 0
    while i < len(params):
        if params[i] in ("38", "48") and i + 2 < len(params) and params[i + 1] == "5":
            if params[i] == "48":
                return params[i + 2]
            i += 3
        else:
            i += 1
    return None
