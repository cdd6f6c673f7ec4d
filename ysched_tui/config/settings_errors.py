"""Turning pydantic's validation errors about settings into one clear ConfigError.

A user who set ``YSCHED_RETENTION_DAYS=abc`` should read
``YSCHED_RETENTION_DAYS: expected an integer >= 1, got 'abc'``, not a pydantic dump; one who
wrote it in the jobs file should read ``ysched.toml:4: [settings] retention_days: ...``. So each
error is attributed to the source that supplied the value, in the same precedence the settings
use: arguments, then environment, then the file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from pydantic_settings import SettingsError

from ysched_tui.config.settings_file import SettingsTable, chosen_jobs_file, read_settings_table
from ysched_tui.config.values import unknown_key_message
from ysched_tui.errors import ConfigError

ENV_PREFIX = "YSCHED_"
"""Must match ``Settings.model_config["env_prefix"]``."""

_FIELD_IN_SETTINGS_ERROR = re.compile(r'field "([^"]+)"')


def translate_settings_error(
    exc: ValidationError | SettingsError,
    settings_cls: type[BaseModel],
    init: Mapping[str, Any],
    environ: Mapping[str, str],
) -> ConfigError:
    """One :class:`ConfigError` with a line per bad value, each naming where it came from.

    Args:
        exc: what pydantic or pydantic-settings raised.
        settings_cls: the settings class (for the expected form of each field).
        init: the values passed as arguments.
        environ: the environment the settings were read from.
    """
    env = {key.upper(): value for key, value in environ.items()}
    if isinstance(exc, SettingsError):
        return ConfigError(_settings_error_line(exc, settings_cls, env))
    state = {"jobs": init.get("jobs") or env.get(ENV_PREFIX + "JOBS")}
    try:
        table = read_settings_table(chosen_jobs_file(state))
    except ConfigError:
        table = None
    attribution = _Attribution(init, env, table)
    lines = [
        f"{attribution.name(err['loc'])}: {_describe(err, settings_cls)}"
        for err in exc.errors(include_url=False)
    ]
    return ConfigError("\n".join(lines))


class _Attribution:
    """Names a setting the way its value was given."""

    def __init__(
        self, init: Mapping[str, Any], env: Mapping[str, str], table: SettingsTable | None
    ) -> None:
        self._init = init
        self._env = env
        self._table = table

    def name(self, loc: tuple[str | int, ...]) -> str:
        keys = [str(part) for part in loc if isinstance(part, str)]
        if not keys:
            return "settings"
        if keys[0] in self._init:
            return ".".join(keys)
        env_name = self._env_name(keys)
        if env_name is not None:
            return env_name
        if self._table is not None and keys[0] in self._table.table:
            line = self._table.line_of(*keys)
            where = f"{self._table.path}:{line}" if line else str(self._table.path)
            return f"{where}: [settings] {'.'.join(keys)}"
        return ".".join(keys)

    def _env_name(self, keys: list[str]) -> str | None:
        for depth in range(len(keys), 0, -1):
            candidate = ENV_PREFIX + "__".join(keys[:depth]).upper()
            if candidate in self._env:
                return candidate
        return None


def _describe(err: ErrorDetails, settings_cls: type[BaseModel]) -> str:
    loc = err["loc"]
    got = err.get("input")
    if err["type"] == "extra_forbidden":
        model = _model_at(settings_cls, loc[:-1])
        return unknown_key_message(str(loc[-1]), model.model_fields if model else ())
    if err["type"] == "value_error":
        message = str(err.get("ctx", {}).get("error", err["msg"]))
        return message if "got " in message else f"{message}, got {got!r}"
    expected = _expected(settings_cls, loc)
    if expected is None:
        return f"{err['msg'].lower()}, got {got!r}"
    return f"expected {expected}, got {got!r}"


def _model_at(model: type[BaseModel], loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    current: type[BaseModel] = model
    for part in loc:
        field = current.model_fields.get(str(part))
        nested = _model_type(field.annotation) if field else None
        if nested is None:
            return None
        current = nested
    return current


def _expected(model: type[BaseModel], loc: tuple[str | int, ...]) -> str | None:
    """The ``expected`` text of the deepest field on ``loc`` that declares one."""
    found: str | None = None
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None or not isinstance(part, str) or part not in current.model_fields:
            break
        field = current.model_fields[part]
        extra = field.json_schema_extra
        if isinstance(extra, dict) and isinstance(extra.get("expected"), str):
            found = str(extra["expected"])
        current = _model_type(field.annotation)
    return found


def _model_type(annotation: object) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _settings_error_line(
    exc: SettingsError, settings_cls: type[BaseModel], env: Mapping[str, str]
) -> str:
    """pydantic-settings could not decode an env value (e.g. bad JSON for a list)."""
    match = _FIELD_IN_SETTINGS_ERROR.search(str(exc))
    if match is None:
        return str(exc)
    field = match.group(1)
    name = ENV_PREFIX + field.upper()
    expected = _expected(settings_cls, (field,)) or "a valid value"
    return f"{name}: expected {expected} (written as JSON), got {env.get(name, '')!r}"
