"""render_toml: [[jobs]] tables that read back exactly, load as jobs and never repeat a code."""

from __future__ import annotations

import re
import tomllib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ysched_tui.config.jobs_file import read_toml_jobs
from ysched_tui.core.triggers import CronTrigger, StartupTrigger
from ysched_tui.importers import parse_crontab, render_toml
from ysched_tui.importers.crontab_toml import toml_key, toml_string

from .conftest import load

FILES = ("developer.crontab", "debian.crontab", "cron.d-pgbackup", "broken.crontab")


@pytest.mark.parametrize("name", FILES)
def test_rendered_tables_read_back_as_the_imported_values(name):
    """Every key tomllib reads back equals what was imported, byte for byte."""
    jobs = load(name).jobs
    tables = tomllib.loads(render_toml(jobs))["jobs"]
    assert len(tables) == len(jobs)
    for job, table in zip(jobs, tables, strict=True):
        expected = {"code": job.code, "name": job.name, "cron": job.schedule,
                    "command": job.command, "shell": job.shell}
        optional = {"description": job.description or None, "stdin": job.stdin,
                    "env": job.env or None, "user": job.user, "timezone": job.timezone,
                    "cwd": job.cwd}
        expected.update({k: v for k, v in optional.items() if v is not None})
        assert table == expected


def test_each_table_says_where_it_came_from(pgbackup):
    """A '# imported from FILE:LINE' comment precedes each [[jobs]] header."""
    text = render_toml(pgbackup.jobs)
    origins = re.findall(r"^# imported from (.+):(\d+)\n\[\[jobs\]\]$", text, re.M)
    assert [int(line) for _file, line in origins] == [9, 12, 14, 16]
    assert 'cron = "@reboot"' in text


def test_multiline_stdin_is_a_multiline_string(developer):
    """Standard input with newlines is written as a TOML multi-line string, readable as is."""
    text = render_toml([j for j in developer.jobs if j.line == 23])
    assert 'stdin = """\nHi team,\n\nAll green this week (100% uptime).\nDev\n"""' in text


def test_quotes_backslashes_and_controls_are_escaped():
    """Commands with quotes, backslashes, tabs and control characters survive the round trip."""
    crontab = '0 1 * * * printf "a\\tb\\\\n" \'x\' "\t"\x01 %"""q"""%tab\there\\\n'
    job = parse_crontab(crontab).jobs[0]
    table = tomllib.loads(render_toml([job]))["jobs"][0]
    assert (table["command"], table["stdin"]) == (job.command, job.stdin)
    assert job.stdin == '"""q"""\ntab\there\\\n'


@given(st.text(alphabet=st.characters(exclude_categories=("Cs",))))
def test_any_text_round_trips_as_a_toml_string(text):
    """toml_string writes any text so that tomllib reads back the same text."""
    assert tomllib.loads(f"v = {toml_string(text)}")["v"] == text


@given(st.text(alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\n"),
               min_size=1))
def test_any_env_name_round_trips_as_a_key(name):
    """Environment names that are not bare keys are quoted, so any name reads back."""
    assert tomllib.loads(f"env = {{ {toml_key(name)} = \"v\" }}")["env"] == {name: "v"}


def test_existing_codes_are_skipped_and_named(developer):
    """Jobs whose code is already in the jobs file are not written again, and a comment says so."""
    first, *rest = developer.jobs
    text = render_toml(developer.jobs, existing_codes={first.code})
    codes = [t["code"] for t in tomllib.loads(text)["jobs"]]
    assert codes == [job.code for job in rest]
    assert f"job code {first.code!r} is already in the jobs file" in text
    assert render_toml([]) == ""


@pytest.mark.parametrize("name", ("developer.crontab", "debian.crontab", "cron.d-pgbackup"))
def test_rendered_file_loads_as_jobs_with_the_right_triggers(name, tmp_path):
    """The project's jobs-file loader accepts the output: cron triggers, @reboot, zone, target."""
    jobs = load(name).jobs
    path = tmp_path / "ysched.toml"
    path.write_text(render_toml(jobs))
    loaded = read_toml_jobs(path, {})
    assert loaded.problems == []
    for job, spec in zip(jobs, loaded.specs, strict=True):
        expected = (StartupTrigger(timezone=job.timezone) if job.at_startup
                    else CronTrigger(expr=job.schedule, timezone=job.timezone))
        assert (spec.code, spec.triggers, spec.timezone) == (job.code, (expected,), job.timezone)
        target = spec.target
        assert (target.command, target.stdin, target.env, target.shell, target.user, target.cwd) \
            == (job.command, job.stdin, job.env, job.shell, job.user, job.cwd)
