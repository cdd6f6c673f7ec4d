"""The rules of a start and a reload: syncing declared jobs, and catching up missed fires.

Declared jobs (jobs file, Python API, scripts) are synced with the jobs the engine has — the
stored ones at a start, the table's at a reload — by one rule, :func:`plan_sync`: new ones are
added, changed ones updated, vanished ones removed (their history stays). Operator state —
paused, overrides, counters, the last handled fire — survives, so a reschedule or a pause made in
the console outlives a restart and stays visible as an override.

Fires that should have happened while the scheduler was down are each recorded as ``missed``
(unless a previous owner, killed before it saved its job states, already recorded them);
then the job's catch-up policy decides what runs: ``once`` (one catch-up run, like systemd's
``Persistent=true``), ``all`` (one per missed fire) or ``skip``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from ysched_tui.core.models import CatchUp, JobSource, JobSpec
from ysched_tui.engine.table import JobEntry, JobTable
from ysched_tui.settings import Settings

MAX_MISSED_PER_JOB = 1000
"""At most this many missed fires are recorded per job after a downtime."""


@dataclass(frozen=True, kw_only=True, slots=True)
class SyncResult:
    """What a sync changes, by job code."""

    added: tuple[str, ...]
    """Declared jobs the engine does not have yet."""
    updated: tuple[str, ...]
    """Jobs whose declared spec differs from the one the engine has."""
    removed: tuple[str, ...]
    """Jobs gone from a source that was read (never runtime jobs)."""
    verified: tuple[str, ...] = ()
    """Unchanged jobs whose spec had to be compared (a different object, equal)."""


def plan_sync(
    current: Iterable[JobSpec],
    declared: Mapping[str, JobSpec],
    *,
    loaded: Collection[JobSource] = (JobSource.FILE, JobSource.API, JobSource.SCRIPT),
) -> SyncResult:
    """What syncing the ``declared`` jobs (by code) into the ``current`` ones changes.

    Args:
        current: the specs the engine has (stored at a start, in its table at a reload).
        loaded: the sources that were read. A current job missing from the declared ones is
            removed only when its source was read: starting once without ``--jobs`` (or
            without the scripts folder) must not wipe the jobs, pauses and overrides it declared.

    Returns:
        The codes added (in declared order), updated, removed and verified (in current order).
        A current spec that *is* the declared object (storage recognised its fingerprint) is
        unchanged without comparing.
    """
    updated: list[str] = []
    removed: list[str] = []
    verified: list[str] = []
    seen: set[str] = set()
    for spec in current:
        seen.add(spec.code)
        new = declared.get(spec.code)
        if new is None:
            if spec.source is not JobSource.RUNTIME and spec.source in loaded:
                removed.append(spec.code)
        elif new is not spec:
            (updated if new != spec else verified).append(spec.code)
    added = tuple(code for code in declared if code not in seen)
    return SyncResult(added=added, updated=tuple(updated), removed=tuple(removed),
                      verified=tuple(verified))


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
