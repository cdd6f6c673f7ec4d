"""Reloading the jobs file into a running engine: added, changed and removed jobs follow the file,
state and runs in progress survive, a broken file changes nothing, and the reload is audited."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.unit.engine.conftest import EventLog, command_job, make_settings
from ysched_tui.core.events import JobRemoved, JobUpdated, RunFinished
from ysched_tui.core.models import Actor, RunStatus
from ysched_tui.errors import JobsFileError
from ysched_tui.owner.assembly import build_engine

FIRST = """
[[jobs]]
code = "keep"
cron = "30 2 * * *"
command = "true"

[[jobs]]
code = "change"
cron = "0 3 * * *"
command = "echo v1; sleep 1; echo done"

[[jobs]]
code = "drop"
cron = "0 4 * * *"
command = "true"
"""

SECOND = """
[[jobs]]
code = "keep"
cron = "30 2 * * *"
command = "true"

[[jobs]]
code = "change"
cron = "15 5 * * *"
command = "echo v2"

[[jobs]]
code = "new"
every = "10m"
command = "true"
"""


@pytest.fixture
async def started(tmp_path: Path):
    jobs = tmp_path / "jobs.toml"
    jobs.write_text(FIRST)
    engine = build_engine(make_settings(tmp_path, jobs=jobs))
    await engine.start()
    try:
        yield engine, jobs
    finally:
        await engine.stop(grace=0)


async def test_reload_follows_the_file_and_keeps_state_and_runs(started) -> None:
    """New jobs are added, changed ones updated in place (pause and the run in progress kept),
    vanished ones removed; events tell readers; the run of the changed job still completes."""
    engine, jobs = started
    events = EventLog()
    engine.subscribe(events)
    await engine.pause("change")
    run_id = await engine.trigger("change")
    await events.wait_for(lambda e: isinstance(e, JobUpdated) and e.job.code == "change"
                          and bool(e.job.running))
    jobs.write_text(SECOND)

    result = await engine.reload_jobs(actor=Actor(user="ops", via="cli"))

    assert (result.added, result.updated, result.removed) == (("new",), ("change",), ("drop",))
    assert result.summary() == "added 1 (new), updated 1 (change), removed 1 (drop)"
    codes = [job.code for job in await engine.list_jobs()]
    assert "drop" not in codes and {"keep", "change", "new"} <= set(codes)
    changed = await engine.get_job("change")
    assert changed.spec.target.command == "echo v2"  # type: ignore[union-attr]
    assert changed.state.paused and run_id in changed.running
    new = await engine.get_job("new")
    assert new.state.next_run_time is not None
    assert any(isinstance(e, JobRemoved) and e.code == "drop" for e in events.events)
    finished = await events.wait_for(lambda e: isinstance(e, RunFinished)
                                     and e.run.run_id == run_id)
    assert finished[0].run.status is RunStatus.SUCCESS  # type: ignore[union-attr]
    assert (await engine.get_job("change")).state.run_count == 1
    audit = await engine.audit(5)
    assert audit[0].action == "reload" and audit[0].actor.via == "cli"
    assert audit[0].after == {"added": ["new"], "updated": ["change"], "removed": ["drop"]}


async def test_reload_survives_a_restart(started, tmp_path: Path) -> None:
    """What a reload saved is what the next start finds (no second sync needed)."""
    engine, jobs = started
    jobs.write_text(SECOND)
    await engine.reload_jobs()
    await engine.stop(grace=0)
    again = build_engine(make_settings(tmp_path, jobs=jobs))
    await again.start()
    try:
        assert sorted(j.code for j in await again.list_jobs() if j.code != "ysched.cleanup") == [
            "change", "keep", "new"]
        command = (await again.get_job("change")).spec.target.command  # type: ignore[union-attr]
        assert command == "echo v2"
    finally:
        await again.stop(grace=0)


async def test_a_broken_file_changes_nothing(started) -> None:
    """A file with problems raises JobsFileError listing them; the jobs stay as they were."""
    engine, jobs = started
    before = [(j.code, j.spec) for j in await engine.list_jobs()]
    jobs.write_text(SECOND + '\n[[jobs]]\ncode = "bad"\ncron = "61 * * * *"\ncommand = "x"\n')
    with pytest.raises(JobsFileError, match="minute"):
        await engine.reload_jobs()
    assert [(j.code, j.spec) for j in await engine.list_jobs()] == before
    jobs.write_text("[[jobs]\n")
    with pytest.raises(JobsFileError, match="invalid TOML"):
        await engine.reload_jobs()
    assert [(j.code, j.spec) for j in await engine.list_jobs()] == before
    assert not [e for e in await engine.audit(5) if e.action == "reload"]


async def test_an_unchanged_file_changes_nothing(started) -> None:
    """Reloading the same file reports no change and publishes no job update."""
    engine, _jobs = started
    events = EventLog()
    engine.subscribe(events)
    result = await engine.reload_jobs()
    assert (result.added, result.updated, result.removed) == ((), (), ())
    await asyncio.sleep(0)
    assert not [e for e in events.events if isinstance(e, JobUpdated | JobRemoved)]


async def test_runtime_jobs_survive_a_reload(started) -> None:
    """A job created through the API is not in the file, and a reload does not remove it."""
    engine, _jobs = started
    await engine.add_job(command_job("adhoc", "true"))
    result = await engine.reload_jobs()
    assert "adhoc" not in result.removed
    assert (await engine.get_job("adhoc")).code == "adhoc"



async def test_two_reloads_at_once_apply_one_after_the_other(started) -> None:
    """SIGHUP and the CLI together: the new job is added once; the second reload finds nothing."""
    engine, jobs = started
    jobs.write_text(FIRST + '\n[[jobs]]\ncode = "twice"\nevery = "1h"\ncommand = "true"\n')
    first, second = await asyncio.gather(engine.reload_jobs(), engine.reload_jobs())
    assert sorted([first.added, second.added]) == [(), ("twice",)]
    assert [j.code for j in await engine.list_jobs()].count("twice") == 1
