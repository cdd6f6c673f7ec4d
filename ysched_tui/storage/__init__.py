"""SQLite storage: the only package that talks SQL (SQLAlchemy async Core over aiosqlite).

It implements :class:`ysched_tui.core.repository.Repository` and returns core models only.
"""

from ysched_tui.storage.schema import SCHEMA_VERSION
from ysched_tui.storage.sqlite import SqliteRepository

__all__ = ["SCHEMA_VERSION", "SqliteRepository"]
