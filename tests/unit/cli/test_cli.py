"""The headless command line: output formats, exit codes and one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ysched_tui.cli import main

JOBS = """
[settings]
timezone = "UTC"

[[jobs]]
code = "hello"
name = "Say hello"
cron = "30 2 * * *"
command = "echo hello; echo oops >&2"

[[jobs]]
code = "broken"
command = "echo about to fail; exit 7"
"""


@pytest.fixture
def jobs_file(tmp_path: Path) -> Path:
    path = tmp_path / "ysched.toml"
    path.write_text(JOBS)
    return path


def cli(tmp_path: Path, jobs_file: Path, *args: str) -> list[str]:
    return ["--db", str(tmp_path / "t.db"), "--jobs", str(jobs_file), *args]


def test_cron_prints_only_timestamps(capsys):
    """`cron` prints N ISO 8601 timestamps with offsets and nothing else."""
    assert main(["cron", "30 4 1,15 * 5", "--next", "4", "--from", "2026-11-23T00:00",
                 "--tz", "Europe/Berlin"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "2026-11-27T04:30:00+01:00",
        "2026-12-01T04:30:00+01:00",
        "2026-12-04T04:30:00+01:00",
        "2026-12-11T04:30:00+01:00",
    ]


def test_cron_describe_and_seconds_form(capsys):
    """`--describe` adds the words; the seed's 6-field form has seconds first."""
    assert main(["cron", "0 30 9 * * MON-FRI", "--next", "2", "--from",
                 "2026-11-27T10:00:00+00:00", "--tz", "UTC", "--describe"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "09:30" in lines[0]
    assert lines[1:] == ["2026-11-30T09:30:00+00:00", "2026-12-01T09:30:00+00:00"]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["cron", "0 0 * * 9"], "day-of-week"),
        (["cron", "61 * * * *"], "minute"),
        (["cron", "* * * *"], "5"),
        (["cron", "* * * * *", "--tz", "Mars/Base"], "Mars/Base"),
        (["cron", "* * * * *", "--from", "yesterday-ish"], "--from"),
        (["history", "--status", "weird"], "weird"),
    ],
)
def test_bad_usage_exits_2_with_one_line(args, needle, capsys, tmp_path):
    """Bad input gives exit 2 and a one-line message naming what is wrong."""
    assert main(["--db", str(tmp_path / "t.db"), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and "Traceback" not in err and len(err.splitlines()) == 1


def test_unknown_subcommand_option_exits_2(capsys):
    """argparse errors are one line and exit 2."""
    with pytest.raises(SystemExit) as info:
        main(["jobs", "--no-such-flag"])
    assert info.value.code == 2
    assert "--no-such-flag" in capsys.readouterr().err


def test_check_lists_jobs_with_next_run(capsys, tmp_path, jobs_file):
    """`check` on a valid file prints a summary with each job's next run and touches no db."""
    assert main(cli(tmp_path, jobs_file, "check")) == 0
    out = capsys.readouterr().out
    assert "2 jobs OK" in out and "hello" in out and "02:30:00" in out
    assert not (tmp_path / "t.db").exists()


def test_check_reports_every_problem_with_location(capsys, tmp_path):
    """`check` on a broken file exits 2 naming file, job, field and line for each problem."""
    bad = tmp_path / "bad.toml"
    bad.write_text('[[jobs]]\ncode = "a"\ncron = "0 0 * * 9"\ncommand = "x"\n'
                   '[[jobs]]\ncode = "b"\nevery = "5x"\ncommand = "y"\n')
    assert main(["--db", str(tmp_path / "t.db"), "--jobs", str(bad), "check"]) == 2
    err = capsys.readouterr().err
    assert "bad.toml:3" in err and "'a'" in err and "day-of-week" in err
    assert "bad.toml:7" in err and "'b'" in err and "5x" in err
    assert not (tmp_path / "t.db").exists()


def test_run_streams_output_and_follows_status(capsys, tmp_path, jobs_file):
    """`run` streams the job's lines and exits with its status (the command's exit code)."""
    assert main(cli(tmp_path, jobs_file, "run", "hello")) == 0
    captured = capsys.readouterr()
    assert "hello" in captured.out and "oops" in captured.err
    assert main(cli(tmp_path, jobs_file, "run", "broken")) == 7
    assert "about to fail" in capsys.readouterr().out


def test_jobs_history_logs_stats_read_the_database(capsys, tmp_path, jobs_file):
    """After a run, jobs/history/logs/stats show it, in tables and in JSON."""
    assert main(cli(tmp_path, jobs_file, "run", "broken")) == 7
    capsys.readouterr()
    assert main(cli(tmp_path, jobs_file, "jobs", "--json")) == 0
    jobs = {j["code"]: j for j in json.loads(capsys.readouterr().out)}
    for key in ("code", "name", "kind", "paused", "next_run_time", "last_status", "run_count"):
        assert key in jobs["hello"]
    assert jobs["broken"]["last_status"] == "failed" and jobs["broken"]["run_count"] == 1
    assert jobs["hello"]["next_run_time"].endswith("+00:00")

    assert main(cli(tmp_path, jobs_file, "history", "broken", "--json")) == 0
    (run,) = json.loads(capsys.readouterr().out)
    assert run["status"] == "failed" and run["exit_code"] == 7
    assert run["trigger_type"] == "manual" and run["attempt"] == 1

    assert main(cli(tmp_path, jobs_file, "logs", run["run_id"])) == 0
    assert capsys.readouterr().out.splitlines() == ["about to fail"]

    assert main(cli(tmp_path, jobs_file, "stats", "--json")) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["today"]["total_runs"] == 1 and stats["today"]["failed_runs"] == 1

    assert main(cli(tmp_path, jobs_file, "history", "--status", "success")) == 0
    assert "broken" not in capsys.readouterr().out


def test_unknown_codes_exit_1(capsys, tmp_path, jobs_file):
    """Unknown job codes and run ids are runtime errors: exit 1 and a one-line message."""
    assert main(cli(tmp_path, jobs_file, "run", "nope")) == 1
    assert "unknown job code 'nope'" in capsys.readouterr().err
    assert main(cli(tmp_path, jobs_file, "logs", "run_20260101_000000_abcdef")) == 1
    assert "unknown run_id" in capsys.readouterr().err


def test_console_entry_point_is_installed():
    """The `ysched-tui` script and `python -m ysched_tui` both answer --help."""
    out = subprocess.run([sys.executable, "-m", "ysched_tui", "--help"], capture_output=True,
                         text=True, check=True, env={**os.environ, "NO_COLOR": "1"}).stdout
    for command in ("daemon", "run", "jobs", "history", "logs", "stats", "cron", "check"):
        assert command in out


def test_closed_pipe_ends_quietly_with_141():
    """A reader that goes away (`| head -1`) ends the command with 141 and no traceback."""
    proc = subprocess.Popen([sys.executable, "-m", "ysched_tui", "cron", "* * * * *",
                             "--next", "100000"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(30) == 141
    assert first.strip() and err == b""


def test_version_prints_the_version_and_exits_0(capsys):
    """``--version`` prints the program and its version, exit 0."""
    from ysched_tui.version import __version__

    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"ysched-tui {__version__}"


@pytest.mark.parametrize("args", [
    ["history", "--job", "x"],          # --jobs is the global option; --job is not it
    ["--jo", "f.toml", "jobs"],
    ["cron", "* * * * *", "--ne", "2"],
])
def test_option_abbreviations_are_refused(args, capsys, tmp_path):
    """An abbreviated option is an error (exit 2), never silently read as the full one, and
    nothing is created."""
    with pytest.raises(SystemExit) as stop:
        main(["--db", str(tmp_path / "t.db"), *args])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("ysched-tui: error:") and err.count("\n") == 1, err
    assert not (tmp_path / "t.db").exists()


@pytest.mark.parametrize("command", [
    ["jobs"], ["jobs", "--json"], ["history"], ["logs", "run_20260101_000000_abcdef"],
    ["stats"], ["audit"],
])
def test_read_commands_on_a_missing_database_create_nothing(command, capsys, tmp_path):
    """A read-only command on a path with no database exits 1 with one line naming the path,
    and creates nothing (a mistyped --db must not look like an empty scheduler)."""
    db = tmp_path / "nonexist.db"
    assert main(["--db", str(db), *command]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"no database at {db}" in err, err
    assert list(tmp_path.iterdir()) == []


def test_cron_reboot_says_it_has_no_clock_times(capsys):
    """``cron @reboot`` is valid (exit 0) but lists nothing: one stderr line says why."""
    assert main(["cron", "@reboot", "--next", "5"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and "each time the scheduler starts" in captured.err
