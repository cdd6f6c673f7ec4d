"""load_all: the jobs file, its includes (TOML and Python) and the scripts folder combined."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.config.helpers import MINI_SCHEDULER
from ysched_tui.config import load_all
from ysched_tui.core.models import JobSource, ScriptTarget
from ysched_tui.core.triggers import CronTrigger
from ysched_tui.errors import JobsFileError, Problem
from ysched_tui.settings import load_settings

pytestmark = pytest.mark.usefixtures("import_state")

PY_JOBS = """
from mini_scheduler import MiniScheduler

scheduler = MiniScheduler()


@scheduler.job("{code}")
def work():
    return "done"
"""

SCRIPT = '''"""{title}"""


async def run(days: int = 7) -> dict:
    return {{"days": days}}
'''


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.lstrip("\n"), encoding="utf-8")
    return path


def _py_jobs(folder: Path, name: str, code: str) -> Path:
    _write(folder / "mini_scheduler.py", MINI_SCHEDULER)
    return _write(folder / name, PY_JOBS.format(code=code))


def _scripts(folder: Path) -> Path:
    _write(folder / "scripts" / "report.py", SCRIPT.format(title="Weekly report."))
    _write(folder / "scripts" / "cleanup.py", SCRIPT.format(title="Clean up."))
    return folder / "scripts"


def _problems(**settings: object) -> list[Problem]:
    with pytest.raises(JobsFileError) as info:
        load_all(load_settings(**settings))  # type: ignore[arg-type]
    return info.value.problems


def test_nothing_configured_means_no_jobs() -> None:
    """With no jobs file and no scripts folder there are no jobs and no error."""
    assert load_all(load_settings()) == ([], {})


def test_toml_with_includes_of_both_kinds(tmp_path: Path) -> None:
    """include = [...] combines a Python jobs module and another TOML file with the main one."""
    _py_jobs(tmp_path, "more_jobs.py", "py_job")
    _write(tmp_path / "extra" / "more.toml", '[[jobs]]\ncode = "extra"\ncommand = "true"\n')
    main = _write(tmp_path / "ysched.toml", """
include = ["more_jobs.py", "extra/more.toml"]

[[jobs]]
code = "main"
command = "true"
""")
    specs, callables = load_all(load_settings(jobs_file=main))
    assert [(s.code, s.source, s.source_file) for s in specs] == [
        ("main", JobSource.FILE, str(main)),
        ("py_job", JobSource.API, str((tmp_path / "more_jobs.py").resolve())),
        ("extra", JobSource.FILE, str((tmp_path / "extra" / "more.toml").resolve())),
    ]
    assert callables["py_job"]() == "done"


def test_python_jobs_file_directly(tmp_path: Path) -> None:
    """The jobs setting may name a .py file."""
    path = _py_jobs(tmp_path, "jobs.py", "only")
    specs, callables = load_all(load_settings(jobs_file=path))
    assert [s.code for s in specs] == ["only"]
    assert list(callables) == ["only"]


def test_include_cycle_is_loaded_once(tmp_path: Path) -> None:
    """Files including each other are each read once."""
    first = _write(tmp_path / "a.toml", 'include = "b.toml"\n[[jobs]]\ncode = "a"\ncommand = "x"\n')
    _write(tmp_path / "b.toml", 'include = "a.toml"\n[[jobs]]\ncode = "b"\ncommand = "x"\n')
    specs, _ = load_all(load_settings(jobs_file=first))
    assert [s.code for s in specs] == ["a", "b"]


def test_scripts_become_manual_jobs(tmp_path: Path) -> None:
    """Each script in scripts_dir is a manual job when the jobs file does not schedule it."""
    specs, _ = load_all(load_settings(scripts_dir=_scripts(tmp_path)))
    assert [(s.code, s.source, s.triggers) for s in specs] == [
        ("cleanup", JobSource.SCRIPT, ()), ("report", JobSource.SCRIPT, ())]


def test_jobs_file_entry_schedules_a_script(tmp_path: Path) -> None:
    """A [[jobs]] script entry wins over the discovered job of the same code: no duplicate."""
    scripts = _scripts(tmp_path)
    main = _write(tmp_path / "ysched.toml", """
[[jobs]]
script = "report"
cron = "0 7 * * mon"
params = { days = 30 }
""")
    specs, _ = load_all(load_settings(jobs_file=main, scripts_dir=scripts))
    assert [(s.code, s.source) for s in specs] == [
        ("report", JobSource.FILE), ("cleanup", JobSource.SCRIPT)]
    report = specs[0]
    assert report.triggers == (CronTrigger(expr="0 7 * * mon"),)
    assert isinstance(report.target, ScriptTarget)
    assert report.target.values == {"days": 30}


def test_second_entry_for_a_script_under_another_code(tmp_path: Path) -> None:
    """A script entry with its own code is a second job; the discovered one stays."""
    scripts = _scripts(tmp_path)
    main = _write(tmp_path / "ysched.toml", """
[[jobs]]
code = "report_monthly"
script = "report"
cron = "0 7 1 * *"
""")
    specs, _ = load_all(load_settings(jobs_file=main, scripts_dir=scripts))
    assert [s.code for s in specs] == ["report_monthly", "cleanup", "report"]


def test_duplicate_code_across_files(tmp_path: Path) -> None:
    """The same code in the TOML file and an included Python file is reported with both places."""
    _py_jobs(tmp_path, "more_jobs.py", "same")
    main = _write(tmp_path / "ysched.toml", """
include = ["more_jobs.py"]

[[jobs]]
code = "same"
command = "true"
""")
    (problem,) = _problems(jobs_file=main)
    assert problem == Problem(
        file=str((tmp_path / "more_jobs.py").resolve()),
        message=f"duplicate code 'same': also defined in {main}:3",
        code="same",
        field="code",
    )


def test_file_job_clashing_with_a_script(tmp_path: Path) -> None:
    """A non-script job using a script's code is a duplicate, not an override."""
    scripts = _scripts(tmp_path)
    main = _write(tmp_path / "ysched.toml", '[[jobs]]\ncode = "cleanup"\ncommand = "rm -rf x"\n')
    (problem,) = _problems(jobs_file=main, scripts_dir=scripts)
    assert (problem.file, problem.code, problem.field) == (
        str(scripts / "cleanup.py"), "cleanup", "code")
    assert problem.message == f"duplicate code 'cleanup': also defined in {main}:1"


def test_problems_from_every_file_are_collected(tmp_path: Path) -> None:
    """A broken include and a broken main file are reported together."""
    _write(tmp_path / "mini_scheduler.py", MINI_SCHEDULER)
    _write(tmp_path / "broken.py", "raise RuntimeError('boom')\n")
    main = _write(tmp_path / "ysched.toml", """
include = ["broken.py"]

[[jobs]]
code = "a"
command = "true"
every = "often"
""")
    problems = _problems(jobs_file=main)
    assert [(Path(p.file).name, p.field, p.line) for p in problems] == [
        ("ysched.toml", "every", 6), ("broken.py", None, 1)]
    assert problems[1].message == "cannot import: RuntimeError: boom"


def test_missing_scripts_dir(tmp_path: Path) -> None:
    """A scripts_dir that does not exist is reported as a problem."""
    (problem,) = _problems(scripts_dir=tmp_path / "nope")
    assert (problem.file, problem.field) == (str(tmp_path / "nope"), "scripts_dir")
    assert "does not exist" in problem.message


def test_broken_script_is_reported_with_the_jobs_file(tmp_path: Path) -> None:
    """A script with no run() is reported together with the jobs file's problems."""
    scripts = tmp_path / "scripts"
    _write(scripts / "bad.py", "x = 1\n")
    main = _write(tmp_path / "ysched.toml", '[[jobs]]\ncode = "a"\ncommand = ""\n')
    problems = _problems(jobs_file=main, scripts_dir=scripts)
    assert [Path(p.file).name for p in problems] == ["bad.py", "ysched.toml"]
