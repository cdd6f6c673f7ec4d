"""The in-memory repository keeps the contract as SQLite does.

Most checks are differential: the same history is written to a :class:`MemoryRepository` and to
a :class:`SqliteRepository`, and every read (runs, output, figures, windows, trend buckets)
must give the same answer. The rest check what has no SQLite twin to compare with.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import timedelta, timezone
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
from ysched_tui.core.repository import Repository
from ysched_tui.core.triggers import CronTrigger
from ysched_tui.errors import InvalidOperation, JobNotFound, StorageError
from ysched_tui.storage import SqliteRepository
from ysched_tui.storage.memory import MemoryRepository

from .helpers import NOW, make_run

CODES = ("alpha", "beta", "gamma")
FINAL = [RunStatus.SUCCESS] * 6 + [
    RunStatus.FAILED, RunStatus.TIMEOUT, RunStatus.MISSED, RunStatus.SKIPPED,
    RunStatus.CANCELLED, RunStatus.INTERRUPTED,
]


def spec(code: str, command: str = "echo hi") -> JobSpec:
    return JobSpec(code=code, target=CommandTarget(command=command),
                   triggers=(CronTrigger(expr="5 * * * *"),))


def state(code: str, **kw: object) -> JobState:
    return JobState(code=code, id=f"id-{code}", **kw)  # type: ignore[arg-type]


def history(seed: int) -> list[RunRecord]:
    """~400 runs over ten days before NOW (and a few after), each at its own second; some
    recorded twice (running, then final; or final, then changed)."""
    rng = random.Random(seed)
    seconds = rng.sample(range(-10 * 86400, 3600), 400)
    records: list[RunRecord] = []
    for n, offset in enumerate(seconds):
        start = NOW + timedelta(seconds=offset)
        code = rng.choice(CODES)
        status = rng.choice(FINAL)
        duration = rng.randint(1, 5000) if rng.random() > 0.05 else None
        trigger = rng.choice([TriggerType.SCHEDULED, TriggerType.SCHEDULED, TriggerType.MANUAL])
        final = make_run(n, code=code, status=status, start=start, duration_ms=duration,
                         trigger_type=trigger, result={"n": n, "t": (1, 2)},
                         params={"p": n} if n % 3 else {})
        roll = rng.random()
        if roll < 0.1:  # left running or pending (mark_interrupted closes them)
            records.append(final.model_copy(update={
                "status": rng.choice([RunStatus.RUNNING, RunStatus.PENDING]),
                "end_time": None, "duration_ms": None}))
            continue
        if roll < 0.3:
            records.append(final.model_copy(update={"status": RunStatus.RUNNING,
                                                    "end_time": None, "duration_ms": None}))
        records.append(final)
        if roll > 0.95:  # a final run changed afterwards: figures follow, counted once
            records.append(final.model_copy(update={"status": RunStatus.FAILED,
                                                    "duration_ms": (duration or 0) + 7}))
    return records


@pytest.fixture
async def pair(tmp_path: Path) -> AsyncIterator[tuple[MemoryRepository, SqliteRepository]]:
    memory = MemoryRepository()
    sqlite = SqliteRepository(str(tmp_path / "twin.db"), flush_interval=0.01)
    await memory.open()
    await sqlite.open()
    yield memory, sqlite
    await memory.close()
    await sqlite.close()


async def write_both(
    repos: tuple[Repository, ...], records: list[RunRecord]
) -> None:
    for repo in repos:
        await repo.save_jobs([(spec(c), state(c)) for c in CODES[:2]])  # gamma: not stored
        seen: set[str] = set()
        for run in records:
            if run.run_id in seen:  # a buffering store merges two records of one run in a
                await repo.flush()  # batch: each record is a step of its own here
            seen.add(run.run_id)
            await repo.record_run(run)
        await repo.flush()


async def same(pair: tuple[MemoryRepository, SqliteRepository], method: str,
               *args: object, **kw: object) -> object:
    memory, sqlite = pair
    expected = await getattr(sqlite, method)(*args, **kw)
    got = await getattr(memory, method)(*args, **kw)
    assert got == expected, f"{method}{args}{kw}"
    return got


@pytest.mark.parametrize("seed", [1, 2])
async def test_reads_agree_with_sqlite(
    pair: tuple[MemoryRepository, SqliteRepository], seed: int
) -> None:
    """Runs, windows, trends, job figures and failure counts of one history are SQLite's."""
    await write_both(pair, history(seed))
    assert await same(pair, "list_runs", limit=1000)
    for code in (None, "alpha", "gamma"):
        await same(pair, "list_runs", code, limit=25)
        await same(pair, "list_runs", code, status=RunStatus.FAILED, limit=1000)
        await same(pair, "list_runs", code, before=NOW - timedelta(days=2), limit=40)
        await same(pair, "stats", NOW, code)
        await same(pair, "trend", NOW, code, unit="hour", count=48)
        await same(pair, "trend", NOW, code, unit="day", count=12)
    await same(pair, "list_runs", limit=0)
    await same(pair, "stats", NOW + timedelta(minutes=17, seconds=3))
    await same(pair, "job_figures", NOW)
    await same(pair, "job_figures", NOW - timedelta(days=3, minutes=20))
    await same(pair, "failures_since", NOW - timedelta(days=1))
    await same(pair, "scheduled_times", "alpha", NOW - timedelta(days=2))
    memory, sqlite = pair
    closed = sorted(await memory.mark_interrupted(NOW), key=lambda r: r.run_id)
    assert closed == sorted(await sqlite.mark_interrupted(NOW), key=lambda r: r.run_id)
    assert closed and all(r.status is RunStatus.INTERRUPTED for r in closed)  # no order promised
    await same(pair, "list_runs", status=RunStatus.RUNNING)
    await same(pair, "stats", NOW)
    await same(pair, "failures_since", NOW - timedelta(days=1))


async def test_purge_agrees_with_sqlite(pair: tuple[MemoryRepository, SqliteRepository]) -> None:
    """A purge at an hour deletes the same runs and lines, and the figures after it agree."""
    records = history(3)
    await write_both(pair, records)
    for repo in pair:
        await repo.append_output([
            OutputLine(run_id=r.run_id, seq=s, ts=NOW, text=f"{r.run_id} {s}")
            for r in records[:60] for s in (1, 2)
        ])
    cutoff = (NOW - timedelta(days=4)).replace(minute=0)
    result = await same(pair, "purge", cutoff)
    assert result.runs > 0 and result.lines > 0  # type: ignore[attr-defined]
    await same(pair, "list_runs", limit=1000)
    await same(pair, "stats", NOW)
    await same(pair, "trend", NOW, unit="day", count=10)
    await same(pair, "job_figures", NOW)


async def test_output_reads_agree_with_sqlite(
    pair: tuple[MemoryRepository, SqliteRepository],
) -> None:
    """Every line is kept, the first of a (run, seq) wins, and reads slice like SQLite's."""
    lines = [OutputLine(run_id="r", seq=s, ts=NOW + timedelta(seconds=s), text=f"line {s}")
             for s in range(1, 31)]
    for repo in pair:
        await repo.append_output(list(reversed(lines)))
        await repo.append_output([lines[3].model_copy(update={"text": "again"})])
    full = await same(pair, "get_output", "r")
    assert full == lines
    await same(pair, "get_output", "r", after_seq=4, limit=3)
    await same(pair, "get_output", "r", tail=3)
    await same(pair, "get_output", "r", after_seq=28, tail=5)
    await same(pair, "get_output", "r", tail=0)
    await same(pair, "get_output", "r", limit=0)
    await same(pair, "get_output", "nobody")


async def test_runs_and_states_come_back_as_sqlite_gives_them(
    pair: tuple[MemoryRepository, SqliteRepository],
) -> None:
    """Times come back in UTC, results and params in their JSON form, states as saved."""
    plus2 = timezone(timedelta(hours=2))
    run = RunRecord(run_id="r1", job_code="alpha", job_id="id", status=RunStatus.SUCCESS,
                    start_time=NOW.astimezone(plus2), end_time=NOW + timedelta(seconds=1),
                    duration_ms=1000, result={"a": (1, 2), "when": NOW}, params={"x": 1},
                    output_lines=3, dropped_lines=2)
    st = state("alpha", next_run_time=NOW.astimezone(plus2), run_count=4)
    for repo in pair:
        await repo.record_run(run)
        await repo.save_job(spec("alpha"), st)
    got = await same(pair, "get_run", "r1")
    assert got.start_time.utcoffset() == timedelta(0)  # type: ignore[attr-defined]
    assert got.result == {"a": [1, 2], "when": NOW.isoformat().replace("+00:00", "Z")}  # type: ignore[attr-defined]
    assert await same(pair, "load_jobs") == [(spec("alpha"), st)]
    await same(pair, "get_run", "missing")


async def test_fingerprints_hand_back_the_callers_spec_only_on_a_match() -> None:
    """Same fingerprint and unchanged spec: the caller's object; otherwise a rebuilt one."""
    repo = MemoryRepository()
    await repo.open()
    a, b, c = spec("a"), spec("b"), spec("c")
    await repo.save_jobs([(a, state("a")), (b, state("b"))], fingerprints={"a": "fa", "b": "fb"})
    await repo.save_jobs([(c, state("c"))])
    mine = {code: spec(code) for code in "abc"}
    loaded = await repo.load_jobs(known={"a": ("fa", mine["a"]), "b": ("other", mine["b"]),
                                         "c": (None, mine["c"])})
    assert [s is mine[s.code] for s, _ in loaded] == [True, False, False]
    assert [s for s, _ in loaded] == [a, b, c]
    assert all(s is not a for s, _ in loaded)  # never the object it was given to save

    changed = spec("a", command="echo changed")
    await repo.save_job(changed, state("a"))
    [(first, _), *_] = await repo.load_jobs(known={"a": ("fa", mine["a"])})
    assert first is not mine["a"] and first == changed

    await repo.save_fingerprints({"a": "fa2", "missing": "fm"})
    [(first, _), *_] = await repo.load_jobs(known={"a": ("fa2", changed)})
    assert first is changed


async def test_states_and_deletes() -> None:
    """save_state(s) need a stored job (the others are still saved); a delete keeps runs."""
    repo = MemoryRepository()
    await repo.open()
    await repo.save_jobs([(spec("a"), state("a")), (spec("b"), state("b"))])
    with pytest.raises(JobNotFound):
        await repo.save_state(state("zz"))
    with pytest.raises(JobNotFound, match="zz"):
        await repo.save_states([state("a", paused=True), state("zz"), state("b", run_count=9)])
    assert [st for _, st in await repo.load_jobs()] == [
        state("a", paused=True), state("b", run_count=9)]
    await repo.record_run(make_run(1, code="a"))
    await repo.delete_job("a")
    await repo.delete_job("never")
    assert [s.code for s, _ in await repo.load_jobs()] == ["b"]
    assert [r.job_code for r in await repo.list_runs()] == ["a"]


async def test_meta_audit_and_trend_arguments() -> None:
    """Meta values replace; audit entries get ids and read newest first; bad trends refused."""
    repo = MemoryRepository()
    await repo.open()
    assert await repo.get_meta("k") is None
    await repo.set_meta("k", "1")
    await repo.set_meta("k", "2")
    assert await repo.get_meta("k") == "2"
    actor = Actor(user="ann")
    first = await repo.record_audit(AuditEntry(time=NOW, actor=actor, action="pause",
                                               job_code="a", before={"p": (1,)}))
    second = await repo.record_audit(AuditEntry(time=NOW, actor=actor, action="resume"))
    older = await repo.record_audit(AuditEntry(time=NOW - timedelta(hours=1), actor=actor,
                                               action="trigger"))
    assert (first.id, second.id, older.id) == (1, 2, 3) and first.before == {"p": [1]}
    assert [e.id for e in await repo.list_audit()] == [2, 1, 3]
    assert [e.id for e in await repo.list_audit(limit=1)] == [2]
    with pytest.raises(InvalidOperation, match="week"):
        await repo.trend(NOW, unit="week")
    with pytest.raises(InvalidOperation, match="0"):
        await repo.trend(NOW, count=0)


async def test_unopened_store_refuses_and_reopening_keeps_everything() -> None:
    """Every call but open/close needs an open store; closing keeps the data."""
    repo = MemoryRepository()
    with pytest.raises(StorageError):
        await repo.list_runs()
    await repo.open()
    await repo.record_run(make_run(1))
    await repo.append_output([OutputLine(run_id=make_run(1).run_id, seq=1, ts=NOW, text="x")])
    await repo.close()
    with pytest.raises(StorageError):
        await repo.record_run(make_run(2))
    await repo.close()
    await repo.open()
    assert [r.run_id for r in await repo.list_runs()] == [make_run(1).run_id]
    assert [line.text for line in await repo.get_output(make_run(1).run_id)] == ["x"]


async def test_a_typical_duration_is_the_median_of_the_latest_successes() -> None:
    """Only runs that became final successes count, the latest 20, in recording order."""
    repo = MemoryRepository()
    await repo.open()
    await repo.save_job(spec("job"), state("job"))
    for n in range(1, 26):
        await repo.record_run(make_run(n, duration_ms=n * 10))
    await repo.record_run(make_run(1, duration_ms=99_999))  # re-recorded: not added again
    rate, median = (await repo.job_figures(NOW))["job"]
    assert rate == 1.0
    assert median == sorted(n * 10 for n in range(6, 26))[9]
