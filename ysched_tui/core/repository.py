"""The storage interface the engine records through.

Implemented by :mod:`ysched_tui.storage` on SQLite. Everything returned is a core model, never
an ORM row. Writes of run history may be buffered and flushed in batches; ``flush()`` forces them
out, and every read first sees what was written before it in the same process.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from ysched_tui.core.models import (
    AuditEntry,
    JobSpec,
    JobState,
    OutputLine,
    RunRecord,
    RunStatus,
    StatsReport,
    TrendBucket,
)
from ysched_tui.errors import InvalidOperation

KnownSpecs = Mapping[str, tuple[str | None, JobSpec]]
"""Job code -> (fingerprint, spec) of specs the caller already holds (see
:meth:`Repository.load_jobs`)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class PurgeResult:
    """What a retention cleanup deleted."""

    runs: int
    lines: int


class Repository(ABC):
    """Persistent jobs, runs, output and stats."""

    @abstractmethod
    async def open(self) -> None:
        """Create or migrate the schema.

        Raises:
            SchemaTooNew: the database was written by a newer version (nothing is changed).
            DatabaseLocked / StorageError: the file cannot be opened or written.
        """

    @abstractmethod
    async def close(self) -> None:
        """Flush buffered writes and release the database."""

    @abstractmethod
    async def flush(self) -> None:
        """Write out buffered run and output records now."""

    # --- jobs ------------------------------------------------------------------------------

    @abstractmethod
    async def load_jobs(
        self, *, known: KnownSpecs | None = None
    ) -> list[tuple[JobSpec, JobState]]:
        """Every stored job with its state, ordered by code.

        Args:
            known: specs the caller holds, by code, with their fingerprints. A job whose spec
                was saved with the same fingerprint (and not rewritten since) comes back as the
                caller's own object (``is`` tells), so an unchanged job is not rebuilt. A store
                that keeps no fingerprints ignores it and rebuilds every spec.

        Returns:
            (spec, state) pairs ordered by code.

        Raises:
            StorageError: the store cannot be read.
        """

    @abstractmethod
    async def save_job(self, spec: JobSpec, state: JobState) -> None:
        """Insert or replace one job's spec and state (keyed by ``spec.code``)."""

    @abstractmethod
    async def save_jobs(
        self,
        items: Sequence[tuple[JobSpec, JobState]],
        *,
        fingerprints: Mapping[str, str | None] | None = None,
    ) -> None:
        """Insert or replace many jobs in one transaction.

        Args:
            items: (spec, state) pairs, keyed by ``spec.code``.
            fingerprints: by code, the fingerprint each spec is saved with (see
                :meth:`load_jobs`); a spec saved without one never matches.

        Raises:
            StorageError: nothing was written.
        """

    @abstractmethod
    async def save_fingerprints(self, fingerprints: Mapping[str, str]) -> None:
        """Attach fingerprints (by code) to stored specs the caller found equal to its own.

        Raises:
            StorageError: nothing was written.
        """

    @abstractmethod
    async def save_state(self, state: JobState) -> None:
        """Update one job's state only."""

    async def save_states(self, states: Sequence[JobState]) -> None:
        """Update many jobs' states; implementations should do it in one transaction."""
        for state in states:
            await self.save_state(state)

    @abstractmethod
    async def delete_job(self, code: str) -> None:
        """Delete a job's definition (its runs stay)."""

    # --- runs ------------------------------------------------------------------------------

    @abstractmethod
    async def record_run(self, run: RunRecord) -> None:
        """Insert or update a run (keyed by ``run_id``); may be buffered."""

    @abstractmethod
    async def append_output(self, lines: Sequence[OutputLine]) -> None:
        """Store output lines; may be buffered. The caller enforces the per-run cap."""

    @abstractmethod
    async def get_run(self, run_id: str) -> RunRecord | None:
        """One run, or ``None``."""

    @abstractmethod
    async def list_runs(
        self,
        code: str | None = None,
        *,
        status: RunStatus | None = None,
        limit: int = 100,
        before: datetime | None = None,
    ) -> list[RunRecord]:
        """Runs newest first (by start or scheduled time)."""

    @abstractmethod
    async def get_output(
        self, run_id: str, *, after_seq: int = 0, limit: int | None = None,
        tail: int | None = None,
    ) -> list[OutputLine]:
        """Lines of one run with ``seq > after_seq`` in order (the last ``tail`` of them if
        given, else the first ``limit``)."""

    async def scheduled_times(self, code: str, since: datetime) -> set[datetime]:
        """Scheduled fire times after ``since`` already recorded for ``code`` (as a run,
        skipped or missed): catch-up after a crash must not record them again.

        The default (for stores that cannot tell) is the empty set.
        """
        return set()

    @abstractmethod
    async def mark_interrupted(self, now: datetime) -> list[RunRecord]:
        """Turn runs left ``running``/``pending`` by a crash into ``interrupted``; return them."""

    @abstractmethod
    async def purge(self, older_than: datetime) -> PurgeResult:
        """Delete runs, output and stats older than ``older_than``."""

    # --- stats -----------------------------------------------------------------------------

    @abstractmethod
    async def stats(self, now: datetime, code: str | None = None) -> StatsReport:
        """Today (in UTC) / last 24 h / last 7 days (job counts are filled in by the engine)."""

    @abstractmethod
    async def trend(
        self, now: datetime, code: str | None = None, *, unit: str = "hour", count: int = 24
    ) -> list[TrendBucket]:
        """Buckets for the last ``count`` hours or days, oldest first, empty ones included."""

    @abstractmethod
    async def job_figures(self, now: datetime) -> dict[str, tuple[float | None, int | None]]:
        """Per job code: (7-day success rate 0..1, median duration ms of recent successes)."""

    @abstractmethod
    async def failures_since(self, since: datetime) -> int:
        """Number of failed, timed-out or interrupted runs ended since ``since``."""

    # --- meta ------------------------------------------------------------------------------

    @abstractmethod
    async def get_meta(self, key: str) -> str | None:
        """A value from the key/value meta table (e.g. ``last_heartbeat``)."""

    @abstractmethod
    async def set_meta(self, key: str, value: str) -> None:
        """Set a value in the meta table."""

    # --- audit -----------------------------------------------------------------------------

    async def record_audit(self, entry: AuditEntry) -> AuditEntry:
        """Store an operator action; returns it with its ``id``.

        Raises:
            InvalidOperation: this store keeps no audit (the default).
        """
        raise InvalidOperation(f"{type(self).__name__} keeps no audit")

    async def list_audit(self, limit: int = 100) -> list[AuditEntry]:
        """The latest ``limit`` operator actions, newest first (the default: none)."""
        return []
