"""The ``[settings]`` table of a TOML jobs file as a pydantic-settings source.

The source runs after the arguments and the environment, so it sees which jobs file they chose
(``current_state["jobs"]``) and reads that file's table; with none chosen it reads
``./ysched.toml`` when present. Relative paths in the table are resolved against the file's
folder, and ``on_failure``/``on_success``/``on_missed`` shorthands become ``hooks`` entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo
from pydantic_settings import PydanticBaseSettingsSource

from ysched_tui.config.toml_text import LineIndex, line_index, read_toml
from ysched_tui.config.values import HOOK_SHORTHANDS, hooks_from_shorthand
from ysched_tui.errors import JobsFileError, Problem

DEFAULT_JOBS_FILE = "ysched.toml"
"""The jobs file used when none is given, if it exists in the current folder."""


def default_jobs_file() -> Path | None:
    """``./ysched.toml`` (absolute) if it exists, else ``None``."""
    path = Path.cwd() / DEFAULT_JOBS_FILE
    return path if path.is_file() else None


@dataclass(frozen=True, slots=True)
class SettingsTable:
    """A jobs file's ``[settings]`` table as written, with its line index."""

    path: Path
    table: dict[str, Any]
    lines: LineIndex

    def line_of(self, *keys: str | int) -> int | None:
        """The line of ``settings.<keys>`` in the file."""
        return self.lines.line_of("settings", *keys)


def chosen_jobs_file(state: dict[str, Any]) -> Path | None:
    """The jobs file the higher-priority sources chose, else the default one."""
    value = state.get("jobs")
    if value is None or value == "":
        return default_jobs_file()
    return Path(value).expanduser()


def read_settings_table(path: Path | None) -> SettingsTable | None:
    """Read the ``[settings]`` table of a TOML jobs file; ``None`` for no file or a ``.py`` file.

    Raises:
        JobsFileError: the file is not valid TOML, or ``settings`` is not a table.
    """
    if path is None or path.suffix != ".toml" or not path.is_file():
        return None
    data, text = read_toml(path)
    lines = line_index(text)
    table = data.get("settings", {})
    if not isinstance(table, dict):
        problem = Problem(
            file=str(path),
            message=f"'settings' must be a table ([settings]), got {table!r}",
            field="settings",
            line=lines.line_of("settings"),
        )
        raise JobsFileError([problem])
    return SettingsTable(path=path, table=table, lines=lines)


def settings_values(found: SettingsTable) -> dict[str, Any]:
    """The table's values ready for :class:`~ysched_tui.settings.Settings`.

    Raises:
        JobsFileError: ``jobs`` is set inside the table, or a hook shorthand is malformed.
    """
    values = dict(found.table)
    problems: list[Problem] = []
    if "jobs" in values:
        problems.append(_problem(found, "jobs", "the jobs file cannot name another jobs file"))
        del values["jobs"]
    base = found.path.parent
    if isinstance(values.get("db"), str) and "://" not in values["db"]:
        values["db"] = str(base / Path(values["db"]).expanduser())
    if isinstance(values.get("scripts_dir"), str) and values["scripts_dir"]:
        values["scripts_dir"] = base / Path(values["scripts_dir"]).expanduser()
    for key in HOOK_SHORTHANDS:
        if key in values:
            raw = values.pop(key)
            try:
                extra = hooks_from_shorthand(key, raw)
            except ValueError as exc:
                problems.append(_problem(found, key, str(exc)))
                continue
            hooks = values.get("hooks", [])
            values["hooks"] = [*hooks, *extra] if isinstance(hooks, list) else hooks
    if problems:
        raise JobsFileError(problems)
    return values


def _problem(found: SettingsTable, key: str, message: str) -> Problem:
    return Problem(
        file=str(found.path), message=message, field=f"settings.{key}", line=found.line_of(key)
    )


class JobsFileSettingsSource(PydanticBaseSettingsSource):
    """Settings from the ``[settings]`` table of the jobs file chosen by args or env."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        """Unused: :meth:`__call__` returns the whole table at once."""
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        found = read_settings_table(chosen_jobs_file(self.current_state))
        return settings_values(found) if found is not None else {}
