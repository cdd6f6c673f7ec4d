"""TOML jobs file: every job kind and option maps onto the JobSpec the engine runs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from ysched_tui.config import load_jobs_file
from ysched_tui.core.models import (
    CatchUp,
    CommandTarget,
    Hook,
    HttpTarget,
    JobSource,
    JobSpec,
    PythonTarget,
    RetryPolicy,
    ScriptTarget,
)
from ysched_tui.core.triggers import CronTrigger, IntervalTrigger, OnceTrigger, StartupTrigger
from ysched_tui.settings import load_settings

SCRIPT = '''"""Build the sales report."""


async def run(days: int = 7, region: str = "all", since: str | None = None) -> dict:
    return {"days": days}
'''


def _load(folder: Path, text: str, *, scripts: bool = False) -> list[JobSpec]:
    path = folder / "jobs.toml"
    path.write_text(text, encoding="utf-8")
    scripts_dir = None
    if scripts:
        scripts_dir = folder / "scripts"
        scripts_dir.mkdir(exist_ok=True)
        (scripts_dir / "report.py").write_text(SCRIPT, encoding="utf-8")
    return load_jobs_file(path, load_settings(scripts_dir=scripts_dir))


def _one(folder: Path, text: str, *, scripts: bool = False) -> JobSpec:
    (spec,) = _load(folder, text, scripts=scripts)
    return spec


def test_command_job_with_every_common_option(tmp_path: Path) -> None:
    """The issue's example job loads with all its options, source and line."""
    spec = _one(tmp_path, """
# nightly
[[jobs]]
code = "backup_db"
name = "Nightly database backup"
description = "Dump the app database"
tags = ["db", "nightly"]
cron = "30 2 * * *"
command = "pg_dump app > /var/backups/app.sql"
timezone = "Europe/Berlin"
timeout = "1h"
retries = { max = 3, delay = "60s", backoff = 2.0, max_delay = "10m" }
concurrency = "skip"
catch_up = "all"
misfire_grace = "2m"
enabled = false
""")
    assert spec == JobSpec(
        code="backup_db",
        name="Nightly database backup",
        description="Dump the app database",
        tags=("db", "nightly"),
        target=CommandTarget(command="pg_dump app > /var/backups/app.sql"),
        triggers=(CronTrigger(expr="30 2 * * *", timezone="Europe/Berlin"),),
        timezone="Europe/Berlin",
        timeout=3600.0,
        retries=RetryPolicy(max=3, delay=60.0, backoff=2.0, max_delay=600.0),
        concurrency="skip",
        catch_up=CatchUp.ALL,
        misfire_grace=120.0,
        enabled=False,
        source=JobSource.FILE,
        source_file=str(tmp_path / "jobs.toml"),
        source_line=3,
    )


def test_command_options(tmp_path: Path) -> None:
    """cwd, env (scalars written as text), shell, stdin and user reach the command target."""
    spec = _one(tmp_path, """
[[jobs]]
code = "c"
command = "make report"
cwd = "/srv/app"
env = { MODE = "fast", LEVEL = 3, DEBUG = true }
shell = "/bin/bash"
stdin = "line one\\n"
user = "www-data"
""")
    assert spec.target == CommandTarget(
        command="make report", cwd="/srv/app", env={"MODE": "fast", "LEVEL": "3", "DEBUG": "true"},
        shell="/bin/bash", stdin="line one\n", user="www-data",
    )
    assert spec.triggers == ()


def test_cron_list_reboot_every_and_at(tmp_path: Path) -> None:
    """cron lists, @reboot, every and at combine, each carrying the job's zone."""
    spec = _one(tmp_path, """
[[jobs]]
code = "multi"
command = "true"
timezone = "America/New_York"
cron = ["0 9 * * mon-fri", "@reboot"]
every = "1h30m"
at = ["2026-12-31T23:59:00", 2027-01-01T00:00:00Z]
""")
    zone = "America/New_York"
    assert spec.triggers == (
        CronTrigger(expr="0 9 * * mon-fri", timezone=zone),
        StartupTrigger(timezone=zone),
        IntervalTrigger(seconds=5400.0, timezone=zone),
        OnceTrigger(at=datetime(2026, 12, 31, 23, 59), timezone=zone),
        OnceTrigger(at=datetime(2027, 1, 1, tzinfo=UTC), timezone=zone),
    )


def test_start_end_jitter_apply_to_triggers(tmp_path: Path) -> None:
    """start, end and jitter bound every recurring trigger."""
    spec = _one(tmp_path, """
[[jobs]]
code = "w"
command = "true"
every = 30
start = "2026-01-01T08:00:00+01:00"
end = 2026-02-01
jitter = "5s"
""")
    assert spec.triggers == (
        IntervalTrigger(
            seconds=30.0, start=datetime.fromisoformat("2026-01-01T08:00:00+01:00"),
            end=datetime(2026, 2, 1), jitter=5.0,
        ),
    )


def test_http_job_flat_options_keep_env_references(tmp_path: Path) -> None:
    """http = URL with options beside it; ${VAR} references stay unexpanded."""
    spec = _one(tmp_path, """
[[jobs]]
code = "ping"
http = "https://api.test/${TENANT}/ping"
method = "post"
headers = { Authorization = "Bearer ${API_TOKEN}" }
params = { verbose = 1 }
json = { source = "ysched", ids = [1, 2] }
request_timeout = "5s"
success_codes = [200, 202]
retry_on_codes = [502, 503]
timeout = "1m"
""")
    assert spec.target == HttpTarget(
        url="https://api.test/${TENANT}/ping", method="POST",
        headers={"Authorization": "Bearer ${API_TOKEN}"}, params={"verbose": "1"},
        json={"source": "ysched", "ids": [1, 2]}, timeout=5.0,
        success_codes=(200, 202), retry_on_codes=(502, 503),
    )
    assert spec.timeout == 60.0


def test_http_job_as_table(tmp_path: Path) -> None:
    """http may be a table, where timeout is the request's own timeout."""
    spec = _one(tmp_path, """
[[jobs]]
code = "hook"
timeout = 30

[jobs.http]
url = "http://127.0.0.1:9/x"
method = "PUT"
data = "raw body"
timeout = 2
""")
    assert spec.target == HttpTarget(url="http://127.0.0.1:9/x", method="PUT", data="raw body",
                                     timeout=2.0)
    assert spec.timeout == 30.0


def test_python_job(tmp_path: Path) -> None:
    """python = "pkg.mod:func" with args and kwargs."""
    spec = _one(tmp_path, """
[[jobs]]
code = "py"
python = "reports.daily:build"
args = [1, "two"]
kwargs = { region = "eu", dry_run = true }
retries = 2
""")
    assert spec.target == PythonTarget(ref="reports.daily:build", args=(1, "two"),
                                       kwargs={"region": "eu", "dry_run": True})
    assert spec.retries == RetryPolicy(max=2)


def test_script_job_schedules_a_script(tmp_path: Path) -> None:
    """script = "name" uses the discovered script, its code and name, with params values."""
    spec = _one(tmp_path, """
[[jobs]]
script = "report"
cron = "0 6 * * *"
params = { days = 3, since = "2026-01-01" }
""", scripts=True)
    assert spec.code == "report"
    assert spec.name == "Build the sales report."
    assert isinstance(spec.target, ScriptTarget)
    assert spec.target.path == str((tmp_path / "scripts" / "report.py").resolve())
    assert [p.name for p in spec.target.params] == ["days", "region", "since"]
    assert spec.target.values == {"days": 3, "since": "2026-01-01"}


def test_hooks_tables_and_shorthands(tmp_path: Path) -> None:
    """hooks tables and on_* shorthands (URL = webhook, else command) all attach."""
    spec = _one(tmp_path, """
[[jobs]]
code = "h"
command = "true"
hooks = [{ on = ["failure", "missed"], webhook = "https://hooks.test/a" }]
on_success = "echo done"
on_missed = ["https://hooks.test/m", "logger missed"]
""")
    assert spec.hooks == (
        Hook(on=("failure", "missed"), webhook="https://hooks.test/a"),
        Hook(on=("success",), command="echo done"),
        Hook(on=("missed",), webhook="https://hooks.test/m"),
        Hook(on=("missed",), command="logger missed"),
    )


def test_concurrency_forms(tmp_path: Path) -> None:
    """concurrency is skip, queue or an integer limit."""
    specs = _load(tmp_path, """
[[jobs]]
code = "a"
command = "true"
concurrency = "queue"

[[jobs]]
code = "b"
command = "true"
concurrency = 3

[[jobs]]
code = "c"
command = "true"
""")
    assert [s.concurrency for s in specs] == ["queue", 3, "skip"]
    assert [s.source_line for s in specs] == [2, 7, 12]


def test_settings_and_include_are_not_jobs(tmp_path: Path) -> None:
    """A [settings] table and include beside the jobs are accepted by the jobs loader."""
    (tmp_path / "more.toml").write_text("", encoding="utf-8")
    specs = _load(tmp_path, """
include = ["more.toml"]

[settings]
retention_days = 3

[[jobs]]
code = "a"
command = "true"
""")
    assert [s.code for s in specs] == ["a"]


def test_empty_file_has_no_jobs(tmp_path: Path) -> None:
    """An empty jobs file is valid and defines nothing."""
    assert _load(tmp_path, "") == []
