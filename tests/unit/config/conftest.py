"""Isolation for config tests: an empty working folder and no YSCHED_* variables."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Run each test in its own folder with no YSCHED_* variable set."""
    for name in list(os.environ):
        if name.upper().startswith("YSCHED_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def import_state(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Undo the loader's sys.path insertions and forget imported jobs modules."""
    monkeypatch.setattr(sys, "path", list(sys.path))
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        if name.startswith("ysched_jobs_") or name == "mini_scheduler":
            del sys.modules[name]
