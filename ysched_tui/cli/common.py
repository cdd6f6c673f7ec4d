"""Helpers shared by the subcommands: settings from the global options, JSON and table output."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ysched_tui.errors import StorageError
from ysched_tui.settings import Settings, load_settings

if TYPE_CHECKING:  # the engine loads only for the commands that read the database
    from ysched_tui.engine import Engine

T = TypeVar("T")

Register = Callable[[Any, argparse.ArgumentParser], None]


def settings_from(args: argparse.Namespace) -> Settings:
    """Settings from env, the jobs file's [settings] table and the global ``--db``/``--jobs``/
    ``--ca-file``.

    Raises:
        ConfigError: a setting is invalid (exit code 2).
    """
    overrides: dict[str, Any] = {}
    if getattr(args, "db", None):
        overrides["db"] = args.db
    if getattr(args, "ca_file", None):
        overrides["ca_file"] = Path(args.ca_file)
    jobs = Path(args.jobs) if getattr(args, "jobs", None) else None
    if jobs is not None:
        overrides["jobs"] = jobs
    return load_settings(jobs_file=jobs, **overrides)


def run(coro: Awaitable[T]) -> T:
    """Run a coroutine to completion on a fresh event loop."""

    async def wrapper() -> T:
        return await coro

    return asyncio.run(wrapper())


def print_json(data: Any) -> None:
    """Write ``data`` as indented JSON on stdout."""
    json.dump(data, sys.stdout, indent=2, default=_json_default, ensure_ascii=False)
    sys.stdout.write("\n")


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot serialize {type(value).__name__}")


def iso(value: datetime | None) -> str | None:
    """ISO 8601 or ``None``."""
    return value.isoformat() if value is not None else None


def local(value: datetime | None, tz: str) -> str:
    """A compact local time for tables, ``-`` for none."""
    if value is None:
        return "-"
    from zoneinfo import ZoneInfo

    return value.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M:%S")


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Plain aligned columns (no colour: output is often piped)."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    print(line.rstrip())
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def reading_engine(settings: Settings) -> Engine:
    """An engine for a read-only command (``jobs``, ``history``, ``logs``, ``stats``,
    ``audit``): it declares no jobs and must find an existing database.

    Raises:
        StorageError: no database file at ``settings.db`` (a mistyped ``--db`` must not create
            an empty one and report "no jobs"); nothing is created.
    """
    from ysched_tui.owner.assembly import build_engine

    if "://" not in settings.db and not Path(settings.db).is_file():
        raise StorageError(
            f"no database at {settings.db} (nothing was created; check --db or YSCHED_DB)"
        )
    return build_engine(settings, specs=[])
