"""A console attached to an owner says so, shows the owner's jobs live, and quitting it leaves
the owner running."""

from __future__ import annotations

import os
from pathlib import Path

from tests.unit.engine.conftest import command_job, make_settings
from tests.waiting import wait_until
from ysched_tui.console import session_app
from ysched_tui.engine import Engine
from ysched_tui.owner.assembly import build_engine
from ysched_tui.owner.connect import open_service
from ysched_tui.settings import Settings
from ysched_tui.tui.widgets.header_bar import HeaderBar


def _engine(settings: Settings) -> Engine:
    return build_engine(settings, specs=[command_job("hello", "echo hi")])


async def test_attached_console_names_the_owner_and_quits_alone(tmp_path: Path) -> None:
    """Header state 'attached', a notice naming the owner's pid; quitting stops nothing."""
    settings = make_settings(tmp_path)
    owner = await open_service(settings, engine_factory=_engine)
    attached = await open_service(settings, via="console")
    try:
        app = session_app(settings, attached)
        async with app.run_test(size=(120, 30)) as pilot:
            header = app.screen.query_one(HeaderBar)
            await wait_until(lambda: header.status is not None
                             and "hello" in app.screen.jobs,  # type: ignore[attr-defined]
                             pilot=pilot, what="the attached header and the jobs")
            assert header.status is not None and header.status.state == "attached"
            assert "● attached" in str(header.render())
            assert f"to pid {os.getpid()} on " in str(header.render())
            assert "owner since" in str(header.render())
            notices = [n.message for n in app._notifications]
            assert any(f"attached to pid {os.getpid()} on " in m for m in notices), notices
            await pilot.press("q")
        await attached.close()
        assert (await owner.service.status()).state == "running"
        assert (await owner.service.get_job("hello")).code == "hello"
    finally:
        await attached.close()
        await owner.close()


async def test_owner_console_serves_others_once_it_has_painted(tmp_path: Path) -> None:
    """The owning console starts its control server after the first paint of the jobs (not on
    the way to it); then a second process attaches and sees the same jobs."""
    from ysched_tui.control.paths import control_paths

    settings = make_settings(tmp_path)
    owner = await open_service(settings, engine_factory=_engine, defer_server=True)
    socket = control_paths(settings.db).socket
    try:
        assert not socket.exists()  # nothing served before the console paints
        app = session_app(settings, owner)
        async with app.run_test(size=(120, 30)) as pilot:
            await wait_until(socket.exists, pilot=pilot, what="the control socket")
            assert socket.exists() and "hello" in app.screen.jobs  # type: ignore[attr-defined]
            other = await open_service(settings, via="cli")
            try:
                assert other.role == "attached"
                assert [job.code for job in await other.service.list_jobs()][:1] == ["hello"]
            finally:
                await other.close()
            await app.settle()
    finally:
        await owner.close(grace=0)
    assert not socket.exists()


async def test_owner_gone_is_said_once_and_O_makes_this_console_the_owner(
        tmp_path: Path) -> None:
    """When the owner stops, the attached header says 'no owner' with one warning (not an
    error per second); O then ends the app asking to own, and opening again owns the db."""
    settings = make_settings(tmp_path)
    owner = await open_service(settings, engine_factory=_engine)
    attached = await open_service(settings, via="console")
    try:
        app = session_app(settings, attached)
        async with app.run_test(size=(160, 40)) as pilot:
            header = app.screen.query_one(HeaderBar)
            await wait_until(lambda: header.status is not None
                             and header.status.state == "attached", pilot=pilot, timeout=10)
            await pilot.press("O")  # the owner is alive: refused with a reason
            await wait_until(lambda: any("can own it only once" in n.message
                                         for n in app._notifications), pilot=pilot, timeout=10)
            await owner.close()
            await wait_until(lambda: "● no owner: pid " in str(header.render()),
                             pilot=pilot, timeout=10)
            # time must pass here, not a condition: three clock ticks in which the re-reads
            # must stay quiet while nobody owns
            for _ in range(3):
                await pilot.pause(1.05)
            messages = [n.message for n in app._notifications]
            assert sum("no longer answers: nothing schedules" in m for m in messages) == 1
            assert not [m for m in messages if m.startswith("cannot read")], messages
            await pilot.press("O")
            await wait_until(lambda: not app.is_running, pilot=pilot, timeout=10)
        assert app.wants_ownership
        await attached.close()
        again = await open_service(settings, engine_factory=_engine, via="console")
        try:
            assert again.role == "owner"
        finally:
            await again.close()
    finally:
        await attached.close()
        await owner.close()
