"""Writing imported crontab entries as ``[[jobs]]`` tables of a TOML jobs file.

The output is meant to be read and kept by people, so each table says where it came from
(``# imported from FILE:LINE``), multi-line text (standard input, descriptions) is written as
multi-line strings, and only keys that differ from nothing are written. Every string is escaped
so that ``tomllib`` reads back exactly the text cron would have used.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Set

from ysched_tui.importers.crontab import ImportedJob

__all__ = ["partition_new", "render_job", "render_toml", "toml_key", "toml_string"]

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f",
            "\r": "\\r"}
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _escape(text: str, *, keep: str = "") -> str:
    """Escape backslash, quote and control characters; characters in ``keep`` stay as they are."""
    out = []
    for ch in text:
        if ch in keep:
            out.append(ch)
        elif ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return "".join(out)


def toml_string(text: str) -> str:
    """A TOML string for ``text``: basic on one line, multi-line basic when it has newlines."""
    if "\n" not in text:
        return f'"{_escape(text)}"'
    # The newline right after the opening quotes is not part of the value (TOML 1.0).
    return '"""\n' + _escape(text, keep="\n\t") + '"""'


def toml_key(name: str) -> str:
    """A TOML key: bare when it can be, quoted otherwise (``"MY VAR"``)."""
    return name if _BARE_KEY.match(name) else toml_string(name)


def _inline_table(values: dict[str, str]) -> str:
    return "{ " + ", ".join(f"{toml_key(k)} = {toml_string(v)}" for k, v in values.items()) + " }"


def render_job(job: ImportedJob) -> str:
    """One ``[[jobs]]`` table for ``job``, preceded by its origin comment."""
    lines = [f"# imported from {job.source}:{job.line}".replace("\n", " "), "[[jobs]]"]
    pairs: list[tuple[str, str | None]] = [
        ("code", job.code),
        ("name", job.name),
        ("description", job.description or None),
        ("cron", job.schedule),
        ("command", job.command),
        ("stdin", job.stdin),
        ("shell", job.shell),
    ]
    lines += [f"{key} = {toml_string(value)}" for key, value in pairs if value is not None]
    if job.env:
        lines.append(f"env = {_inline_table(job.env)}")
    optional = (("user", job.user), ("timezone", job.timezone), ("cwd", job.cwd))
    lines += [f"{key} = {toml_string(value)}" for key, value in optional if value is not None]
    return "\n".join(lines) + "\n"


def partition_new(
    jobs: Iterable[ImportedJob], existing_codes: Set[str]
) -> tuple[list[ImportedJob], list[ImportedJob]]:
    """Split jobs into those whose code is new and those already in ``existing_codes``."""
    new: list[ImportedJob] = []
    present: list[ImportedJob] = []
    for job in jobs:
        (present if job.code in existing_codes else new).append(job)
    return new, present


def render_toml(jobs: Iterable[ImportedJob], *, existing_codes: Set[str] = frozenset()) -> str:
    """The ``[[jobs]]`` tables for every job whose code is not in ``existing_codes``.

    Args:
        jobs: imported jobs, in file order.
        existing_codes: codes already defined in the jobs file; those jobs are not written
            again, and a comment line in the output says which were left out.

    Returns:
        TOML text ending in a newline (empty when there is nothing to write).
    """
    new, present = partition_new(jobs, existing_codes)
    blocks = [
        f"# skipped {job.source}:{job.line}: job code {job.code!r} is already in the jobs file\n"
        for job in present
    ]
    blocks += [render_job(job) for job in new]
    return "\n".join(blocks)
