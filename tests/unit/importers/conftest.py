"""Shared fixtures of the crontab import tests: the realistic crontabs in ``data/``."""

from __future__ import annotations

from pathlib import Path

import pytest

from ysched_tui.importers import CrontabImport, parse_crontab

DATA = Path(__file__).parent / "data"

SYSTEM_FILES = ("debian.crontab", "cron.d-pgbackup", "cron.d-services")
USER_FILES = ("developer.crontab", "broken.crontab", "tricky.crontab")
ALL_FILES = SYSTEM_FILES + USER_FILES


def load(name: str) -> CrontabImport:
    """Import one fixture the way the CLI would (system files with ``--system``)."""
    path = DATA / name
    return parse_crontab(path.read_text(), system=name in SYSTEM_FILES, source=str(path))


@pytest.fixture
def developer() -> CrontabImport:
    return load("developer.crontab")


@pytest.fixture
def debian() -> CrontabImport:
    return load("debian.crontab")


@pytest.fixture
def pgbackup() -> CrontabImport:
    return load("cron.d-pgbackup")
