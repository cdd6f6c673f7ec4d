"""No fire is recorded twice, none is lost: an owner killed with SIGKILL mid-stream, a standby
taking over, and an attached reader following both."""

from __future__ import annotations

import asyncio
import os
import signal
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from tests.unit.owner.helpers import Daemons, query
from tests.waiting import wait_until
from ysched_tui.core.events import Event, RunFinished
from ysched_tui.owner.attached import OwnerClient
from ysched_tui.owner.lock import read_owner

JOBS = 50
BEFORE_KILL = 8.0
AFTER_TAKEOVER = 8.0


def _jobs_file(path: Path) -> Path:
    parts = ['[settings]\ntimezone = "UTC"\n']
    for i in range(JOBS):
        parts.append(f'[[jobs]]\ncode = "j{i:02d}"\nevery = "1s"\ncommand = "true"\n')
    path.write_text("\n".join(parts))
    return path


def _count(db: Path, pid: int) -> int:
    rows = query(db, "SELECT count(*) FROM runs WHERE pid=? AND status='success'", pid)
    return int(rows[0][0]) if rows else 0


def _fires(db: Path) -> dict[str, list[datetime]]:
    fires: dict[str, list[datetime]] = defaultdict(list)
    sql = ("SELECT job_code, scheduled_time FROM runs WHERE trigger_type='scheduled' "
           "AND job_code LIKE 'j%'")
    for code, when in query(db, sql):
        fires[str(code)].append(datetime.fromisoformat(str(when)))
    return fires


@pytest.mark.slow
async def test_every_fire_once_across_a_sigkill_takeover(tmp_path: Path, daemons: Daemons):
    """Each job's scheduled fires form an unbroken 1 s series with no time recorded twice."""
    db, jobs = tmp_path / "t.db", _jobs_file(tmp_path / "jobs.toml")
    owner = daemons.start(db, jobs)
    sock = Path(str(db) + ".sock")
    await wait_until(lambda: sock.exists(), timeout=15)
    standby = daemons.start(db, jobs, "--standby")
    await wait_until(lambda: "standby:" in daemons.log(1), timeout=15)

    reader = OwnerClient("unix://" + str(sock), db=str(db))
    seen: Counter[int | None] = Counter()

    def on_event(event: Event) -> None:
        if isinstance(event, RunFinished):
            seen[event.run.pid] += 1

    reader.subscribe(on_event)
    await reader.start()
    try:
        await wait_until(lambda: _count(db, owner.pid) >= JOBS * BEFORE_KILL,
                         timeout=BEFORE_KILL + 10)
        # kill right after a second's fires are recorded: before the owner's next state save
        # (every 0.25 s) has stored their last_fire_time, the case catch-up must not repeat
        done = _count(db, owner.pid)
        await wait_until(lambda: _count(db, owner.pid) > done, timeout=3,
                         every=0.002)
        os.kill(owner.pid, signal.SIGKILL)
        killed_at = datetime.now().astimezone()
        await wait_until(lambda: _count(db, standby.pid) >= JOBS * AFTER_TAKEOVER,
                         timeout=AFTER_TAKEOVER + 10)
        assert read_owner(str(db)).pid == standby.pid  # type: ignore[union-attr]
        await wait_until(lambda: seen[standby.pid] >= JOBS, timeout=5)
        assert seen[owner.pid] >= JOBS
    finally:
        await reader.stop()
    os.kill(standby.pid, signal.SIGTERM)
    assert await asyncio.to_thread(standby.wait, 15) == 0

    fires = _fires(db)
    assert sorted(fires) == [f"j{i:02d}" for i in range(JOBS)]
    missed = query(db, "SELECT count(*) FROM runs WHERE status='missed'")[0][0]
    for code, times in fires.items():
        twice = [t for t, n in Counter(times).items() if n > 1]
        assert not twice, f"{code}: fires recorded twice: {twice}"
        times.sort()
        gaps = [(a, b) for a, b in pairwise(times)
                if b - a != timedelta(seconds=1)]
        assert not gaps, f"{code}: fires absent between {gaps}"
        assert times[0] < killed_at < times[-1]
    print(f"{sum(map(len, fires.values()))} fires, {missed} recorded as missed")
