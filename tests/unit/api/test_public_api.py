"""The public surface: light imports, complete exports, the example module and run_forever."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import ysched_tui
from ysched_tui.api.listeners import ListenerHub
from ysched_tui.config.python_jobs import load_python_jobs
from ysched_tui.core.events import JobRemoved, RetryScheduled, RunFinished, RunMissed
from ysched_tui.core.models import RunRecord, RunStatus

ROOT = Path(__file__).resolve().parents[3]


def test_import_is_light() -> None:
    """Importing ysched_tui loads neither textual nor the engine, APScheduler or SQLAlchemy."""
    code = (
        "import sys, ysched_tui\n"
        "heavy = [m for m in ('textual', 'ysched_tui.engine', 'apscheduler', 'sqlalchemy')"
        " if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=30)


def test_every_exported_name_exists() -> None:
    """__all__ lists only real attributes and includes the documented API."""
    for name in ysched_tui.__all__:
        assert hasattr(ysched_tui, name), name
    documented = {
        "Scheduler", "Job", "HttpJob", "JobBuilder", "cron", "interval", "once",
        "RetryStrategy", "JobContext", "task_log", "TaskResult", "Settings", "RunStatus",
        "JobSpec", "YschedError", "CronError", "RunFinished", "RetryScheduled", "Subscription",
        "Event", "RunStarted", "RunOutput", "RunMissed", "JobUpdated", "JobRemoved",
        "StatusChanged", "RunRecord", "ConfigError", "JobNotFound", "RunNotFound", "ParamError",
        "InvalidOperation", "StorageError",
    }
    assert documented <= set(ysched_tui.__all__)


def test_example_module_loads_through_the_jobs_file_loader() -> None:
    """examples/jobs.py declares every kind of API job, each Python one with its callable."""
    specs, callables = load_python_jobs(ROOT / "examples" / "jobs.py")
    kinds = {spec.code: spec.kind for spec in specs}
    assert kinds["py.local_health"] == "http"
    assert {"py.heartbeat", "py.disk_usage", "py.count_lines", "py.stretch"} <= set(kinds)
    assert max(len(spec.triggers) for spec in specs) == 3
    for spec in specs:
        if spec.kind == "python":
            assert spec.target.ref in callables  # type: ignore[union-attr]


def _run(status: RunStatus, code: str = "j") -> RunRecord:
    return RunRecord(run_id="run_20260101_000000_abcdef", job_code=code, job_id="1",
                     status=status)


async def test_events_map_to_the_four_listener_kinds() -> None:
    """success -> executed; failed/timeout -> error; missed -> missed; retry -> retry."""
    hub, seen = ListenerHub(), list[tuple[str, object]]()
    for kind in ("executed", "error", "missed", "retry"):
        hub.add(kind, lambda value, kind=kind: seen.append((kind, value)))  # type: ignore[misc]
    ok, failed, timeout = _run(RunStatus.SUCCESS), _run(RunStatus.FAILED), _run(RunStatus.TIMEOUT)
    retry = RetryScheduled(run=failed, next_retry_time=datetime.now(UTC), attempt=2)
    for event in (RunFinished(run=ok), RunFinished(run=failed), RunFinished(run=timeout),
                  RunFinished(run=_run(RunStatus.SKIPPED)), RunMissed(run=_run(RunStatus.MISSED)),
                  retry, JobRemoved(code="j")):
        hub.dispatch(event)
    assert [k for k, _ in seen] == ["executed", "error", "error", "missed", "retry"]
    assert seen[0][1] is ok and seen[4][1] is retry


async def test_job_callbacks_only_see_their_job() -> None:
    """on_success/on_failure callbacks are filtered by job code."""
    hub, seen = ListenerHub(), list[RunRecord]()
    hub.set_job_callbacks("a", seen.append, None)
    hub.dispatch(RunFinished(run=_run(RunStatus.SUCCESS, "b")))
    hub.dispatch(RunFinished(run=_run(RunStatus.FAILED, "a")))
    hub.dispatch(RunFinished(run=_run(RunStatus.SUCCESS, "a")))
    assert [r.job_code for r in seen] == ["a"]


async def test_run_forever_runs_jobs_until_sigterm(tmp_path: Path) -> None:
    """A script calling run_forever() fires its jobs and exits cleanly on SIGTERM."""
    script = tmp_path / "service.py"
    script.write_text(textwrap.dedent(f"""
        from ysched_tui import Scheduler, Settings

        scheduler = Scheduler(Settings(db={str(tmp_path / 's.db')!r}, jobs=None,
                                       timezone="UTC"))

        @scheduler.interval(seconds=1)
        def tick():
            return 1

        @scheduler.on_job_executed
        def done(run):
            print("executed", run.job_code, flush=True)

        scheduler.run_forever()
    """))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(script), stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), 15)
        assert line.decode().strip() == "executed tick"
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 15) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


def test_run_forever_reports_config_errors_without_traceback(tmp_path: Path) -> None:
    """A bad setting ends run_forever with one error line and exit code 2."""
    script = tmp_path / "bad.py"
    script.write_text(
        "from ysched_tui import Scheduler\nScheduler(retention_days=0).run_forever()\n"
    )
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                            cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=30)
    assert result.returncode == 2
    assert "retention_days" in result.stderr and "Traceback" not in result.stderr
