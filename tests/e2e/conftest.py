"""The end-to-end tests need tmux: without it they are skipped on a workstation, but under CI
(``CI`` set to anything but empty/0/false/no) they fail, so that a CI machine missing tmux
cannot pass by running none of them."""

from __future__ import annotations

import os
import shutil

import pytest


def on_ci() -> bool:
    """Whether this run is a CI run (the ``CI`` variable most CI services set, and .ci/run)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(autouse=True)
def _tmux_installed() -> None:
    if shutil.which("tmux") is not None:
        return
    if on_ci():
        pytest.fail("tmux is not installed: under CI the end-to-end tests must run", pytrace=False)
    pytest.skip("tmux is not installed")
