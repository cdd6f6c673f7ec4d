"""Typed reading of one ``[[jobs]]`` table that records problems instead of raising.

A jobs file should report every mistake at once, so each reader method returns ``None`` for a
missing *or* invalid value and, when invalid, adds a :class:`~ysched_tui.errors.Problem` with the
file, job code, dotted field and line. Callers can therefore read everything and decide at the
end (``failed``) whether the job can be built.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

from ysched_tui.config.toml_text import LineIndex
from ysched_tui.config.values import seconds
from ysched_tui.errors import Problem

T = TypeVar("T")


class JobContext:
    """What every reader of one job shares: where it is and the problems found so far."""

    def __init__(self, *, file: str, index: int, lines: LineIndex, problems: list[Problem]):
        self.file = file
        self.index = index
        self.lines = lines
        self.problems = problems
        self.code: str | None = None
        """The job's code once read (even if malformed), to label later problems."""
        self._start = len(problems)

    @property
    def header_line(self) -> int | None:
        """The line of this job's ``[[jobs]]`` header."""
        return self.lines.line_of("jobs", self.index)

    @property
    def failed(self) -> bool:
        """Whether any problem was recorded for this job."""
        return len(self.problems) > self._start

    def add(self, field: str | None, message: str) -> None:
        """Record a problem about ``field`` (dotted) or, with ``None``, about the whole job."""
        line = self.lines.line_of("jobs", self.index, *field.split(".")) if field else None
        self.problems.append(
            Problem(
                file=self.file,
                message=message,
                code=self.code,
                field=field,
                line=line or self.header_line,
            )
        )


class TableReader:
    """Reads keys of one table (the job's, or a nested one such as ``retries``)."""

    def __init__(self, ctx: JobContext, table: dict[str, Any], prefix: str = "") -> None:
        self.ctx = ctx
        self.table = table
        self.prefix = prefix

    def field(self, key: str) -> str:
        """The dotted field name of ``key`` for messages."""
        return f"{self.prefix}.{key}" if self.prefix else key

    def add(self, key: str | None, message: str) -> None:
        """Record a problem about ``key`` of this table."""
        self.ctx.add(self.field(key) if key else (self.prefix or None), message)

    def sub(self, key: str, table: dict[str, Any]) -> TableReader:
        """A reader for the nested table at ``key``."""
        return TableReader(self.ctx, table, self.field(key))

    def convert(self, key: str, parse: Callable[[Any], T]) -> T | None:
        """Apply ``parse`` to the value; a ``ValueError`` becomes a problem."""
        if key not in self.table:
            return None
        try:
            return parse(self.table[key])
        except ValueError as exc:
            self.add(key, str(exc))
            return None

    def text(self, key: str) -> str | None:
        """A non-empty string."""
        return self.convert(key, _text)

    def text_list(self, key: str) -> list[str] | None:
        """A string or a list of non-empty strings."""
        return self.convert(key, _text_list)

    def boolean(self, key: str) -> bool | None:
        """``true`` or ``false``."""
        return self.convert(key, _boolean)

    def str_map(self, key: str) -> dict[str, str] | None:
        """A table of strings (numbers and booleans are written as text)."""
        return self.convert(key, _str_map)

    def seconds(self, key: str, *, minimum: float = 0.0, strict: bool = False) -> float | None:
        """Seconds as a number or a duration such as ``"1h30m"``."""
        return self.convert(key, lambda v: seconds(v, minimum=minimum, strict_min=strict))

    def integer(self, key: str, *, minimum: int) -> int | None:
        """An integer >= ``minimum``."""
        return self.convert(key, lambda v: _integer(v, minimum))

    def number(self, key: str, *, minimum: float) -> float | None:
        """A number >= ``minimum``."""
        return self.convert(key, lambda v: _number(v, minimum))

    def choice(self, key: str, options: tuple[str, ...]) -> str | None:
        """One of ``options``."""
        return self.convert(key, lambda v: _choice(v, options))

    def instant(self, key: str) -> datetime | None:
        """A TOML date-time or an ISO 8601 string such as ``"2026-12-31T23:59:00"``."""
        return self.convert(key, parse_instant)

    def table_value(self, key: str) -> dict[str, Any] | None:
        """A table (``{ ... }`` or a ``[jobs.<key>]`` section)."""
        return self.convert(key, _table)


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected a non-empty string, got {value!r}")
    return value


def _text_list(value: Any) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        raise ValueError(f"expected a string or a list of strings, got {value!r}")
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise ValueError(f"expected a string or a list of strings, got {value!r}")
    return list(items)


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


def _str_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValueError(f"expected a table of strings, got {value!r}")
    result: dict[str, str] = {}
    for key, item in value.items():
        if isinstance(item, bool):
            item = "true" if item else "false"
        if not isinstance(item, str | int | float):
            raise ValueError(f"expected a string for {key!r}, got {item!r}")
        result[key] = str(item)
    return result


def _integer(value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"expected an integer >= {minimum}, got {value!r}")
    return value


def _number(value: Any, minimum: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise ValueError(f"expected a number >= {minimum:g}, got {value!r}")
    return float(value)


def _choice(value: Any, options: tuple[str, ...]) -> str:
    if value not in options:
        raise ValueError(f"expected one of {', '.join(map(repr, options))}, got {value!r}")
    return str(value)


def _table(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"expected a table, got {value!r}")
    return value


def parse_instant(value: Any) -> datetime:
    """A TOML date-time or an ISO 8601 string; a bare date means its midnight.

    Raises:
        ValueError: anything else.
    """
    expected = "expected an ISO 8601 date-time such as '2026-12-31T23:59:00'"
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"{expected}, got {value!r}")
