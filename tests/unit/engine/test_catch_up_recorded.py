"""Catch-up after a crash skips fires the previous owner already recorded, and job states are
never saved ahead of the runs they count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.unit.engine.conftest import command_job, make_settings
from ysched_tui.core.models import RunRecord, RunStatus, TriggerType
from ysched_tui.core.triggers import IntervalTrigger
from ysched_tui.owner.assembly import build_engine
from ysched_tui.storage import SqliteRepository

T0 = datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)


def _job():
    return command_job("tick", "true", triggers=(IntervalTrigger(seconds=1),))


async def test_catch_up_skips_fires_with_a_row(tmp_path: Path) -> None:
    """Fires after the stored last_fire_time that already have a run row are not re-recorded."""
    settings = make_settings(tmp_path, catch_up="skip")
    first = build_engine(settings, specs=[_job()], clock=lambda: T0)
    await first.start(paused=True)
    job_id = (await first.get_job("tick")).state.id
    await first.stop(grace=0)
    assert (await _last_fire(settings.db)) == T0

    repo = SqliteRepository(settings.db)
    await repo.open()
    for n in (1, 2):  # the dead owner ran these but never saved last_fire_time
        when = T0 + timedelta(seconds=n)
        await repo.record_run(RunRecord(run_id=f"run_x{n}", job_code="tick", job_id=job_id,
                                        trigger_type=TriggerType.SCHEDULED, scheduled_time=when,
                                        start_time=when, end_time=when,
                                        status=RunStatus.SUCCESS))
    await repo.close()

    later = T0 + timedelta(seconds=4, milliseconds=500)
    again = build_engine(settings, specs=[_job()], clock=lambda: later)
    await again.start(paused=True)
    try:
        runs = await again.list_runs("tick", limit=100)
        times = sorted(r.scheduled_time for r in runs if r.scheduled_time is not None)
        assert times == [T0 + timedelta(seconds=n) for n in (1, 2, 3, 4)]
        missed = sorted(r.scheduled_time for r in runs if r.status is RunStatus.MISSED)
        assert missed == [T0 + timedelta(seconds=3), T0 + timedelta(seconds=4)]
        assert (await again.get_job("tick")).state.last_fire_time == T0 + timedelta(seconds=4)
    finally:
        await again.stop(grace=0)


async def _last_fire(db: str) -> datetime | None:
    repo = SqliteRepository(db)
    await repo.open()
    try:
        return {s.code: s for _spec, s in await repo.load_jobs()}["tick"].last_fire_time
    finally:
        await repo.close()


async def test_state_save_flushes_recorded_runs_first(tmp_path: Path, start_engine) -> None:
    """When a job state is saved, every run recorded before it is already in the database."""
    engine, _log = await start_engine([command_job("hello", "true")], paused=True)
    await engine.trigger("hello")
    await engine.pause("hello")  # saves the state at once
    other = SqliteRepository(engine.settings.db)
    await other.open()
    try:
        assert [r.job_code for r in await other.list_runs("hello")] == ["hello"]
    finally:
        await other.close()
