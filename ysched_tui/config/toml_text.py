"""Reading a TOML file and finding the line each table and key was written on.

tomllib returns plain dicts without positions, yet every problem in a jobs file should point at
its line. :class:`LineIndex` scans the text once: the Nth ``[[jobs]]`` header is job N, a
``[jobs.retries]`` header belongs to the latest ``[[jobs]]``, and each ``key =`` line is recorded
under its full path (``("jobs", 2, "retries", "max")``). It is a scanner, not a parser — good
enough for pointing at lines, and it never decides what a value is.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ysched_tui.config import parse_cache
from ysched_tui.errors import JobsFileError, Problem

PathKey = tuple[str | int, ...]
"""A path into the TOML document; integers index arrays of tables."""

_BARE_OR_QUOTED = r'(?:[A-Za-z0-9_-]+|"[^"]*"|\'[^\']*\')'
_DOTTED = rf"{_BARE_OR_QUOTED}(?:\s*\.\s*{_BARE_OR_QUOTED})*"
_ARRAY_HEADER = re.compile(rf"^\[\[\s*({_DOTTED})\s*\]\]")
_TABLE_HEADER = re.compile(rf"^\[\s*({_DOTTED})\s*\]")
_KEY_LINE = re.compile(rf"^({_DOTTED})\s*=(.*)$")
_KEY_PART = re.compile(_BARE_OR_QUOTED)
_DECODE_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


@dataclass(frozen=True, slots=True)
class TomlFile:
    """A parsed TOML file: its document, its text and the hash of its bytes."""

    data: dict[str, Any]
    """The parsed document (shared: do not modify it)."""
    text: str
    """The text, newlines normalised as :meth:`Path.read_text` does (for :class:`LineIndex`)."""
    digest: str
    """:func:`~ysched_tui.config.parse_cache.content_digest` of the bytes."""


def read_toml(path: Path) -> tuple[dict[str, Any], str]:
    """Read and parse a TOML file.

    Returns:
        The parsed document (shared: do not modify it) and its text (for :class:`LineIndex`).

    Raises:
        JobsFileError: the file cannot be read or is not valid TOML (with tomllib's line and
            column).
    """
    found = read_toml_file(path)
    return found.data, found.text


def read_toml_file(path: Path) -> TomlFile:
    """Like :func:`read_toml`, with the content hash; a file whose bytes were parsed before (by
    this process, or by an earlier one through :mod:`~ysched_tui.config.parse_cache`) is not
    parsed again.

    Raises:
        JobsFileError: the file cannot be read or is not valid TOML.
    """
    try:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
        cached = _parsed.get(key)
        if cached is not None:
            return cached
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise JobsFileError([Problem(file=str(path), message=f"cannot read: {reason}")]) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # as read_text's universal newlines
    digest = parse_cache.content_digest(raw)
    data = parse_cache.cached_document(path, digest)
    if data is None:
        try:
            with parse_cache.paused_gc():
                data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise JobsFileError([_syntax_problem(path, str(exc))]) from None
        parse_cache.store_document(path, digest, len(raw), data)
    result = TomlFile(data=data, text=text, digest=digest)
    if len(_parsed) >= _CACHE_SIZE:
        _parsed.pop(next(iter(_parsed)))
    _parsed[key] = result
    return result


_CACHE_SIZE = 8
_parsed: dict[tuple[str, int, int], TomlFile] = {}
"""Parsed files by (path, mtime, size): settings and jobs read the same file once per start.
Callers must treat the parsed data as read-only."""


def forget_parsed() -> None:
    """Forget every file this process parsed (the on-disk cache stays): the next read behaves
    as in a fresh process. For tests and long-lived processes that reload on demand."""
    _parsed.clear()
    line_index.cache_clear()
    parse_cache.forget()


def _syntax_problem(path: Path, message: str) -> Problem:
    match = _DECODE_POSITION.search(message)
    if match is None:
        return Problem(file=str(path), message=f"invalid TOML: {message}")
    text = message[: match.start()]
    return Problem(
        file=str(path),
        message=f"invalid TOML: {text} (column {match.group(2)})",
        line=int(match.group(1)),
    )


def _split_key(dotted: str) -> tuple[str, ...]:
    return tuple(part.strip("\"'") for part in _KEY_PART.findall(dotted))


class LineIndex:
    """Where each table header and key of a TOML text was written (1-based lines)."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._scanned: dict[PathKey, int] | None = None
        self._array_counts: dict[tuple[str, ...], int] = {}

    @property
    def _lines(self) -> dict[PathKey, int]:
        """Scanned on first use: a start that reads its jobs from the parse cache needs no
        line unless something is wrong (scanning 10,000 jobs takes ~0.15 s)."""
        if self._scanned is None:
            self._scanned = {}
            self._scan(self._text)
        return self._scanned

    def _scan(self, text: str) -> None:
        lines = self._scanned
        assert lines is not None
        prefix: PathKey = ()
        open_string: str | None = None
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if open_string is not None:
                if line.count(open_string) % 2 == 1:
                    open_string = None
                continue
            if not line or line.startswith("#"):
                continue
            if match := _ARRAY_HEADER.match(line):
                prefix = self._enter_array(_split_key(match.group(1)))
                lines.setdefault(prefix, number)
            elif match := _TABLE_HEADER.match(line):
                prefix = self._resolve(_split_key(match.group(1)))
                lines.setdefault(prefix, number)
            elif match := _KEY_LINE.match(line):
                lines.setdefault(prefix + _split_key(match.group(1)), number)
                open_string = _opens_multiline(match.group(2))

    def _enter_array(self, parts: tuple[str, ...]) -> PathKey:
        parent = self._resolve(parts[:-1])
        index = self._array_counts.get(parts, -1) + 1
        self._array_counts[parts] = index
        return (*parent, parts[-1], index)

    def _resolve(self, parts: tuple[str, ...]) -> PathKey:
        """Insert the current index after every array-of-tables name in a header path."""
        path: PathKey = ()
        for depth, part in enumerate(parts):
            path = (*path, part)
            index = self._array_counts.get(parts[: depth + 1])
            if index is not None:
                path = (*path, index)
        return path

    def line_of(self, *path: str | int) -> int | None:
        """The line of ``path``, else of its nearest enclosing key or table, else ``None``."""
        key: PathKey = path
        while key:
            if key in self._lines:
                return self._lines[key]
            key = key[:-1]
        return None

    def has(self, *path: str | int) -> bool:
        """Whether exactly this path was seen (a header or a ``key =`` line)."""
        return path in self._lines


def _opens_multiline(value: str) -> str | None:
    for quote in ('"""', "'''"):
        if value.count(quote) % 2 == 1:
            return quote
    return None


@functools.lru_cache(maxsize=4)
def line_index(text: str) -> LineIndex:
    """The :class:`LineIndex` of ``text``, built once per text (settings and jobs both need it)."""
    return LineIndex(text)
