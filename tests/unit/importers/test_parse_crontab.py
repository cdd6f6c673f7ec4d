"""parse_crontab: entries, environment scoping, descriptions, system users and problems."""

from __future__ import annotations

import os
import pwd

from ysched_tui.importers import parse_crontab

from .conftest import DATA, load


def by_line(result):
    return {job.line: job for job in result.jobs}


def test_user_crontab_imports_every_entry_and_nothing_else(developer):
    """Each entry line of a user crontab is one job; comments, blanks and assignments are not."""
    assert developer.problems == []
    assert [job.line for job in developer.jobs] == [
        10, 14, 16, 17, 19, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 38, 39, 41]


def test_assignments_apply_only_to_the_lines_after_them(developer):
    """An assignment is in force from its line on; a later one with the same name replaces it."""
    jobs = by_line(developer)
    assert jobs[10].env == {"MAILTO": "dev@example.com",
                            "PATH": "/home/dev/bin:/usr/local/bin:/usr/bin:/bin"}
    assert jobs[38].env["MAILTO"] == ""
    assert jobs[38].env["DEBUG"] == "  yes  "
    assert jobs[38].env["NOTE"] == "spaces kept"
    assert "DEBUG" not in jobs[32].env


def test_shell_becomes_the_shell_not_an_env_entry(developer, debian):
    """SHELL picks the job's shell (cron's default /bin/sh) and is not repeated in env; PATH is
    cron's /usr/bin:/bin unless the crontab sets one."""
    assert {job.shell for job in developer.jobs} == {"/bin/bash"}
    assert all("SHELL" not in job.env for job in developer.jobs)
    assert {job.shell for job in debian.jobs} == {"/bin/sh"}
    plain = parse_crontab("0 1 * * * true\n").jobs[0]
    assert (plain.shell, plain.env) == ("/bin/sh", {"PATH": "/usr/bin:/bin"})
    own = parse_crontab("PATH=/opt/bin:/usr/bin\n0 1 * * * true\n").jobs[0]
    assert own.env == {"PATH": "/opt/bin:/usr/bin"}


def test_cron_tz_sets_the_zone_of_following_lines(developer, pgbackup):
    """CRON_TZ (cronie) is the zone the times of the lines after it are read in."""
    assert by_line(developer)[41].timezone == "America/New_York"
    assert all(job.timezone is None for job in developer.jobs if job.line < 41)
    zones = {job.line: job.timezone for job in pgbackup.jobs}
    assert zones == {9: "Europe/Berlin", 12: "Europe/Berlin", 14: "Europe/Berlin", 16: "UTC"}


def test_percent_is_stdin_and_escaped_percent_is_literal(developer, pgbackup):
    """The first % starts stdin, further % are newlines, \\% is a literal % in command and stdin."""
    jobs = by_line(developer)
    assert jobs[19].command.startswith("tar czf ~/logs/app-$(date +%Y-%m-%d).tgz")
    assert jobs[19].stdin is None
    assert jobs[23].command == 'mail -s "Weekly status" team@example.com'
    assert jobs[23].stdin == "Hi team,\n\nAll green this week (100% uptime).\nDev\n"
    psql = by_line(pgbackup)[12]
    assert psql.command == "psql -X -q -d app"
    assert psql.stdin == ("SELECT relname, n_dead_tup\n  FROM pg_stat_user_tables\n"
                          "  ORDER BY n_dead_tup DESC LIMIT 10;\n")


def test_reboot_and_macros_keep_their_schedule(developer):
    """@reboot and every time macro are imported as written, tabs after them included."""
    schedules = [job.schedule for job in developer.jobs if job.schedule.startswith("@")]
    assert schedules == ["@reboot", "@hourly", "@daily", "@weekly", "@monthly", "@yearly",
                         "@annually", "@midnight"]
    reboot = by_line(developer)[10]
    assert reboot.at_startup and reboot.command == "tmux new-session -d -s dev"
    assert by_line(developer)[24].command == "ntpdate -q pool.ntp.org"


def test_time_fields_are_joined_with_single_spaces(debian):
    """Tabs and runs of blanks between time fields do not end up in the expression."""
    assert [job.schedule for job in debian.jobs] == [
        "17 * * * *", "25 6 * * *", "47 6 * * 7", "52 6 1 * *"]


def test_comments_directly_above_become_the_description(developer):
    """The comment block right above an entry describes it; a blank line or assignment ends it."""
    jobs = by_line(developer)
    assert jobs[10].description == "Start the tmux session for the dev box"
    assert jobs[14].description == (
        "Pull all repos before I get to work\n(quietly; errors are mailed)")
    assert jobs[16].description == ""
    assert jobs[21].description == "paycheck reminder: 1st and 15th and every Friday"
    assert jobs[39].description == ""
    after_assignment = parse_crontab("# about X\nX=1\n0 1 * * * true\n").jobs[0]
    assert after_assignment.description == ""


def test_system_crontab_reads_the_user_field(debian, pgbackup):
    """With system=True the field after the times is the user; the command follows it."""
    assert {job.user for job in debian.jobs} == {"root"}
    assert debian.jobs[0].command == "cd / && run-parts --report /etc/cron.hourly"
    assert [job.user for job in pgbackup.jobs] == ["postgres", "postgres", "root", "postgres"]
    assert by_line(pgbackup)[14].schedule == "@reboot"
    assert all(job.user is None for job in load("developer.crontab").jobs)


def test_system_line_without_user_or_command_is_a_problem():
    """A system entry needs a user and a command after the times."""
    result = parse_crontab("0 1 * * *\n0 2 * * * root\n@daily\n0 3 * * * root true\n",
                           system=True, source="/etc/cron.d/x")
    assert [(p.line, p.field) for p in result.problems] == [(1, "user"), (2, "command"),
                                                            (3, "user")]
    assert [job.line for job in result.jobs] == [4]


def test_home_sets_the_working_directory(pgbackup, developer):
    """HOME in force is where cron starts the command, else the user's home: the job's cwd."""
    assert {job.cwd for job in pgbackup.jobs} == {"/var/lib/postgresql"}
    assert {job.cwd for job in developer.jobs} == {pwd.getpwuid(os.geteuid()).pw_dir}
    system = parse_crontab("0 1 * * * root true\n0 2 * * * no-such-user-x true\n", system=True)
    assert [job.cwd for job in system.jobs] == [pwd.getpwnam("root").pw_dir, None]


def test_unconvertible_lines_are_reported_and_the_others_import():
    """Each bad line is one problem with its line number and a reason; good lines still import."""
    result = load("broken.crontab")
    assert [job.line for job in result.jobs] == [3, 15]
    problems = {p.line: p for p in result.problems}
    assert sorted(problems) == [4, 5, 6, 7, 8, 9, 10, 11, 13]
    assert problems[4].field == "minute" and "'60'" in problems[4].message
    assert problems[5].field == "day-of-week"
    assert "unknown macro '@every5m'" in problems[6].message
    assert "unknown macro '@Daily'" in problems[7].message
    assert "not a cron entry" in problems[9].message
    assert "closing quote" in problems[10].message
    assert "no command" in problems[11].message
    assert "Mars/Olympus_Mons" in problems[13].message and "line 12" in problems[13].message
    assert all(p.file == str(DATA / "broken.crontab") for p in result.problems)
    assert result.jobs[1].timezone is None  # an empty CRON_TZ unsets the zone


def test_codes_are_stable_across_imports_and_unique(developer):
    """Importing the same file twice gives the same codes; duplicate lines get -2, -3 suffixes."""
    again = load("developer.crontab")
    assert [job.code for job in again.jobs] == [job.code for job in developer.jobs]
    codes = [job.code for job in developer.jobs]
    assert len(set(codes)) == len(codes)
    first, second = by_line(developer)[38].code, by_line(developer)[39].code
    assert second == first + "-2"
    assert all(set(code) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
               for code in codes)


def test_codes_name_the_program_and_ignore_position_and_comments():
    """A code is program name + hash of schedule/user/command, unaffected by moves or comments."""
    one = parse_crontab("0 1 * * * cd /srv && ./backup.sh --full\n@daily nice -n 5 /bin/gc\n")
    moved = parse_crontab("# note\n\n@daily nice -n 5 /bin/gc\nX=1\n"
                          "0  1 * * *  cd /srv && ./backup.sh --full\n")
    assert [j.code for j in one.jobs] == [j.code for j in reversed(moved.jobs)]
    assert one.jobs[0].code.startswith("backup.sh-")
    assert one.jobs[1].code.startswith("gc-")
    other_user = parse_crontab("0 1 * * * alice true\n0 1 * * * bob true\n", system=True)
    assert other_user.jobs[0].code != other_user.jobs[1].code


def test_crlf_is_tolerated_and_a_last_line_without_newline_is_reported():
    """Windows line ends do not leak into commands; cron ignores a last line without newline."""
    result = parse_crontab("A=1\r\n0 1 * * * echo hi\r\n@daily true")
    assert [(j.command, j.env) for j in result.jobs] == [
        ("echo hi", {"PATH": "/usr/bin:/bin", "A": "1"})]
    assert [(p.line, "no newline" in p.message) for p in result.problems] == [(3, True)]
    assert parse_crontab("@daily true\n# a last comment").problems == []
