"""CLI control commands go through the owner: results, the one-line no-owner error, the audit,
and --connect over TCP with the token."""

from __future__ import annotations

import asyncio
import getpass
import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.unit.owner.helpers import Daemons
from tests.waiting import wait_until_sync
from ysched_tui.cli import main
from ysched_tui.owner.lock import read_owner
from ysched_tui.storage import SqliteRepository

JOBS = """
[settings]
timezone = "UTC"

[[jobs]]
code = "nightly"
cron = "30 2 * * *"
command = "true"

[[jobs]]
code = "chatty"
command = "echo one; sleep 0.3; echo two"

[[jobs]]
code = "long"
command = "echo started; sleep 30"
"""
RUN_ID = re.compile(r"^run_\d{8}_\d{6}_[0-9a-f]{6}$")


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    jobs = tmp_path / "jobs.toml"
    jobs.write_text(JOBS)
    return tmp_path / "t.db", jobs


@pytest.fixture
def owner(files: tuple[Path, Path], tmp_path: Path) -> Iterator[int]:
    """A daemon owning the database; yields its pid."""
    procs = Daemons(tmp_path)
    db, jobs = files
    proc = procs.start(db, jobs)
    try:
        wait_until_sync(lambda: Path(str(db) + ".sock").exists(), timeout=15)
        yield proc.pid
    finally:
        procs.kill_all()


def cli(files: tuple[Path, Path], *args: str) -> list[str]:
    db, jobs = files
    return ["--db", str(db), "--jobs", str(jobs), *args]


def test_no_owner_one_line_and_exit_1(files, capsys) -> None:
    """Without an owner, control commands exit 1 with one line; read-only ones still work on
    the database a stopped owner left."""
    for command in (["status"], ["pause", "nightly"], ["trigger", "chatty"]):
        assert main(cli(files, *command)) == 1
        err = capsys.readouterr().err
        assert err == (f"ysched-tui: no scheduler is running for {files[0]}: start "
                       "`ysched-tui daemon` or the console\n")

    async def leave_a_database() -> None:
        repository = SqliteRepository(str(files[0]))
        await repository.open()
        await repository.close()

    asyncio.run(leave_a_database())
    assert main(cli(files, "history")) == 0
    assert main(cli(files, "audit")) == 0


def test_pause_shows_in_jobs_and_status(files, owner, capsys) -> None:
    """pause through the owner is visible in `jobs --json`; status names the owner's pid."""
    assert main(cli(files, "pause", "nightly")) == 0
    assert capsys.readouterr().out == "paused nightly\n"
    assert main(cli(files, "jobs", "--json")) == 0
    jobs = {j["code"]: j for j in json.loads(capsys.readouterr().out)}
    assert jobs["nightly"]["paused"] is True
    assert main(cli(files, "pause", "nightly")) == 1
    assert "already paused" in capsys.readouterr().err
    assert main(cli(files, "status", "--json")) == 0
    status = json.loads(capsys.readouterr().out)
    assert (status["owner_pid"], status["jobs_paused"], status["state"]) == (owner, 1, "running")
    assert main(cli(files, "resume", "nightly")) == 0
    assert capsys.readouterr().out.startswith("resumed nightly; next run ")


def test_disable_enable_through_the_owner_and_audited(files, owner, capsys) -> None:
    """disable/enable change the job in the owner, refuse a no-op, and land in the audit."""
    assert main(cli(files, "disable", "nightly")) == 0
    assert capsys.readouterr().out == "disabled nightly\n"
    assert main(cli(files, "jobs", "--json")) == 0
    jobs = {j["code"]: j for j in json.loads(capsys.readouterr().out)}
    assert jobs["nightly"]["enabled"] is False
    assert main(cli(files, "disable", "nightly")) == 1
    assert "already disabled" in capsys.readouterr().err
    assert main(cli(files, "enable", "nightly")) == 0
    assert re.fullmatch(r"enabled nightly; next run \S+ 02:30:00\n", capsys.readouterr().out)
    assert main(cli(files, "enable", "nosuch")) == 1
    assert "unknown job code 'nosuch'" in capsys.readouterr().err
    assert main(cli(files, "audit", "--json")) == 0
    actions = [e["action"] for e in json.loads(capsys.readouterr().out)]
    assert actions[:2] == ["enable", "disable"]


def test_status_names_the_jobs_file_and_api_and_a_foreign_jobs_file_is_noted(
        files, owner, tmp_path, capsys) -> None:
    """status shows the owner's jobs file and API URLs; a command given another jobs file says
    on stderr that an attached ysched-tui does not read it (and still acts)."""
    db, jobs = files
    assert main(cli(files, "status", "--json")) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["jobs_file"] == str(jobs.resolve())
    assert status["api_urls"] == [f"unix://{db}.sock"]
    assert main(cli(files, "status")) == 0
    out = capsys.readouterr().out
    assert f"jobs file {jobs.resolve()}\n" in out and f"api       unix://{db}.sock\n" in out
    other = tmp_path / "other.toml"
    other.write_text('[[jobs]]\ncode = "x"\ncommand = "true"\n')
    assert main(["--db", str(db), "--jobs", str(other), "pause", "nightly"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "paused nightly\n"
    assert captured.err == (f"ysched-tui: note: the owner (pid {owner}) reads {jobs.resolve()}; "
                            f"the jobs file {other} given here is not read by an attached "
                            "ysched-tui\n")
    assert main(cli(files, "resume", "nightly")) == 0
    assert capsys.readouterr().err == ""


def test_reload_applies_the_edited_file_and_a_broken_one_changes_nothing(
        files, owner, capsys) -> None:
    """reload through the owner adds/updates/removes as the file says; a broken file exits 2
    listing the problem and the jobs stay; SIGHUP to the daemon reloads too."""
    import os
    import signal

    db, jobs = files
    jobs.write_text(JOBS.replace('cron = "30 2 * * *"', 'cron = "45 3 * * *"')
                    + '\n[[jobs]]\ncode = "fresh"\nevery = "1h"\ncommand = "true"\n')
    assert main(cli(files, "reload")) == 0
    assert capsys.readouterr().out == ("reloaded: added 1 (fresh), updated 1 (nightly), "
                                       "removed 0\n")
    assert main(cli(files, "jobs", "--json")) == 0
    listed = {j["code"]: j for j in json.loads(capsys.readouterr().out)}
    assert "fresh" in listed and listed["nightly"]["next_run_time"].endswith("T03:45:00+00:00")

    good = jobs.read_text()
    jobs.write_text(good + '\n[[jobs]]\ncode = "bad"\ncron = "* * 32 * *"\ncommand = "x"\n')
    assert main(cli(files, "reload")) == 2
    err = capsys.readouterr().err
    assert "day-of-month" in err and "bad" in err
    assert main(cli(files, "jobs", "--json")) == 0
    assert "bad" not in {j["code"] for j in json.loads(capsys.readouterr().out)}

    jobs.write_text(good.replace('code = "fresh"', 'code = "hup"'))
    os.kill(owner, signal.SIGHUP)
    wait_until_sync(lambda: "SIGHUP: jobs file reloaded: added 1 (hup)" in
                    (db.parent / "daemon0.log").read_text(), timeout=10)
    assert main(cli(files, "audit", "--json")) == 0
    entries = json.loads(capsys.readouterr().out)
    assert [(e["action"], e["actor"]["via"]) for e in entries[:2]] == [
        ("reload", "signal"), ("reload", "cli")]


def test_trigger_logs_follow_cancel_reschedule(files, owner, capsys) -> None:
    """trigger prints a run_id; logs --follow streams it; cancel CODE; reschedule and revert."""
    assert main(cli(files, "trigger", "chatty")) == 0
    run_id = capsys.readouterr().out.strip()
    assert RUN_ID.match(run_id)
    assert main(cli(files, "logs", run_id, "--follow")) == 0
    assert capsys.readouterr().out == "one\ntwo\n"

    assert main(cli(files, "trigger", "long")) == 0
    long_id = capsys.readouterr().out.strip()
    assert main(cli(files, "cancel", "long")) == 0
    assert capsys.readouterr().out == f"cancelled {long_id} (long): cancelled\n"
    assert main(cli(files, "cancel", "long")) == 1
    assert "has no run in progress" in capsys.readouterr().err
    assert main(cli(files, "cancel", "run_bogus")) == 1  # a mistyped run id, not a job code
    assert capsys.readouterr().err == "ysched-tui: unknown run_id 'run_bogus'\n"

    assert main(cli(files, "reschedule", "nightly", "--every", "5m")) == 0
    assert capsys.readouterr().out.startswith("rescheduled nightly: every 5 minutes; next run")
    assert main(cli(files, "reschedule", "nightly", "--cron", "61 * * * *")) == 2
    assert "minute" in capsys.readouterr().err
    assert main(cli(files, "reschedule", "nightly", "--revert")) == 0
    assert capsys.readouterr().out.startswith("reverted nightly: ")

    assert main(cli(files, "audit", "--json")) == 0
    entries = json.loads(capsys.readouterr().out)
    assert [e["action"] for e in entries] == [
        "revert", "reschedule", "cancel", "trigger", "trigger"]
    assert {(e["actor"]["user"], e["actor"]["via"]) for e in entries} == {
        (getpass.getuser(), "cli")}
    assert entries[3]["run_id"] == long_id


def test_connect_over_tcp_needs_the_token(files, tmp_path, capsys) -> None:
    """--connect http://... with --token-file reaches a daemon --listen; without it, 401."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    procs = Daemons(tmp_path)
    db, jobs = files
    proc = procs.start(db, jobs, "--listen", f"127.0.0.1:{port}")
    try:
        token = Path(str(db) + ".token")
        wait_until_sync(lambda: read_owner(str(db)) and token.exists()
                        and "owner of" in procs.log(0), timeout=15)
        assert token.stat().st_mode & 0o777 == 0o600
        url = f"http://127.0.0.1:{port}"
        other = tmp_path / "elsewhere.db"  # a remote owner needs no local database
        assert main(["--db", str(other), "--connect", url, "--token-file", str(token),
                     "status", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["owner_pid"] == proc.pid
        assert main(["--db", str(other), "--connect", url, "trigger", "chatty"]) != 0
        assert "token" in capsys.readouterr().err.lower()
    finally:
        procs.kill_all()
