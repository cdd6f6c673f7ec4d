"""The owner lock: an exclusive ``flock`` on ``<db>.lock`` held for the owner's whole life.

The kernel drops the lock when the owning process dies, however it dies (``kill -9``
included), so a lock is never stale and nothing has to clean it up. The holder writes its pid,
host and start time into the file so that others can say who owns the database. The file
descriptor is not inherited by job processes (Python opens files non-inheritable), so an
orphaned job of a killed owner cannot keep the lock.

Readers probe with a shared lock: if they get it, nobody owns the database. A probe can make
an owner's non-blocking attempt fail for an instant; takers retry (:func:`wait_for_lock`).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ysched_tui.control.paths import control_paths
from ysched_tui.errors import StorageError

POLL_SECONDS = 0.1
"""How often a standby tries the lock."""


@dataclass(frozen=True, kw_only=True, slots=True)
class OwnerInfo:
    """Who owns a database: what the owner wrote into the lock file."""

    pid: int
    host: str
    since: datetime

    def describe(self) -> str:
        """``pid 123 on host, owner since 2026-...``."""
        return f"pid {self.pid} on {self.host}, owner since {self.since:%Y-%m-%d %H:%M:%S %Z}"


class OwnerLock:
    """The held lock of one database (release it with :meth:`release` or by exiting)."""

    def __init__(self, path: Path, fd: int, info: OwnerInfo) -> None:
        self.path = path
        self.info = info
        self._fd: int | None = fd

    @property
    def held(self) -> bool:
        """Whether this object still holds the lock."""
        return self._fd is not None

    def release(self) -> None:
        """Give up ownership: clear the owner record and unlock."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        os.close(fd)  # closing the last descriptor releases the flock


def _open(path: Path) -> int:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise StorageError(f"cannot open the owner lock {path}: {exc.strerror or exc}") from None


def try_lock(db: str) -> OwnerLock | None:
    """Take ownership of ``db`` if nobody holds it; ``None`` when another process does.

    Raises:
        StorageError: the lock file cannot be created or opened.
        ConfigError: ``db`` is not a SQLite file.
    """
    path = control_paths(db).lock
    fd = _open(path)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    except OSError as exc:
        os.close(fd)
        raise StorageError(f"cannot lock {path}: {exc.strerror or exc}") from None
    info = OwnerInfo(pid=os.getpid(), host=socket.gethostname(), since=datetime.now(UTC))
    record = {"pid": info.pid, "host": info.host, "since": info.since.isoformat()}
    os.ftruncate(fd, 0)
    os.pwrite(fd, (json.dumps(record) + "\n").encode(), 0)
    return OwnerLock(path, fd, info)


async def wait_for_lock(db: str, *, poll: float = POLL_SECONDS) -> OwnerLock:
    """Wait until the owner of ``db`` goes away, then take the lock (a standby)."""
    while True:
        lock = try_lock(db)
        if lock is not None:
            return lock
        await asyncio.sleep(poll)


def read_owner(db: str) -> OwnerInfo | None:
    """Who owns ``db`` now; ``None`` when nobody holds the lock.

    An owner that is still writing its record reads as pid 0 on ``?``.

    Raises:
        StorageError: the lock file is another user's (this user cannot tell who owns it).
    """
    path = control_paths(db).lock
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except PermissionError:  # another user's database: saying "nobody owns it" would mislead
        raise StorageError(f"cannot read {path}: permission denied; run as the user that owns "
                           f"the database (e.g. sudo -u {_file_owner(path)} ysched-tui ...)"
                           ) from None
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _parse(os.pread(fd, 4096, 0))
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _file_owner(path: Path | str) -> str:
    """The name of the user owning ``path`` (its uid when it has no name)."""
    import pwd

    try:
        uid = os.stat(path).st_uid
    except OSError:
        return "<owner>"
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _parse(data: bytes) -> OwnerInfo:
    try:
        record = json.loads(data)
        return OwnerInfo(pid=int(record["pid"]), host=str(record["host"]),
                         since=datetime.fromisoformat(record["since"]))
    except (ValueError, KeyError, TypeError):
        return OwnerInfo(pid=0, host="?", since=datetime.now(UTC))
