"""Helpers for owner tests: daemon subprocesses on a tmp database and a read-only query on it
(waiting for a condition is :mod:`tests.waiting`'s job)."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path


def daemon_cmd(db: Path, jobs: Path, *args: str) -> list[str]:
    """The command line of ``ysched-tui daemon`` on ``db`` and ``jobs``."""
    return [sys.executable, "-m", "ysched_tui", "--db", str(db), "--jobs", str(jobs),
            "daemon", *args]


class Daemons:
    """Daemon subprocesses started by a test; every one is killed (with its group) at the end."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, db: Path, jobs: Path, *args: str) -> subprocess.Popen[bytes]:
        """Start a daemon in its own session, its stderr in a file next to the database."""
        log = open(self.tmp_path / f"daemon{len(self.procs)}.log", "wb")
        proc = subprocess.Popen(daemon_cmd(db, jobs, *args), stdout=subprocess.DEVNULL,
                                stderr=log, start_new_session=True)
        log.close()
        self.procs.append(proc)
        return proc

    def log(self, index: int) -> str:
        """What daemon ``index`` wrote on stderr so far."""
        return (self.tmp_path / f"daemon{index}.log").read_text(errors="replace")

    def kill_all(self) -> None:
        """SIGKILL every daemon's process group and reap it."""
        for proc in self.procs:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(5)


def query(db: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    """Rows of a read-only query on the database (a separate reader, WAL)."""
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    except sqlite3.OperationalError:  # not created yet
        return []
    try:
        return con.execute(sql, params).fetchall()
    except sqlite3.OperationalError:  # tables not created yet
        return []
    finally:
        con.close()
