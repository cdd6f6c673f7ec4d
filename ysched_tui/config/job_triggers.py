"""The schedule keys of a ``[[jobs]]`` table: cron, every, at, start, end and jitter.

A job may combine several (two cron lines and an ``at``); with none it is manual-only. The job's
``timezone`` is set on every trigger so each one is evaluated in the zone the job was written
for. ``cron = "@reboot"`` becomes a start-up trigger, as in a crontab.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ysched_tui.config.table_reader import TableReader
from ysched_tui.core.cron import validate_cron
from ysched_tui.core.triggers import (
    CronTrigger,
    IntervalTrigger,
    OnceTrigger,
    StartupTrigger,
    TriggerSpec,
)
from ysched_tui.errors import CronError

TRIGGER_KEYS = ("cron", "every", "at", "start", "end", "jitter")
"""Keys of a job table that describe when it fires."""


def read_triggers(reader: TableReader, timezone: str | None) -> tuple[TriggerSpec, ...]:
    """All triggers of the job; problems are recorded on the reader's context.

    Args:
        reader: the job table's reader.
        timezone: the job's zone (already validated), or ``None`` for the settings' zone.
    """
    common: dict[str, Any] = {"timezone": timezone}
    window = _read_window(reader)
    jitter = reader.seconds("jitter")
    common.update(window)
    if jitter is not None:
        common["jitter"] = jitter
    triggers: list[TriggerSpec] = []
    triggers += _cron_triggers(reader, common)
    every = reader.seconds("every", strict=True)
    if every is not None:
        triggers.append(IntervalTrigger(seconds=every, **common))
    triggers += _once_triggers(reader, common)
    if not triggers and not reader.ctx.failed:
        for key in ("start", "end", "jitter"):
            if key in reader.table:
                reader.add(key, f"'{key}' needs a schedule: set 'cron', 'every' or 'at'")
    return tuple(triggers)


def _read_window(reader: TableReader) -> dict[str, datetime]:
    window: dict[str, datetime] = {}
    start = reader.instant("start")
    end = reader.instant("end")
    if start is not None:
        window["start"] = start
    if end is not None:
        window["end"] = end
    if start is not None and end is not None and _comparable(start, end) and end <= start:
        reader.add("end", f"'end' ({end.isoformat()}) must be after 'start' ({start.isoformat()})")
    return window


def _comparable(a: datetime, b: datetime) -> bool:
    return (a.tzinfo is None) == (b.tzinfo is None)


def _cron_triggers(reader: TableReader, common: dict[str, Any]) -> list[TriggerSpec]:
    expressions = reader.text_list("cron") or []
    triggers: list[TriggerSpec] = []
    for expr in expressions:
        if expr.strip().lower() == "@reboot":
            triggers.append(StartupTrigger(**common))
            continue
        try:
            validate_cron(expr)
        except CronError as exc:
            reader.add("cron", str(exc))
            continue
        triggers.append(CronTrigger(expr=expr, **common))
    return triggers


def _once_triggers(reader: TableReader, common: dict[str, Any]) -> list[TriggerSpec]:
    if "at" not in reader.table:
        return []
    raw = reader.table["at"]
    values = raw if isinstance(raw, list) and raw else [raw]
    once = {key: value for key, value in common.items() if key not in ("start", "end")}
    triggers: list[TriggerSpec] = []
    for value in values:
        parsed = TableReader(reader.ctx, {"at": value}, reader.prefix).instant("at")
        if parsed is not None:
            triggers.append(OnceTrigger(at=parsed, **once))
    return triggers
