"""Lines cronie refuses or reads specially: '-' lines, a '*' command, steps, L, ~, names, macros."""

from __future__ import annotations

import os
import pwd

import pytest

from ysched_tui.importers import parse_crontab

from .conftest import load


def only_problem(text: str, **kwargs: bool):
    result = parse_crontab(text, **kwargs)
    assert result.jobs == []
    [problem] = result.problems
    return problem


def test_dash_lines_import_in_system_and_root_crontabs_only():
    """cronie's '-' (no syslog line) is allowed in system crontabs and root's, else refused."""
    system = parse_crontab("-10 3 * * 7 root true\n-@daily root false\n", system=True)
    assert [(j.schedule, j.user, j.command) for j in system.jobs] == [
        ("10 3 * * 7", "root", "true"), ("@daily", "root", "false")]
    assert parse_crontab("-0 1 * * * true\n", root=True).jobs[0].schedule == "0 1 * * *"
    problem = only_problem("-0 1 * * * true\n")
    assert problem.line == 1 and "system crontabs and root's crontab" in problem.message
    assert "between '-'" in only_problem("- 0 1 * * * root true\n", system=True).message


@pytest.mark.parametrize(
    ("line", "system", "field"),
    [("* * * * * * /bin/true\n", False, "command"),
     ("0 1 * * * *\n", False, "command"),
     ("@daily * true\n", False, "command"),
     ("* * * * * * root true\n", True, "user")],
)
def test_a_command_or_user_starting_with_a_star_is_refused(line, system, field):
    """cron refuses '*' right after the five fields: it is a sixth time field, not a command."""
    problem = only_problem(line, system=system)
    assert problem.field == field and "sixth time field" in problem.message


@pytest.mark.parametrize(
    ("line", "field", "words"),
    [("5/15 * * * * true\n", "minute", "'5-<last>/15'"),
     ("0 0 * * mon/2 true\n", "day-of-week", "older cron runs it at mon only"),
     ("0 0 L * * true\n", "day-of-month", "'L' (last day of the month)"),
     ("0 0 1W * * true\n", "day-of-month", "invalid day-of-month field '1W'"),
     ("0 0 * * 5#3 true\n", "day-of-week", "Quartz/croniter extension"),
     ("0 0 ? * 1 true\n", "day-of-month", "Quartz/croniter extension"),
     ("0~30 * * * * true\n", "minute", "random '~'"),
     ("*/0 * * * * true\n", "minute", "a step must be 1 or more"),
     ("0 24 * * * true\n", "hour", "expected 0-23"),
     ("0 0 0 * * true\n", "day-of-month", "expected 1-31"),
     ("0 0 * 13 * true\n", "month", "expected 1-12"),
     ("0 0 * * 8 true\n", "day-of-week", "expected 0-7"),
     ("0 0 * * monday true\n", "day-of-week", "expected 0-7 or sun-sat"),
     ("0 0 30 2 * true\n", "day-of-month", "would never fire"),
     ("0 0 * * 1-5-7 true\n", "day-of-week", "cron accepts '*', '*/step'")],
)
def test_time_fields_cron_refuses_are_reported_with_their_field(line, field, words):
    """Anything outside crontab(5)'s field grammar or ranges is one problem naming the field."""
    problem = only_problem(line)
    assert (problem.line, problem.field) == (1, field)
    assert words in problem.message


@pytest.mark.parametrize(
    "schedule",
    ["1-10/3 * * * *", "0 0 * * 0-7", "0 0 * * 5-7", "0 0 * JAN-mar MON-fri", "0 0 * * Sun",
     "0 0 1,15 * 5", "*/15 9-17 * * 1-5", "0 0 */2 * 1", "00 07 01 01 *", "0 0 * * 7"],
)
def test_valid_fields_import_as_written(schedule):
    """Ranges, steps on ranges, names in any case, 0 and 7 for Sunday all import unchanged."""
    result = parse_crontab(f"{schedule} true\n")
    assert result.problems == [] and result.jobs[0].schedule == schedule


@pytest.mark.parametrize("macro", ["@Daily", "@HOURLY", "@Reboot", "@every", "@"])
def test_macros_are_lower_case_only(macro):
    """cronie compares macros with strcmp: any other spelling is refused, with the known ones."""
    assert "cron knows @reboot @yearly" in only_problem(f"{macro} true\n").message


def test_trailing_hash_is_part_of_the_command_and_long_lines_survive():
    """'#' after the command is the shell's business, not a crontab comment; no length cut."""
    long = "echo " + "x" * 20000
    result = parse_crontab(f"0 1 * * * echo hi # not a comment\n0 2 * * * {long}\n")
    assert [job.command for job in result.jobs] == ["echo hi # not a comment", long]


def test_service_file_users_zone_and_working_directories():
    """cron.d-services: users, '-' line, CRON_TZ with blanks, trailing '#' and homes as cwd."""
    result = load("cron.d-services")
    assert result.problems == []
    jobs = {job.line: job for job in result.jobs}
    assert sorted(jobs) == [19, 34, 41, 44, 47, 50, 51]
    assert jobs[47].schedule == "10 3 * * 7" and jobs[47].user == "root"
    assert jobs[50].user == "www-data" and jobs[50].timezone == "Europe/Berlin"
    assert jobs[50].command.endswith("/etc/logrotate.d/www  # not a comment for cron")
    assert jobs[34].env["PATH"].startswith("/usr/local/sbin") and "sysstat" in jobs[41].env["PATH"]
    assert jobs[51].command == "/usr/local/sbin/quarterly-report --format="
    assert jobs[51].stdin == "Y\nsent by cron\n"

    def home(user: str) -> str | None:
        try:
            return pwd.getpwnam(user).pw_dir
        except KeyError:
            return None

    assert {line: job.cwd for line, job in jobs.items()} == {
        line: home(job.user or "") for line, job in jobs.items()}
    assert os.path.isabs(jobs[19].cwd or "")


def test_tricky_file_imports_all_but_the_capitalised_macro():
    """tricky.crontab: every line imports except '@DAILY', which cron refuses."""
    result = load("tricky.crontab")
    assert [(p.line, "@DAILY" in p.message) for p in result.problems] == [(27, True)]
    assert len(result.jobs) == 18
