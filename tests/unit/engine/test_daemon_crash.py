"""A daemon killed with SIGKILL mid-run loses nothing: on restart the run is interrupted and
operator state (a pause) is still there."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.waiting import wait_until
from ysched_tui.core.models import RunStatus
from ysched_tui.owner.assembly import build_engine
from ysched_tui.settings import load_settings

JOBS = """
[settings]
timezone = "UTC"

[[jobs]]
code = "ticker"
every = "1s"
command = "echo tick"

[[jobs]]
code = "long"
cron = "@reboot"
command = "echo $$ > {pidfile}; echo started; exec sleep 60"
"""


async def _running_run(settings, code: str, timeout: float = 15.0) -> str:
    """Poll the database (as a separate reader) until ``code`` has a running run."""

    async def running() -> str | None:
        engine = build_engine(settings, specs=[])
        await engine.open()
        try:
            for run in await engine.list_runs(code, limit=5):
                if run.status is RunStatus.RUNNING:
                    return run.run_id
        finally:
            await engine.stop()
        return None

    return await wait_until(running, timeout=timeout, every=0.1, what=f"a running run of {code}")


async def test_kill_9_mid_run_then_restart(tmp_path: Path):
    """SIGKILL during a run: restart marks it interrupted, keeps the pause and the history."""
    jobs = tmp_path / "ysched.toml"
    pidfile = tmp_path / "long.pid"
    jobs.write_text(JOBS.format(pidfile=pidfile))
    settings = load_settings(jobs_file=jobs, db=str(tmp_path / "t.db"))
    first = build_engine(settings)
    await first.start(paused=True, recover=False)
    await first.pause("ticker")
    await first.stop()

    daemon = subprocess.Popen(
        [sys.executable, "-m", "ysched_tui", "--db", settings.db, "--jobs", str(jobs), "daemon"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
    try:
        run_id = await _running_run(settings, "long")
        os.kill(daemon.pid, signal.SIGKILL)
        daemon.wait(10)
    finally:
        if daemon.poll() is None:
            os.killpg(daemon.pid, signal.SIGKILL)
        if pidfile.exists():  # the orphaned job process (its own process group)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(int(pidfile.read_text()), signal.SIGKILL)

    again = build_engine(settings)
    await again.start(paused=True)
    try:
        run = await again.get_run(run_id)
        assert run.status is RunStatus.INTERRUPTED
        assert (await again.get_job("ticker")).state.paused
        assert run.output_lines >= 0
        assert [ln.text for ln in await again.run_output(run_id)][:1] == ["started"]
    finally:
        await again.stop(grace=0)
