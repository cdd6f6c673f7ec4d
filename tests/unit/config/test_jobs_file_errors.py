"""TOML jobs file errors: every message names the file, job code, field and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from ysched_tui.config import load_jobs_file
from ysched_tui.errors import JobsFileError, Problem
from ysched_tui.settings import load_settings

SCRIPT = '''"""Sync accounts."""


async def run(target: str, days: int = 7) -> None:
    pass
'''

DURATION = "a duration like '30s', '5m', '1h30m'"


def _problems(folder: Path, text: str, *, scripts: bool = False) -> list[Problem]:
    path = folder / "jobs.toml"
    path.write_text(text.lstrip("\n"), encoding="utf-8")
    scripts_dir = None
    if scripts:
        scripts_dir = folder / "scripts"
        scripts_dir.mkdir()
        (scripts_dir / "sync.py").write_text(SCRIPT, encoding="utf-8")
    with pytest.raises(JobsFileError) as info:
        load_jobs_file(path, load_settings(scripts_dir=scripts_dir))
    assert info.value.exit_code == 2
    return info.value.problems


def _only(folder: Path, text: str, *, scripts: bool = False) -> Problem:
    (problem,) = _problems(folder, text, scripts=scripts)
    return problem


# (TOML text, code, field, line, message) — one problem each.
CASES = {
    "toml syntax": (
        '[[jobs]]\ncode = "a"\ncommand = "x\n',
        None, None, 3, "invalid TOML: Illegal character '\\n' (column 13)"),
    "unknown top-level key": (
        'job = []\n', None, "job", 1, "unknown key 'job'; did you mean 'jobs'? at the top level"),
    "unknown key with suggestion": (
        '[[jobs]]\ncode = "a"\ncommand = "x"\ncrn = "* * * * *"\n',
        "a", "crn", 4, "unknown key 'crn'; did you mean 'cron'?"),
    "unknown key without suggestion": (
        '[[jobs]]\ncode = "a"\ncommand = "x"\nzzz = 1\n', "a", "zzz", 4, "unknown key 'zzz'"),
    "missing code": (
        '[[jobs]]\nname = "x"\ncommand = "x"\n', None, "code", 1,
        "missing 'code': every job needs a unique code such as 'backup_db'"),
    "code not a string": (
        '[[jobs]]\ncode = 5\ncommand = "x"\n', None, "code", 2, "expected a string, got 5"),
    "bad code characters": (
        '[[jobs]]\ncode = "backup db"\ncommand = "x"\n', "backup db", "code", 2,
        "invalid code 'backup db': use only letters, digits, '_', '.' and '-'"),
    "no kind": (
        '[[jobs]]\ncode = "a"\nevery = "5m"\n', "a", None, 1,
        "no job kind: set exactly one of 'command', 'http', 'python', 'script'"),
    "two kinds": (
        '[[jobs]]\ncode = "a"\ncommand = "x"\npython = "m:f"\n', "a", "python", 4,
        "more than one job kind ('command' and 'python'): set exactly one"),
    "option of another kind": (
        '[[jobs]]\ncode = "a"\nhttp = "https://x.test"\ncwd = "/tmp"\n', "a", "cwd", 4,
        "'cwd' applies to command jobs, not http jobs"),
    "bad cron names the field": (
        '[[jobs]]\ncode = "a"\ncommand = "x"\ncron = ["0 0 * * *", "61 * * * *"]\n', "a", "cron",
        4, "invalid minute field '61' in '61 * * * *': expected 0-59"),
    "bad every": (
        '[[jobs]]\ncode = "a"\ncommand = "x"\nevery = "5x"\n', "a", "every", 4,
        f"expected a number of seconds > 0 or {DURATION}, got '5x'"),
    "zero every": (
        '[[jobs]]\ncode = "a"\ncommand = "x"\nevery = 0\n', "a", "every", 4,
        f"expected a number of seconds > 0 or {DURATION}, got 0"),
    "bad timeout": (
        '[[jobs]]\ncode = "a"\ncommand = "x"\ntimeout = "soon"\n', "a", "timeout", 4,
        f"expected a number of seconds > 0 or {DURATION}, got 'soon'"),
    "bad jitter": (
        '[[jobs]]\ncode = "a"\ncommand = "x"\nevery = 5\njitter = -1\n', "a", "jitter", 5,
        f"expected a number of seconds >= 0 or {DURATION}, got -1"),
    "bad at": (
        '[[jobs]]\ncode = "a"\ncommand = "x"\nat = "tomorrow"\n', "a", "at", 4,
        "expected an ISO 8601 date-time such as '2026-12-31T23:59:00', got 'tomorrow'"),
    "end before start": (
        '[[jobs]]\ncode = "a"\ncommand = "x"\nevery = 5\nstart = 2026-02-01T00:00:00\n'
        'end = 2026-01-01T00:00:00\n', "a", "end", 6,
        "'end' (2026-01-01T00:00:00) must be after 'start' (2026-02-01T00:00:00)"),
    "start without schedule": (
        '[[jobs]]\ncode = "a"\ncommand = "x"\nstart = 2026-02-01T00:00:00\n', "a", "start", 4,
        "'start' needs a schedule: set 'cron', 'every' or 'at'"),
    "bad timezone": (
        '[[jobs]]\ncode = "a"\ncommand = "x"\ntimezone = "Mars/Base"\n', "a", "timezone", 4,
        "expected an IANA time zone name such as 'Europe/Berlin' or 'UTC', got 'Mars/Base'"),
    "bad concurrency": (
        '[[jobs]]\ncode = "a"\ncommand = "x"\nconcurrency = "parallel"\n', "a", "concurrency", 4,
        "expected 'skip', 'queue' or an integer >= 1, got 'parallel'"),
    "zero concurrency": (
        '[[jobs]]\ncode = "a"\ncommand = "x"\nconcurrency = 0\n', "a", "concurrency", 4,
        "expected 'skip', 'queue' or an integer >= 1, got 0"),
    "bad catch_up": (
        '[[jobs]]\ncode = "a"\ncommand = "x"\ncatch_up = "later"\n', "a", "catch_up", 4,
        "expected one of 'once', 'all', 'skip', got 'later'"),
    "negative misfire_grace": (
        '[[jobs]]\ncode = "a"\ncommand = "x"\nmisfire_grace = -5\n', "a", "misfire_grace", 4,
        f"expected a number of seconds >= 0 or {DURATION}, got -5"),
    "negative retries count": (
        '[[jobs]]\ncode = "a"\ncommand = "x"\nretries = -1\n', "a", "retries", 4,
        "expected an integer >= 0, got -1"),
    "negative retries.max in a section": (
        '[[jobs]]\ncode = "a"\ncommand = "x"\n\n[jobs.retries]\ndelay = 5\nmax = -2\n',
        "a", "retries.max", 7, "expected an integer >= 0, got -2"),
    "negative retries.delay": (
        '[[jobs]]\ncode = "a"\ncommand = "x"\nretries = { max = 1, delay = "-5s" }\n',
        "a", "retries.delay", 4, f"expected a number of seconds >= 0 or {DURATION}, got '-5s'"),
    "retries.backoff below one": (
        '[[jobs]]\ncode = "a"\ncommand = "x"\nretries = { max = 1, backoff = 0.5 }\n',
        "a", "retries.backoff", 4, "expected a number >= 1, got 0.5"),
    "unknown retries key": (
        '[[jobs]]\ncode = "a"\ncommand = "x"\nretries = { max = 1, maxdelay = 3 }\n',
        "a", "retries.maxdelay", 4, "unknown key 'maxdelay'; did you mean 'max_delay'?"),
    "bad hook table": (
        '[[jobs]]\ncode = "a"\ncommand = "x"\nhooks = [{ on = ["oops"], webhook = "https://x" }]\n',
        "a", "hooks", 4, "hook 1: 'on' expects a list of 'failure', 'success', 'missed', "
        "got ['oops']"),
    "hook with both targets": (
        '[[jobs]]\ncode = "a"\ncommand = "x"\nhooks = [{ webhook = "https://x", command = "y" }]\n',
        "a", "hooks", 4, "hook 1: a hook needs exactly one of 'webhook' (a URL) or 'command'"),
    "empty hook shorthand": (
        '[[jobs]]\ncode = "a"\ncommand = "x"\non_failure = ""\n', "a", "on_failure", 4,
        "expected a webhook URL or a command, got ''"),
    "bad http url": (
        '[[jobs]]\ncode = "a"\nhttp = "ftp://x"\n', "a", "http", 3,
        "expected an http:// or https:// URL, got 'ftp://x'"),
    "bad http method": (
        '[[jobs]]\ncode = "a"\nhttp = "https://x"\nmethod = "FETCH"\n', "a", "method", 4,
        "expected one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, got 'FETCH'"),
    "bad status codes": (
        '[[jobs]]\ncode = "a"\nhttp = "https://x"\nsuccess_codes = [200, 999]\n', "a",
        "success_codes", 4, "expected a list of HTTP status codes (100-599), got [200, 999]"),
    "json and data": (
        '[[jobs]]\ncode = "a"\nhttp = "https://x"\njson = {}\ndata = "x"\n', "a", "json", 4,
        "set either 'json' or 'data', not both"),
    "http table without url": (
        '[[jobs]]\ncode = "a"\n\n[jobs.http]\nmethod = "GET"\n', "a", "http", 4,
        "the 'http' table needs a 'url'"),
    "unknown key in http table": (
        '[[jobs]]\ncode = "a"\nhttp = { url = "https://x", methd = "GET" }\n', "a", "http.methd",
        3, "unknown key 'methd'; did you mean 'method'?"),
    "bad python ref": (
        '[[jobs]]\ncode = "a"\npython = "module.func"\n', "a", "python", 3,
        "expected 'package.module:function', got 'module.func'"),
    "bad python args": (
        '[[jobs]]\ncode = "a"\npython = "m:f"\nargs = "x"\n', "a", "args", 4,
        "expected a list, got 'x'"),
    "empty command": (
        '[[jobs]]\ncode = "a"\ncommand = ""\n', "a", "command", 3,
        "expected a non-empty string, got ''"),
    "bad env value": (
        '[[jobs]]\ncode = "a"\ncommand = "x"\nenv = { A = [1] }\n', "a", "env", 4,
        "expected a string for 'A', got [1]"),
    "bad tags": (
        '[[jobs]]\ncode = "a"\ncommand = "x"\ntags = [1]\n', "a", "tags", 4,
        "expected a string or a list of strings, got [1]"),
    "bad enabled": (
        '[[jobs]]\ncode = "a"\ncommand = "x"\nenabled = "yes"\n', "a", "enabled", 4,
        "expected true or false, got 'yes'"),
    "jobs not an array of tables": (
        'jobs = "x"\n', None, "jobs", 1, "'jobs' must be [[jobs]] tables"),
    "include missing": (
        'include = ["nope.py"]\n', None, "include", 1, "cannot include 'nope.py': file not found"),
    "include wrong kind": (
        'include = "notes.txt"\n', None, "include", 1,
        "cannot include 'notes.txt': expected a .toml or .py jobs file"),
}


@pytest.mark.parametrize(("text", "code", "field", "line", "message"), CASES.values(),
                         ids=CASES.keys())
def test_each_problem_is_reported_precisely(
    tmp_path: Path, text: str, code: str | None, field: str | None, line: int, message: str
) -> None:
    """Each kind of mistake gives one problem naming file, job code, field and line."""
    problem = _only(tmp_path, text)
    assert (problem.file, problem.code, problem.field, problem.line) == (
        str(tmp_path / "jobs.toml"), code, field, line)
    if message.startswith("cannot include") and "file not found" in message:
        assert problem.message.startswith(message)
    else:
        assert problem.message == message


def test_duplicate_codes_name_both_lines(tmp_path: Path) -> None:
    """A code used twice is reported at the second table and names the first one's line."""
    problem = _only(tmp_path, """
[[jobs]]
code = "dup"
command = "x"

[[jobs]]
code = "dup"
command = "y"
""")
    assert (problem.code, problem.field, problem.line) == ("dup", "code", 6)
    assert problem.message == "duplicate code 'dup': also defined at line 1"


def test_all_problems_are_collected(tmp_path: Path) -> None:
    """Problems in several jobs are reported together, in line order."""
    problems = _problems(tmp_path, """
[[jobs]]
code = "a"
command = "x"
timeout = "never"

[[jobs]]
code = "b"
cron = "* * *"
command = "x"
concurrency = -1
""")
    assert [(p.code, p.field, p.line) for p in problems] == [
        ("a", "timeout", 4), ("b", "cron", 8), ("b", "concurrency", 10)]
    assert problems[1].message.startswith("invalid cron expression '* * *': it has 3 fields")


def test_unknown_script(tmp_path: Path) -> None:
    """A script name not in scripts_dir is reported with the scripts that exist."""
    problem = _only(tmp_path, '[[jobs]]\nscript = "nosuch"\n', scripts=True)
    assert (problem.code, problem.field, problem.line) == ("nosuch", "script", 2)
    assert problem.message == (
        "unknown script 'nosuch'; known scripts: sync (see the scripts_dir setting)")


def test_script_without_scripts_dir(tmp_path: Path) -> None:
    """script = ... with no scripts_dir says no scripts were found."""
    problem = _only(tmp_path, '[[jobs]]\nscript = "sync"\n')
    assert problem.message == (
        "unknown script 'sync'; no scripts were found (see the scripts_dir setting)")


def test_script_param_problems(tmp_path: Path) -> None:
    """Script params: unknown names, unparsable values and missing required values."""
    problems = _problems(tmp_path, """
[[jobs]]
script = "sync"
cron = "0 1 * * *"

[jobs.params]
days = "many"
extra = 1
""", scripts=True)
    assert [(p.code, p.field, p.line, p.message) for p in problems] == [
        ("sync", "params.target", 5, "required parameter 'target' has no value; scheduled runs "
         "need one in 'params'"),
        ("sync", "params.days", 6, "parameter 'days': expected int (a whole number such as 7), "
         "got 'many'"),
        ("sync", "params.extra", 7, "unknown parameter 'extra'; the script takes: target, days"),
    ]


def test_manual_script_may_leave_required_params_open(tmp_path: Path) -> None:
    """A manual-only script entry need not give required values (the operator will)."""
    path = tmp_path / "jobs.toml"
    path.write_text('[[jobs]]\nscript = "sync"\nname = "Sync"\n', encoding="utf-8")
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "sync.py").write_text(SCRIPT, encoding="utf-8")
    (spec,) = load_jobs_file(path, load_settings(scripts_dir=scripts))
    assert (spec.code, spec.name, spec.triggers) == ("sync", "Sync", ())


def test_unreadable_file(tmp_path: Path) -> None:
    """A jobs file that is not UTF-8 text is reported, not a traceback."""
    path = tmp_path / "jobs.toml"
    path.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(JobsFileError) as info:
        load_jobs_file(path, load_settings())
    assert str(info.value) == f"{path}: cannot read: not UTF-8 text"


def test_problem_text_for_the_cli(tmp_path: Path) -> None:
    """The error's text lists each problem as file:line, job, field: message."""
    path = tmp_path / "jobs.toml"
    path.write_text('[[jobs]]\ncode = "a"\ncommand = "x"\ncatch_up = 1\n', encoding="utf-8")
    with pytest.raises(JobsFileError) as info:
        load_jobs_file(path, load_settings())
    assert str(info.value) == (
        f"{path}:4, job 'a', field 'catch_up': expected one of 'once', 'all', 'skip', got 1")
