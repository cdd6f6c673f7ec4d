"""``ysched-tui import-crontab``: printing, problems with line numbers, exit codes, --write."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import tomllib

import pytest

from ysched_tui.cli import main
from ysched_tui.cli.import_crontab_cmd import looks_like_system_crontab

from .conftest import DATA

DEVELOPER = str(DATA / "developer.crontab")
BROKEN = str(DATA / "broken.crontab")
PGBACKUP = str(DATA / "cron.d-pgbackup")


@pytest.fixture(autouse=True)
def _in_tmp_dir(tmp_path, monkeypatch):
    """Run every command in a scratch folder so the default ./ysched.toml is never the repo's."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("YSCHED_JOBS", raising=False)


def test_prints_toml_and_exits_0_when_every_line_converts(capsys):
    """Without --write the [[jobs]] tables go to stdout, nothing to stderr, exit 0."""
    assert main(["import-crontab", DEVELOPER]) == 0
    out, err = capsys.readouterr()
    assert len(tomllib.loads(out)["jobs"]) == 20
    assert err == ""


def test_problems_go_to_stderr_with_line_numbers_and_exit_1(capsys):
    """Each unconvertible line is one stderr line naming file and line; the good ones print."""
    assert main(["import-crontab", BROKEN]) == 1
    out, err = capsys.readouterr()
    assert [t["command"] for t in tomllib.loads(out)["jobs"]] == [
        "/usr/local/bin/good-before", "/usr/local/bin/good-after"]
    lines = err.splitlines()
    assert len(lines) == 9
    assert lines[0].startswith(f"{BROKEN}:4, field 'minute': invalid minute field '60'")
    assert all(line.startswith(f"{BROKEN}:") for line in lines)


def test_reads_standard_input_with_a_dash(capsys, monkeypatch):
    """'-' (or no FILE) reads the crontab from standard input, e.g. `crontab -l | ...`."""
    monkeypatch.setattr("sys.stdin", io.StringIO("MAILTO=x\n@hourly date\n"))
    assert main(["import-crontab", "-"]) == 0
    table = tomllib.loads(capsys.readouterr().out)["jobs"][0]
    assert (table["cron"], table["command"], table["env"]) == (
        "@hourly", "date", {"PATH": "/usr/bin:/bin", "MAILTO": "x"})
    monkeypatch.setattr("sys.stdin", io.StringIO("@daily true\n"))
    assert main(["import-crontab"]) == 0
    assert "<stdin>:1" in capsys.readouterr().out


def test_system_flag_reads_the_user_field(capsys):
    """--system takes the field after the times as the user to run as."""
    assert main(["import-crontab", "--system", PGBACKUP]) == 0
    tables = tomllib.loads(capsys.readouterr().out)["jobs"]
    assert [t["user"] for t in tables] == ["postgres", "postgres", "root", "postgres"]


def test_missing_file_is_a_usage_error(capsys, tmp_path):
    """An unreadable crontab is one line on stderr naming it, exit 2, no traceback."""
    missing = tmp_path / "nope.crontab"
    assert main(["import-crontab", str(missing)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"ysched-tui: cannot read crontab {missing}: No such file or directory\n"


def test_write_creates_then_appends_without_clobbering(capsys, tmp_path):
    """--write appends new codes only; jobs already in the file are kept; re-import adds nothing."""
    jobs_file = tmp_path / "ysched.toml"
    existing = '[settings]\ntimezone = "UTC"\n\n[[jobs]]\ncode = "mine"\ncommand = "true"\n'
    jobs_file.write_text(existing)
    assert main(["import-crontab", DEVELOPER, "--write"]) == 0
    out, _ = capsys.readouterr()
    assert out == "appended 20 jobs to ysched.toml\n"
    text = jobs_file.read_text()
    assert text.startswith(existing)
    codes = [t["code"] for t in tomllib.loads(text)["jobs"]]
    assert codes[0] == "mine" and len(codes) == 21

    assert main(["import-crontab", DEVELOPER, "--write"]) == 0
    out, err = capsys.readouterr()
    assert out == "appended 0 jobs to ysched.toml (20 already there)\n"
    assert err.count("already in ysched.toml, kept as is") == 20
    assert jobs_file.read_text() == text


def test_write_to_a_new_file_with_problems_exits_1(capsys, tmp_path):
    """--jobs names the file (created if missing); bad lines still make the exit code 1."""
    jobs_file = tmp_path / "jobs.toml"
    assert main(["import-crontab", BROKEN, "--write", "--jobs", str(jobs_file)]) == 1
    out, err = capsys.readouterr()
    assert out == f"appended 2 jobs to {jobs_file} (9 lines not converted)\n"
    assert len(err.splitlines()) == 9
    assert len(tomllib.loads(jobs_file.read_text())["jobs"]) == 2
    assert not (tmp_path / "ysched.toml").exists()


def test_write_uses_ysched_jobs_from_the_environment(capsys, tmp_path, monkeypatch):
    """Without --jobs, YSCHED_JOBS names the jobs file --write appends to."""
    jobs_file = tmp_path / "from-env.toml"
    monkeypatch.setenv("YSCHED_JOBS", str(jobs_file))
    assert main(["import-crontab", "--system", PGBACKUP, "--write"]) == 0
    assert capsys.readouterr().out == f"appended 4 jobs to {jobs_file}\n"
    assert len(tomllib.loads(jobs_file.read_text())["jobs"]) == 4


def test_write_refuses_a_broken_jobs_file(capsys, tmp_path):
    """A jobs file that is not valid TOML is left untouched and named in the error (exit 2)."""
    jobs_file = tmp_path / "ysched.toml"
    jobs_file.write_text("[[jobs]\ncode = 'x'\n")
    assert main(["import-crontab", DEVELOPER, "--write", "--jobs", str(jobs_file)]) == 2
    assert "is not valid TOML" in capsys.readouterr().err
    assert jobs_file.read_text() == "[[jobs]\ncode = 'x'\n"


def test_write_refuses_an_inline_jobs_array(capsys, tmp_path):
    """Appending [[jobs]] to a file that defines jobs as an inline array would break it: refused."""
    jobs_file = tmp_path / "ysched.toml"
    jobs_file.write_text('jobs = [{ code = "a", command = "true" }]')
    assert main(["import-crontab", DEVELOPER, "--write", "--jobs", str(jobs_file)]) == 2
    assert "inline array" in capsys.readouterr().err
    assert jobs_file.read_text() == 'jobs = [{ code = "a", command = "true" }]'


def test_system_locations_are_recognised_for_the_missing_flag_note():
    """/etc/crontab and /etc/cron.d files are flagged as system crontabs; others are not."""
    assert looks_like_system_crontab("/etc/crontab")
    assert looks_like_system_crontab("/etc/cron.d/certbot")
    assert not looks_like_system_crontab("/etc/crontab.bak")
    assert not looks_like_system_crontab("<stdin>")
    assert not looks_like_system_crontab(DEVELOPER)


def test_an_imported_job_runs_with_its_stdin_home_and_escaped_percents(tmp_path):
    """A real run of an imported line: % text on stdin (newline-ended), \\% literal, HOME as cwd."""
    home = tmp_path / "home"
    home.mkdir()
    crontab = tmp_path / "crontab"
    crontab.write_text(f"HOME={home}\n"
                       "0 1 * * * pwd; date +\\%Y-\\%m-\\%d; "
                       f"{sys.executable} -c 'import sys; print(repr(sys.stdin.read()))'"
                       "%first%second 100\\%\n")
    jobs = tmp_path / "jobs.toml"
    env = {**os.environ, "YSCHED_JOBS": str(jobs)}
    cli = [sys.executable, "-m", "ysched_tui"]
    subprocess.run([*cli, "import-crontab", str(crontab), "--write"], check=True, env=env,
                   cwd=tmp_path, capture_output=True)
    code = tomllib.loads(jobs.read_text())["jobs"][0]["code"]
    run = subprocess.run([*cli, "--jobs", str(jobs), "--db", str(tmp_path / "y.db"), "run", code],
                         env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    lines = run.stdout.splitlines()
    assert run.returncode == 0, run.stderr
    assert lines[0] == str(home)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", lines[1])
    assert lines[2:] == [repr("first\nsecond 100%\n")]


def test_entries_of_other_users_get_a_note(capsys, tmp_path):
    """--system lines for another user than the importer's are named on stderr (not silent)."""
    crontab = tmp_path / "cron.d-x"
    crontab.write_text("0 1 * * * someone-else true\n")
    assert main(["import-crontab", "--system", str(crontab)]) == 0
    err = capsys.readouterr().err
    assert f"{crontab}:1: note: cron runs this as 'someone-else'" in err
    assert "only when it runs as root" in err
