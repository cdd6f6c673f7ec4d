"""Where the owner's lock, control socket and token live for a database.

They sit beside the database file, so every process that opens the same database finds the same
owner: ``<db>.lock``, ``<db>.sock`` and ``<db>.token``. The database path is resolved (symlinks
followed) first, so two spellings of one file share one owner.

A Unix socket path is limited by ``sun_path`` (108 bytes on Linux, 104 on the BSDs and macOS,
including the terminating NUL). When ``<db>.sock`` is too long, the socket moves to a private
runtime folder and is named by a hash of the database path, still the same for every process:
``$XDG_RUNTIME_DIR/ysched-tui/<hash>.sock``, else ``/tmp/ysched-tui-<uid>/<hash>.sock``. The
server creates that folder with mode 0700 (see :func:`ensure_socket_dir`).
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ysched_tui.errors import ConfigError

SOCKET_PATH_MAX = 107 if sys.platform.startswith("linux") else 103
"""Longest usable Unix socket path in bytes (``sun_path`` minus its NUL)."""


@dataclass(frozen=True, slots=True)
class ControlPaths:
    """The files that make a process the owner of a database and let others reach it."""

    db: Path
    """The database file, resolved."""
    lock: Path
    """Held with an exclusive OS lock by the owner (``<db>.lock``)."""
    socket: Path
    """The control API's Unix socket (``<db>.sock``, or the hashed fallback)."""
    token: Path
    """The bearer token for TCP clients, mode 0600 (``<db>.token``)."""


def database_file(db: str) -> Path:
    """The database file named by a path or a ``sqlite[+driver]:///path`` URL, resolved.

    Raises:
        ConfigError: a URL of another database or of an in-memory database.
    """
    if "://" not in db:
        return Path(db).expanduser().resolve()
    parts = urlsplit(db)
    if parts.scheme.split("+")[0] != "sqlite":
        raise ConfigError(f"database URL {db!r}: only SQLite files have an owner")
    # sqlite:///relative.db -> path "/relative.db"; sqlite:////abs.db -> path "//abs.db"
    path = unquote(parts.path)[1:] if parts.path.startswith("/") else unquote(parts.path)
    if not path or path == ":memory:":
        raise ConfigError(f"database URL {db!r}: give a file path, not memory")
    return Path(path).expanduser().resolve()


def runtime_dir() -> Path:
    """The private folder for hashed sockets: ``$XDG_RUNTIME_DIR/ysched-tui`` or ``/tmp``."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    if base and Path(base).is_absolute():
        return Path(base) / "ysched-tui"
    return Path(tempfile.gettempdir()) / f"ysched-tui-{os.getuid()}"


def socket_path_for(db_file: Path) -> Path:
    """``<db>.sock`` when it fits in ``sun_path``, else the hashed path in :func:`runtime_dir`."""
    beside = db_file.with_name(db_file.name + ".sock")
    if len(os.fsencode(beside)) <= SOCKET_PATH_MAX:
        return beside
    digest = hashlib.sha256(os.fsencode(db_file)).hexdigest()[:24]
    return runtime_dir() / f"{digest}.sock"


def control_paths(db: str) -> ControlPaths:
    """The lock, socket and token paths for the database ``db`` (a path or sqlite URL).

    Raises:
        ConfigError: ``db`` is not a SQLite file.
    """
    db_file = database_file(db)
    return ControlPaths(
        db=db_file,
        lock=db_file.with_name(db_file.name + ".lock"),
        socket=socket_path_for(db_file),
        token=db_file.with_name(db_file.name + ".token"),
    )


def ensure_socket_dir(socket_path: Path) -> None:
    """Create the hashed socket's private folder (0700); check it is ours and private.

    Only the fallback folder is created or checked: the folder beside the database is the
    user's, and the socket's own mode 0600 protects it there.

    Raises:
        ConfigError: the folder belongs to another user or others may write to it.
    """
    folder = socket_path.parent
    if folder != runtime_dir():
        return
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = folder.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        raise ConfigError(f"socket folder {folder} is not a folder owned by this user")
    if info.st_mode & 0o077:
        raise ConfigError(f"socket folder {folder} is open to other users (mode "
                          f"{stat.S_IMODE(info.st_mode):o}); expected 0700")
