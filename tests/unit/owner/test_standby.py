"""A standby daemon takes over within 2 s of the owner's SIGKILL; a second plain daemon is
refused in one line naming the owner."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.unit.jobs.test_shell import _alive
from tests.unit.owner.helpers import Daemons, daemon_cmd, query
from tests.waiting import wait_until_sync
from ysched_tui.owner.lock import read_owner

JOBS = """
[settings]
timezone = "UTC"

[[jobs]]
code = "ticker"
every = "1s"
command = "true"

[[jobs]]
code = "long"
cron = "@reboot"
command = "echo $$ >> {pidfile}; echo started; exec sleep 60"
"""


def _setup(tmp_path: Path) -> tuple[Path, Path, Path]:
    db, jobs, pidfile = tmp_path / "t.db", tmp_path / "jobs.toml", tmp_path / "long.pid"
    jobs.write_text(JOBS.format(pidfile=pidfile))
    return db, jobs, pidfile


def _kill_jobs(pidfile: Path) -> None:
    if pidfile.exists():
        for pid in pidfile.read_text().split():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(int(pid), signal.SIGKILL)


def _running_long(db: Path) -> str | None:
    rows = query(db, "SELECT run_id FROM runs WHERE job_code='long' AND status='running'")
    return str(rows[0][0]) if rows else None


def test_second_daemon_is_refused_naming_the_owner(tmp_path: Path, daemons: Daemons) -> None:
    """Without --standby a daemon on an owned database exits 1 with one line naming the pid."""
    db, jobs, pidfile = _setup(tmp_path)
    try:
        owner = daemons.start(db, jobs)
        wait_until_sync(lambda: read_owner(str(db)), timeout=10)
        second = subprocess.run(daemon_cmd(db, jobs), capture_output=True, text=True,
                                timeout=30)
        assert second.returncode == 1
        lines = second.stderr.strip().splitlines()
        assert len(lines) == 1, second.stderr
        assert f"already scheduled by pid {owner.pid} on " in lines[0]
    finally:
        daemons.kill_all()
        _kill_jobs(pidfile)


def test_standby_takes_over_within_2s_of_sigkill(tmp_path: Path, daemons: Daemons) -> None:
    """SIGKILL of the owner: the standby schedules within 2 s, interrupts the dead run and stops
    the process that run left running."""
    db, jobs, pidfile = _setup(tmp_path)
    try:
        owner = daemons.start(db, jobs)
        dead_run = wait_until_sync(lambda: _running_long(db), timeout=15)
        standby = daemons.start(db, jobs, "--standby")
        wait_until_sync(lambda: "standby:" in daemons.log(1), timeout=15)
        assert read_owner(str(db)).pid == owner.pid  # type: ignore[union-attr]

        killed = time.monotonic()
        os.kill(owner.pid, signal.SIGKILL)
        socket_path = str(db) + ".sock"
        wait_until_sync(lambda: "owner of" in daemons.log(1) and os.path.exists(socket_path),
                        timeout=5, every=0.01)
        takeover = time.monotonic() - killed
        assert read_owner(str(db)).pid == standby.pid  # type: ignore[union-attr]
        assert takeover < 2.0, f"takeover took {takeover:.2f}s"

        sql = ("SELECT count(*) FROM runs WHERE job_code='ticker' AND pid=? "
               "AND trigger_type='scheduled' AND status='success'")
        wait_until_sync(lambda: query(db, sql, standby.pid)[0][0], timeout=3)
        status = query(db, "SELECT status FROM runs WHERE run_id=?", dead_run)
        assert status == [("interrupted",)]
        orphan = int(pidfile.read_text().split()[0])  # the dead run's `sleep 60`, orphaned
        wait_until_sync(lambda: not _alive(orphan), timeout=10)
        assert f"process(es) that run {dead_run} had left running" in daemons.log(1)
        print(f"takeover after SIGKILL: {takeover:.2f}s", file=sys.stderr)
    finally:
        daemons.kill_all()
        _kill_jobs(pidfile)
