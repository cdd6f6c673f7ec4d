"""Spec fingerprints: a stored spec is handed back as the caller's object only on a match."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from ysched_tui.core.models import CommandTarget, JobSpec, JobState
from ysched_tui.core.triggers import CronTrigger
from ysched_tui.storage import SCHEMA_VERSION, SqliteRepository
from ysched_tui.storage.convert import spec_to_json
from ysched_tui.storage.fingerprints import META_KEY


def spec(code: str, command: str = "echo hi") -> JobSpec:
    return JobSpec(code=code, target=CommandTarget(command=command),
                   triggers=(CronTrigger(expr="5 * * * *"),))


def state(code: str) -> JobState:
    return JobState(code=code, id=f"id-{code}", run_count=3)


async def test_a_matching_fingerprint_returns_the_callers_spec(repo: SqliteRepository) -> None:
    """Same fingerprint: the caller's object; another or none: a spec rebuilt from the row."""
    a, b, c = spec("a"), spec("b"), spec("c")
    await repo.save_jobs([(a, state("a")), (b, state("b"))], fingerprints={"a": "fa", "b": "fb"})
    await repo.save_jobs([(c, state("c"))])
    mine = {code: spec(code) for code in "abc"}
    loaded = await repo.load_jobs(known={"a": ("fa", mine["a"]), "b": ("other", mine["b"]),
                                         "c": (None, mine["c"])})
    assert [s is mine[s.code] for s, _ in loaded] == [True, False, False]
    assert [s for s, _ in loaded] == [a, b, c]
    assert [st for _, st in loaded] == [state("a"), state("b"), state("c")]


async def test_a_spec_saved_without_fingerprint_loses_the_old_one(repo: SqliteRepository) -> None:
    """Rewriting a job without a fingerprint (an API change) never matches the old one."""
    await repo.save_jobs([(spec("a"), state("a"))], fingerprints={"a": "fa"})
    changed = spec("a", command="echo changed")
    await repo.save_job(changed, state("a"))
    mine = spec("a")
    [(loaded, _)] = await repo.load_jobs(known={"a": ("fa", mine)})
    assert loaded is not mine and loaded == changed


async def test_fingerprints_can_be_attached_later(repo: SqliteRepository) -> None:
    """save_fingerprints marks stored specs the caller found equal; the next load matches."""
    await repo.save_jobs([(spec("a"), state("a"))])
    await repo.save_fingerprints({"a": "fa", "missing": "fm"})
    mine = spec("a")
    [(loaded, _)] = await repo.load_jobs(known={"a": ("fa", mine)})
    assert loaded is mine


async def test_a_row_changed_behind_the_record_is_rebuilt(
    repo: SqliteRepository, db_path: Path
) -> None:
    """The record checks the stored text: a spec_json edited by another writer never matches."""
    await repo.save_jobs([(spec("a"), state("a"))], fingerprints={"a": "fa"})
    edited = spec("a", command="echo edited")
    con = sqlite3.connect(db_path)
    with con:
        con.execute("UPDATE jobs SET spec_json = ? WHERE code = 'a'", (spec_to_json(edited),))
    con.close()
    mine = spec("a")
    [(loaded, _)] = await repo.load_jobs(known={"a": ("fa", mine)})
    assert loaded is not mine and loaded == edited


async def test_a_damaged_record_only_means_rebuilding(
    repo: SqliteRepository, db_path: Path
) -> None:
    """Garbage in the record is ignored: every spec is rebuilt, nothing fails."""
    await repo.save_jobs([(spec("a"), state("a"))], fingerprints={"a": "fa"})
    await repo.set_meta(META_KEY, "[not, json")
    mine = spec("a")
    [(loaded, _)] = await repo.load_jobs(known={"a": ("fa", mine)})
    assert loaded is not mine and loaded == mine


async def test_no_schema_change(repo: SqliteRepository, db_path: Path) -> None:
    """The record lives in meta: the schema version and the jobs columns are unchanged."""
    await repo.save_jobs([(spec("a"), state("a"))], fingerprints={"a": "fa"})
    con = sqlite3.connect(db_path)
    try:
        versions = [row[0] for row in con.execute("SELECT version FROM schema_version")]
        record = con.execute("SELECT value FROM meta WHERE key = ?", (META_KEY,)).fetchone()[0]
    finally:
        con.close()
    assert versions == [SCHEMA_VERSION] == [2]
    assert json.loads(record)["a"][0] == "fa"


async def test_deleted_jobs_leave_the_record(repo: SqliteRepository, db_path: Path) -> None:
    """The next write of the record drops the codes of deleted jobs."""
    await repo.save_jobs([(spec("a"), state("a")), (spec("b"), state("b"))],
                         fingerprints={"a": "fa", "b": "fb"})
    await repo.delete_job("a")
    await repo.save_fingerprints({"b": "fb2"})
    record = json.loads(await repo.get_meta(META_KEY) or "{}")
    assert list(record) == ["b"] and record["b"][0] == "fb2"
