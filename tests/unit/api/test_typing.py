"""The typing of the public API as mypy --strict sees it in an application's code: subscribe
ties the callback's parameter to the event type(s), run_job's return follows ``wait``."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

mypy_api = pytest.importorskip("mypy.api")

ROOT = Path(__file__).resolve().parents[3]

APPLICATION = textwrap.dedent('''
    from typing import assert_type

    from ysched_tui import Event, RunFinished, RunRecord, RunStarted, Scheduler, Subscription

    scheduler = Scheduler()


    def on_finished(event: RunFinished) -> None: ...


    def on_any(event: Event) -> None: ...


    assert_type(scheduler.subscribe(on_finished, RunFinished), Subscription)
    scheduler.subscribe(on_any, RunFinished)
    scheduler.subscribe(on_any, [RunFinished, RunStarted])
    scheduler.subscribe(on_any)
    scheduler.subscribe(on_finished, RunStarted)  # wrong
    scheduler.subscribe(on_finished, [RunFinished, RunStarted])  # wrong
    scheduler.subscribe(on_finished)  # wrong


    async def main() -> None:
        assert_type(await scheduler.run_job("x", wait=True), RunRecord)
        assert_type(await scheduler.run_job("x"), str)
        assert_type(await scheduler.run_job("x", wait=False, days=3), str)
''')


@pytest.mark.slow
def test_subscribe_and_run_job_are_typed(tmp_path: Path) -> None:
    """Only a callback taking the subscribed type (or a base) type-checks; wait=True is a
    RunRecord and otherwise a run_id string."""
    app = tmp_path / "app.py"
    app.write_text(APPLICATION)
    out, err, _status = mypy_api.run([
        "--strict", "--no-error-summary", "--config-file", str(ROOT / "pyproject.toml"),
        "--cache-dir", str(tmp_path / "cache"), str(app),
    ])
    assert not err
    lines = sorted({int(m.group(1)) for m in re.finditer(r"app\.py:(\d+): error", out)})
    wrong = [n for n, line in enumerate(APPLICATION.splitlines(), 1) if line.endswith("# wrong")]
    assert len(wrong) == 3 and lines == wrong, out
    assert all('"subscribe" of "Scheduler"' in line for line in out.splitlines()), out
