"""The settings of ysched-tui: one class, filled from arguments, the environment and the jobs file.

Precedence, highest first: values passed to :func:`load_settings` (the CLI's ``--db``/``--jobs``),
environment variables (``YSCHED_RETENTION_DAYS``, nested ``YSCHED_UI__BELL``), the ``[settings]``
table of the jobs file, then defaults that work with no configuration at all. Relative paths in
the ``[settings]`` table are read against the jobs file's folder, so a project folder can be moved
as a whole. A bad value becomes a :class:`~ysched_tui.errors.ConfigError` naming the setting the
way the user wrote it (the env var, the file line, or the option).
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path
from typing import Annotated, Any

import platformdirs
import tzlocal
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from ysched_tui.config.settings_errors import translate_settings_error
from ysched_tui.config.settings_file import (
    JobsFileSettingsSource,
    chosen_jobs_file,
    default_jobs_file,
)
from ysched_tui.config.values import TIMEZONE_EXPECTED, hook_from_table, seconds, timezone_name
from ysched_tui.core.models import CatchUp, Hook

__all__ = ["Settings", "UiSettings", "load_settings"]

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
"""The accepted ``log_level`` values (case-insensitive)."""
TLS_FILES = ("tls_cert", "tls_key", "ca_file")
"""Settings naming TLS files; relative ones in a jobs file are read against its folder."""


def _expect(text: str) -> dict[str, Any]:
    """Field metadata: how a bad value of this field is explained ("expected <text>")."""
    return {"expected": text}


def _seconds_at_least(minimum: float) -> BeforeValidator:
    return BeforeValidator(lambda v: seconds(v, minimum=minimum))


def _seconds_above(minimum: float) -> BeforeValidator:
    return BeforeValidator(lambda v: seconds(v, minimum=minimum, strict_min=True))


Seconds = Annotated[float, _seconds_at_least(0.0)]
"""A number of seconds >= 0, or a duration string such as ``"30s"`` or ``"1h30m"``."""

PositiveSeconds = Annotated[float, _seconds_above(0.0)]
"""A number of seconds > 0, or a duration string."""


def default_db() -> str:
    """A SQLite file in the platform's user data folder (not created here: storage does that)."""
    return str(Path(platformdirs.user_data_dir("ysched-tui")) / "ysched.db")


def system_timezone() -> str:
    """The system's IANA zone name, or ``"UTC"`` when it cannot be determined or is unknown."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            name = tzlocal.get_localzone_name()
        return timezone_name(name)
    except Exception:
        return "UTC"


class UiSettings(BaseModel):
    """How the console looks and refreshes (``[settings.ui]``, env ``YSCHED_UI__*``)."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    bell: bool = Field(default=False, json_schema_extra=_expect("true or false"))
    """Ring the terminal bell when a run fails."""
    log_refresh_hz: float = Field(default=20.0, gt=0, le=100, json_schema_extra=_expect(
        "a number of refreshes per second > 0 and <= 100"))
    """How often a live log view repaints with new lines, per second."""
    table_refresh_hz: float = Field(default=4.0, gt=0, le=100, json_schema_extra=_expect(
        "a number of refreshes per second > 0 and <= 100"))
    """How often job and run tables repaint, per second."""
    log_max_lines: int = Field(default=10_000, ge=100, le=1_000_000, json_schema_extra=_expect(
        "an integer >= 100 and <= 1000000"))
    """Most lines the log pane keeps of the run it shows (older ones scroll out of memory; the
    database keeps ``max_output_lines``, see ``ysched-tui logs``)."""
    time_format: str = Field(default="%H:%M:%S", min_length=1, json_schema_extra=_expect(
        "a non-empty strftime format such as '%H:%M:%S'"))
    """strftime format for times shown in tables."""


class Settings(BaseSettings):
    """Everything ysched-tui can be configured with; see the module docstring for precedence."""

    model_config = SettingsConfigDict(
        env_prefix="YSCHED_",
        env_nested_delimiter="__",
        extra="forbid",
        use_attribute_docstrings=True,
    )

    db: str = Field(default_factory=default_db, json_schema_extra=_expect(
        "a database file path or a sqlite URL"))
    """Database file path or ``sqlite+aiosqlite:///...`` URL (env ``YSCHED_DB``)."""
    jobs: Path | None = Field(default_factory=default_jobs_file, json_schema_extra=_expect(
        "an existing .toml or .py jobs file"))
    """The jobs file (``.toml`` or ``.py``); default ``./ysched.toml`` if it exists (env
    ``YSCHED_JOBS``)."""
    scripts_dir: Path | None = Field(default=None, json_schema_extra=_expect("a folder path"))
    """Folder whose ``*.py`` scripts (with ``async def run(**params)``) become jobs."""
    timezone: str = Field(default_factory=system_timezone, json_schema_extra=_expect(
        TIMEZONE_EXPECTED))
    """Zone for triggers without their own; default the system's zone, else UTC."""
    retention_days: int = Field(default=30, ge=1, json_schema_extra=_expect("an integer >= 1"))
    """Runs and their output older than this many days are deleted by the cleanup job."""
    max_output_lines: int = Field(default=20_000, ge=100, json_schema_extra=_expect(
        "an integer >= 100"))
    """Output lines kept per run; further lines are counted as dropped."""
    default_timeout: PositiveSeconds = 3600.0
    """Seconds (or a duration such as ``"1h"``) a run may take when its job sets no timeout."""
    catch_up: CatchUp = Field(default=CatchUp.ONCE, json_schema_extra=_expect(
        "one of 'once', 'all', 'skip'"))
    """What to do with fires missed while down, for jobs that do not say: once, all or skip."""
    misfire_grace: Seconds = 60.0
    """Seconds a fire may be late and still run; later ones are recorded as missed."""
    max_parallel_runs: int = Field(default=16, ge=1, json_schema_extra=_expect("an integer >= 1"))
    """Runs executing at the same time across all jobs; further fires wait for a slot."""
    shutdown_grace: Seconds = 10.0
    """Seconds a clean stop waits for running runs before cancelling them."""
    kill_grace: Seconds = 5.0
    """Seconds between SIGTERM and SIGKILL when a command times out or is cancelled."""
    log_level: str = Field(default="INFO", json_schema_extra=_expect(
        "one of " + ", ".join(LOG_LEVELS)))
    """Level of the daemon's log lines on stderr."""
    hooks: list[Hook] = Field(default_factory=list, json_schema_extra=_expect(
        "a list of hooks such as [{on = ['failure'], webhook = 'https://...'}]"))
    """Notifications for every job (``on_failure``/``on_success``/``on_missed`` also work in
    the ``[settings]`` table)."""
    ui: UiSettings = Field(default_factory=UiSettings, json_schema_extra=_expect(
        "a table of console settings"))
    """Console appearance and refresh rates."""
    tls_cert: Path | None = Field(default=None, json_schema_extra=_expect(
        "a PEM certificate file path"))
    """Certificate (PEM, chain included) with which ``daemon --listen`` serves the control API
    over HTTPS (``--tls-cert``, env ``YSCHED_TLS_CERT``); used only with ``--listen``."""
    tls_key: Path | None = Field(default=None, json_schema_extra=_expect(
        "a PEM private key file path"))
    """The unencrypted private key of ``tls_cert`` (``--tls-key``, env ``YSCHED_TLS_KEY``)."""
    ca_file: Path | None = Field(default=None, json_schema_extra=_expect(
        "a PEM certificate file path"))
    """The CA (or self-signed certificate) that ``--connect https://...`` trusts instead of the
    system's CAs (``--ca-file``, env ``YSCHED_CA_FILE``)."""

    @field_validator("db", mode="before")
    @classmethod
    def _check_db(cls, value: Any) -> Any:
        if isinstance(value, Path):
            value = str(value)
        if isinstance(value, str):
            if not value.strip():
                raise ValueError("expected a database file path or a sqlite URL, got ''")
            if "://" not in value:
                return os.path.expanduser(value)
        return value

    @field_validator("jobs", mode="before")
    @classmethod
    def _check_jobs(cls, value: Any) -> Any:
        if value is None or value == "":
            return None
        path = Path(value).expanduser()
        if path.suffix not in (".toml", ".py") or not path.is_file():
            raise ValueError(f"expected an existing .toml or .py jobs file, got {str(value)!r}")
        return path

    @field_validator("scripts_dir", mode="before")
    @classmethod
    def _check_scripts_dir(cls, value: Any) -> Any:
        if value is None or value == "":
            return None
        return Path(value).expanduser()

    @field_validator("tls_cert", "tls_key", "ca_file", mode="before")
    @classmethod
    def _check_tls_file(cls, value: Any) -> Any:
        if value is None or value == "":
            return None
        return Path(value).expanduser()

    @field_validator("timezone", mode="before")
    @classmethod
    def _check_timezone(cls, value: Any) -> str:
        return timezone_name(value)

    @field_validator("log_level", mode="before")
    @classmethod
    def _check_log_level(cls, value: Any) -> str:
        if isinstance(value, str) and value.upper() in LOG_LEVELS:
            return value.upper()
        raise ValueError(f"expected one of {', '.join(LOG_LEVELS)}, got {value!r}")

    @field_validator("hooks", mode="before")
    @classmethod
    def _check_hooks(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [hook_from_table(v) if isinstance(v, dict) else v for v in value]
        return value

    @property
    def log_level_number(self) -> int:
        """``log_level`` as a :mod:`logging` level number."""
        return logging.getLevelNamesMapping()[self.log_level]

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments, then env, then the jobs file's ``[settings]`` table (no .env files)."""
        return (init_settings, env_settings, _JobsFileSource(settings_cls))


class _JobsFileSource(JobsFileSettingsSource):
    """The jobs file's ``[settings]``, with the TLS file paths read against the file's folder
    (as ``db`` and ``scripts_dir`` are)."""

    def __call__(self) -> dict[str, Any]:
        values = super().__call__()
        jobs = chosen_jobs_file(self.current_state)
        for key in TLS_FILES:
            if jobs is not None and isinstance(values.get(key), str) and values[key]:
                values[key] = jobs.parent / Path(values[key]).expanduser()
        return values


def load_settings(*, jobs_file: Path | None = None, **overrides: Any) -> Settings:
    """Build the settings from overrides, the environment and the jobs file's ``[settings]``.

    Args:
        jobs_file: the jobs file to use (the CLI's ``--jobs``); wins over ``YSCHED_JOBS``.
        **overrides: setting values that win over everything else (the CLI's ``--db``). ``None``
            values are ignored, so CLI options can be passed through as they are.

    Returns:
        The validated settings.

    Raises:
        ConfigError: a value is invalid; the message names the setting as it was given (env var
            name, ``file:line: [settings] key`` or the option) and what was expected.
        JobsFileError: the jobs file is not valid TOML or its ``[settings]`` table is malformed.
    """
    init = {key: value for key, value in overrides.items() if value is not None}
    if jobs_file is not None:
        init["jobs"] = jobs_file
    try:
        return Settings(**init)
    except (ValidationError, SettingsError) as exc:
        raise translate_settings_error(exc, Settings, init, os.environ) from None
