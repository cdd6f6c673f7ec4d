"""Settings: defaults, precedence (args > env > [settings] table) and error messages."""

from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest
import tzlocal

from ysched_tui.core.models import CatchUp, Hook
from ysched_tui.errors import ConfigError, JobsFileError
from ysched_tui.settings import Settings, UiSettings, load_settings, system_timezone


def _file(folder: Path, text: str, name: str = "ysched.toml") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _error(**kwargs: object) -> str:
    with pytest.raises(ConfigError) as info:
        load_settings(**kwargs)  # type: ignore[arg-type]
    assert info.value.exit_code == 2
    return str(info.value)


def test_defaults_with_no_configuration() -> None:
    """With no file and no env, every setting has a working default."""
    s = load_settings()
    assert s.db == str(Path(platformdirs.user_data_dir("ysched-tui")) / "ysched.db")
    assert s.jobs is None
    assert s.scripts_dir is None
    assert s.timezone == system_timezone()
    assert (s.retention_days, s.max_output_lines, s.max_parallel_runs) == (30, 20_000, 16)
    assert (s.default_timeout, s.misfire_grace) == (3600.0, 60.0)
    assert (s.shutdown_grace, s.kill_grace) == (10.0, 5.0)
    assert s.catch_up is CatchUp.ONCE
    assert s.log_level == "INFO"
    assert s.hooks == []
    assert s.ui == UiSettings(bell=False, log_refresh_hz=20, table_refresh_hz=4,
                              time_format="%H:%M:%S")


def test_every_field_has_a_docstring() -> None:
    """Each setting documents itself (pydantic reads the attribute docstrings)."""
    for model in (Settings, UiSettings):
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name} has no docstring"


def test_default_timezone_is_the_systems(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default zone is the system's IANA zone (here set through TZ)."""
    with monkeypatch.context() as patch:
        patch.setenv("TZ", "America/New_York")
        tzlocal.reload_localzone()
        try:
            assert load_settings().timezone == "America/New_York"
        finally:
            patch.undo()
            tzlocal.reload_localzone()


def test_default_timezone_falls_back_to_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the system zone cannot be determined, the default is UTC."""

    def broken() -> str:
        raise OSError("no zone configured")

    monkeypatch.setattr(tzlocal, "get_localzone_name", broken)
    assert system_timezone() == "UTC"


def test_default_jobs_file_is_ysched_toml_in_cwd(tmp_path: Path) -> None:
    """./ysched.toml is the jobs file when present, and its [settings] table is read."""
    path = _file(tmp_path, "[settings]\nretention_days = 7\n")
    s = load_settings()
    assert s.jobs == path
    assert s.retention_days == 7


def test_settings_table_relative_paths_follow_the_file(tmp_path: Path) -> None:
    """Relative db and scripts_dir in [settings] are read against the jobs file's folder."""
    path = _file(tmp_path / "project", '[settings]\ndb = "data/y.db"\nscripts_dir = "scripts"\n')
    s = load_settings(jobs_file=path)
    assert s.db == str(tmp_path / "project" / "data" / "y.db")
    assert s.scripts_dir == tmp_path / "project" / "scripts"


def test_sqlite_url_kept_as_is(tmp_path: Path) -> None:
    """A database URL in the file is not treated as a relative path."""
    path = _file(tmp_path, '[settings]\ndb = "sqlite+aiosqlite:///x.db"\n')
    assert load_settings(jobs_file=path).db == "sqlite+aiosqlite:///x.db"


def test_env_overrides_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An environment variable wins over the [settings] table."""
    _file(tmp_path, "[settings]\nretention_days = 10\nmax_parallel_runs = 3\n")
    monkeypatch.setenv("YSCHED_RETENTION_DAYS", "20")
    s = load_settings()
    assert (s.retention_days, s.max_parallel_runs) == (20, 3)


def test_arguments_override_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Values passed to load_settings win over env; None values are ignored."""
    monkeypatch.setenv("YSCHED_RETENTION_DAYS", "20")
    monkeypatch.setenv("YSCHED_DB", "/tmp/from-env.db")
    s = load_settings(retention_days=5, db=None)
    assert s.retention_days == 5
    assert s.db == "/tmp/from-env.db"


def test_jobs_env_chooses_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """YSCHED_JOBS names the jobs file whose [settings] table is read."""
    path = _file(tmp_path / "elsewhere", "[settings]\nkill_grace = 2\n", "jobs.toml")
    monkeypatch.setenv("YSCHED_JOBS", str(path))
    s = load_settings()
    assert (s.jobs, s.kill_grace) == (path, 2.0)


def test_jobs_file_argument_wins_over_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--jobs (jobs_file=) wins over YSCHED_JOBS, and its table is the one read."""
    env_file = _file(tmp_path, "[settings]\nkill_grace = 2\n", "env.toml")
    arg_file = _file(tmp_path, "[settings]\nkill_grace = 3\n", "arg.toml")
    monkeypatch.setenv("YSCHED_JOBS", str(env_file))
    s = load_settings(jobs_file=arg_file)
    assert (s.jobs, s.kill_grace) == (arg_file, 3.0)


def test_nested_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """YSCHED_UI__BELL=1 sets ui.bell and keeps the file's other ui values."""
    _file(tmp_path, "[settings.ui]\nlog_refresh_hz = 10\nbell = false\n")
    monkeypatch.setenv("YSCHED_UI__BELL", "1")
    s = load_settings()
    assert s.ui.bell is True
    assert s.ui.log_refresh_hz == 10


def test_durations_accepted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Seconds settings accept numbers and durations such as '1h30m' from file and env."""
    _file(tmp_path, '[settings]\ndefault_timeout = "1h30m"\nshutdown_grace = 2.5\n')
    monkeypatch.setenv("YSCHED_MISFIRE_GRACE", "90s")
    s = load_settings()
    assert (s.default_timeout, s.shutdown_grace, s.misfire_grace) == (5400.0, 2.5, 90.0)


def test_hooks_from_file_and_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Global hooks come from hooks tables and on_* shorthands; env JSON replaces them."""
    _file(tmp_path, '[settings]\non_failure = "https://hooks.test/f"\n'
                    'hooks = [{ on = ["missed"], command = "notify-send missed" }]\n')
    assert load_settings().hooks == [
        Hook(on=("missed",), command="notify-send missed"),
        Hook(on=("failure",), webhook="https://hooks.test/f"),
    ]
    monkeypatch.setenv("YSCHED_HOOKS", '[{"on": ["success"], "command": "echo ok"}]')
    assert load_settings().hooks == [Hook(on=("success",), command="echo ok")]


def test_log_level_is_case_insensitive(monkeypatch: pytest.MonkeyPatch) -> None:
    """log_level accepts any case and is stored upper-case."""
    monkeypatch.setenv("YSCHED_LOG_LEVEL", "debug")
    s = load_settings()
    assert (s.log_level, s.log_level_number) == ("DEBUG", 10)


def test_bad_env_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bad env value is reported under its env var name with what was expected."""
    monkeypatch.setenv("YSCHED_RETENTION_DAYS", "abc")
    assert _error() == "YSCHED_RETENTION_DAYS: expected an integer >= 1, got 'abc'"


def test_bad_nested_env_value(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bad nested env value names the nested variable."""
    monkeypatch.setenv("YSCHED_UI__BELL", "maybe")
    assert _error() == "YSCHED_UI__BELL: expected true or false, got 'maybe'"


def test_bad_timezone_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    """An unknown zone names YSCHED_TIMEZONE and the expected form."""
    monkeypatch.setenv("YSCHED_TIMEZONE", "Mars/Base")
    assert _error() == (
        "YSCHED_TIMEZONE: expected an IANA time zone name such as 'Europe/Berlin' or 'UTC', "
        "got 'Mars/Base'"
    )


def test_bad_duration_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bad duration names the variable and the accepted forms."""
    monkeypatch.setenv("YSCHED_DEFAULT_TIMEOUT", "1x")
    message = _error()
    assert message.startswith(
        "YSCHED_DEFAULT_TIMEOUT: expected a number of seconds > 0 or a duration like '30s', "
        "'5m', '1h30m', got '1x'"
    )


def test_bad_choice_and_log_level(monkeypatch: pytest.MonkeyPatch) -> None:
    """Enumerated settings list the accepted values; all bad values are reported together."""
    monkeypatch.setenv("YSCHED_CATCH_UP", "sometimes")
    monkeypatch.setenv("YSCHED_LOG_LEVEL", "LOUD")
    assert _error().splitlines() == [
        "YSCHED_CATCH_UP: expected one of 'once', 'all', 'skip', got 'sometimes'",
        "YSCHED_LOG_LEVEL: expected one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got 'LOUD'",
    ]


def test_bad_json_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A list setting given as broken JSON names the variable, not a decoder traceback."""
    monkeypatch.setenv("YSCHED_HOOKS", "[bad")
    assert _error() == (
        "YSCHED_HOOKS: expected a list of hooks such as [{on = ['failure'], "
        "webhook = 'https://...'}] (written as JSON), got '[bad'"
    )


def test_bad_argument_names_the_setting() -> None:
    """A bad value passed as an argument is named by the setting's name."""
    assert _error(max_output_lines=5) == "max_output_lines: expected an integer >= 100, got 5"


def test_bad_file_value_names_file_and_line(tmp_path: Path) -> None:
    """A bad value in [settings] names the file, the line and the key."""
    path = _file(tmp_path, "# demo\n[settings]\nretention_days = 0\n\n[settings.ui]\nbell = 3\n")
    assert _error().splitlines() == [
        f"{path}:3: [settings] retention_days: expected an integer >= 1, got 0",
        f"{path}:6: [settings] ui.bell: expected true or false, got 3",
    ]


def test_unknown_setting_suggests_the_closest(tmp_path: Path) -> None:
    """An unknown key in [settings] is reported with its line and the closest setting."""
    path = _file(tmp_path, "[settings]\nretenton_days = 3\n")
    assert _error() == (
        f"{path}:2: [settings] retenton_days: unknown key 'retenton_days'; "
        "did you mean 'retention_days'?"
    )


def test_missing_jobs_file(tmp_path: Path) -> None:
    """A jobs file that does not exist is reported under the option's name."""
    assert _error(jobs_file=Path("missing.toml")) == (
        "jobs: expected an existing .toml or .py jobs file, got 'missing.toml'"
    )


def test_jobs_key_inside_settings_table(tmp_path: Path) -> None:
    """The [settings] table cannot point at another jobs file."""
    path = _file(tmp_path, '[settings]\njobs = "other.toml"\n')
    with pytest.raises(JobsFileError) as info:
        load_settings()
    assert str(info.value) == (
        f"{path}:2, field 'settings.jobs': the jobs file cannot name another jobs file"
    )


def test_toml_syntax_error_in_jobs_file(tmp_path: Path) -> None:
    """A jobs file that is not TOML is reported with tomllib's line and column."""
    path = _file(tmp_path, "[settings]\nretention_days = = 3\n")
    with pytest.raises(JobsFileError) as info:
        load_settings()
    (problem,) = info.value.problems
    assert (problem.file, problem.line) == (str(path), 2)
    assert problem.message == "invalid TOML: Invalid value (column 18)"
