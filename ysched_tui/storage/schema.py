"""The database tables, their version, and how times are written into them.

Every table is readable with the ``sqlite3`` shell: structured values are JSON text, times are
ISO-8601 UTC text of one fixed width (``2026-01-21T08:00:00.000000+00:00``) so that text order is
time order and ``substr(t, 1, 13)`` is the hour. Nothing is pickled.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    Boolean,
    Column,
    Computed,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

SCHEMA_VERSION = 2
"""The schema this code writes; a database with a higher version is refused, never changed.

Version 2 added the ``audit`` table; a version 1 database is migrated by creating it (the
schema is created with ``create_all``, which only adds tables and indexes that are missing)."""

DURATION_STATUSES = ("success", "failed", "timeout")
"""Final statuses whose ``duration_ms`` counts in min/max/avg/percentiles: runs that executed to
an end of their own (interrupted/cancelled durations are cut short, missed/skipped have none)."""

FAILURE_STATUSES = ("failed", "timeout", "interrupted")
"""Statuses counted as failures (same as :attr:`RunStatus.is_failure`)."""

metadata = MetaData()

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("applied_at", String, nullable=False),
)

meta = Table(
    "meta",
    metadata,
    Column("key", String, primary_key=True),
    Column("value", Text, nullable=False),
)

jobs = Table(
    "jobs",
    metadata,
    Column("code", String, primary_key=True),
    Column("id", String, nullable=False),
    Column("name", String, nullable=False, default=""),
    Column("description", Text, nullable=False, default=""),
    Column("kind", String, nullable=False),
    Column("source", String, nullable=False),
    Column("source_file", String),
    Column("spec_json", Text, nullable=False),
    Column("paused", Boolean, nullable=False, default=False),
    Column("override_json", Text),
    Column("next_run_time", String),
    Column("last_fire_time", String),
    Column("run_count", Integer, nullable=False, default=0),
    Column("fail_count", Integer, nullable=False, default=0),
    Column("last_run_id", String),
    Column("last_status", String),
    Column("last_duration_ms", Integer),
    Column("last_end_time", String),
    Column("updated_at", String, nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("run_id", String, primary_key=True),
    Column("job_code", String, nullable=False),
    Column("job_id", String, nullable=False),
    Column("attempt", Integer, nullable=False, default=1),
    Column("retry_of", String),
    Column("trigger_type", String, nullable=False),
    Column("scheduled_time", String),
    Column("start_time", String),
    Column("end_time", String),
    Column("duration_ms", Integer),
    Column("status", String, nullable=False),
    Column("exit_code", Integer),
    Column("http_status", Integer),
    Column("result_json", Text),
    Column("error", Text),
    Column("traceback", Text),
    Column("hostname", String, nullable=False, default=""),
    Column("pid", Integer),
    Column("params_json", Text),
    Column("output_lines", Integer, nullable=False, default=0),
    Column("dropped_lines", Integer, nullable=False, default=0),
    Column(
        "run_time",
        String,
        Computed("coalesce(start_time, scheduled_time, end_time)", persisted=False),
    ),
    # run_time: when the run happened for ordering, windows and retention (start, else the
    # scheduled fire for missed/skipped runs). A virtual column, so indexes can use it.
    Index("ix_runs_code_time", "job_code", "run_time", "status", "duration_ms"),
    Index("ix_runs_time", "run_time"),
    Index("ix_runs_status_time", "status", "run_time", "duration_ms", "job_code"),
    Index("ix_runs_end_time", "end_time"),
    sqlite_with_rowid=True,
)

run_output = Table(
    "run_output",
    metadata,
    Column("run_id", String, primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("ts", String, nullable=False),
    Column("stream", String, nullable=False),
    Column("text", Text, nullable=False),
    sqlite_with_rowid=False,
)

stats_hourly = Table(
    "stats_hourly",
    metadata,
    Column("job_code", String, primary_key=True),
    Column("hour_start", String, primary_key=True),
    Column("total", Integer, nullable=False, default=0),
    Column("success", Integer, nullable=False, default=0),
    Column("failed", Integer, nullable=False, default=0),
    Column("timeout", Integer, nullable=False, default=0),
    Column("missed", Integer, nullable=False, default=0),
    Column("skipped", Integer, nullable=False, default=0),
    Column("cancelled", Integer, nullable=False, default=0),
    Column("interrupted", Integer, nullable=False, default=0),
    Column("timed", Integer, nullable=False, default=0),
    # timed: runs whose duration counts (DURATION_STATUSES with a duration) — the avg divisor.
    Column("min_duration_ms", Integer),
    Column("max_duration_ms", Integer),
    Column("avg_duration_ms", Float),
    Column("total_duration_ms", Integer, nullable=False, default=0),
    Index("ix_stats_hour", "hour_start"),
    sqlite_with_rowid=False,
)

job_durations = Table(
    "job_durations",
    metadata,
    Column("job_code", String, primary_key=True),
    Column("recent_json", Text, nullable=False),
    # recent_json: JSON array of the durations (ms) of the job's latest successful runs, oldest
    # first, at most RECENT_SUCCESSES — the "typical duration" shown per job, O(jobs) to read.
    Column("updated_at", String, nullable=False),
    sqlite_with_rowid=False,
)

audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("time", String, nullable=False),
    Column("user", String, nullable=False),
    Column("address", String),
    Column("via", String, nullable=False),
    Column("action", String, nullable=False),
    Column("job_code", String),
    Column("run_id", String),
    Column("before_json", Text),
    Column("after_json", Text),
    # one row per operator action (pause, trigger, reschedule...): who, when, what, and the
    # changed part before and after as JSON. Never purged by the retention cleanup.
    Index("ix_audit_time", "time"),
)

ALL_JOBS = "*"
"""``stats_hourly.job_code`` of the rows summing every job (``*`` is never a valid job code), so
whole-database windows read one row per hour."""

RECENT_SUCCESSES = 20
"""How many latest successful durations per job ``job_durations`` keeps."""

STATUS_COUNTERS = (
    "success",
    "failed",
    "timeout",
    "missed",
    "skipped",
    "cancelled",
    "interrupted",
)
"""The final statuses that have their own counter column in ``stats_hourly``."""


def to_db(value: datetime | None) -> str | None:
    """An instant as fixed-width ISO-8601 UTC text (naive values are taken as UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def from_db(value: str | None) -> datetime | None:
    """Stored text back to an aware UTC datetime."""
    if value is None:
        return None
    return datetime.fromisoformat(value)


def floor_hour(value: datetime) -> datetime:
    """The start of the UTC hour holding ``value``."""
    value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return value.replace(minute=0, second=0, microsecond=0)


def ceil_hour(value: datetime) -> datetime:
    """The first hour start at or after ``value``."""
    floor = floor_hour(value)
    return floor if floor == value else floor + timedelta(hours=1)


def hour_key(run_time: str) -> str:
    """The ``stats_hourly.hour_start`` text of a stored run time."""
    return run_time[:13] + ":00:00.000000+00:00"
