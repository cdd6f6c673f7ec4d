"""End to end in a real terminal: the console in tmux, driven with send-keys, read with
capture-pane; the result checked afterwards with the headless CLI."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.waiting import wait_until_sync

pytestmark = pytest.mark.e2e

JOBS = """
[settings]
timezone = "UTC"

[[jobs]]
code = "aa_streamer"
cron = "@reboot"
command = "for i in $(seq 1 3000); do echo tick-$i; sleep 0.1; done"

[[jobs]]
code = "bb_ticker"
every = "1s"
command = "echo tock"
"""

SCRIPT = Path(sys.executable).with_name("ysched-tui")


class Tmux:
    """One private tmux server running the console."""

    def __init__(self, socket: str) -> None:
        self.socket = socket

    def run(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=True
        ).stdout

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", "console", *keys)

    def screen(self) -> str:
        return self.run("capture-pane", "-t", "console", "-p")

    def wait_for(self, predicate: Callable[[str], bool], timeout: float, what: str) -> str:
        """The pane's text once ``predicate`` holds for it; on time-out, fails showing it."""
        seen = [""]

        def shows() -> tuple[str] | None:
            seen[0] = self.screen()
            return (seen[0],) if predicate(seen[0]) else None

        try:
            return wait_until_sync(shows, timeout=timeout, what=what)[0]
        except AssertionError as timed_out:
            raise AssertionError(f"{timed_out}; screen:\n{seen[0]}") from None


@pytest.fixture
def console(tmp_path: Path) -> Iterator[tuple[Tmux, Path, Path]]:
    jobs = tmp_path / "ysched.toml"
    jobs.write_text(JOBS)
    db = tmp_path / "t.db"
    tmux = Tmux(f"ysched-e2e-{os.getpid()}")
    env = "env -u COLUMNS -u LINES TERM=xterm-256color YSCHED_SHUTDOWN_GRACE=1"
    command = f"{env} {SCRIPT} --db {db} --jobs {jobs}; echo EXIT=$?; sleep 30"
    tmux.run("new-session", "-d", "-s", "console", "-x", "120", "-y", "40", command)
    tmux.run("resize-window", "-t", "console", "-x", "120", "-y", "40")
    try:
        yield tmux, db, jobs
    finally:
        subprocess.run(["tmux", "-L", tmux.socket, "kill-server"], check=False)


def _ticks(screen: str) -> int:
    found = [int(n) for n in re.findall(r"tick-(\d+)", screen)]
    return max(found, default=0)


def test_console_shows_jobs_tails_output_and_pauses_with_keys(console):
    """Jobs appear, a running job's lines reach the pane within 2 s, `p` pauses for real."""
    tmux, db, jobs = console
    tmux.wait_for(lambda s: "bb_ticker" in s and "aa_streamer" in s, 15, "the job list")

    first = _ticks(tmux.wait_for(lambda s: _ticks(s) > 0, 5, "streamed output"))
    t0 = time.monotonic()
    tmux.wait_for(lambda s: _ticks(s) > first, 2, "a new output line within 2 s")
    assert time.monotonic() - t0 <= 2

    tmux.keys("/")  # filter the job list down to the job to pause
    tmux.wait_for(lambda s: "filter:" in s, 5, "the filter input")
    tmux.keys("-l", "bb_ticker")
    tmux.keys("Enter")
    tmux.wait_for(lambda s: "aa_streamer" not in s.split("Next runs")[0], 5, "the filter")
    tmux.keys("p")
    tmux.wait_for(lambda s: re.search(r"paused\s+bb_ticker", s) is not None, 5, "bb_ticker paused")

    tmux.keys("q")  # a run is in progress: the console asks first
    tmux.wait_for(lambda s: "interrupt" in s, 5, "the quit confirmation")
    tmux.keys("y")
    tmux.wait_for(lambda s: "EXIT=0" in s, 20, "the console to exit")

    out = subprocess.run(
        [str(SCRIPT), "--db", str(db), "--jobs", str(jobs), "jobs", "--json"],
        capture_output=True, text=True, check=True,
    ).stdout
    by_code = {job["code"]: job for job in json.loads(out)}
    assert by_code["bb_ticker"]["paused"] is True
    assert by_code["aa_streamer"]["paused"] is False
