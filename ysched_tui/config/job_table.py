"""One ``[[jobs]]`` table of a TOML jobs file turned into a :class:`JobSpec`.

Every key is read even after a problem, so one pass reports all of a job's mistakes; the spec is
built only when none was found. Unknown keys are reported with the closest valid key, and an
option of another job kind (``cwd`` on an http job) says which kind it belongs to.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from ysched_tui.config.job_targets import KIND_OPTIONS, KINDS, read_target
from ysched_tui.config.job_triggers import TRIGGER_KEYS, read_triggers
from ysched_tui.config.table_reader import JobContext, TableReader
from ysched_tui.config.values import (
    HOOK_SHORTHANDS,
    hook_from_table,
    hooks_from_shorthand,
    timezone_name,
    unknown_key_message,
)
from ysched_tui.core.models import CODE_PATTERN, CatchUp, Hook, JobSource, JobSpec, RetryPolicy

JOB_KEYS = (
    "code", "name", "description", "tags", "enabled", "timezone", "timeout", "retries",
    "concurrency", "catch_up", "misfire_grace", "hooks", *HOOK_SHORTHANDS,
)
"""Keys every job accepts besides its schedule and its kind."""

RETRY_KEYS = ("max", "delay", "backoff", "max_delay", "retry_on")
"""Keys of the ``retries`` table."""

_KIND_OPTION_KEYS = (key for options in KIND_OPTIONS.values() for key in options)
ALL_KEYS = tuple(dict.fromkeys((*JOB_KEYS, *TRIGGER_KEYS, *KINDS, *_KIND_OPTION_KEYS)))
"""Every key a job table may contain (for "did you mean" suggestions)."""

_CODE_RE = re.compile(CODE_PATTERN)


def read_job(
    table: dict[str, Any], ctx: JobContext, scripts: Mapping[str, JobSpec]
) -> JobSpec | None:
    """The job of one ``[[jobs]]`` table, or ``None`` when a problem was recorded.

    Args:
        table: the table as tomllib read it.
        ctx: where the table is and where problems go.
        scripts: discovered script jobs by code and by file stem (for ``script = "name"``).
    """
    reader = TableReader(ctx, table)
    kinds = [kind for kind in KINDS if kind in table]
    _read_code(reader, kinds)
    _check_keys(reader, kinds)
    timezone = reader.convert("timezone", timezone_name)
    triggers = read_triggers(reader, timezone)
    target = read_target(reader, kinds[0], scripts, bool(triggers)) if len(kinds) == 1 else None
    fields = _read_options(reader)
    if ctx.failed or target is None or ctx.code is None:
        return None
    defaults = scripts.get(str(table.get("script"))) if kinds == ["script"] else None
    if defaults is not None:
        fields.setdefault("name", defaults.name)
        fields.setdefault("description", defaults.description)
    try:
        return JobSpec(
            code=ctx.code,
            target=target,
            triggers=triggers,
            timezone=timezone,
            source=JobSource.FILE,
            source_file=ctx.file,
            source_line=ctx.header_line,
            **fields,
        )
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            field = ".".join(str(p) for p in err["loc"]) or None
            ctx.add(field, err["msg"])
        return None


def _read_code(reader: TableReader, kinds: list[str]) -> None:
    raw = reader.table.get("code")
    if raw is None and kinds == ["script"] and isinstance(reader.table.get("script"), str):
        raw = reader.table["script"]
    if raw is None:
        reader.add("code", "missing 'code': every job needs a unique code such as 'backup_db'")
        return
    if not isinstance(raw, str):
        reader.add("code", f"expected a string, got {raw!r}")
        return
    reader.ctx.code = raw
    if not _CODE_RE.match(raw):
        reader.add("code", f"invalid code {raw!r}: use only letters, digits, '_', '.' and '-'")


def _check_keys(reader: TableReader, kinds: list[str]) -> None:
    if not kinds:
        listed = ", ".join(f"'{k}'" for k in KINDS)
        reader.add(None, f"no job kind: set exactly one of {listed}")
    elif len(kinds) > 1:
        listed = " and ".join(f"'{k}'" for k in kinds)
        reader.add(kinds[1], f"more than one job kind ({listed}): set exactly one")
    own = KIND_OPTIONS[kinds[0]] if len(kinds) == 1 else ()
    for key in reader.table:
        if key not in ALL_KEYS:
            reader.add(key, unknown_key_message(key, ALL_KEYS))
        elif key not in (*JOB_KEYS, *TRIGGER_KEYS, *KINDS, *own) and len(kinds) == 1:
            owners = " or ".join(k for k, opts in KIND_OPTIONS.items() if key in opts)
            reader.add(key, f"'{key}' applies to {owners} jobs, not {kinds[0]} jobs")


def _read_options(reader: TableReader) -> dict[str, Any]:
    options: dict[str, Any] = {
        "name": reader.convert("name", _string),
        "description": reader.convert("description", _string),
        "tags": reader.text_list("tags"),
        "enabled": reader.boolean("enabled"),
        "timeout": reader.seconds("timeout", strict=True),
        "retries": _read_retries(reader),
        "concurrency": reader.convert("concurrency", _concurrency),
        "catch_up": reader.choice("catch_up", tuple(c.value for c in CatchUp)),
        "misfire_grace": reader.seconds("misfire_grace"),
        "hooks": _read_hooks(reader),
    }
    if options["tags"] is not None:
        options["tags"] = tuple(options["tags"])
    return {key: value for key, value in options.items() if value is not None}


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {value!r}")
    return value


def _concurrency(value: Any) -> str | int:
    if value in ("skip", "queue"):
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    raise ValueError(f"expected 'skip', 'queue' or an integer >= 1, got {value!r}")


def _read_retries(reader: TableReader) -> RetryPolicy | None:
    raw = reader.table.get("retries")
    if raw is None:
        return None
    if isinstance(raw, int) and not isinstance(raw, bool):
        count = reader.integer("retries", minimum=0)
        return RetryPolicy(max=count) if count is not None else None
    table = reader.table_value("retries")
    if table is None:
        return None
    sub = reader.sub("retries", table)
    for key in table:
        if key not in RETRY_KEYS:
            sub.add(key, unknown_key_message(key, RETRY_KEYS))
    values: dict[str, Any] = {
        "max": sub.integer("max", minimum=0),
        "delay": sub.seconds("delay"),
        "backoff": sub.number("backoff", minimum=1),
        "max_delay": sub.seconds("max_delay"),
        "retry_on": sub.text_list("retry_on"),
    }
    if values["retry_on"] is not None:
        values["retry_on"] = tuple(values["retry_on"])
    return RetryPolicy(**{key: value for key, value in values.items() if value is not None})


def _read_hooks(reader: TableReader) -> tuple[Hook, ...] | None:
    hooks: list[Hook] = []
    raw = reader.table.get("hooks")
    if raw is not None:
        if isinstance(raw, list):
            for position, item in enumerate(raw):
                try:
                    hooks.append(hook_from_table(item))
                except ValueError as exc:
                    reader.add("hooks", f"hook {position + 1}: {exc}")
        else:
            reader.add("hooks", f"expected a list of hook tables, got {raw!r}")
    for key in HOOK_SHORTHANDS:
        if key in reader.table:
            found = reader.convert(key, functools.partial(hooks_from_shorthand, key))
            hooks += found or []
    return tuple(hooks) if hooks else None
