"""Opening bad databases: one clear StorageError line naming the file, never a traceback."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ysched_tui.errors import DatabaseLocked, SchemaTooNew, StorageError
from ysched_tui.storage import SCHEMA_VERSION, SqliteRepository

REPO_ROOT = Path(__file__).resolve().parents[3]


async def open_error(path: str | Path, **kw: float) -> StorageError:
    """The StorageError raised by opening ``path``."""
    repo = SqliteRepository(str(path), **kw)  # type: ignore[arg-type]
    with pytest.raises(StorageError) as info:
        await repo.open()
    message = str(info.value)
    assert "\n" not in message and "Traceback" not in message
    return info.value


async def test_newer_schema_is_refused_and_left_untouched(db_path: Path) -> None:
    """A database with a newer schema version raises SchemaTooNew naming both versions; the file
    is not changed (not even switched to WAL)."""
    db_path.parent.mkdir(parents=True)
    con = sqlite3.connect(db_path)
    con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT)")
    con.execute("INSERT INTO schema_version VALUES (?, 'later')", (SCHEMA_VERSION + 1,))
    con.commit()
    con.close()
    before = db_path.read_bytes()
    exc = await open_error(db_path)
    assert isinstance(exc, SchemaTooNew)
    assert f"version {SCHEMA_VERSION + 1}" in str(exc) and f"version {SCHEMA_VERSION}" in str(exc)
    assert str(db_path) in str(exc)
    assert db_path.read_bytes() == before
    con = sqlite3.connect(db_path)
    try:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        assert tables == ["schema_version"]
    finally:
        con.close()


async def test_corrupt_file(db_path: Path) -> None:
    """A file of garbage bytes is reported as corrupt, naming the path."""
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"this is not a database at all\x00\xff" * 300)
    exc = await open_error(db_path)
    assert type(exc) is StorageError
    assert str(db_path) in str(exc) and "corrupt" in str(exc)


async def test_foreign_sqlite_file(db_path: Path) -> None:
    """A SQLite file of some other program is refused rather than written into."""
    db_path.parent.mkdir(parents=True)
    con = sqlite3.connect(db_path)
    con.execute("CREATE TABLE customers (id INTEGER)")
    con.close()
    exc = await open_error(db_path)
    assert "not a ysched-tui database" in str(exc) and str(db_path) in str(exc)


async def test_locked_database(db_path: Path) -> None:
    """Another process holding an exclusive lock gives DatabaseLocked after busy_timeout."""
    db_path.parent.mkdir(parents=True)
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        exc = await open_error(db_path, busy_timeout=0.05)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert isinstance(exc, DatabaseLocked)
    assert str(db_path) in str(exc) and "locked" in str(exc)


async def test_path_is_a_directory(tmp_path: Path) -> None:
    """A directory given as the database path is named as such."""
    exc = await open_error(tmp_path)
    assert "is a directory" in str(exc) and str(tmp_path) in str(exc)


async def test_parent_is_a_file(tmp_path: Path) -> None:
    """A path below a regular file cannot get its directory created."""
    (tmp_path / "file").write_text("x")
    exc = await open_error(tmp_path / "file" / "y.db")
    assert "cannot create the directory" in str(exc) and "file/y.db" in str(exc)


async def test_unsupported_url() -> None:
    """A URL of another database kind is refused with the URL in the message."""
    with pytest.raises(StorageError, match="only SQLite"):
        SqliteRepository("postgresql://u@h/db")


async def test_use_before_open(db_path: Path) -> None:
    """Calling the repository before open() is a clear StorageError, not an AttributeError."""
    with pytest.raises(StorageError, match="not open"):
        await SqliteRepository(str(db_path)).list_runs()


_OPEN_SCRIPT = textwrap.dedent(
    """
    import asyncio, sys
    from ysched_tui.errors import StorageError
    from ysched_tui.storage import SqliteRepository

    async def main() -> None:
        repo = SqliteRepository(sys.argv[1], busy_timeout=0.1)
        try:
            await repo.open()
            await repo.set_meta("k", "v")
        except StorageError as exc:
            print(type(exc).__name__, exc)
            return
        await repo.close()
        print("OPENED")

    asyncio.run(main())
    """
)


def open_without_write_permission(path: Path) -> str:
    """Open ``path`` in a child process that has no way around file permissions.

    As root, permission bits do not bind, so the child drops CAP_DAC_OVERRIDE (setpriv).
    """
    cmd = [sys.executable, "-c", _OPEN_SCRIPT, str(path)]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: permissions cannot be enforced")
        cmd = [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner", *cmd]
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize("existing", [False, True], ids=["new-file", "existing-file"])
async def test_read_only_directory(tmp_path: Path, existing: bool) -> None:
    """In a read-only directory, creating or writing the database is a one-line StorageError."""
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "y.db"
    if existing:
        repo = SqliteRepository(str(path))
        await repo.open()
        await repo.close()
        for extra in folder.glob("y.db-*"):
            extra.unlink()
    folder.chmod(0o555)
    try:
        out = open_without_write_permission(path)
    finally:
        folder.chmod(0o755)
    assert out.startswith(("StorageError", "DatabaseLocked")), out
    assert str(path) in out
