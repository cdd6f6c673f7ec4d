"""Script jobs: discovery without importing, problems with file and line, running with params."""

from __future__ import annotations

import os
import re
import textwrap
from pathlib import Path

import pytest

from tests.unit.jobs.conftest import make_request
from ysched_tui.core.models import JobSource, RunStatus, ScriptTarget
from ysched_tui.core.triggers import CronTrigger, IntervalTrigger
from ysched_tui.errors import ConfigError, JobsFileError
from ysched_tui.jobs import discover_scripts, execute

SYNC = '''
"""Data sync.

Copies the last days of data.
"""
import datetime
from pathlib import Path

from ysched_tui.core.context import JobContext, TaskResult, task_log

TASK_INFO = {"code": "data_sync", "name": "Data sync job", "tags": ["sync", "nightly"],
             "cron": "30 2 * * *", "every": "1h", "timeout": "10m"}

Path(MARKER).write_text("imported")


async def run(days: int = 7, since: datetime.date | None = None, dry: bool = False,
              context: JobContext | None = None) -> dict:
    task_log("syncing", days, "days")
    if dry:
        return TaskResult.skipped("dry run")
    return {"days": days, "since": since, "run_id": context.run_id}
'''


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return path


@pytest.fixture
def scripts(tmp_path: Path) -> Path:
    folder = tmp_path / "scripts"
    folder.mkdir()
    write(folder, "data_sync.py", SYNC.replace("MARKER", repr(str(tmp_path / "imported"))))
    write(folder, "cleanup.py", '"""Remove old files."""\nasync def run(**kwargs):\n    pass\n')
    write(folder, "_helpers.py", "raise RuntimeError('never read')\n")
    (folder / "notes.txt").write_text("not a script")
    return folder


def test_discovery_reads_scripts_without_running_them(scripts, tmp_path):
    """Each *.py not starting with _ becomes a job; no script is imported during discovery."""
    specs = discover_scripts(scripts)
    assert [s.code for s in specs] == ["cleanup", "data_sync"]
    assert not (tmp_path / "imported").exists()


def test_task_info_gives_code_name_tags_and_triggers(scripts):
    """TASK_INFO sets code, name, tags, cron/every triggers and timeout; params come from run."""
    spec = {s.code: s for s in discover_scripts(scripts)}["data_sync"]
    assert spec.name == "Data sync job"
    assert spec.tags == ("sync", "nightly")
    assert spec.triggers == (CronTrigger(expr="30 2 * * *"), IntervalTrigger(seconds=3600))
    assert spec.timeout == 600
    assert spec.source is JobSource.SCRIPT
    lines = (scripts / "data_sync.py").read_text().splitlines()
    assert spec.source_line == 1 + next(i for i, t in enumerate(lines) if t.startswith("async def"))
    assert isinstance(spec.target, ScriptTarget)
    assert [p.name for p in spec.target.params] == ["days", "since", "dry"]
    assert Path(spec.target.path).is_absolute()


def test_scripts_default_to_manual_with_docstring_name(scripts):
    """Without TASK_INFO a script is manual-only, coded by its stem, named by its docstring."""
    spec = {s.code: s for s in discover_scripts(scripts)}["cleanup"]
    assert spec.triggers == ()
    assert spec.name == "Remove old files."
    assert spec.description == "Remove old files."


def test_discovery_collects_every_problem_with_file_and_line(tmp_path):
    """Syntax errors, missing run, bad cron and bad codes are all reported, each with its file."""
    write(tmp_path, "broken.py", "async def run(:\n    pass\n")
    write(tmp_path, "norun.py", "def main():\n    pass\n")
    write(tmp_path, "badcron.py", 'TASK_INFO = {"cron": "61 * * * *"}\nasync def run(): pass\n')
    write(tmp_path, "bad name.py", "async def run(): pass\n")
    write(tmp_path, "fine.py", "async def run(): pass\n")
    with pytest.raises(JobsFileError) as info:
        discover_scripts(tmp_path)
    problems = {Path(p.file).name: p for p in info.value.problems}
    assert set(problems) == {"broken.py", "norun.py", "badcron.py", "bad name.py"}
    assert problems["broken.py"].line == 1 and "syntax error" in problems["broken.py"].message
    assert "no `run` function" in problems["norun.py"].message
    assert problems["badcron.py"].field == "TASK_INFO.cron"
    assert problems["badcron.py"].line == 1
    assert "minute" in problems["badcron.py"].message
    assert "TASK_INFO['code']" in problems["bad name.py"].message
    assert "broken.py:1" in str(info.value)


def test_duplicate_codes_are_a_problem(tmp_path):
    """Two scripts claiming one code are refused."""
    write(tmp_path, "a.py", 'TASK_INFO = {"code": "same"}\nasync def run(): pass\n')
    write(tmp_path, "b.py", 'TASK_INFO = {"code": "same"}\nasync def run(): pass\n')
    with pytest.raises(JobsFileError, match=r"already used by a\.py"):
        discover_scripts(tmp_path)


def test_missing_folder_is_a_config_error(tmp_path):
    """A scripts folder that does not exist is reported, not silently empty."""
    with pytest.raises(ConfigError, match="does not exist"):
        discover_scripts(tmp_path / "nope")


async def run_script(spec, sink, client, params=None, values=None):
    target = spec.target
    if values is not None:
        target = target.model_copy(update={"values": values})
    request = make_request(target, params=params, code=spec.code)
    return await execute(request, sink, http=client, callables={})


async def test_running_a_script_with_params(scripts, tmp_path, sink, client):
    """run() gets validated params (values then run params), the context and task_log output."""
    spec = {s.code: s for s in discover_scripts(scripts)}["data_sync"]
    outcome = await run_script(spec, sink, client, values={"days": 3},
                               params={"since": "2024-05-01"})
    assert outcome.status is RunStatus.SUCCESS, outcome.error
    assert outcome.result == {"days": 3, "since": "2024-05-01",
                              "run_id": "run_20260101_000000_abcdef"}
    assert re.fullmatch(r"\[\d\d:\d\d:\d\d\] syncing 3 days", sink.texts("log")[0])
    assert (tmp_path / "imported").read_text() == "imported"


async def test_optional_parameters_without_default_get_none(tmp_path, sink, client):
    """An Optional parameter with no Python default receives None when not given."""
    write(tmp_path, "opt.py", "async def run(when: int | None):\n    return {'when': when}\n")
    (spec,) = discover_scripts(tmp_path)
    outcome = await run_script(spec, sink, client)
    assert outcome.result == {"when": None}


async def test_bad_param_fails_the_run_naming_it(scripts, sink, client):
    """A parameter that does not parse fails the run (not retryable) with its name."""
    spec = {s.code: s for s in discover_scripts(scripts)}["data_sync"]
    outcome = await run_script(spec, sink, client, params={"days": "a week"})
    assert outcome.status is RunStatus.FAILED
    assert not outcome.retryable
    assert "parameter 'days': expected int" in (outcome.error or "")


async def test_task_result_from_a_script(scripts, sink, client):
    """A script returning TaskResult.skipped is recorded as skipped with the reason."""
    spec = {s.code: s for s in discover_scripts(scripts)}["data_sync"]
    outcome = await run_script(spec, sink, client, params={"dry": "true"})
    assert (outcome.status, outcome.error) == (RunStatus.SKIPPED, "dry run")


async def test_an_edited_script_is_reloaded(tmp_path, sink, client):
    """The module cache is keyed by modification time: an edit is seen by the next run."""
    path = write(tmp_path, "ver.py", "async def run():\n    return 1\n")
    (spec,) = discover_scripts(tmp_path)
    assert (await run_script(spec, sink, client)).result == 1
    path.write_text("async def run():\n    return 2\n")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert (await run_script(spec, sink, client)).result == 2


async def test_import_errors_fail_with_the_traceback(tmp_path, sink, client):
    """A script raising at import fails the run with the error and a traceback into the file."""
    write(tmp_path, "boom.py", "import json\nasync def run():\n    pass\n")
    (spec,) = discover_scripts(tmp_path)
    (tmp_path / "boom.py").write_text("raise KeyError('setting')\nasync def run():\n    pass\n")
    outcome = await run_script(spec, sink, client)
    assert outcome.status is RunStatus.FAILED
    assert outcome.error == "KeyError: 'setting'"
    assert "boom.py" in (outcome.traceback or "")


async def test_a_deleted_script_fails_clearly(tmp_path, sink, client):
    """A script file removed after discovery fails the run with its path, not retried."""
    path = write(tmp_path, "gone.py", "async def run():\n    pass\n")
    (spec,) = discover_scripts(tmp_path)
    path.unlink()
    outcome = await run_script(spec, sink, client)
    assert outcome.status is RunStatus.FAILED and not outcome.retryable
    assert outcome.error == f"script file not found: {spec.target.path}"
