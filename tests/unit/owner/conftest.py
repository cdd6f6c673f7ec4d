"""Fixtures for owner tests: daemon subprocesses that never outlive the test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.unit.owner.helpers import Daemons


@pytest.fixture
def daemons(tmp_path: Path) -> Iterator[Daemons]:
    """Start daemons with ``daemons.start(db, jobs, *args)``; all are killed afterwards."""
    procs = Daemons(tmp_path)
    try:
        yield procs
    finally:
        procs.kill_all()
