"""The owner lock: one holder per database, readable owner record, gone with its process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.waiting import wait_until_sync
from ysched_tui.owner.lock import read_owner, try_lock

HOLDER = """
import subprocess, sys, time
from ysched_tui.owner.lock import try_lock
lock = try_lock(sys.argv[1])
child = subprocess.Popen(["sleep", "60"], start_new_session=True)
print(child.pid, flush=True)
print("locked" if lock else "refused", flush=True)
time.sleep(60)
"""


def test_second_taker_is_refused_and_release_frees(tmp_path: Path) -> None:
    """A held lock refuses every other taker (even in the same process) until released."""
    db = str(tmp_path / "t.db")
    assert read_owner(db) is None
    lock = try_lock(db)
    assert lock is not None
    try:
        assert try_lock(db) is None
        owner = read_owner(db)
        assert owner is not None
        assert (owner.pid, owner.host) == (os.getpid(), socket.gethostname())
        assert owner.since == lock.info.since
        assert f"pid {os.getpid()}" in owner.describe()
    finally:
        lock.release()
    assert read_owner(db) is None
    again = try_lock(db)
    assert again is not None
    again.release()


def test_kill_9_of_the_holder_frees_the_lock_despite_its_job_child(tmp_path: Path) -> None:
    """SIGKILL of the holder releases the lock; a job process it left behind does not keep it."""
    db = str(tmp_path / "t.db")
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, db], stdout=subprocess.PIPE,
                              start_new_session=True, text=True)
    assert holder.stdout is not None
    child = int(holder.stdout.readline())
    try:
        assert holder.stdout.readline().strip() == "locked"
        owner = read_owner(db)
        assert owner is not None and owner.pid == holder.pid
        assert try_lock(db) is None
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(5)
        lock = wait_until_sync(lambda: try_lock(db), timeout=2)
        assert read_owner(db) is not None and read_owner(db).pid == os.getpid()  # type: ignore[union-attr]
        lock.release()
    finally:
        if holder.poll() is None:
            holder.kill()
        os.kill(child, signal.SIGKILL)
        holder.stdout.close()


def test_another_users_lock_is_an_error_naming_the_owner_user(tmp_path, monkeypatch):
    """A lock file this user may not open is not 'nobody owns it': the error says to run as the
    database's user. (Root reads every file, so the refusal is simulated at os.open.)"""
    import pwd

    from ysched_tui.errors import StorageError
    from ysched_tui.owner import lock as lock_module

    db = tmp_path / "t.db"
    Path(str(db) + ".lock").write_text("{}")
    real_open = lock_module.os.open

    def refuse(path, flags, *args):
        if str(path).endswith(".lock"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(lock_module.os, "open", refuse)
    me = pwd.getpwuid(os.getuid()).pw_name
    with pytest.raises(StorageError, match=rf"permission denied; run as the user that owns the "
                                           rf"database \(e\.g\. sudo -u {me} ysched-tui"):
        read_owner(str(db))
