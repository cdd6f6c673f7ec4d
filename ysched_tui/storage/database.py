"""Opening the SQLite file: path handling, connection settings, schema version, clear errors.

Every failure of the database itself (corrupt, locked, unwritable, newer schema) leaves here as a
:class:`~ysched_tui.errors.StorageError` whose one-line message names the file, never as a raw
SQLAlchemy traceback.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from ysched_tui.errors import DatabaseLocked, SchemaTooNew, StorageError
from ysched_tui.storage.schema import SCHEMA_VERSION, metadata, schema_version, to_db

IMMEDIATE = "ysched_begin_immediate"
"""Execution option: start the transaction with ``BEGIN IMMEDIATE`` (takes the write lock first,
so a read-then-write transaction can wait on ``busy_timeout`` instead of failing with BUSY)."""

NO_BEGIN = "ysched_no_begin"
"""Execution option: emit no BEGIN at all (statements autocommit, as PRAGMA journal_mode needs)."""


def resolve_path(url_or_path: str) -> Path:
    """The database file named by a plain path or a ``sqlite[+aiosqlite]:///`` URL.

    Raises:
        StorageError: a URL of another database, or an in-memory database.
    """
    if "://" not in url_or_path:
        return Path(url_or_path).expanduser().absolute()
    try:
        url = make_url(url_or_path)
    except ArgumentError as exc:
        raise StorageError(f"invalid database URL {url_or_path!r}: {exc}") from None
    if url.get_backend_name() != "sqlite":
        raise StorageError(f"database URL {url_or_path!r}: only SQLite files are supported")
    if not url.database or url.database == ":memory:":
        raise StorageError(f"database URL {url_or_path!r}: give a file path, not memory")
    return Path(url.database).expanduser().absolute()


def describe_error(exc: BaseException, path: Path, action: str) -> StorageError:
    """A one-line :class:`StorageError` (or :class:`DatabaseLocked`) for a driver failure."""
    orig = getattr(exc, "orig", None) or exc
    msg = str(orig).splitlines()[0] if str(orig) else type(orig).__name__
    low = msg.lower()
    if "locked" in low or "busy" in low:
        return DatabaseLocked(f"database {path} is locked by another process ({action}: {msg})")
    if "not a database" in low or "malformed" in low or "corrupt" in low:
        return StorageError(f"database {path} is corrupt or not a SQLite database ({msg})")
    if "readonly" in low or "read-only" in low:
        return StorageError(
            f"database {path} is read-only (the file or its directory is not writable): "
            f"cannot {action} ({msg})"
        )
    if "unable to open" in low:
        return StorageError(
            f"cannot open database {path}: the file or its directory cannot be opened or "
            f"written ({msg})"
        )
    return StorageError(f"database {path}: cannot {action} ({msg})")


@contextmanager
def translated(path: Path, action: str) -> Iterator[None]:
    """Turn driver and OS errors raised inside into :class:`StorageError`."""
    try:
        yield
    except StorageError:
        raise
    except (SQLAlchemyError, sqlite3.Error, OSError) as exc:
        raise describe_error(exc, path, action) from None


def make_dirs(path: Path) -> None:
    """Create the database's parent directories.

    Raises:
        StorageError: the directory cannot be created or ``path`` is a directory.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(
            f"cannot create the directory of database {path}: {exc.strerror or exc}"
        ) from None
    if path.is_dir():
        raise StorageError(f"database path {path} is a directory, not a file")


POOL_SIZE = 2
"""Connections kept open: the history writer's and one reader's. Each holds SQLite's page
cache (up to 2 MB) and a driver thread; the pool's default of five sat open after a burst of
console reads."""

POOL_OVERFLOW = 4
"""Extra connections opened for concurrent reads and closed when returned."""


def create_engine(path: Path, busy_timeout: float) -> AsyncEngine:
    """An async engine on ``path`` whose connections use the settings every connection needs."""
    engine = create_async_engine(
        f"sqlite+aiosqlite:///{path}",
        connect_args={"timeout": busy_timeout, "check_same_thread": False},
        pool_size=POOL_SIZE,
        max_overflow=POOL_OVERFLOW,
    )
    timeout_ms = int(busy_timeout * 1000)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see _on_begin)
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={timeout_ms}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        if options.get(NO_BEGIN, False):
            return
        immediate = options.get(IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


async def stored_version(conn: AsyncConnection, path: Path) -> int | None:
    """The schema version stored in the database; ``None`` for an empty database.

    Raises:
        StorageError: the file holds tables but is not a ysched-tui database.
    """
    names = set(
        (await conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'")))
        .scalars()
        .all()
    )
    if "schema_version" not in names:
        if names:
            raise StorageError(
                f"database {path} is not a ysched-tui database (it has no schema_version table)"
            )
        return None
    value = (await conn.execute(text("SELECT max(version) FROM schema_version"))).scalar()
    return None if value is None else int(value)


async def prepare(engine: AsyncEngine, path: Path) -> None:
    """Check the version, switch the file to WAL and create or migrate the schema.

    Raises:
        SchemaTooNew: the database has a newer schema (checked before anything is written).
        StorageError / DatabaseLocked: the file cannot be read or written.
    """
    with translated(path, "read the schema version"):
        async with engine.connect() as conn:
            version = await stored_version(conn, path)
    if version is not None and version > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"database {path} has schema version {version}, but this ysched-tui supports up "
            f"to version {SCHEMA_VERSION}: upgrade ysched-tui to use it"
        )
    with translated(path, "switch to WAL mode"):
        async with engine.execution_options(**{NO_BEGIN: True}).connect() as conn:
            await conn.exec_driver_sql("PRAGMA journal_mode=WAL")
    if version == SCHEMA_VERSION:
        return
    with translated(path, "create the schema"):
        async with engine.execution_options(**{IMMEDIATE: True}).begin() as conn:
            if await stored_version(conn, path) == SCHEMA_VERSION:
                return  # another process created it while we waited for the write lock
            await conn.run_sync(metadata.create_all)
            await conn.execute(
                schema_version.insert().values(
                    version=SCHEMA_VERSION, applied_at=to_db(datetime.now(UTC))
                )
            )
