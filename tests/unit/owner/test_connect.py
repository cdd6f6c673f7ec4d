"""open_service: the first process owns, the next attaches (and says so), attached sessions see
live events and leave the owner running when they close."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.unit.engine.conftest import EventLog, command_job, make_settings
from ysched_tui.core.events import RunFinished, RunOutput
from ysched_tui.engine import Engine
from ysched_tui.errors import NotOwner
from ysched_tui.owner.assembly import build_engine
from ysched_tui.owner.connect import open_service
from ysched_tui.owner.lock import read_owner
from ysched_tui.settings import Settings


def _engine(settings: Settings) -> Engine:
    return build_engine(settings, specs=[command_job("hello", "echo one; sleep 0.2; echo two")])


async def test_owner_then_attached(tmp_path: Path) -> None:
    """The first session owns the lock and engine; the second attaches and reports the owner."""
    settings = make_settings(tmp_path)
    owner = await open_service(settings, engine_factory=_engine)
    try:
        assert owner.role == "owner" and owner.engine is not None
        assert read_owner(settings.db).pid == os.getpid()  # type: ignore[union-attr]
        attached = await open_service(settings, via="cli", engine_factory=_engine)
        try:
            assert attached.role == "attached" and attached.engine is None
            status = await attached.service.status()
            assert status.state == "attached"
            assert (status.owner_pid, status.owner_since) == (os.getpid(), owner.engine._since)
            assert attached.describe().startswith(f"attached to pid {os.getpid()} on ")
        finally:
            await attached.close()
        assert (await owner.service.status()).state == "running"  # detaching stops nothing
    finally:
        await owner.close()
    assert read_owner(settings.db) is None


async def test_attached_sees_live_events(tmp_path: Path) -> None:
    """An attached session receives the owner's output and finish events as they happen."""
    settings = make_settings(tmp_path)
    owner = await open_service(settings, engine_factory=_engine)
    attached = await open_service(settings, engine_factory=_engine)
    try:
        log = EventLog()
        attached.service.subscribe(log)
        run_id = await attached.service.trigger("hello")
        out = await log.wait_for(lambda e: isinstance(e, RunOutput) and e.run_id == run_id)
        assert [line.text for line in out[0].lines][:1] == ["one"]  # type: ignore[attr-defined]
        done = await log.wait_for(lambda e: isinstance(e, RunFinished) and e.run.run_id == run_id)
        assert done[0].run.status.value == "success"  # type: ignore[attr-defined]
    finally:
        await attached.close()
        await owner.close()


async def test_attach_only_without_owner_says_so(tmp_path: Path) -> None:
    """With nobody owning the database, attach_only fails in one line naming it."""
    settings = make_settings(tmp_path)
    with pytest.raises(NotOwner) as exc:
        await open_service(settings, attach_only=True)
    assert str(exc.value) == (f"no scheduler is running for {settings.db}: start "
                              "`ysched-tui daemon` or the console")


async def test_owner_start_failure_releases_the_lock(tmp_path: Path) -> None:
    """If the engine cannot start, the lock is released for the next process."""
    settings = make_settings(tmp_path)

    def broken(s: Settings) -> Engine:
        return build_engine(s, specs=[command_job("bad", "true", triggers=())], repository=None,
                      clock=lambda: (_ for _ in ()).throw(RuntimeError("no clock")))

    with pytest.raises(RuntimeError):
        await open_service(settings, engine_factory=broken)
    assert read_owner(settings.db) is None
