"""Python jobs files: imported safely, every collect_jobs() provider asked, errors located."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.unit.config.helpers import MINI_SCHEDULER
from ysched_tui.config import load_python_jobs
from ysched_tui.config.python_jobs import module_name_for
from ysched_tui.core.models import JobSource, PythonTarget
from ysched_tui.errors import JobsFileError, Problem

pytestmark = pytest.mark.usefixtures("import_state")


def _jobs_file(folder: Path, body: str, name: str = "jobs.py") -> Path:
    (folder / "mini_scheduler.py").write_text(MINI_SCHEDULER, encoding="utf-8")
    path = folder / name
    path.write_text(body.lstrip("\n"), encoding="utf-8")
    return path


def _problem(path: Path) -> Problem:
    with pytest.raises(JobsFileError) as info:
        load_python_jobs(path)
    (problem,) = info.value.problems
    assert problem.file == str(path)
    return problem


def test_collects_specs_and_callables(tmp_path: Path) -> None:
    """Jobs declared through a provider's collect_jobs() come back with their callables."""
    path = _jobs_file(tmp_path, """
from mini_scheduler import MiniScheduler

scheduler = MiniScheduler()


@scheduler.job("hello")
def hello():
    return "hi"
""")
    specs, callables = load_python_jobs(path)
    (spec,) = specs
    assert spec.code == "hello"
    assert spec.source is JobSource.API
    assert spec.source_file == str(path)
    assert spec.target == PythonTarget(ref=f"{module_name_for(path)}:hello")
    assert callables["hello"]() == "hi"


def test_every_provider_is_asked(tmp_path: Path) -> None:
    """Several scheduler objects in one file all contribute; aliases are asked once."""
    path = _jobs_file(tmp_path, """
from mini_scheduler import MiniScheduler

first = MiniScheduler()
second = MiniScheduler()
alias = first
first.job("a")(lambda: 1)
second.job("b")(lambda: 2)
""")
    specs, callables = load_python_jobs(path)
    assert [s.code for s in specs] == ["a", "b"]
    assert sorted(callables) == ["a", "b"]


def test_duplicate_code_across_providers(tmp_path: Path) -> None:
    """Two providers declaring the same code is a problem naming the code."""
    path = _jobs_file(tmp_path, """
from mini_scheduler import MiniScheduler

first = MiniScheduler()
second = MiniScheduler()
first.job("same")(lambda: 1)
second.job("same")(lambda: 2)
""")
    problem = _problem(path)
    assert (problem.code, problem.field, problem.message) == ("same", "code",
                                                              "duplicate code 'same'")


def test_exception_at_import_gives_the_line(tmp_path: Path) -> None:
    """An exception while importing names the file and the line that raised it."""
    path = _jobs_file(tmp_path, """
from mini_scheduler import MiniScheduler

scheduler = MiniScheduler()
raise RuntimeError("no database configured")
""")
    problem = _problem(path)
    assert problem.line == 4
    assert problem.message == "cannot import: RuntimeError: no database configured"


def test_syntax_error_gives_the_line(tmp_path: Path) -> None:
    """A syntax error in the jobs file names its line."""
    path = _jobs_file(tmp_path, "x = 1\ndef broken(:\n    pass\n")
    problem = _problem(path)
    assert problem.line == 2
    assert problem.message.startswith("cannot import: SyntaxError: ")


def test_error_in_an_imported_module(tmp_path: Path) -> None:
    """A failure inside a module the jobs file imports points at the import line and origin."""
    helper = tmp_path / "settings_helper.py"
    helper.write_text("import os\n\nVALUE = int(os.environ['YSCHED_TEST_MISSING'])\n",
                      encoding="utf-8")
    path = _jobs_file(tmp_path, "import os\nimport settings_helper\n")
    problem = _problem(path)
    assert problem.line == 2
    assert problem.message == (
        f"cannot import: KeyError: 'YSCHED_TEST_MISSING' (raised in {helper.resolve()}:3)"
    )


def test_sys_exit_at_import(tmp_path: Path) -> None:
    """A jobs file calling sys.exit() while imported is a problem, not an exit."""
    path = _jobs_file(tmp_path, "import sys\nsys.exit(3)\n")
    problem = _problem(path)
    assert (problem.line, problem.message) == (2, "cannot import: SystemExit: 3")


def test_no_provider(tmp_path: Path) -> None:
    """A module without any collect_jobs() object is reported."""
    path = _jobs_file(tmp_path, "from mini_scheduler import MiniScheduler\n")
    assert _problem(path).message == (
        "defines no scheduler: expected an object with collect_jobs(), such as Scheduler()")


def test_collect_jobs_raising(tmp_path: Path) -> None:
    """A provider whose collect_jobs() raises is reported with the line that raised."""
    path = _jobs_file(tmp_path, """
class Broken:
    def collect_jobs(self):
        raise ValueError("bad trigger")


scheduler = Broken()
""")
    problem = _problem(path)
    assert (problem.line, problem.message) == (
        3, "scheduler.collect_jobs() failed: ValueError: bad trigger")


def test_collect_jobs_wrong_shape(tmp_path: Path) -> None:
    """collect_jobs() must return (list of JobSpec, dict of callables)."""
    path = _jobs_file(tmp_path, """
class Odd:
    def collect_jobs(self):
        return ["not", "specs"]


scheduler = Odd()
""")
    assert _problem(path).message == (
        "scheduler.collect_jobs() must return (list of JobSpec, dict of callables), got list")


def test_file_named_like_a_stdlib_module_does_not_shadow_it(tmp_path: Path) -> None:
    """A jobs file called json.py is imported privately; the real json module stays."""
    path = _jobs_file(tmp_path, """
from mini_scheduler import MiniScheduler

scheduler = MiniScheduler()
scheduler.job("j")(lambda: None)
""", name="json.py")
    specs, _ = load_python_jobs(path)
    assert [s.code for s in specs] == ["j"]
    assert sys.modules["json"] is json
    assert module_name_for(path) == "ysched_jobs_json"


def test_missing_file(tmp_path: Path) -> None:
    """A .py jobs file that does not exist is reported."""
    assert _problem(tmp_path / "absent.py").message == "file not found"
