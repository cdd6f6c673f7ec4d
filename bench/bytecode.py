"""Compile ysched_tui's bytecode before a start-up is timed.

An installed wheel has its ``.pyc`` files (pip compiles them); an editable checkout run with
``PYTHONDONTWRITEBYTECODE=1`` (as on this machine) has none, and every process then compiles
the whole package from source first: ~300 ms of a cold start that no user pays. The Makefile's
install step compiles too.
"""

from __future__ import annotations

import compileall
from pathlib import Path

import ysched_tui


def compile_package() -> None:
    """Write the package's ``.pyc`` files (quietly; up-to-date ones are kept)."""
    folder = Path(ysched_tui.__file__).parent
    compileall.compile_dir(str(folder), quiet=1)
    print(f"bytecode of {folder} compiled, as an installed wheel has it")
