"""The audit of operator actions and the fire-time lookup catch-up needs, as small queries.

``audit`` rows are written directly (one short transaction each: operator actions are rare and
must not be lost in a buffer); reads are newest first through ``ix_audit_time``.
:func:`scheduled_times` lets a new owner skip fires the previous one already recorded.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from ysched_tui.core.models import Actor, AuditEntry
from ysched_tui.storage.convert import dump_json, load_json
from ysched_tui.storage.schema import audit, from_db, runs, to_db

HANDLED_TRIGGERS = ("scheduled",)
"""Trigger types whose row stands for a scheduled fire (run, skipped or missed); catch-up
runs, retries and manual runs do not."""


async def insert_entry(conn: AsyncConnection, entry: AuditEntry) -> AuditEntry:
    """Store ``entry``; returns it with its id."""
    row = {
        "time": to_db(entry.time),
        "user": entry.actor.user,
        "address": entry.actor.address,
        "via": entry.actor.via,
        "action": entry.action,
        "job_code": entry.job_code,
        "run_id": entry.run_id,
        "before_json": dump_json(entry.before),
        "after_json": dump_json(entry.after),
    }
    result = await conn.execute(audit.insert().values(**row))
    key = result.inserted_primary_key
    return entry.model_copy(update={"id": int(key[0]) if key else 0})


async def latest_entries(conn: AsyncConnection, limit: int) -> list[AuditEntry]:
    """The latest ``limit`` entries, newest first."""
    stmt = select(audit).order_by(audit.c.time.desc(), audit.c.id.desc()).limit(max(0, limit))
    return [_entry(row) for row in (await conn.execute(stmt)).mappings()]


def _entry(row: Mapping[Any, Any]) -> AuditEntry:
    time = from_db(row["time"])
    assert time is not None
    return AuditEntry(
        id=row["id"],
        time=time,
        actor=Actor(user=row["user"], address=row["address"], via=row["via"]),
        action=row["action"],
        job_code=row["job_code"],
        run_id=row["run_id"],
        before=load_json(row["before_json"]),
        after=load_json(row["after_json"]),
    )


async def scheduled_times(conn: AsyncConnection, code: str, since: datetime) -> set[datetime]:
    """Scheduled fire times after ``since`` that have a row for ``code``.

    ``run_time`` (start, else scheduled time) is never earlier than the scheduled time, so the
    ``ix_runs_code_time`` range ``run_time > since`` holds every candidate.
    """
    stmt = select(runs.c.scheduled_time).where(
        runs.c.job_code == code,
        runs.c.run_time > to_db(since),
        runs.c.scheduled_time > to_db(since),
        runs.c.trigger_type.in_(HANDLED_TRIGGERS),
    )
    found = (await conn.execute(stmt)).scalars()
    return {t for t in (from_db(v) for v in found) if t is not None}
