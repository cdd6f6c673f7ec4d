"""Isolation for config tests: an empty working folder and no YSCHED_* variables."""

from __future__ import annotations

import os
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
