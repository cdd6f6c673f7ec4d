"""A :class:`~ysched_tui.core.repository.Repository` held in memory, for tests and embedding.

It keeps the contract as the SQLite store does, without a file: jobs and their fingerprints,
runs, output lines, meta values and the audit live in dicts and lists of this process, and
nothing is buffered (every write is visible at once, so :meth:`MemoryRepository.flush` has
nothing to do). What it returns is what SQLite would return: times come back as aware UTC
datetimes, a run's ``result`` and ``params`` and an audit entry's values as their JSON form,
specs rebuilt (a new object) unless a matching fingerprint hands back the caller's own.

The figures (:meth:`~MemoryRepository.stats`, :meth:`~MemoryRepository.trend`,
:meth:`~MemoryRepository.job_figures`) are computed from the stored runs on each call, with the
same windows, buckets and rules as SQLite's (a final run counts in the UTC hour of its run
time; durations of success, failed and timeout runs make the averages and the nearest-rank
percentiles) but exact at any size: there is no sampling and no per-hour table. So they agree
with SQLite's as long as nothing was purged inside an hour (SQLite keeps the figures of a
partly purged hour) and the windows hold fewer than 20,000 durations (SQLite samples above).
A job's "typical duration" list is kept like SQLite's: the durations of its latest
:data:`RECENT_SUCCESSES` runs that became final successes, in the order they were recorded.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pydantic_core

from ysched_tui.core.models import (
    AuditEntry,
    JobSpec,
    JobState,
    OutputLine,
    RunRecord,
    RunStatus,
    StatsReport,
    TrendBucket,
    WindowStats,
)
from ysched_tui.core.repository import KnownSpecs, PurgeResult, Repository, interrupted_run
from ysched_tui.core.trend import check_trend_args
from ysched_tui.errors import JobNotFound, StorageError

RECENT_SUCCESSES = 20
"""How many latest successful durations per job are kept for its median."""


_DURATION_STATUSES = frozenset({RunStatus.SUCCESS, RunStatus.FAILED, RunStatus.TIMEOUT})
"""Final statuses whose duration counts: runs that executed to an end of their own."""

_FAILURES = frozenset({RunStatus.FAILED, RunStatus.TIMEOUT, RunStatus.INTERRUPTED})


@dataclass(slots=True)
class _Job:
    spec: JobSpec
    state: JobState


@dataclass(slots=True)
class _Figures:
    """Counts and durations of final runs (one window, bucket or job)."""

    counts: dict[RunStatus, int] = field(default_factory=dict)
    durations: list[int] = field(default_factory=list)

    def add(self, run: RunRecord) -> None:
        self.counts[run.status] = self.counts.get(run.status, 0) + 1
        if run.status in _DURATION_STATUSES and run.duration_ms is not None:
            self.durations.append(run.duration_ms)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def count(self, status: RunStatus) -> int:
        return self.counts.get(status, 0)

    def percentiles(self) -> tuple[float | None, float | None]:
        """Nearest-rank p50 and p95 of the durations (``None`` without any)."""
        if not self.durations:
            return None, None
        ordered = sorted(self.durations)
        n = len(ordered)
        return (float(ordered[(n * 50 + 99) // 100 - 1]),
                float(ordered[(n * 95 + 99) // 100 - 1]))


class MemoryRepository(Repository):
    """Jobs, runs, output, figures, meta and audit in this process's memory.

    The store must be opened before use, like any other; closing it keeps the data, so a
    store reopened later still holds everything (as a file would).
    """

    def __init__(self) -> None:
        self._open = False
        self._jobs: dict[str, _Job] = {}
        self._marks: dict[str, tuple[str, JobSpec]] = {}
        """Code -> (fingerprint, the stored spec it was given for)."""
        self._runs: dict[str, RunRecord] = {}
        """Run id -> run, in the order first recorded."""
        self._output: dict[str, dict[int, OutputLine]] = {}
        """Run id -> seq -> line."""
        self._recent: dict[str, list[int]] = {}
        """Job code -> durations of its latest successes, oldest first."""
        self._meta: dict[str, str] = {}
        self._audit: list[AuditEntry] = []

    # --- lifecycle ---------------------------------------------------------------------------

    async def open(self) -> None:
        """Make the store usable (there is no schema to create)."""
        self._open = True

    async def close(self) -> None:
        """Make the store unusable until opened again; the data stays."""
        self._open = False

    async def flush(self) -> None:
        """Nothing is buffered: every write is already visible.

        Raises:
            StorageError: the store is not open.
        """
        self._check()

    def _check(self) -> None:
        if not self._open:
            raise StorageError("the in-memory store is not open")

    # --- jobs --------------------------------------------------------------------------------

    async def load_jobs(
        self, *, known: KnownSpecs | None = None
    ) -> list[tuple[JobSpec, JobState]]:
        """Every stored job with its state, ordered by code; a spec saved with the fingerprint
        ``known`` gives for its code (and not changed since) is the caller's object."""
        self._check()
        out: list[tuple[JobSpec, JobState]] = []
        for code in sorted(self._jobs):
            job = self._jobs[code]
            mine = known.get(code) if known else None
            mark = self._marks.get(code)
            if (mine is not None and mine[0] is not None and mark is not None
                    and mark[0] == mine[0] and mark[1] == job.spec):
                spec = mine[1]
            else:
                spec = job.spec.model_copy(deep=True)
            out.append((spec, job.state))
        return out

    async def save_jobs(
        self,
        items: Sequence[tuple[JobSpec, JobState]],
        *,
        fingerprints: Mapping[str, str | None] | None = None,
    ) -> None:
        """Insert or replace many jobs, noting the fingerprints given by code."""
        self._check()
        marks: dict[str, str] = {}
        for spec, state in items:
            self._jobs[spec.code] = _Job(spec.model_copy(deep=True), _utc_state(state))
            fingerprint = (fingerprints or {}).get(spec.code)
            if fingerprint is not None:
                marks[spec.code] = fingerprint
        self._store_marks(marks)

    async def save_fingerprints(self, fingerprints: Mapping[str, str]) -> None:
        """Note that the stored specs of these codes equal the caller's with these
        fingerprints (codes not stored are ignored)."""
        self._check()
        self._store_marks({c: fp for c, fp in fingerprints.items() if c in self._jobs})

    def _store_marks(self, marks: Mapping[str, str]) -> None:
        if not marks:
            return
        for code, fingerprint in marks.items():
            self._marks[code] = (fingerprint, self._jobs[code].spec)
        self._marks = {c: m for c, m in self._marks.items() if c in self._jobs}

    async def save_state(self, state: JobState) -> None:
        """Update one job's state only.

        Raises:
            JobNotFound: no stored job has ``state.code``.
        """
        self._check()
        job = self._jobs.get(state.code)
        if job is None:
            raise JobNotFound(state.code)
        job.state = _utc_state(state)

    async def save_states(self, states: Sequence[JobState]) -> None:
        """Update many jobs' states.

        Raises:
            JobNotFound: one of the codes is not stored (the others are saved).
        """
        self._check()
        missing = [st.code for st in states if st.code not in self._jobs]
        for state in states:
            if state.code in self._jobs:
                self._jobs[state.code].state = _utc_state(state)
        if missing:
            raise JobNotFound(missing[0])

    async def delete_job(self, code: str) -> None:
        """Delete a job's definition and state; its runs stay."""
        self._check()
        self._jobs.pop(code, None)

    # --- runs --------------------------------------------------------------------------------

    async def record_run(self, run: RunRecord) -> None:
        """Insert or update a run; a run becoming a final success adds to its job's durations."""
        self._check()
        stored = _stored_run(run)
        old = self._runs.get(stored.run_id)
        newly_final = stored.status.is_final and (old is None or not old.status.is_final)
        self._runs[stored.run_id] = stored
        if newly_final and stored.status is RunStatus.SUCCESS and stored.duration_ms is not None:
            recent = self._recent.setdefault(stored.job_code, [])
            recent.append(stored.duration_ms)
            del recent[:-RECENT_SUCCESSES]

    async def append_output(self, lines: Sequence[OutputLine]) -> None:
        """Store every line given; a (run, seq) already stored keeps its first line."""
        self._check()
        for line in lines:
            by_seq = self._output.setdefault(line.run_id, {})
            if line.seq not in by_seq:
                by_seq[line.seq] = line.model_copy(update={"ts": _utc(line.ts)})

    async def get_run(self, run_id: str) -> RunRecord | None:
        """One run, or ``None``."""
        self._check()
        return self._runs.get(run_id)

    async def list_runs(
        self,
        code: str | None = None,
        *,
        status: RunStatus | None = None,
        limit: int = 100,
        before: datetime | None = None,
    ) -> list[RunRecord]:
        """Runs newest first by run time (runs without one last), at most ``limit``."""
        self._check()
        wanted = RunStatus(status) if status is not None else None
        cutoff = _utc(before) if before is not None else None
        found = [
            (n, run) for n, run in enumerate(self._runs.values())
            if (code is None or run.job_code == code)
            and (wanted is None or run.status is wanted)
            and (cutoff is None or ((t := _run_time(run)) is not None and t < cutoff))
        ]
        found.sort(key=lambda item: (_run_time(item[1]) or _NEVER, item[0]), reverse=True)
        return [run for _, run in found[: max(0, limit)]]

    async def get_output(
        self, run_id: str, *, after_seq: int = 0, limit: int | None = None,
        tail: int | None = None,
    ) -> list[OutputLine]:
        """Lines of one run with ``seq > after_seq`` in order (the last ``tail`` if given,
        else the first ``limit``)."""
        self._check()
        by_seq = self._output.get(run_id, {})
        lines = [by_seq[seq] for seq in sorted(by_seq) if seq > after_seq]
        if tail is not None:
            return lines[len(lines) - max(0, tail):] if tail > 0 else []
        return lines if limit is None else lines[: max(0, limit)]

    async def scheduled_times(self, code: str, since: datetime) -> set[datetime]:
        """Scheduled fire times after ``since`` recorded for ``code`` by a scheduled run."""
        self._check()
        since = _utc(since)
        return {
            run.scheduled_time for run in self._runs.values()
            if run.job_code == code and run.trigger_type.value == "scheduled"
            and run.scheduled_time is not None and run.scheduled_time > since
        }

    async def mark_interrupted(self, now: datetime) -> list[RunRecord]:
        """Turn runs left ``running`` or ``pending`` into ``interrupted`` ending at ``now``."""
        self._check()
        now = _utc(now)
        left = [run for run in self._runs.values()
                if run.status in (RunStatus.PENDING, RunStatus.RUNNING)]
        closed = [interrupted_run(run, now) for run in left]
        for run in closed:
            await self.record_run(run)
        return [self._runs[run.run_id] for run in closed]

    async def purge(self, older_than: datetime) -> PurgeResult:
        """Delete runs whose run time is before ``older_than``, with their output."""
        self._check()
        cutoff = _utc(older_than)
        old = [rid for rid, run in self._runs.items()
               if (t := _run_time(run)) is not None and t < cutoff]
        lines = 0
        for run_id in old:
            del self._runs[run_id]
            lines += len(self._output.pop(run_id, {}))
        return PurgeResult(runs=len(old), lines=lines)

    # --- stats -------------------------------------------------------------------------------

    def _finals(
        self, lo: datetime, hi: datetime, code: str | None, *, include_hi: bool = True
    ) -> Iterator[tuple[datetime, RunRecord]]:
        """Final runs (of ``code``, or all) with ``lo <= run time <= hi`` (``< hi`` unless
        ``include_hi``), with their run time."""
        for run in self._runs.values():
            if not run.status.is_final or (code is not None and run.job_code != code):
                continue
            t = _run_time(run)
            if t is not None and lo <= t and (t <= hi if include_hi else t < hi):
                yield t, run

    def _window(self, lo: datetime, hi: datetime, code: str | None) -> WindowStats:
        figures = _Figures()
        for _, run in self._finals(lo, hi, code):
            figures.add(run)
        total, success = figures.total, figures.count(RunStatus.SUCCESS)
        p50, p95 = figures.percentiles()
        timed = figures.durations
        return WindowStats(
            total_runs=total,
            success_runs=success,
            failed_runs=figures.count(RunStatus.FAILED),
            timeout_runs=figures.count(RunStatus.TIMEOUT),
            missed_runs=figures.count(RunStatus.MISSED),
            skipped_runs=figures.count(RunStatus.SKIPPED),
            success_rate=round(100.0 * success / total, 2) if total else None,
            avg_duration_ms=sum(timed) / len(timed) if timed else None,
            p50_duration_ms=p50,
            p95_duration_ms=p95,
        )

    async def stats(self, now: datetime, code: str | None = None) -> StatsReport:
        """Today (since UTC midnight) / last 24 h / last 7 days; job counts are left at 0."""
        self._check()
        now = _utc(now)
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        return StatsReport(
            code=code,
            today=self._window(midnight, now, code),
            last_24h=self._window(now - timedelta(days=1), now, code),
            last_7d=self._window(now - timedelta(days=7), now, code),
        )

    async def trend(
        self, now: datetime, code: str | None = None, *, unit: str = "hour", count: int = 24
    ) -> list[TrendBucket]:
        """Buckets for the last ``count`` UTC hours or days, oldest first, empty ones included.

        Raises:
            InvalidOperation: ``unit`` is not ``hour``/``day`` or ``count`` is not positive.
        """
        check_trend_args(unit, count)
        self._check()
        step = timedelta(hours=1) if unit == "hour" else timedelta(days=1)
        last = _utc(now).replace(minute=0, second=0, microsecond=0)
        if unit == "day":
            last = last.replace(hour=0)
        starts = [last - step * i for i in range(count - 1, -1, -1)]
        buckets = {start: _Figures() for start in starts}
        for t, run in self._finals(starts[0], last + step, code, include_hi=False):
            start = t.replace(minute=0, second=0, microsecond=0)
            if unit == "day":
                start = start.replace(hour=0)
            buckets[start].add(run)
        out = []
        for start, figures in buckets.items():
            p50, p95 = figures.percentiles()
            out.append(TrendBucket(
                start=start,
                success=figures.count(RunStatus.SUCCESS),
                failed=figures.count(RunStatus.FAILED),
                timeout=figures.count(RunStatus.TIMEOUT),
                missed=figures.count(RunStatus.MISSED),
                skipped=figures.count(RunStatus.SKIPPED),
                p50_duration_ms=p50,
                p95_duration_ms=p95,
            ))
        return out

    async def job_figures(self, now: datetime) -> dict[str, tuple[float | None, int | None]]:
        """Per stored job: (7-day success rate 0..1, median of its latest successes' durations),
        ``None`` where it has no final run / no success."""
        self._check()
        now = _utc(now)
        totals = {code: [0, 0] for code in self._jobs}
        for _, run in self._finals(now - timedelta(days=7), now, None):
            pair = totals.get(run.job_code)
            if pair is not None:
                pair[0] += run.status is RunStatus.SUCCESS
                pair[1] += 1
        out: dict[str, tuple[float | None, int | None]] = {}
        for code, (success, total) in totals.items():
            recent = self._recent.get(code)
            median = int(statistics.median_low(recent)) if recent else None
            out[code] = (success / total if total else None, median)
        return out

    async def failures_since(self, since: datetime) -> int:
        """Number of failed, timed-out or interrupted runs that ended at or after ``since``."""
        self._check()
        since = _utc(since)
        return sum(1 for run in self._runs.values()
                   if run.status in _FAILURES and run.end_time is not None
                   and run.end_time >= since)

    # --- meta --------------------------------------------------------------------------------

    async def get_meta(self, key: str) -> str | None:
        """A meta value, or ``None``."""
        self._check()
        return self._meta.get(key)

    async def set_meta(self, key: str, value: str) -> None:
        """Set a meta value."""
        self._check()
        self._meta[key] = value

    # --- audit -------------------------------------------------------------------------------

    async def record_audit(self, entry: AuditEntry) -> AuditEntry:
        """Store an operator action; returns it with its id (1, 2, ... in recording order)."""
        self._check()
        stored = entry.model_copy(update={
            "id": len(self._audit) + 1,
            "time": _utc(entry.time),
            "before": _json_form(entry.before),
            "after": _json_form(entry.after),
        })
        self._audit.append(stored)
        return stored

    async def list_audit(self, limit: int = 100) -> list[AuditEntry]:
        """The latest ``limit`` operator actions, newest first (by time, then id)."""
        self._check()
        ordered = sorted(self._audit, key=lambda e: (e.time, e.id), reverse=True)
        return ordered[: max(0, limit)]


_NEVER = datetime.min.replace(tzinfo=UTC)
"""Sorts runs without a run time after every other (newest first)."""


def _utc(value: datetime) -> datetime:
    """An instant in UTC (naive values are taken as UTC, as SQLite's store does)."""
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def _utc_or_none(value: datetime | None) -> datetime | None:
    return None if value is None else _utc(value)


def _utc_fields(names: Iterable[str], model: Any) -> dict[str, Any]:
    return {name: _utc_or_none(getattr(model, name)) for name in names}


def _utc_state(state: JobState) -> JobState:
    return state.model_copy(update=_utc_fields(
        ("next_run_time", "last_fire_time", "last_end_time"), state))


def _json_form(value: Any) -> Any:
    """``value`` as stored JSON gives it back (tuples become lists, odd objects their str)."""
    if value is None:
        return None
    return json.loads(pydantic_core.to_json(value, fallback=str))


def _stored_run(run: RunRecord) -> RunRecord:
    """``run`` as the store gives it back: times in UTC, result and params as JSON."""
    return run.model_copy(update={
        **_utc_fields(("scheduled_time", "start_time", "end_time"), run),
        "result": _json_form(run.result),
        "params": _json_form(run.params) or {},
    })


def _run_time(run: RunRecord) -> datetime | None:
    """When the run happened, for ordering and windows: its start, else its scheduled time,
    else its end (stored runs' times are UTC already)."""
    return run.start_time or run.scheduled_time or run.end_time


