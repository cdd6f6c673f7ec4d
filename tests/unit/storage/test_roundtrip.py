"""Round trips: every field of jobs, states, runs, output and meta comes back as it went in."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from ysched_tui.core.models import (
    CatchUp,
    CommandTarget,
    Hook,
    HttpTarget,
    JobSource,
    JobSpec,
    JobState,
    OutputLine,
    ParamSpec,
    PythonTarget,
    RetryPolicy,
    RunRecord,
    RunStatus,
    ScriptTarget,
    TriggerType,
)
from ysched_tui.core.triggers import CronTrigger, IntervalTrigger, OnceTrigger, StartupTrigger
from ysched_tui.errors import JobNotFound
from ysched_tui.storage import SCHEMA_VERSION, SqliteRepository
from ysched_tui.storage.convert import RUN_COLUMNS, run_to_row

from .helpers import NOW, make_run

T0 = datetime(2026, 1, 21, 8, 0, tzinfo=UTC)


def full_spec(code: str = "backup_db") -> JobSpec:
    """A spec with every field away from its default."""
    return JobSpec(
        code=code,
        name="Nightly backup",
        description="dumps the database",
        tags=("db", "nightly"),
        target=CommandTarget(
            command="pg_dump app", cwd="/srv", env={"A": "1"}, shell="/bin/bash", stdin="x"
        ),
        triggers=(
            CronTrigger(expr="30 2 * * *", timezone="Europe/Berlin", jitter=5.0),
            IntervalTrigger(seconds=90, start=T0, end=T0 + timedelta(days=3)),
            OnceTrigger(at=T0),
            StartupTrigger(),
        ),
        timezone="Europe/Berlin",
        enabled=False,
        timeout=3600,
        retries=RetryPolicy(max=3, delay=60, backoff=2.0, max_delay=600, retry_on=("OSError",)),
        concurrency=3,
        catch_up=CatchUp.ALL,
        misfire_grace=30,
        hooks=(Hook(on=("failure", "missed"), webhook="http://127.0.0.1/hook"),),
        source=JobSource.SCRIPT,
        source_file="/etc/ysched.toml",
        source_line=12,
    )


def full_state(code: str = "backup_db") -> JobState:
    """A state with every field set."""
    return JobState(
        code=code,
        id="abc123",
        paused=True,
        override_triggers=(CronTrigger(expr="0 5 * * *"), IntervalTrigger(seconds=60)),
        override_enabled=True,
        next_run_time=T0 + timedelta(hours=1),
        last_fire_time=T0,
        run_count=7,
        fail_count=2,
        last_run_id="run_20260121_080000_a1b2c3",
        last_status=RunStatus.FAILED,
        last_duration_ms=1234,
        last_end_time=T0 + timedelta(seconds=1),
    )


async def test_job_spec_and_state_round_trip(repo: SqliteRepository) -> None:
    """A job's spec (all targets and triggers) and full state load back equal."""
    others = [
        JobSpec(
            code="http",
            target=HttpTarget(
                url="https://x/${TOKEN}", method="POST", headers={"H": "v"},
                json={"a": [1, 2]}, success_codes=(200, 201), retry_on_codes=(503,),
            ),
        ),
        JobSpec(code="py", target=PythonTarget(ref="m:f", args=(1, "a"), kwargs={"k": [1]})),
        JobSpec(
            code="script",
            target=ScriptTarget(
                path="s.py", params=(ParamSpec(name="day", type="date", required=True),),
                values={"day": "2026-01-01"},
            ),
        ),
    ]
    items = [(full_spec(), full_state())] + [(s, JobState(code=s.code, id=s.code)) for s in others]
    await repo.save_jobs(items)
    loaded = await repo.load_jobs()
    assert loaded == sorted(items, key=lambda item: item[0].code)


async def test_state_without_override_keeps_none(repo: SqliteRepository) -> None:
    """No override stays None (not an empty tuple): the spec's triggers stay in force."""
    spec = JobSpec(code="a", target=CommandTarget(command="true"))
    await repo.save_job(spec, JobState(code="a", id="1"))
    [(_, state)] = await repo.load_jobs()
    assert state.override_triggers is None and state.override_enabled is None
    await repo.save_state(state.model_copy(update={"override_triggers": ()}))
    [(_, state)] = await repo.load_jobs()
    assert state.override_triggers == ()


async def test_save_state_updates_only_state(repo: SqliteRepository) -> None:
    """save_state changes the state columns and leaves the spec as it was."""
    await repo.save_job(full_spec(), JobState(code="backup_db", id="abc123"))
    await repo.save_state(full_state())
    [(spec, state)] = await repo.load_jobs()
    assert spec == full_spec() and state == full_state()


async def test_save_state_of_unknown_job_raises(repo: SqliteRepository) -> None:
    """Updating the state of a code that is not stored raises JobNotFound."""
    with pytest.raises(JobNotFound, match="nope"):
        await repo.save_state(JobState(code="nope", id="x"))
    with pytest.raises(JobNotFound):
        await repo.save_states([JobState(code="nope", id="x")])


async def test_save_states_updates_many(repo: SqliteRepository) -> None:
    """save_states writes every given state."""
    specs = [JobSpec(code=f"j{i}", target=CommandTarget(command="true")) for i in range(3)]
    await repo.save_jobs([(s, JobState(code=s.code, id=s.code)) for s in specs])
    await repo.save_states([JobState(code=s.code, id=s.code, run_count=5) for s in specs])
    assert [state.run_count for _, state in await repo.load_jobs()] == [5, 5, 5]


async def test_delete_job_keeps_runs(repo: SqliteRepository) -> None:
    """Deleting a job removes its definition but not its history."""
    await repo.save_job(full_spec("gone"), JobState(code="gone", id="1"))
    await repo.record_run(make_run(1, code="gone"))
    await repo.delete_job("gone")
    assert await repo.load_jobs() == []
    assert [r.run_id for r in await repo.list_runs("gone")] == ["run_000001_gone"]


def full_run() -> RunRecord:
    """A run with every field set, including JSON result and params."""
    return RunRecord(
        run_id="run_20260121_080000_a1b2c3",
        job_code="backup_db",
        job_id="abc123",
        attempt=2,
        retry_of="run_20260121_075900_000000",
        trigger_type=TriggerType.RETRY,
        scheduled_time=T0,
        start_time=T0 + timedelta(milliseconds=5),
        end_time=T0 + timedelta(seconds=2),
        duration_ms=1995,
        status=RunStatus.FAILED,
        exit_code=3,
        http_status=503,
        result={"rows": [1, 2.5, None, "x"], "ok": False},
        error="boom",
        traceback="Traceback...\nValueError: boom",
        hostname="host1",
        pid=4242,
        params={"day": "2026-01-21", "n": 3, "nested": {"a": [1]}},
    )


async def test_run_round_trip(repo: SqliteRepository) -> None:
    """Every run field, JSON result and params included, reads back equal."""
    await repo.record_run(full_run())
    assert await repo.get_run(full_run().run_id) == full_run()
    assert await repo.get_run("run_missing") is None


async def test_times_come_back_aware_utc(repo: SqliteRepository) -> None:
    """A time given in another zone is stored as UTC and returned as an aware UTC datetime."""
    berlin = timezone(timedelta(hours=1))
    start = datetime(2026, 1, 21, 9, 0, tzinfo=berlin)
    await repo.record_run(make_run(1, start=start))
    run = await repo.get_run("run_000001_job")
    assert run is not None and run.start_time == start
    assert run.start_time.utcoffset() == timedelta(0)


async def test_odd_results_are_stored_not_fatal(repo: SqliteRepository) -> None:
    """A result JSON cannot hold (a datetime, a set) is stored in JSON form, never lost."""
    await repo.record_run(make_run(1, result={"when": T0, "tags": {"a"}}))
    run = await repo.get_run("run_000001_job")
    assert run is not None and run.result == {"when": "2026-01-21T08:00:00Z", "tags": ["a"]}


async def test_run_columns_match_row_order() -> None:
    """run_to_row yields the columns in RUN_COLUMNS order (the driver inserts positionally)."""
    assert tuple(run_to_row(full_run())) == RUN_COLUMNS


async def test_output_round_trip_and_paging(repo: SqliteRepository) -> None:
    """Output lines read back in seq order; after_seq and limit page through them."""
    lines = [
        OutputLine(run_id="r", seq=i, ts=NOW, stream="stderr" if i % 2 else "stdout", text=f"l{i}")
        for i in range(1, 11)
    ]
    await repo.append_output(lines)
    assert await repo.get_output("r") == lines
    assert await repo.get_output("r", after_seq=4, limit=3) == lines[4:7]
    assert await repo.get_output("r", tail=3) == lines[7:]  # the end, still in seq order
    assert await repo.get_output("r", after_seq=8, tail=5) == lines[8:]
    assert await repo.get_output("r", tail=50) == lines


async def test_meta(repo: SqliteRepository) -> None:
    """Meta values are set, replaced and read; unknown keys read as None."""
    assert await repo.get_meta("last_heartbeat") is None
    await repo.set_meta("last_heartbeat", "1")
    await repo.set_meta("last_heartbeat", "2")
    assert await repo.get_meta("last_heartbeat") == "2"


async def test_reopening_keeps_everything(db_path: Path) -> None:
    """Jobs, runs, output and meta survive close and reopen (close flushes buffered writes)."""
    repo = SqliteRepository(str(db_path), flush_interval=60)
    await repo.open()
    await repo.save_job(full_spec(), full_state())
    await repo.record_run(full_run())
    await repo.append_output([OutputLine(run_id=full_run().run_id, seq=1, ts=NOW, text="hi")])
    await repo.set_meta("k", "v")
    await repo.close()
    again = SqliteRepository(f"sqlite+aiosqlite:///{db_path}")
    await again.open()
    try:
        assert await again.load_jobs() == [(full_spec(), full_state())]
        assert await again.get_run(full_run().run_id) == full_run()  # counts as recorded
        assert [line.text for line in await again.get_output(full_run().run_id)] == ["hi"]
        assert await again.get_meta("k") == "v"
    finally:
        await again.close()


async def test_tables_are_readable(repo: SqliteRepository, db_path: Path) -> None:
    """The file is plain SQLite: WAL mode, JSON text columns and ISO-8601 UTC times."""
    await repo.save_job(full_spec(), full_state())
    await repo.record_run(full_run())
    await repo.flush()
    con = sqlite3.connect(db_path)
    try:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        start, result = con.execute("SELECT start_time, result_json FROM runs").fetchone()
        assert start == "2026-01-21T08:00:00.005000+00:00"
        assert result == '{"rows":[1,2.5,null,"x"],"ok":false}'
        spec_json, override = con.execute("SELECT spec_json, override_json FROM jobs").fetchone()
        assert '"expr":"30 2 * * *"' in spec_json and '"expr":"0 5 * * *"' in override
        version = con.execute("SELECT max(version) FROM schema_version").fetchone()[0]
        assert version == SCHEMA_VERSION
    finally:
        con.close()
