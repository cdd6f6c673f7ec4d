"""Sync by fingerprint: unchanged jobs are recognised without rebuilding, changes still count."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.unit.engine.conftest import command_job, make_settings
from ysched_tui.core.models import JobSpec
from ysched_tui.core.triggers import CronTrigger
from ysched_tui.engine import Engine
from ysched_tui.engine.startup import SyncResult
from ysched_tui.owner.assembly import build_engine
from ysched_tui.storage.fingerprints import META_KEY


def specs(command: str = "echo") -> list[JobSpec]:
    return [command_job(f"j{i}", f"{command} {i}", triggers=(CronTrigger(expr=f"{i} * * * *"),))
            for i in range(5)]


async def start_and_stop(tmp_path: Path, declared: list[JobSpec]) -> tuple[Engine, SyncResult]:
    """Start an engine on the tmp database, note what its sync did, stop it."""
    engine = build_engine(make_settings(tmp_path), specs=declared)
    seen: list[SyncResult] = []
    real = engine.repo.save_jobs

    async def saving(items, **kw):
        seen.append(SyncResult(added=(), updated=tuple(s.code for s, _ in items), removed=()))
        await real(items, **kw)

    engine.repo.save_jobs = saving  # type: ignore[method-assign]
    await engine.start(paused=True)
    await engine.stop(grace=0)
    return engine, seen[0] if seen else SyncResult(added=(), updated=(), removed=())


def stored_fingerprints(tmp_path: Path) -> dict[str, str]:
    con = sqlite3.connect(tmp_path / "ysched.db")
    try:
        row = con.execute("SELECT value FROM meta WHERE key = ?", (META_KEY,)).fetchone()
    finally:
        con.close()
    return {} if row is None else {code: fp for code, (fp, _) in json.loads(row[0]).items()}


async def test_a_restart_reuses_the_declared_objects(tmp_path: Path) -> None:
    """Unchanged declared specs are the table's specs, and nothing is saved again."""
    await start_and_stop(tmp_path, specs())
    declared = specs()
    engine, saved = await start_and_stop(tmp_path, declared)
    assert saved.updated == ()
    assert all(engine.table.get(s.code).spec is s for s in declared)


async def test_a_changed_job_is_still_updated(tmp_path: Path) -> None:
    """A declared spec differing from the stored one is saved, with its new fingerprint."""
    await start_and_stop(tmp_path, specs())
    before = stored_fingerprints(tmp_path)
    changed = specs()
    changed[2] = command_job("j2", "other", triggers=changed[2].triggers)
    _, saved = await start_and_stop(tmp_path, changed)
    assert saved.updated == ("j2",)
    after = stored_fingerprints(tmp_path)
    assert after["j2"] != before["j2"] and after["j1"] == before["j1"]
    engine, saved = await start_and_stop(tmp_path, changed)
    assert saved.updated == ()
    assert engine.table.get("j2").spec.target == changed[2].target


async def test_jobs_stored_without_fingerprints_get_them(tmp_path: Path) -> None:
    """Rows written before fingerprints existed are compared once, then fingerprinted."""
    await start_and_stop(tmp_path, specs())
    con = sqlite3.connect(tmp_path / "ysched.db")
    with con:
        con.execute("DELETE FROM meta WHERE key = ?", (META_KEY,))
    con.close()
    declared = specs()
    engine, saved = await start_and_stop(tmp_path, declared)
    assert saved.updated == ()
    assert sorted(stored_fingerprints(tmp_path)) == ["j0", "j1", "j2", "j3", "j4", "ysched.cleanup"]
    assert all(engine.table.get(s.code).spec == s for s in declared)
