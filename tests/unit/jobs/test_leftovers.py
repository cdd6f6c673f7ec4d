"""Processes left by a dead owner's run are found by YSCHED_RUN_ID (even outside the job's
process group) and stopped: SIGTERM, then SIGKILL for those that ignore it."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from ysched_tui.jobs import leftovers

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def _spawn(run_id: str, script: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "YSCHED_RUN_ID": run_id}
    return subprocess.Popen(["/bin/sh", "-c", script], env=env, start_new_session=True)


def test_find_names_only_the_runs_asked_for():
    """Each run's processes are found by its id; other runs and plain processes are not."""
    mine, other = _spawn("run_a", "exec sleep 30"), _spawn("run_b", "exec sleep 30")
    plain = subprocess.Popen(["sleep", "30"])
    try:
        found = leftovers.find(["run_a", "run_c"])
        assert found == {"run_a": [mine.pid]}
    finally:
        for proc in (mine, other, plain):
            proc.kill()
            proc.wait()


def test_stop_terms_then_kills_what_ignores_it(tmp_path):
    """A process that traps SIGTERM is SIGKILLed after the grace; both are gone."""
    ready = tmp_path / "trapped"
    polite = _spawn("run_x", "exec sleep 30")
    stubborn = _spawn("run_x", f"trap '' TERM; touch {ready}; while :; do sleep 0.05; done")
    end = time.monotonic() + 5
    while not ready.exists():  # the trap is set before the signal goes out
        assert time.monotonic() < end
        time.sleep(0.01)
    counts = leftovers.stop(["run_x"], grace=0.5)
    assert counts["run_x"] >= 2  # both shells (and the loop's sleep of the moment)
    assert polite.wait(5) == -15
    assert stubborn.wait(5) == -9
