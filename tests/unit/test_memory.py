"""Memory after start-up: the parsed jobs file is let go, and freed heap goes back to the OS."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ysched_tui.config import toml_text
from ysched_tui.memory import release_free_memory
from ysched_tui.owner.assembly import build_engine
from ysched_tui.settings import load_settings


async def test_the_engine_forgets_the_parsed_jobs_file_once_started(tmp_path: Path) -> None:
    """After start the document, text and line index of the jobs file are no longer held."""
    jobs = tmp_path / "jobs.toml"
    entry = '[[jobs]]\ncode = "j{i}"\ncommand = "true"\ncron = "{m} * * * *"\n'
    jobs.write_text("".join(entry.format(i=i, m=i % 60) for i in range(50)))
    settings = load_settings(jobs_file=jobs, db=str(tmp_path / "t.db"))
    assert toml_text._parsed  # settings were read from the same file
    engine = build_engine(settings)
    await engine.start()
    try:
        assert len(engine.table) == 51 and not toml_text._parsed  # 50 + the cleanup job
    finally:
        await engine.stop(grace=0)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_free_heap_can_be_returned_on_linux() -> None:
    """On Linux (glibc) the trim is available and runs."""
    assert release_free_memory() is True
