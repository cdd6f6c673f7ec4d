"""Processes a dead owner's runs left behind, found and stopped by the owner that follows.

An owner killed with SIGKILL cannot stop its command jobs: they run on, orphaned, while the next
owner records their runs as ``interrupted`` — and the next fire of the job could start a second
copy next to the first. Every command job's process carries ``YSCHED_RUN_ID`` in its environment
(:mod:`ysched_tui.jobs.launch`), and children inherit it even when they leave the job's process
group, so the processes of a run are found by reading ``/proc/<pid>/environ``. They get SIGTERM,
then SIGKILL after the grace period, as a timed-out run would.

Only processes this user may signal are visible; on systems without ``/proc`` nothing is found.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import time
from collections.abc import Iterable
from pathlib import Path

from ysched_tui.jobs.launch import RUN_ID_VAR
from ysched_tui.jobs.procfs import is_live, stat_fields

PROC = Path("/proc")

log = logging.getLogger("ysched_tui.engine")
_POLL = 0.05


def find(run_ids: Iterable[str], proc: Path = PROC) -> dict[str, list[int]]:
    """The live processes of each of ``run_ids`` (those with any), by run id."""
    wanted = {f"{RUN_ID_VAR}={run_id}".encode(): run_id for run_id in run_ids}
    found: dict[str, list[int]] = {}
    if not wanted or not proc.is_dir():
        return found
    me = os.getpid()
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:  # gone, or another user's
            continue
        for item in environ.split(b"\0"):
            run_id = wanted.get(item)
            if run_id is not None and _alive(entry):
                found.setdefault(run_id, []).append(int(entry.name))
                break
    return found


def stop(run_ids: Iterable[str], grace: float = 5.0, proc: Path = PROC) -> dict[str, int]:
    """SIGTERM every process of ``run_ids``, SIGKILL those alive after ``grace`` seconds.

    Blocking (it waits for the processes): call it in a thread.

    Returns:
        How many processes each run had, for the runs that had any.
    """
    found = find(run_ids, proc)
    pids = [pid for group in found.values() for pid in group]
    _signal(pids, signal.SIGTERM)
    end = time.monotonic() + grace
    while (pids := [pid for pid in pids if _alive(proc / str(pid))]) and time.monotonic() < end:
        time.sleep(_POLL)
    _signal(pids, signal.SIGKILL)
    return {run_id: len(group) for run_id, group in found.items()}


def _signal(pids: list[int], sig: signal.Signals) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)


def _alive(entry: Path) -> bool:
    """Whether the process is there and not a zombie (a zombie holds no resources to stop)."""
    return is_live(stat_fields(entry))


def stop_later(run_ids: list[str], grace: float) -> asyncio.Task[dict[str, int]] | None:
    """:func:`stop` in a worker thread, started now (its SIGTERMs go out at once); the task
    logs what it stopped. ``None`` when there is nothing to look for."""
    if not run_ids:
        return None

    async def go() -> dict[str, int]:
        counts = await asyncio.to_thread(stop, run_ids, grace)
        for run_id, count in counts.items():
            log.warning("stopped %d process(es) that run %s had left running", count, run_id)
        return counts

    return asyncio.get_running_loop().create_task(go(), name="ysched-leftovers")
