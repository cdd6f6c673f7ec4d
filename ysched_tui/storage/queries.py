"""Reads and direct writes of jobs, runs, output and meta, each a small indexed statement.

Every query here is served by an index (``ix_runs_code_time``, ``ix_runs_time``,
``ix_runs_status_time``, ``ix_runs_end_time`` or a primary key), so none of them scans the whole
history, whatever its size.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import bindparam, delete, func, select, text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from ysched_tui.core.models import JobSpec, JobState, OutputLine, RunRecord, RunStatus
from ysched_tui.core.repository import KnownSpecs
from ysched_tui.storage.convert import (
    JOB_COLUMNS,
    job_to_row,
    row_to_job,
    row_to_run,
    state_columns,
    tuple_to_output,
)
from ysched_tui.storage.fingerprints import load_marks, store_marks, text_digest
from ysched_tui.storage.schema import (
    FAILURE_STATUSES,
    floor_hour,
    jobs,
    meta,
    run_output,
    runs,
    to_db,
)

PURGE_CHUNK = 2000
"""Runs deleted per transaction by :func:`purge_chunk`, so the write lock is held briefly."""

_JOB_UPSERT = sqlite_insert(jobs)
_JOB_UPSERT = _JOB_UPSERT.on_conflict_do_update(
    index_elements=[jobs.c.code],
    set_={c.name: _JOB_UPSERT.excluded[c.name] for c in jobs.columns if c.name != "code"},
)
_LOAD_JOBS = select(*(jobs.c[name] for name in JOB_COLUMNS)).order_by(jobs.c.code)
_META_UPSERT = sqlite_insert(meta)
_META_UPSERT = _META_UPSERT.on_conflict_do_update(
    index_elements=[meta.c.key], set_={"value": _META_UPSERT.excluded.value}
)


async def load_jobs(
    conn: AsyncConnection, known: KnownSpecs | None = None
) -> list[tuple[JobSpec, JobState]]:
    """Every stored job, ordered by code (``known``: see :func:`row_to_job`)."""
    marks = await load_marks(conn) if known else None
    result = await conn.execute(_LOAD_JOBS)
    return [row_to_job(row, known, marks) for row in result]


async def save_jobs(
    conn: AsyncConnection,
    items: Sequence[tuple[JobSpec, JobState]],
    fingerprints: Mapping[str, str | None] | None = None,
) -> None:
    """Insert or replace jobs (spec and state), noting the fingerprints given by code."""
    rows = [job_to_row(spec, state) for spec, state in items]
    if not rows:
        return
    await conn.execute(_JOB_UPSERT, rows)
    fps = fingerprints or {}
    await store_marks(conn, {
        row["code"]: (fp, text_digest(row["spec_json"]))
        for row in rows if (fp := fps.get(row["code"])) is not None
    })


async def save_fingerprints(conn: AsyncConnection, fingerprints: Mapping[str, str]) -> None:
    """Note that the stored specs of these codes equal the caller's with these fingerprints."""
    codes = list(fingerprints)
    updates: dict[str, tuple[str, str]] = {}
    for i in range(0, len(codes), 500):
        stmt = select(jobs.c.code, jobs.c.spec_json).where(jobs.c.code.in_(codes[i : i + 500]))
        for code, spec_json in await conn.execute(stmt):
            updates[code] = (fingerprints[code], text_digest(spec_json))
    await store_marks(conn, updates)


async def save_state(conn: AsyncConnection, state: JobState) -> int:
    """Update one job's state columns; return the number of rows changed (0: unknown code)."""
    stmt = update(jobs).where(jobs.c.code == state.code).values(**state_columns(state))
    return (await conn.execute(stmt)).rowcount


async def save_states(conn: AsyncConnection, states: Sequence[JobState]) -> list[str]:
    """Update many jobs' state columns in one executemany; return the codes not stored."""
    if not states:
        return []
    rows = [{"b_code": st.code, **state_columns(st)} for st in states]
    columns = [c for c in rows[0] if c != "b_code"]
    stmt = (
        update(jobs)
        .where(jobs.c.code == bindparam("b_code"))
        .values({c: bindparam(c) for c in columns})
    )
    result = await conn.execute(stmt, rows)
    if result.rowcount == len(rows):
        return []
    wanted = [st.code for st in states]
    known: set[str] = set()
    for i in range(0, len(wanted), 500):
        chunk = wanted[i : i + 500]
        found = await conn.execute(select(jobs.c.code).where(jobs.c.code.in_(chunk)))
        known.update(found.scalars())
    return [code for code in wanted if code not in known]


async def delete_job(conn: AsyncConnection, code: str) -> None:
    """Delete a job's definition; its runs stay."""
    await conn.execute(delete(jobs).where(jobs.c.code == code))


async def get_run(conn: AsyncConnection, run_id: str) -> RunRecord | None:
    """One run by id."""
    row = (await conn.execute(select(runs).where(runs.c.run_id == run_id))).mappings().first()
    return None if row is None else row_to_run(row)


async def list_runs(
    conn: AsyncConnection,
    code: str | None,
    status: RunStatus | None,
    limit: int,
    before: datetime | None,
) -> list[RunRecord]:
    """Runs newest first by ``run_time`` (start, else scheduled time)."""
    stmt = select(runs).order_by(runs.c.run_time.desc()).limit(max(0, limit))
    if code is not None:
        stmt = stmt.where(runs.c.job_code == code)
    if status is not None:
        stmt = stmt.where(runs.c.status == RunStatus(status).value)
    if before is not None:
        stmt = stmt.where(runs.c.run_time < to_db(before))
    return [row_to_run(row) for row in (await conn.execute(stmt)).mappings()]


async def get_output(
    conn: AsyncConnection, run_id: str, after_seq: int, limit: int | None,
    tail: int | None = None,
) -> list[OutputLine]:
    """Lines of one run after ``after_seq``, in order: the first ``limit``, or the last
    ``tail`` (read backwards on the primary key, so the end of a long run costs its length)."""
    columns = (run_output.c.run_id, run_output.c.seq, run_output.c.ts, run_output.c.stream,
               run_output.c.text)
    stmt = select(*columns).where(run_output.c.run_id == run_id, run_output.c.seq > after_seq)
    if tail is not None:
        stmt = stmt.order_by(run_output.c.seq.desc()).limit(max(0, tail))
    else:
        stmt = stmt.order_by(run_output.c.seq)
        if limit is not None:
            stmt = stmt.limit(max(0, limit))
    rows = list((await conn.execute(stmt)).all())
    if tail is not None:
        rows.reverse()
    return [tuple_to_output(row) for row in rows]


async def unfinished_runs(conn: AsyncConnection) -> list[RunRecord]:
    """Runs stored as pending or running."""
    stmt = select(runs).where(runs.c.status.in_(("pending", "running")))
    return [row_to_run(row) for row in (await conn.execute(stmt)).mappings()]


async def failures_since(conn: AsyncConnection, since: datetime) -> int:
    """Failed, timed-out or interrupted runs that ended at or after ``since``."""
    stmt = select(func.count()).where(
        runs.c.end_time >= to_db(since), runs.c.status.in_(FAILURE_STATUSES)
    )
    return int((await conn.execute(stmt)).scalar_one())


_PURGE_IDS = text(
    "SELECT run_id FROM runs WHERE run_time < :cutoff ORDER BY run_time LIMIT :n"
)
_PURGE_OUTPUT = text("DELETE FROM run_output WHERE run_id IN :ids").bindparams(
    bindparam("ids", expanding=True)
)
_PURGE_RUNS = text("DELETE FROM runs WHERE run_id IN :ids").bindparams(
    bindparam("ids", expanding=True)
)
_PURGE_STATS = text(
    "DELETE FROM stats_hourly WHERE (job_code, hour_start) IN (SELECT job_code, hour_start "
    "FROM stats_hourly WHERE hour_start < :cutoff LIMIT :n)"
)


async def purge_chunk(conn: AsyncConnection, older_than: datetime) -> tuple[int, int]:
    """Delete up to :data:`PURGE_CHUNK` old runs with their output; return (runs, lines)."""
    params = {"cutoff": to_db(older_than), "n": PURGE_CHUNK}
    ids = list((await conn.execute(_PURGE_IDS, params)).scalars())
    if not ids:
        return 0, 0
    lines = (await conn.execute(_PURGE_OUTPUT, {"ids": ids})).rowcount
    count = (await conn.execute(_PURGE_RUNS, {"ids": ids})).rowcount
    return count, lines


async def purge_stats_chunk(conn: AsyncConnection, older_than: datetime) -> int:
    """Delete up to :data:`PURGE_CHUNK` hourly stats rows of hours ended by ``older_than``."""
    params = {"cutoff": to_db(floor_hour(older_than)), "n": PURGE_CHUNK}
    return (await conn.execute(_PURGE_STATS, params)).rowcount


async def get_meta(conn: AsyncConnection, key: str) -> str | None:
    """A meta value."""
    stmt = select(meta.c.value).where(meta.c.key == key)
    return (await conn.execute(stmt)).scalar_one_or_none()


async def set_meta(conn: AsyncConnection, key: str, value: str) -> None:
    """Set a meta value."""
    await conn.execute(_META_UPSERT, {"key": key, "value": value})
