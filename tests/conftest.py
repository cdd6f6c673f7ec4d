"""Settings for every test: nothing is written outside the test's own temporary folders."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_cache_home() -> Iterator[None]:
    """Point the user cache folder (the jobs-file parse cache) at a folder of this test run."""
    before = os.environ.get("XDG_CACHE_HOME")
    with tempfile.TemporaryDirectory(prefix="ysched-test-cache-") as folder:
        os.environ["XDG_CACHE_HOME"] = folder
        yield
    if before is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = before
