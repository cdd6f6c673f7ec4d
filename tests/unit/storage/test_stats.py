"""Stats, trends, job figures, failures, purge and crash recovery on crafted runs."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from ysched_tui.core.models import OutputLine, RunStatus
from ysched_tui.errors import InvalidOperation
from ysched_tui.storage import SqliteRepository, stats

from .helpers import NOW, make_run

S, F, T = RunStatus.SUCCESS, RunStatus.FAILED, RunStatus.TIMEOUT


async def record_durations(repo: SqliteRepository, durations: list[int], **kw: object) -> None:
    """One successful run per duration, a minute apart, ending before NOW."""
    for i, d in enumerate(durations, start=1):
        await repo.record_run(make_run(i, duration_ms=d, **kw))  # type: ignore[arg-type]


async def test_window_figures_known_percentiles(repo: SqliteRepository) -> None:
    """Durations 1..100 ms: p50 = 50, p95 = 95 (nearest rank), avg 50.5, 100% success."""
    await record_durations(repo, list(range(1, 101)))
    report = await repo.stats(NOW)
    for window in (report.today, report.last_24h, report.last_7d):
        assert window.total_runs == 100 and window.success_runs == 100
        assert window.success_rate == 100.0
        assert (window.p50_duration_ms, window.p95_duration_ms) == (50.0, 95.0)
        assert window.avg_duration_ms == 50.5


async def test_window_counts_by_status_and_success_rate(repo: SqliteRepository) -> None:
    """Counts split by status; success rate is percent of final runs; missed has no duration."""
    statuses = [S] * 6 + [F, T, RunStatus.MISSED, RunStatus.SKIPPED]
    for i, status in enumerate(statuses, start=1):
        await repo.record_run(make_run(i, status=status, duration_ms=10 * i))
    await repo.record_run(make_run(99, status=RunStatus.RUNNING))  # not final: not counted
    w = (await repo.stats(NOW)).last_24h
    assert (w.total_runs, w.success_runs, w.failed_runs, w.timeout_runs) == (10, 6, 1, 1)
    assert (w.missed_runs, w.skipped_runs) == (1, 1)
    assert w.success_rate == 60.0
    # durations of success/failed/timeout only: 10..80 -> avg 45
    assert w.avg_duration_ms == 45.0


async def test_windows_split_today_24h_7d(repo: SqliteRepository) -> None:
    """2 h ago: every window; 20 h: not today; 3 days: only 7 d; 8 days: none."""
    ages = {"a": timedelta(hours=2), "b": timedelta(hours=20), "c": timedelta(days=3),
            "d": timedelta(days=8)}
    for n, (code, age) in enumerate(ages.items(), start=1):
        await repo.record_run(make_run(n, code=code, start=NOW - age))
    report = await repo.stats(NOW)
    assert (report.today.total_runs, report.last_24h.total_runs, report.last_7d.total_runs) == (
        1, 2, 3,
    )
    only_c = await repo.stats(NOW, "c")
    assert (only_c.code, only_c.last_24h.total_runs, only_c.last_7d.total_runs) == ("c", 0, 1)
    assert only_c.last_24h.success_rate is None and only_c.last_24h.p50_duration_ms is None


async def test_window_edges_use_runs_for_partial_hours(repo: SqliteRepository) -> None:
    """The 24 h window starts mid-hour: a run just inside counts, one just outside does not."""
    edge = NOW - timedelta(hours=24)
    await repo.record_run(make_run(1, start=edge + timedelta(minutes=1)))
    await repo.record_run(make_run(2, start=edge - timedelta(minutes=1)))
    assert (await repo.stats(NOW)).last_24h.total_runs == 1


async def test_rerecorded_final_run_counts_once_and_changes_recompute(
    repo: SqliteRepository, db_path: Path
) -> None:
    """Recording a final run again does not double count; changing its status moves the count."""
    await repo.record_run(make_run(1, status=F, duration_ms=10))
    await repo.record_run(make_run(2, status=S, duration_ms=30))
    await repo.flush()
    await repo.record_run(make_run(1, status=F, duration_ms=10))
    await repo.flush()
    w = (await repo.stats(NOW)).today
    assert (w.total_runs, w.failed_runs) == (2, 1)
    await repo.record_run(make_run(1, status=S, duration_ms=20))
    w = (await repo.stats(NOW)).today
    assert (w.total_runs, w.success_runs, w.failed_runs, w.avg_duration_ms) == (2, 2, 0, 25.0)
    con = sqlite3.connect(db_path)
    try:
        row = con.execute(
            "SELECT total, success, failed, min_duration_ms, max_duration_ms, avg_duration_ms "
            "FROM stats_hourly WHERE job_code = 'job'"
        ).fetchone()
    finally:
        con.close()
    assert row == (2, 2, 0, 20, 30, 25.0)


async def test_percentiles_are_sampled_above_the_limit(
    repo: SqliteRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above PERCENTILE_SAMPLE durations the percentiles come from an even sample, still close."""
    await record_durations(repo, list(range(1, 1001)), start=None)
    monkeypatch.setattr(stats, "PERCENTILE_SAMPLE", 100)
    w = (await repo.stats(NOW + timedelta(days=1))).last_7d
    assert w.total_runs == 1000
    assert w.p50_duration_ms is not None and abs(w.p50_duration_ms - 500) <= 20
    assert w.p95_duration_ms is not None and abs(w.p95_duration_ms - 950) <= 20


async def test_hourly_trend_includes_empty_buckets(repo: SqliteRepository) -> None:
    """24 hourly buckets oldest first; hours without runs are present and empty."""
    await repo.record_run(make_run(1, start=NOW - timedelta(minutes=5), duration_ms=10))
    await repo.record_run(make_run(2, start=NOW - timedelta(minutes=6), duration_ms=30, status=F))
    await repo.record_run(make_run(3, start=NOW - timedelta(hours=3), status=RunStatus.MISSED))
    buckets = await repo.trend(NOW)
    assert len(buckets) == 24
    assert buckets[-1].start == NOW.replace(minute=0)
    assert buckets[0].start == buckets[-1].start - timedelta(hours=23)
    assert [b.start for b in buckets] == sorted(b.start for b in buckets)
    last = buckets[-1]
    assert (last.success, last.failed, last.p50_duration_ms, last.p95_duration_ms) == (
        1, 1, 10.0, 30.0,
    )
    assert buckets[-4].missed == 1 and buckets[-4].p50_duration_ms is None
    assert sum(b.success + b.failed + b.missed for b in buckets[:-4]) == 0


async def test_daily_trend_per_job(repo: SqliteRepository) -> None:
    """Day buckets start at UTC midnight and can be limited to one job."""
    await repo.record_run(make_run(1, code="a", start=NOW - timedelta(days=2)))
    await repo.record_run(make_run(2, code="b", start=NOW - timedelta(days=2)))
    buckets = await repo.trend(NOW, "a", unit="day", count=7)
    assert [b.start for b in buckets][-1] == NOW.replace(hour=0, minute=0)
    assert [b.success for b in buckets] == [0, 0, 0, 0, 1, 0, 0]


async def test_trend_rejects_bad_unit(repo: SqliteRepository) -> None:
    """An unknown unit or a non-positive count is refused with a message naming it."""
    with pytest.raises(InvalidOperation, match="'week'"):
        await repo.trend(NOW, unit="week")
    with pytest.raises(InvalidOperation, match="count"):
        await repo.trend(NOW, count=0)


async def test_job_figures(repo: SqliteRepository) -> None:
    """Per job: 7-day success fraction and median of recent successes; None without runs."""
    from ysched_tui.core.models import CommandTarget, JobSpec, JobState

    for code in ("a", "b", "idle"):
        await repo.save_job(JobSpec(code=code, target=CommandTarget(command="true")),
                            JobState(code=code, id=code))
    for i, (status, d) in enumerate([(S, 10), (S, 30), (S, 20), (F, 99)], start=1):
        await repo.record_run(make_run(i, code="a", status=status, duration_ms=d))
    await repo.record_run(make_run(1, code="b", status=F, duration_ms=5))
    # a success 9 days ago: outside the 7-day rate, still b's latest success for the median
    await repo.record_run(make_run(2, code="b", start=NOW - timedelta(days=9), duration_ms=40))
    figures = await repo.job_figures(NOW)
    assert figures["a"] == (0.75, 20)
    assert figures["b"] == (0.0, 40)
    assert figures["idle"] == (None, None)


async def test_failures_since(repo: SqliteRepository) -> None:
    """Failed, timed-out and interrupted runs ended since the instant are counted."""
    for i, status in enumerate([S, F, T, RunStatus.INTERRUPTED, RunStatus.MISSED], start=1):
        await repo.record_run(make_run(i, status=status))
    await repo.record_run(make_run(50, status=F, start=NOW - timedelta(days=2)))
    assert await repo.failures_since(NOW - timedelta(hours=1)) == 3


async def test_mark_interrupted(repo: SqliteRepository) -> None:
    """Runs left running or pending become interrupted at 'now' and count as failures."""
    await repo.record_run(make_run(1, status=RunStatus.RUNNING, start=NOW - timedelta(seconds=5)))
    await repo.record_run(make_run(2, status=RunStatus.PENDING))
    await repo.record_run(make_run(3, status=S))
    closed = await repo.mark_interrupted(NOW)
    assert sorted(r.run_id for r in closed) == ["run_000001_job", "run_000002_job"]
    run = await repo.get_run("run_000001_job")
    assert run is not None and run.status is RunStatus.INTERRUPTED
    assert run.end_time == NOW and run.duration_ms == 5000 and run.error
    assert (await repo.stats(NOW)).today.total_runs == 3
    assert await repo.mark_interrupted(NOW) == []


async def test_purge_deletes_old_runs_output_and_stats(
    repo: SqliteRepository, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Runs, their output and hourly stats older than the cutoff go, in chunks; newer stay."""
    from ysched_tui.storage import queries

    monkeypatch.setattr(queries, "PURGE_CHUNK", 7)
    for n in range(1, 31):
        await repo.record_run(make_run(n, start=NOW - timedelta(days=40, minutes=n)))
        await repo.append_output([OutputLine(run_id=f"run_{n:06d}_job", seq=1, ts=NOW, text="x")])
    await repo.record_run(make_run(99, start=NOW - timedelta(days=1)))
    result = await repo.purge(NOW - timedelta(days=30))
    assert (result.runs, result.lines) == (30, 30)
    assert [r.run_id for r in await repo.list_runs(limit=1000)] == ["run_000099_job"]
    con = sqlite3.connect(db_path)
    try:
        hours = con.execute(
            "SELECT DISTINCT substr(hour_start, 1, 10) FROM stats_hourly"
        ).fetchall()
        assert con.execute("SELECT count(*) FROM run_output").fetchone()[0] == 0
    finally:
        con.close()
    assert hours == [((NOW - timedelta(days=1)).strftime("%Y-%m-%d"),)]


async def test_list_runs_filters_and_order(repo: SqliteRepository) -> None:
    """Newest first by start (scheduled time for missed runs); code, status, before and limit."""
    await repo.record_run(make_run(3, code="a"))
    await repo.record_run(make_run(1, code="b", status=RunStatus.MISSED))
    await repo.record_run(make_run(2, code="a", status=F))
    assert [r.run_id for r in await repo.list_runs()] == [
        "run_000001_b", "run_000002_a", "run_000003_a",
    ]
    assert [r.run_id for r in await repo.list_runs("a")] == ["run_000002_a", "run_000003_a"]
    assert [r.run_id for r in await repo.list_runs(status=F)] == ["run_000002_a"]
    before = NOW - timedelta(minutes=1, seconds=30)
    older = await repo.list_runs(before=before)
    assert [r.run_id for r in older] == ["run_000002_a", "run_000003_a"]
    assert [r.run_id for r in await repo.list_runs(limit=1)] == ["run_000001_b"]
