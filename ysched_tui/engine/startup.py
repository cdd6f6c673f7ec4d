"""What happens when a scheduler starts: syncing declared jobs and catching up missed fires.

Declared jobs (jobs file, Python API, scripts) are synced into the job table: new ones are
added, changed ones updated, vanished ones removed (their history stays). Operator state —
paused, overrides, counters, the last handled fire — survives, so a reschedule or a pause made in
the console outlives a restart and stays visible as an override.

Fires that should have happened while the scheduler was down are each recorded as ``missed``
(unless a previous owner, killed before it saved its job states, already recorded them);
then the job's catch-up policy decides what runs: ``once`` (one catch-up run, like systemd's
``Persistent=true``), ``all`` (one per missed fire) or ``skip``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from ysched_tui.core.models import CatchUp, JobSource, JobSpec, JobState, new_job_id
from ysched_tui.engine.table import JobEntry, JobTable
from ysched_tui.settings import Settings

MAX_MISSED_PER_JOB = 1000
"""At most this many missed fires are recorded per job after a downtime."""


@dataclass(frozen=True, kw_only=True, slots=True)
class SyncResult:
    """What a sync changed, for the log line at start."""

    added: tuple[str, ...]
    updated: tuple[str, ...]
    removed: tuple[str, ...]
    verified: tuple[str, ...] = ()
    """Unchanged jobs whose stored spec had to be rebuilt and compared (no fingerprint yet)."""


def sync_jobs(
    stored: Sequence[tuple[JobSpec, JobState]],
    declared: Sequence[JobSpec],
    table: JobTable,
    *,
    loaded: Collection[JobSource] = (JobSource.FILE, JobSource.API, JobSource.SCRIPT),
) -> tuple[SyncResult, list[JobEntry]]:
    """Fill ``table`` from stored jobs updated by the declared ones.

    Args:
        loaded: the sources read for this start. A stored job missing from the declared ones
            is removed only when its source was read: starting once without ``--jobs`` (or
            without the scripts folder) must not wipe the jobs, pauses and overrides it declared.

    Returns:
        what changed, and the entries whose spec must be saved. A stored spec that *is* the
        declared object (storage recognised its fingerprint) is unchanged without comparing.
    """
    declared_by_code = {spec.code: spec for spec in declared}
    added: list[str] = []
    updated: list[str] = []
    removed: list[str] = []
    verified: list[str] = []
    to_save: list[JobEntry] = []
    for spec, state in stored:
        new = declared_by_code.pop(spec.code, None)
        if new is None and spec.source is not JobSource.RUNTIME and spec.source in loaded:
            removed.append(spec.code)
            continue
        entry = JobEntry(spec=new or spec, state=state)
        if new is not None and new is not spec:
            if new != spec:
                updated.append(spec.code)
                to_save.append(entry)
            else:
                verified.append(spec.code)
        table.put(entry)
    for spec in declared_by_code.values():
        entry = JobEntry(spec=spec, state=JobState(code=spec.code, id=new_job_id()))
        added.append(spec.code)
        to_save.append(entry)
        table.put(entry)
    result = SyncResult(added=tuple(added), updated=tuple(updated), removed=tuple(removed),
                        verified=tuple(verified))
    return result, to_save


def loaded_sources(settings: Settings, declared: Sequence[JobSpec]) -> frozenset[JobSource]:
    """The sources a start from settings read: the jobs file (and the Python modules it is or
    includes) and the scripts folder."""
    sources = {spec.source for spec in declared}
    if settings.jobs is not None:
        sources.add(JobSource.API if settings.jobs.suffix == ".py" else JobSource.FILE)
    if settings.scripts_dir is not None:
        sources.add(JobSource.SCRIPT)
    return frozenset(sources)


def missed_fires(table: JobTable, entry: JobEntry, now: datetime) -> list[datetime]:
    """Fires of a schedulable job between its last handled fire and ``now``."""
    last = entry.state.last_fire_time
    if last is None or not entry.schedulable:
        return []
    return table.fires_between(entry, last, now, MAX_MISSED_PER_JOB)


def unrecorded(missed: Sequence[datetime], recorded: Collection[datetime]) -> list[datetime]:
    """The missed fires that have no row yet.

    After a crash the stored ``last_fire_time`` may lag behind what the previous owner already
    recorded (states are saved in batches); those fires are handled and must not be recorded a
    second time.
    """
    return [when for when in missed if when not in recorded]


def catch_up_runs(policy: CatchUp, missed: Sequence[datetime]) -> list[datetime]:
    """The scheduled times to run as catch-up runs under ``policy``."""
    if not missed or policy is CatchUp.SKIP:
        return []
    if policy is CatchUp.ONCE:
        return [missed[-1]]
    return list(missed)
