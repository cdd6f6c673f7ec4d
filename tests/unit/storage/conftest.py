"""Fixtures: a repository on a real SQLite file in a temporary directory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from ysched_tui.storage import SqliteRepository


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the test database lives (its directory does not exist yet)."""
    return tmp_path / "data" / "ysched.db"


@pytest.fixture
async def repo(db_path: Path) -> AsyncIterator[SqliteRepository]:
    """An open repository, closed after the test."""
    repository = SqliteRepository(str(db_path), flush_interval=0.01)
    await repository.open()
    yield repository
    await repository.close()
