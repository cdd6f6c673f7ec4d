"""The audit: every operator action recorded with who (user, SSH address, via), what, and the
value before and after — in-process, through an attached client, raw HTTP and TCP."""

from __future__ import annotations

import getpass
import socket
import sqlite3
from pathlib import Path

import httpx

from tests.unit.engine.conftest import command_job, make_settings
from ysched_tui.core.models import Actor
from ysched_tui.core.triggers import CronTrigger, IntervalTrigger
from ysched_tui.engine import Engine
from ysched_tui.owner.assembly import build_engine
from ysched_tui.owner.connect import open_service
from ysched_tui.settings import Settings
from ysched_tui.storage import SqliteRepository


def _engine(settings: Settings) -> Engine:
    return build_engine(settings, specs=[
        command_job("nightly", "true", triggers=(CronTrigger(expr="30 2 * * *"),)),
        command_job("long", "echo started; sleep 30"),
    ])


async def test_every_action_through_an_attached_client(tmp_path: Path, monkeypatch) -> None:
    """Ten actions from an attached console: each entry has the action, job, actor and values."""
    monkeypatch.setenv("SSH_CONNECTION", "203.0.113.7 50022 10.0.0.1 22")
    settings = make_settings(tmp_path)
    owner = await open_service(settings, engine_factory=_engine)
    attached = await open_service(settings, via="console")
    try:
        svc = attached.service
        await svc.add_job(command_job("extra", "true"))
        await svc.pause("nightly")
        await svc.resume("nightly")
        await svc.set_enabled("nightly", False)
        await svc.set_enabled("nightly", True)
        await svc.reschedule("nightly", [IntervalTrigger(seconds=300)])
        await svc.revert("nightly")
        run_id = await svc.trigger("long")
        await svc.cancel(run_id)
        await svc.remove_job("extra")
        entries = list(reversed(await svc.audit(20)))
    finally:
        await attached.close()
        await owner.close()
    assert [e.action for e in entries] == [
        "create", "pause", "resume", "disable", "enable", "reschedule", "revert", "trigger",
        "cancel", "delete"]
    me = Actor(user=getpass.getuser(), address="203.0.113.7", via="console")
    assert all(e.actor == me for e in entries)
    by = {e.action: e for e in entries}
    assert (by["pause"].before, by["pause"].after) == ({"paused": False}, {"paused": True})
    assert (by["disable"].before, by["disable"].after) == ({"enabled": True}, {"enabled": False})
    assert by["reschedule"].before == {"triggers": [
        CronTrigger(expr="30 2 * * *").model_dump(mode="json")]}
    assert by["reschedule"].after["triggers"][0]["seconds"] == 300
    assert by["trigger"].run_id == run_id == by["cancel"].run_id
    assert by["cancel"].after == {"status": "cancelled"}
    assert by["create"].after["code"] == "extra" and by["delete"].before["code"] == "extra"
    assert by["delete"].after is None and all(e.job_code for e in entries)


async def test_explicit_actor_and_in_process_default(tmp_path: Path) -> None:
    """An explicit actor is recorded as given; without one, this process via python."""
    engine = _engine(make_settings(tmp_path))
    await engine.start(paused=True)
    try:
        alice = Actor(user="alice", address="10.9.8.7", via="api")
        await engine.pause("nightly", actor=alice)
        await engine.resume("nightly")
        resumed, paused = await engine.audit(10)
    finally:
        await engine.stop(grace=0)
    assert paused.actor == alice
    assert resumed.actor.via == "python" and resumed.actor.user == getpass.getuser()


async def test_raw_http_and_tcp_actors(tmp_path: Path) -> None:
    """No header: via api, this user on the socket; on TCP user '?' and the peer's address."""
    settings = make_settings(tmp_path)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    owner = await open_service(settings, engine_factory=_engine, listen=f"127.0.0.1:{port}")
    token = Path(str(settings.db) + ".token").read_text().strip()
    try:
        assert owner.server is not None
        unix = httpx.AsyncHTTPTransport(uds=str(owner.server.socket_path))
        async with httpx.AsyncClient(transport=unix, base_url="http://x/api/v1") as http:
            assert (await http.post("/jobs/nightly/pause")).status_code == 200
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}/api/v1") as http:
            assert (await http.get("/audit")).status_code == 401
            auth = {"Authorization": f"Bearer {token}"}
            assert (await http.post("/jobs/nightly/resume", headers=auth)).status_code == 200
            listed = (await http.get("/audit", headers=auth, params={"limit": 5})).json()
    finally:
        await owner.close()
    resumed, paused = listed
    assert paused["actor"] == {"user": getpass.getuser(), "address": None, "via": "api"}
    assert resumed["actor"] == {"user": "?", "address": "127.0.0.1", "via": "api"}


async def test_version_1_database_gains_the_audit_table(tmp_path: Path) -> None:
    """Opening a version 1 database creates the audit table and keeps everything else."""
    db = tmp_path / "old.db"
    repo = SqliteRepository(str(db))
    await repo.open()
    await repo.set_meta("k", "v")
    await repo.close()
    con = sqlite3.connect(db)
    con.execute("DROP TABLE audit")
    con.execute("DELETE FROM schema_version")
    con.execute("INSERT INTO schema_version VALUES (1, 'then')")
    con.commit()
    con.close()
    repo = SqliteRepository(str(db))
    await repo.open()
    try:
        assert await repo.get_meta("k") == "v"
        assert await repo.list_audit() == []
    finally:
        await repo.close()
    con = sqlite3.connect(db)
    versions = [v for (v,) in con.execute("SELECT version FROM schema_version ORDER BY 1")]
    con.close()
    assert versions == [1, 2]
