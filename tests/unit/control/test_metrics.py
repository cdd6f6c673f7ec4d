"""The metrics collector counts outcomes, durations, misses and lag from real core events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ysched_tui.control.metrics import MetricsCollector
from ysched_tui.core.events import RunFinished, RunMissed, RunStarted
from ysched_tui.core.models import RunRecord, RunStatus, SchedulerStatus, TriggerType

from .test_http_api import parse_exposition

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _run(status: RunStatus, **kw: object) -> RunRecord:
    return RunRecord(run_id="r", job_code=str(kw.pop("job", 'we"ird\\job')), job_id="j",
                     status=status, **kw)


def test_collector_renders_every_family_from_events() -> None:
    """Runs by status, histogram buckets, misses and the last lag come out right."""
    metrics = MetricsCollector()
    metrics(RunStarted(run=_run(RunStatus.RUNNING, trigger_type=TriggerType.SCHEDULED,
                                scheduled_time=T0, start_time=T0 + timedelta(seconds=2.5))))
    metrics(RunFinished(run=_run(RunStatus.SUCCESS, duration_ms=700)))
    metrics(RunFinished(run=_run(RunStatus.FAILED, duration_ms=45_000)))
    metrics(RunFinished(run=_run(RunStatus.SKIPPED)))
    metrics(RunMissed(run=_run(RunStatus.MISSED, job="late")))
    text = metrics.render(SchedulerStatus(state="running", db_path="x", running_now=2,
                                          jobs_active=3, jobs_paused=1, failures_24h=1))
    _, samples = parse_exposition(text)
    values = {(name, labels): value for name, labels, value in samples}
    job = 'job="we\\"ird\\\\job"'
    assert values["ysched_runs_total", f'{job},status="success"'] == 1
    assert values["ysched_runs_total", f'{job},status="skipped"'] == 1
    assert values["ysched_runs_total", 'job="late",status="missed"'] == 1
    assert values["ysched_missed_total", 'job="late"'] == 1
    assert values["ysched_run_duration_seconds_bucket", f'{job},le="0.5"'] == 0
    assert values["ysched_run_duration_seconds_bucket", f'{job},le="1.0"'] == 1
    assert values["ysched_run_duration_seconds_bucket", f'{job},le="60.0"'] == 2
    assert values["ysched_run_duration_seconds_count", job] == 2
    assert values["ysched_run_duration_seconds_sum", job] == 45.7
    assert values["ysched_scheduler_lag_seconds", ""] == 2.5
    assert values["ysched_running", ""] == 2
    assert values["ysched_jobs", 'state="paused"'] == 1


def test_lag_is_absent_until_a_scheduled_run_starts() -> None:
    """Manual runs say nothing about scheduler lag."""
    metrics = MetricsCollector()
    metrics(RunStarted(run=_run(RunStatus.RUNNING, trigger_type=TriggerType.MANUAL,
                                start_time=T0)))
    text = metrics.render(SchedulerStatus(state="running", db_path="x"))
    assert "# TYPE ysched_scheduler_lag_seconds gauge" in text
    assert "\nysched_scheduler_lag_seconds " not in text
