"""The example jobs file stays valid and keeps showing the features it is there to demo."""

from __future__ import annotations

from pathlib import Path

import pytest

from ysched_tui.config import load_all
from ysched_tui.core.models import CommandTarget, HttpTarget, JobSource
from ysched_tui.core.triggers import CronTrigger, IntervalTrigger
from ysched_tui.settings import load_settings

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "ysched.toml"

pytestmark = pytest.mark.usefixtures("import_state")


def test_example_loads_with_its_settings() -> None:
    """examples/ysched.toml loads without problems, with its [settings] applied."""
    settings = load_settings(jobs_file=EXAMPLE)
    assert settings.scripts_dir == EXAMPLE.parent / "scripts"
    assert (settings.retention_days, settings.default_timeout) == (7, 600.0)
    specs, _ = load_all(settings)
    file_jobs = {s.code: s for s in specs if s.source is JobSource.FILE}
    assert set(file_jobs) >= {
        "heartbeat", "disk_usage", "live_output", "flaky", "too_slow", "five_minutely",
        "nightly_report", "greet", "health_check",
    }
    assert file_jobs["heartbeat"].triggers == (IntervalTrigger(seconds=5.0),)
    assert file_jobs["greet"].triggers == ()
    assert file_jobs["flaky"].retries.max == 2
    assert file_jobs["too_slow"].timeout == 5.0
    assert all(isinstance(t, CronTrigger) for t in file_jobs["nightly_report"].triggers)
    assert isinstance(file_jobs["live_output"].target, CommandTarget)
    health = file_jobs["health_check"].target
    assert isinstance(health, HttpTarget)
    assert health.url.startswith("http://127.0.0.1:")
    assert health.headers == {"Authorization": "Bearer ${DEMO_API_TOKEN}"}
