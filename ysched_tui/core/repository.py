"""The storage contract: everything the engine and the owner ask of a store of jobs and runs.

:class:`Repository` is implemented on SQLite by :class:`ysched_tui.storage.SqliteRepository`;
``tests/unit/storage/test_repository_contract.py`` runs one suite over every implementation,
so a new store (in memory, PostgreSQL) is correct when that suite passes on it.

The rules every implementation keeps:

- Everything returned is a core model, never a row of the store.
- Run history (:meth:`Repository.record_run`, :meth:`Repository.append_output`) may be buffered
  and written in batches; :meth:`Repository.flush` forces it out, and every read first sees what
  was written before it in the same process (read-after-write, no flush needed).
- The store keeps what it is given: output lines are stored as given (the engine enforces the
  per-run output cap and writes the "lines dropped" line itself), and a run's ``output_lines``
  and ``dropped_lines`` are stored as recorded.
- Every method but :meth:`Repository.open` and :meth:`Repository.close` raises
  :class:`~ysched_tui.errors.StorageError` when the store is not open or cannot be used.
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
    ms_between,
)
from ysched_tui.errors import InvalidOperation, JobNotFound

KnownSpecs = Mapping[str, tuple[str | None, JobSpec]]
"""Job code -> (fingerprint, spec) of specs the caller already holds (see
:meth:`Repository.load_jobs`)."""

INTERRUPTED_ERROR = "the scheduler stopped before the run finished"
"""The error :meth:`Repository.mark_interrupted` stores on a closed run that had none."""


@dataclass(frozen=True, kw_only=True, slots=True)
class PurgeResult:
    """What a retention cleanup deleted."""

    runs: int
    lines: int


def interrupted_run(run: RunRecord, now: datetime) -> RunRecord:
    """``run`` as :meth:`Repository.mark_interrupted` stores it: ``interrupted``, ended at
    ``now``, its duration counted from its start (kept when it never started), its error kept
    or else :data:`INTERRUPTED_ERROR`."""
    duration = ms_between(run.start_time, now) if run.start_time else run.duration_ms
    return run.model_copy(
        update={
            "status": RunStatus.INTERRUPTED,
            "end_time": now,
            "duration_ms": duration,
            "error": run.error or INTERRUPTED_ERROR,
        }
    )


class Repository(ABC):
    """Persistent jobs, runs, output, run figures, meta values and the operator audit."""

    # --- lifecycle -------------------------------------------------------------------------

    @abstractmethod
    async def open(self) -> None:
        """Create or migrate the store and start whatever writes buffered history.

        Raises:
            SchemaTooNew: the store was written by a newer version (nothing is changed).
            DatabaseLocked: another process holds the store's write lock too long.
            StorageError: the store cannot be opened or written.
        """

    @abstractmethod
    async def close(self) -> None:
        """Write everything buffered, then release the store (closing a closed store does
        nothing).

        Raises:
            StorageError: buffered history could not be written (the store is released anyway).
        """

    @abstractmethod
    async def flush(self) -> None:
        """Write out buffered run records and output lines now.

        Raises:
            DatabaseLocked / StorageError: a batch could not be written; it stays buffered and
                the next flush (or :meth:`close`) writes it.
        """

    # --- jobs ------------------------------------------------------------------------------

    @abstractmethod
    async def load_jobs(
        self, *, known: KnownSpecs | None = None
    ) -> list[tuple[JobSpec, JobState]]:
        """Every stored job with its state.

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

    async def save_job(self, spec: JobSpec, state: JobState) -> None:
        """Insert or replace one job's spec and state, keyed by ``spec.code``; the spec is
        saved without a fingerprint (see :meth:`save_jobs`, which this calls).

        Args:
            spec: the job's definition.
            state: its runtime state (``state.code == spec.code``).

        Raises:
            StorageError: nothing was written.
        """
        await self.save_jobs([(spec, state)])

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
        """Attach fingerprints to stored specs the caller found equal to its own, so the next
        :meth:`load_jobs` given them hands back the caller's objects.

        Args:
            fingerprints: by code; codes of jobs not stored are ignored.

        Raises:
            StorageError: nothing was written.
        """

    @abstractmethod
    async def save_state(self, state: JobState) -> None:
        """Update one job's state only (its spec and fingerprint stay).

        Args:
            state: the new state, keyed by ``state.code``.

        Raises:
            JobNotFound: no stored job has ``state.code``.
            StorageError: nothing was written.
        """

    async def save_states(self, states: Sequence[JobState]) -> None:
        """Update many jobs' states (implementations should do it in one transaction).

        Args:
            states: the new states, keyed by code.

        Raises:
            JobNotFound: one of the codes is not stored (the others are saved).
            StorageError: nothing was written.
        """
        missing: list[str] = []
        for state in states:
            try:
                await self.save_state(state)
            except JobNotFound:
                missing.append(state.code)
        if missing:
            raise JobNotFound(missing[0])

    @abstractmethod
    async def delete_job(self, code: str) -> None:
        """Delete a job's definition and state; its runs and output stay (an unknown code
        does nothing).

        Args:
            code: the job's code.

        Raises:
            StorageError: nothing was deleted.
        """

    # --- runs ------------------------------------------------------------------------------

    @abstractmethod
    async def record_run(self, run: RunRecord) -> None:
        """Insert or update a run, keyed by ``run_id``; may be buffered (a later read sees it).

        Every field is stored as given, ``output_lines`` and ``dropped_lines`` included. A
        final run (one that ended) counts in :meth:`stats`, :meth:`trend` and
        :meth:`job_figures` once, however often it is recorded.

        Args:
            run: the run as it is now.

        Raises:
            StorageError: the store is not open (a buffering store reports write failures
                through :meth:`flush` and retries them itself).
        """

    @abstractmethod
    async def append_output(self, lines: Sequence[OutputLine]) -> None:
        """Store output lines, every one given; may be buffered (a later read sees them).

        The per-run cap is the caller's: the engine stops passing lines at the cap and
        appends its own "lines dropped" line. A line whose (``run_id``, ``seq``) is already
        stored is ignored.

        Args:
            lines: lines of one run or several, each numbered by its ``seq``.

        Raises:
            StorageError: the store is not open (write failures: see :meth:`record_run`).
        """

    @abstractmethod
    async def get_run(self, run_id: str) -> RunRecord | None:
        """One run.

        Args:
            run_id: the run's id.

        Returns:
            The run as last recorded, or ``None`` when no run has that id.

        Raises:
            StorageError: the store cannot be read.
        """

    @abstractmethod
    async def list_runs(
        self,
        code: str | None = None,
        *,
        status: RunStatus | None = None,
        limit: int = 100,
        before: datetime | None = None,
    ) -> list[RunRecord]:
        """Runs, newest first by their run time (start, else scheduled time).

        Args:
            code: only this job's runs (``None``: every job's, deleted jobs' included).
            status: only runs in this status.
            limit: at most this many (0 or less: none).
            before: only runs whose run time is earlier than this.

        Returns:
            The runs, newest first.

        Raises:
            StorageError: the store cannot be read.
        """

    @abstractmethod
    async def get_output(
        self, run_id: str, *, after_seq: int = 0, limit: int | None = None,
        tail: int | None = None,
    ) -> list[OutputLine]:
        """Stored output lines of one run.

        Args:
            run_id: the run's id (an unknown one has no lines).
            after_seq: only lines with ``seq > after_seq``.
            limit: at most the first ``limit`` of them (``None``: all).
            tail: the last ``tail`` of them instead (wins over ``limit``).

        Returns:
            The lines in ``seq`` order (a tail too).

        Raises:
            StorageError: the store cannot be read.
        """

    async def scheduled_times(self, code: str, since: datetime) -> set[datetime]:
        """Scheduled fire times later than ``since`` already recorded for ``code`` by a run of
        trigger type ``scheduled`` (run, skipped or missed): catch-up after a crash must not
        record them again. Catch-up, retry and manual runs do not count.

        Args:
            code: the job's code.
            since: only times after this instant.

        Returns:
            The recorded scheduled times (aware, UTC); the default, for stores that cannot
            tell, is the empty set.

        Raises:
            StorageError: the store cannot be read.
        """
        return set()

    @abstractmethod
    async def mark_interrupted(self, now: datetime) -> list[RunRecord]:
        """Close the runs a stopped scheduler left ``running`` or ``pending``: each becomes
        :func:`interrupted_run` (``interrupted``, ended at ``now``), counted as a failure.

        Args:
            now: when they are closed.

        Returns:
            The closed runs as stored (none: an empty list).

        Raises:
            StorageError: the runs could not be read or written.
        """

    @abstractmethod
    async def purge(self, older_than: datetime) -> PurgeResult:
        """Delete runs whose run time is before ``older_than`` with their output, and the
        run figures of the hours that ended by then (in short steps, so readers and the
        history writer get in between).

        Args:
            older_than: the retention cutoff.

        Returns:
            How many runs and output lines were deleted.

        Raises:
            StorageError: a step failed (the steps before it stay done).
        """

    # --- stats -----------------------------------------------------------------------------

    @abstractmethod
    async def stats(self, now: datetime, code: str | None = None) -> StatsReport:
        """Figures of final runs in three windows ending at ``now``: today (since UTC
        midnight), the last 24 hours and the last 7 days.

        Args:
            now: the end of every window.
            code: one job's figures (``None``: all jobs').

        Returns:
            The report, with ``code`` set; its job counts are left at 0 (the engine fills
            them in).

        Raises:
            StorageError: the store cannot be read.
        """

    @abstractmethod
    async def trend(
        self, now: datetime, code: str | None = None, *, unit: str = "hour", count: int = 24
    ) -> list[TrendBucket]:
        """Final runs per UTC hour or day, split by outcome.

        Args:
            now: the last bucket is the one holding ``now``.
            code: one job's runs (``None``: all jobs').
            unit: ``"hour"`` or ``"day"``.
            count: how many buckets.

        Returns:
            ``count`` buckets, oldest first, empty ones included.

        Raises:
            InvalidOperation: bad ``unit`` or ``count`` (see
                :func:`~ysched_tui.core.trend.check_trend_args`).
            StorageError: the store cannot be read.
        """

    @abstractmethod
    async def job_figures(self, now: datetime) -> dict[str, tuple[float | None, int | None]]:
        """Per stored job: its 7-day success rate and the median duration of its latest
        successes.

        Args:
            now: the end of the 7-day window.

        Returns:
            By code of every stored job: (success rate 0..1 of its final runs in the last 7
            days, median duration in ms of its latest successes), each ``None`` when there
            is nothing to compute it from.

        Raises:
            StorageError: the store cannot be read.
        """

    @abstractmethod
    async def failures_since(self, since: datetime) -> int:
        """How many runs ended failed, timed out or interrupted at or after ``since``.

        Args:
            since: the start of the count.

        Returns:
            The number of such runs.

        Raises:
            StorageError: the store cannot be read.
        """

    # --- meta ------------------------------------------------------------------------------

    @abstractmethod
    async def get_meta(self, key: str) -> str | None:
        """A value from the key/value meta table (e.g. ``timezone``).

        Args:
            key: the value's name.

        Returns:
            The value, or ``None`` when it was never set.

        Raises:
            StorageError: the store cannot be read.
        """

    @abstractmethod
    async def set_meta(self, key: str, value: str) -> None:
        """Set (or replace) a value in the meta table.

        Args:
            key: the value's name.
            value: its new text.

        Raises:
            StorageError: nothing was written.
        """

    # --- audit -----------------------------------------------------------------------------

    async def record_audit(self, entry: AuditEntry) -> AuditEntry:
        """Store an operator action at once (never buffered: it must not be lost).

        Args:
            entry: the action; its ``id`` is ignored.

        Returns:
            ``entry`` with the ``id`` the store gave it.

        Raises:
            InvalidOperation: this store keeps no audit (the default).
            StorageError: nothing was written.
        """
        raise InvalidOperation(f"{type(self).__name__} keeps no audit")

    async def list_audit(self, limit: int = 100) -> list[AuditEntry]:
        """The latest operator actions.

        Args:
            limit: at most this many.

        Returns:
            The entries newest first (by time, then id); the default, for a store that
            keeps no audit, is none.

        Raises:
            StorageError: the store cannot be read.
        """
        return []
