"""The Repository contract, one suite run over every implementation.

Every test takes the ``repo`` fixture, an open store of each kind in :data:`IMPLEMENTATIONS`,
and pins one rule of :class:`~ysched_tui.core.repository.Repository` through the contract's
methods only (no SQL, no private names), so a new store is correct when this suite passes on
it: adding one is one entry in :data:`IMPLEMENTATIONS`. Stores are built so that history stays
buffered (a long flush interval): every read below checks read-after-write without a flush.

Rules only one store can keep (SQLite's file format, its locking, its batching) are tested
beside this file, on that store alone.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from ysched_tui.core.models import (
    Actor,
    AuditEntry,
    CommandTarget,
    JobSpec,
    JobState,
    OutputLine,
    RunRecord,
    RunStatus,
    TriggerType,
)
from ysched_tui.core.repository import INTERRUPTED_ERROR, Repository
from ysched_tui.core.triggers import CronTrigger
from ysched_tui.errors import InvalidOperation, JobNotFound, StorageError
from ysched_tui.storage import SqliteRepository
from ysched_tui.storage.memory import MemoryRepository

from .helpers import NOW, make_run

S, F, T = RunStatus.SUCCESS, RunStatus.FAILED, RunStatus.TIMEOUT


def _sqlite(tmp_path: Path) -> Repository:
    """A SQLite file in a directory that does not exist yet; history waits up to a minute."""
    return SqliteRepository(str(tmp_path / "data" / "contract.db"), flush_interval=60)


def _memory(tmp_path: Path) -> Repository:
    """The in-memory store (engine policy tests run on it)."""
    return MemoryRepository()


IMPLEMENTATIONS: dict[str, Callable[[Path], Repository]] = {
    "sqlite": _sqlite,
    "memory": _memory,
}
"""Every Repository implementation, by test id: a function of the test's tmp_path."""


@pytest.fixture(params=list(IMPLEMENTATIONS))
async def repo(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Repository]:
    """An open store of each implementation, closed after the test."""
    repository = IMPLEMENTATIONS[request.param](tmp_path)
    await repository.open()
    try:
        yield repository
    finally:
        await repository.close()


def spec(code: str, command: str = "echo hi") -> JobSpec:
    """A small job definition."""
    return JobSpec(code=code, target=CommandTarget(command=command),
                   triggers=(CronTrigger(expr="5 * * * *"),))


def state(code: str, **fields: object) -> JobState:
    """A job state with a few fields set (``fields`` override them)."""
    values: dict[str, object] = {"id": f"id-{code}", "run_count": 3, **fields}
    return JobState(code=code, **values)


def full_run() -> RunRecord:
    """A final run with every field set (JSON values only)."""
    start = NOW - timedelta(minutes=3)
    return RunRecord(
        run_id="run_20260310_122700_a1b2c3",
        job_code="backup",
        job_id="id-backup",
        attempt=2,
        retry_of="run_20260310_122600_000000",
        trigger_type=TriggerType.RETRY,
        scheduled_time=start - timedelta(milliseconds=5),
        start_time=start,
        end_time=start + timedelta(seconds=2),
        duration_ms=2000,
        status=RunStatus.FAILED,
        exit_code=3,
        http_status=503,
        result={"rows": [1, 2.5, None, "x"], "ok": False},
        error="boom",
        traceback="Traceback...\nValueError: boom",
        hostname="host1",
        pid=4242,
        params={"day": "2026-03-10", "n": 3},
        output_lines=12,
        dropped_lines=4,
    )


def lines(run_id: str, seqs: range | list[int], stream: str = "stdout") -> list[OutputLine]:
    """Output lines numbered ``seqs``, each reading ``l<seq>``."""
    return [OutputLine(run_id=run_id, seq=n, ts=NOW, stream=stream, text=f"l{n}")
            for n in seqs]


def entry(minutes_ago: int, action: str = "pause", **fields: object) -> AuditEntry:
    """An operator action ``minutes_ago`` before NOW."""
    return AuditEntry(time=NOW - timedelta(minutes=minutes_ago), action=action,
                      actor=Actor(user="ann", address="10.0.0.7", via="cli"), **fields)


# --- lifecycle -------------------------------------------------------------------------------


async def test_flush_then_reads_see_everything(repo: Repository) -> None:
    """flush() writes buffered history out, and reads after it see the same as before it."""
    await repo.record_run(make_run(1))
    await repo.append_output(lines("run_000001_job", [1]))
    await repo.flush()
    assert [r.run_id for r in await repo.list_runs()] == ["run_000001_job"]
    assert [line.text for line in await repo.get_output("run_000001_job")] == ["l1"]


async def test_a_closed_store_refuses_use_and_closes_again_quietly(repo: Repository) -> None:
    """After close() every use raises StorageError, and closing again does nothing."""
    await repo.close()
    await repo.close()
    with pytest.raises(StorageError):
        await repo.get_run("run_000001_job")
    with pytest.raises(StorageError):
        await repo.record_run(make_run(1))


# --- jobs ------------------------------------------------------------------------------------


async def test_jobs_round_trip_ordered_by_code(repo: Repository) -> None:
    """Saved jobs load back equal, spec and state, ordered by code whatever the saving order."""
    await repo.save_job(spec("b"), state("b", paused=True))
    await repo.save_jobs([(spec("c"), state("c")), (spec("a"), state("a"))])
    await repo.save_jobs([])
    assert await repo.load_jobs() == [
        (spec("a"), state("a")), (spec("b"), state("b", paused=True)), (spec("c"), state("c")),
    ]


async def test_saving_a_job_again_replaces_it(repo: Repository) -> None:
    """A job saved again under the same code replaces spec and state; there is still one."""
    await repo.save_job(spec("a"), state("a"))
    await repo.save_jobs([(spec("a", "echo new"), state("a", run_count=9))])
    assert await repo.load_jobs() == [(spec("a", "echo new"), state("a", run_count=9))]


async def test_save_state_changes_the_state_only(repo: Repository) -> None:
    """save_state replaces a job's state and keeps its spec."""
    await repo.save_job(spec("a", "echo kept"), state("a"))
    await repo.save_state(state("a", paused=True, fail_count=2))
    assert await repo.load_jobs() == [(spec("a", "echo kept"), state("a", paused=True,
                                                                      fail_count=2))]


async def test_save_state_of_an_unknown_job_raises_job_not_found(repo: Repository) -> None:
    """save_state of a code never saved raises JobNotFound naming it, and stores nothing."""
    with pytest.raises(JobNotFound, match="ghost"):
        await repo.save_state(state("ghost"))
    assert await repo.load_jobs() == []


async def test_save_states_saves_the_known_and_names_the_unknown(repo: Repository) -> None:
    """save_states updates every stored code and raises JobNotFound for the first missing one."""
    await repo.save_jobs([(spec("a"), state("a")), (spec("b"), state("b"))])
    await repo.save_states([state("a", run_count=5), state("b", run_count=6)])
    with pytest.raises(JobNotFound, match="ghost"):
        await repo.save_states([state("a", run_count=7), state("ghost"), state("b", run_count=8)])
    assert [st.run_count for _, st in await repo.load_jobs()] == [7, 8]


async def test_delete_job_keeps_its_runs(repo: Repository) -> None:
    """A deleted job no longer loads, its runs stay, and deleting an unknown code is quiet."""
    await repo.save_jobs([(spec("a"), state("a")), (spec("gone"), state("gone"))])
    await repo.record_run(make_run(1, code="gone"))
    await repo.delete_job("gone")
    await repo.delete_job("never-was")
    assert [s.code for s, _ in await repo.load_jobs()] == ["a"]
    assert [r.run_id for r in await repo.list_runs("gone")] == ["run_000001_gone"]


# --- fingerprints ----------------------------------------------------------------------------


async def test_a_matching_fingerprint_gives_back_the_callers_object(repo: Repository) -> None:
    """Same fingerprint: the caller's own spec object (is); another, none or unknown: rebuilt."""
    a, b, c = spec("a"), spec("b"), spec("c")
    await repo.save_jobs([(a, state("a")), (b, state("b"))], fingerprints={"a": "fa", "b": "fb"})
    await repo.save_jobs([(c, state("c"))])
    mine = {code: spec(code) for code in "abc"}
    loaded = await repo.load_jobs(known={"a": ("fa", mine["a"]), "b": ("other", mine["b"]),
                                         "c": (None, mine["c"]), "zz": ("fz", spec("zz"))})
    assert [s is mine[s.code] for s, _ in loaded] == [True, False, False]
    assert loaded == [(a, state("a")), (b, state("b")), (c, state("c"))]


async def test_a_job_rewritten_without_its_fingerprint_is_rebuilt(repo: Repository) -> None:
    """A row saved again with another spec and no fingerprint never matches the old one."""
    await repo.save_jobs([(spec("a"), state("a")), (spec("b"), state("b"))],
                         fingerprints={"a": "fa", "b": "fb"})
    await repo.save_job(spec("a", "echo changed"), state("a"))
    await repo.save_jobs([(spec("b", "echo changed"), state("b"))])
    mine = {"a": spec("a"), "b": spec("b")}
    loaded = await repo.load_jobs(known={code: (f"f{code}", s) for code, s in mine.items()})
    assert [s is mine[s.code] for s, _ in loaded] == [False, False]
    assert [s for s, _ in loaded] == [spec("a", "echo changed"), spec("b", "echo changed")]


async def test_fingerprints_attached_later_match(repo: Repository) -> None:
    """save_fingerprints marks stored specs; the next load matches them; unknown codes are
    ignored."""
    await repo.save_jobs([(spec("a"), state("a"))])
    await repo.save_fingerprints({"a": "fa", "missing": "fm"})
    mine = spec("a")
    [(loaded, _)] = await repo.load_jobs(known={"a": ("fa", mine), "missing": ("fm", spec("x"))})
    assert loaded is mine


async def test_saving_a_state_keeps_the_fingerprint(repo: Repository) -> None:
    """save_state and save_states leave the spec, so its fingerprint still matches."""
    await repo.save_jobs([(spec("a"), state("a"))], fingerprints={"a": "fa"})
    await repo.save_state(state("a", paused=True))
    await repo.save_states([state("a", run_count=4)])
    mine = spec("a")
    [(loaded, st)] = await repo.load_jobs(known={"a": ("fa", mine)})
    assert loaded is mine and st == state("a", run_count=4)


# --- runs ------------------------------------------------------------------------------------


async def test_a_recorded_run_reads_back_at_once_field_for_field(repo: Repository) -> None:
    """record_run then get_run (no flush) gives the run back equal, counts as recorded."""
    await repo.record_run(full_run())
    assert await repo.get_run(full_run().run_id) == full_run()
    assert await repo.get_run("run_missing") is None


async def test_recording_a_run_again_updates_it(repo: Repository) -> None:
    """record_run is an upsert by run_id: the last record wins and the run is listed once."""
    await repo.record_run(make_run(1, status=RunStatus.PENDING))
    await repo.record_run(make_run(1, status=RunStatus.RUNNING))
    await repo.record_run(make_run(1, status=S, output_lines=3))
    runs = await repo.list_runs()
    assert [(r.run_id, r.status, r.output_lines) for r in runs] == [("run_000001_job", S, 3)]


async def test_times_come_back_aware_utc(repo: Repository) -> None:
    """A time recorded in another zone comes back as the same instant, in UTC."""
    berlin = timezone(timedelta(hours=1))
    start = datetime(2026, 3, 10, 9, 0, tzinfo=berlin)
    await repo.record_run(make_run(1, start=start))
    run = await repo.get_run("run_000001_job")
    assert run is not None and run.start_time == start
    assert run.start_time.utcoffset() == timedelta(0)


async def test_list_runs_newest_first_with_filters(repo: Repository) -> None:
    """Newest first by start (scheduled time when never started); code, status, before, limit."""
    await repo.record_run(make_run(3, code="a"))
    await repo.record_run(make_run(1, code="b", status=RunStatus.MISSED))
    await repo.record_run(make_run(2, code="a", status=F))
    assert [r.run_id for r in await repo.list_runs()] == [
        "run_000001_b", "run_000002_a", "run_000003_a",
    ]
    assert [r.run_id for r in await repo.list_runs("a")] == ["run_000002_a", "run_000003_a"]
    assert [r.run_id for r in await repo.list_runs(status=F)] == ["run_000002_a"]
    before = NOW - timedelta(minutes=1, seconds=30)
    assert [r.run_id for r in await repo.list_runs(before=before)] == [
        "run_000002_a", "run_000003_a",
    ]
    assert [r.run_id for r in await repo.list_runs(limit=1)] == ["run_000001_b"]
    assert await repo.list_runs(limit=0) == []
    assert await repo.list_runs("nobody") == []


# --- output ----------------------------------------------------------------------------------


async def test_output_reads_back_in_seq_order(repo: Repository) -> None:
    """Lines come back in seq order whatever the order they were appended in, across calls."""
    given = lines("r", range(1, 11), stream="stderr")
    await repo.append_output(given[5:])
    await repo.append_output(given[:5])
    assert await repo.get_output("r") == given
    assert await repo.get_output("other") == []


async def test_output_paging_after_seq_limit_and_tail(repo: Repository) -> None:
    """after_seq skips lines up to it; limit keeps the first ones; tail the last ones, in order."""
    given = lines("r", range(1, 11))
    await repo.append_output(given)
    assert await repo.get_output("r", after_seq=4, limit=3) == given[4:7]
    assert await repo.get_output("r", after_seq=10) == []
    assert await repo.get_output("r", tail=3) == given[7:]
    assert await repo.get_output("r", after_seq=8, tail=5) == given[8:]
    assert await repo.get_output("r", tail=50) == given
    assert await repo.get_output("r", limit=2, tail=2) == given[8:]  # tail wins


async def test_every_line_given_is_stored(repo: Repository) -> None:
    """The store caps nothing and adds nothing: past 20,000 lines of a run every one is kept."""
    await repo.append_output(lines("big", range(1, 20_051)))
    await repo.record_run(make_run(1, output_lines=20_000, dropped_lines=50).model_copy(
        update={"run_id": "big"}))
    assert len(await repo.get_output("big")) == 20_050
    assert [line.text for line in await repo.get_output("big", tail=1)] == ["l20050"]


async def test_a_line_already_stored_is_not_replaced(repo: Repository) -> None:
    """A second line with the same run_id and seq is ignored; the first one stays."""
    await repo.append_output(lines("r", [1, 2]))
    await repo.append_output([OutputLine(run_id="r", seq=2, ts=NOW, text="again")])
    assert [line.text for line in await repo.get_output("r")] == ["l1", "l2"]


# --- crash recovery --------------------------------------------------------------------------


async def test_scheduled_times_are_those_of_scheduled_rows(repo: Repository) -> None:
    """Recorded scheduled fire times after since, of this job's scheduled rows (run, missed,
    skipped): not manual, retry or catch-up runs, not other jobs, not at or before since."""
    since = NOW - timedelta(hours=1)
    at = [NOW - timedelta(minutes=m) for m in (10, 20, 30, 40, 50, 90)]
    await repo.record_run(make_run(1, start=at[0]))
    await repo.record_run(make_run(2, start=at[1], status=RunStatus.MISSED))
    await repo.record_run(make_run(3, start=at[2], status=RunStatus.SKIPPED))
    await repo.record_run(make_run(4, start=at[3], trigger_type=TriggerType.MANUAL))
    await repo.record_run(make_run(5, start=at[4], trigger_type=TriggerType.CATCH_UP))
    await repo.record_run(make_run(6, start=at[4], trigger_type=TriggerType.RETRY))
    await repo.record_run(make_run(7, start=at[5]))
    await repo.record_run(make_run(8, code="other", start=at[0]))
    found = await repo.scheduled_times("job", since)
    assert found == {at[0], at[1], at[2]}
    assert all(t.utcoffset() == timedelta(0) for t in found)
    assert await repo.scheduled_times("job", NOW) == set()


async def test_mark_interrupted_closes_unfinished_runs(repo: Repository) -> None:
    """Runs left running or pending become interrupted at now, counted as failures; final runs
    stay; a second call finds none."""
    await repo.record_run(make_run(1, status=RunStatus.RUNNING, start=NOW - timedelta(seconds=5)))
    await repo.record_run(make_run(2, status=RunStatus.PENDING).model_copy(
        update={"start_time": None, "error": "was waiting"}))
    await repo.record_run(make_run(3, status=S))
    closed = await repo.mark_interrupted(NOW)
    assert sorted(r.run_id for r in closed) == ["run_000001_job", "run_000002_job"]
    first = await repo.get_run("run_000001_job")
    assert first is not None and first in closed
    assert (first.status, first.end_time, first.duration_ms, first.error) == (
        RunStatus.INTERRUPTED, NOW, 5000, INTERRUPTED_ERROR)
    second = await repo.get_run("run_000002_job")
    assert second is not None and (second.status, second.error) == (
        RunStatus.INTERRUPTED, "was waiting")
    third = await repo.get_run("run_000003_job")
    assert third is not None and third.status is S
    assert await repo.failures_since(NOW - timedelta(minutes=1)) == 2
    assert await repo.mark_interrupted(NOW) == []


async def test_purge_deletes_old_runs_output_and_figures(repo: Repository) -> None:
    """Runs before the cutoff go with their output and their figures; newer ones stay whole."""
    for n in range(1, 6):
        await repo.record_run(make_run(n, start=NOW - timedelta(days=40, minutes=n)))
        await repo.append_output(lines(f"run_{n:06d}_job", [1, 2]))
    await repo.record_run(make_run(99, start=NOW - timedelta(days=1)))
    await repo.append_output(lines("run_000099_job", [1]))
    result = await repo.purge(NOW - timedelta(days=30))
    assert (result.runs, result.lines) == (5, 10)
    assert [r.run_id for r in await repo.list_runs(limit=1000)] == ["run_000099_job"]
    assert await repo.get_output("run_000001_job") == []
    assert len(await repo.get_output("run_000099_job")) == 1
    days = await repo.trend(NOW, unit="day", count=45)
    assert sum(b.success for b in days) == 1
    again = await repo.purge(NOW - timedelta(days=30))
    assert (again.runs, again.lines) == (0, 0)


# --- figures ---------------------------------------------------------------------------------


async def test_stats_windows_today_24h_7d(repo: Repository) -> None:
    """2 h ago: every window; 20 h (before UTC midnight): not today; 3 days: only 7 d; 8 days:
    none; per job with the code set; job counts left at 0."""
    ages = {"a": timedelta(hours=2), "b": timedelta(hours=20), "c": timedelta(days=3),
            "d": timedelta(days=8)}
    for n, (code, age) in enumerate(ages.items(), start=1):
        await repo.record_run(make_run(n, code=code, start=NOW - age))
    report = await repo.stats(NOW)
    assert (report.today.total_runs, report.last_24h.total_runs, report.last_7d.total_runs) == (
        1, 2, 3,
    )
    assert (report.code, report.total_jobs, report.active_jobs, report.paused_jobs) == (
        None, 0, 0, 0)
    only_c = await repo.stats(NOW, "c")
    assert (only_c.code, only_c.last_24h.total_runs, only_c.last_7d.total_runs) == ("c", 0, 1)
    assert only_c.last_24h.success_rate is None and only_c.last_24h.p50_duration_ms is None


async def test_stats_counts_by_status_and_durations(repo: Repository) -> None:
    """Final runs counted by status; the rate is percent successes; durations of successes,
    failures and timeouts only; runs not final are not counted."""
    statuses = [S] * 6 + [F, T, RunStatus.MISSED, RunStatus.SKIPPED]
    for i, status in enumerate(statuses, start=1):
        await repo.record_run(make_run(i, status=status, duration_ms=10 * i))
    await repo.record_run(make_run(99, status=RunStatus.RUNNING))
    w = (await repo.stats(NOW)).last_24h
    assert (w.total_runs, w.success_runs, w.failed_runs, w.timeout_runs) == (10, 6, 1, 1)
    assert (w.missed_runs, w.skipped_runs) == (1, 1)
    assert w.success_rate == 60.0
    assert w.avg_duration_ms == 45.0


async def test_stats_percentiles_are_nearest_rank(repo: Repository) -> None:
    """Durations 1..100 ms: p50 = 50, p95 = 95, average 50.5, 100 % success."""
    for d in range(1, 101):
        await repo.record_run(make_run(d, duration_ms=d))
    w = (await repo.stats(NOW)).today
    assert (w.total_runs, w.success_rate, w.avg_duration_ms) == (100, 100.0, 50.5)
    assert (w.p50_duration_ms, w.p95_duration_ms) == (50.0, 95.0)


async def test_a_final_run_counts_once_and_its_changes_move_the_count(repo: Repository) -> None:
    """Recording a final run again does not count it twice; changing its outcome recounts it."""
    await repo.record_run(make_run(1, status=F, duration_ms=10))
    await repo.record_run(make_run(2, status=S, duration_ms=30))
    await repo.flush()
    await repo.record_run(make_run(1, status=F, duration_ms=10))
    w = (await repo.stats(NOW)).today
    assert (w.total_runs, w.failed_runs) == (2, 1)
    await repo.record_run(make_run(1, status=S, duration_ms=20))
    w = (await repo.stats(NOW)).today
    assert (w.total_runs, w.success_runs, w.failed_runs, w.avg_duration_ms) == (2, 2, 0, 25.0)


async def test_hourly_trend_has_every_bucket_oldest_first(repo: Repository) -> None:
    """count UTC hour buckets ending with the current hour, empty ones included, by outcome."""
    await repo.record_run(make_run(1, start=NOW - timedelta(minutes=5), duration_ms=10))
    await repo.record_run(make_run(2, start=NOW - timedelta(minutes=6), duration_ms=30, status=F))
    await repo.record_run(make_run(3, start=NOW - timedelta(hours=3), status=RunStatus.MISSED))
    buckets = await repo.trend(NOW)
    assert len(buckets) == 24
    assert [b.start for b in buckets] == [
        NOW.replace(minute=0) - timedelta(hours=h) for h in range(23, -1, -1)]
    last = buckets[-1]
    assert (last.success, last.failed, last.p50_duration_ms, last.p95_duration_ms) == (
        1, 1, 10.0, 30.0)
    assert buckets[-4].missed == 1 and buckets[-4].p50_duration_ms is None
    assert sum(b.success + b.failed + b.missed for b in buckets[:-4]) == 0


async def test_daily_trend_of_one_job(repo: Repository) -> None:
    """Day buckets start at UTC midnight and count only the job asked for."""
    await repo.record_run(make_run(1, code="a", start=NOW - timedelta(days=2)))
    await repo.record_run(make_run(2, code="b", start=NOW - timedelta(days=2)))
    buckets = await repo.trend(NOW, "a", unit="day", count=7)
    assert buckets[-1].start == NOW.replace(hour=0, minute=0)
    assert [b.success for b in buckets] == [0, 0, 0, 0, 1, 0, 0]


@pytest.mark.parametrize(("unit", "count", "named"), [("week", 24, "'week'"), ("hour", 0, "0")])
async def test_trend_refuses_bad_arguments(
    repo: Repository, unit: str, count: int, named: str
) -> None:
    """An unknown unit or a count below 1 raises InvalidOperation naming the bad value."""
    with pytest.raises(InvalidOperation, match=named):
        await repo.trend(NOW, unit=unit, count=count)


async def test_job_figures_of_every_stored_job(repo: Repository) -> None:
    """Per stored job: 7-day success rate and median of its latest successes; None without."""
    for code in ("a", "b", "idle"):
        await repo.save_job(spec(code), state(code))
    for i, (status, d) in enumerate([(S, 10), (S, 30), (S, 20), (F, 99)], start=1):
        await repo.record_run(make_run(i, code="a", status=status, duration_ms=d))
    await repo.record_run(make_run(1, code="b", status=F, duration_ms=5))
    await repo.record_run(make_run(2, code="b", start=NOW - timedelta(days=9), duration_ms=40))
    await repo.record_run(make_run(1, code="unstored", duration_ms=5))
    assert await repo.job_figures(NOW) == {"a": (0.75, 20), "b": (0.0, 40), "idle": (None, None)}


async def test_failures_since_counts_failed_timed_out_and_interrupted(repo: Repository) -> None:
    """Runs ended failed, timed out or interrupted at or after since are counted; others not."""
    for i, status in enumerate([S, F, T, RunStatus.INTERRUPTED, RunStatus.MISSED], start=1):
        await repo.record_run(make_run(i, status=status))
    await repo.record_run(make_run(50, status=F, start=NOW - timedelta(days=2)))
    assert await repo.failures_since(NOW - timedelta(hours=1)) == 3
    assert await repo.failures_since(NOW) == 0


# --- meta and audit --------------------------------------------------------------------------


async def test_meta_values_are_set_replaced_and_read(repo: Repository) -> None:
    """An unset key reads None; set_meta sets and replaces; keys are independent."""
    assert await repo.get_meta("timezone") is None
    await repo.set_meta("timezone", "UTC")
    await repo.set_meta("timezone", "Europe/Berlin")
    await repo.set_meta("other", "x")
    assert (await repo.get_meta("timezone"), await repo.get_meta("other")) == (
        "Europe/Berlin", "x")


async def test_audit_entries_get_ids_and_list_newest_first(repo: Repository) -> None:
    """record_audit returns the entry with a new id; list_audit gives the latest, newest first."""
    first = await repo.record_audit(entry(30, job_code="a", before={"paused": False},
                                          after={"paused": True}))
    second = await repo.record_audit(entry(10, "trigger", job_code="a", run_id="run_x"))
    third = await repo.record_audit(entry(20, "reload"))
    assert 0 < first.id and len({first.id, second.id, third.id}) == 3
    assert first == entry(30, job_code="a", before={"paused": False},
                          after={"paused": True}).model_copy(update={"id": first.id})
    assert await repo.list_audit() == [second, third, first]
    assert await repo.list_audit(limit=2) == [second, third]


async def test_audit_keeps_entries_of_the_same_instant_newest_first(repo: Repository) -> None:
    """Entries with the same time list in reverse order of recording."""
    same = [await repo.record_audit(entry(5, action)) for action in ("pause", "resume", "pause")]
    assert await repo.list_audit() == same[::-1]


def test_every_contract_method_is_exercised() -> None:
    """Every public method of the contract is called somewhere in this suite."""
    source = Path(__file__).read_text()
    methods = {name for name in vars(Repository) if not name.startswith("_")}
    assert {m for m in methods if f".{m}(" not in source} == set()

