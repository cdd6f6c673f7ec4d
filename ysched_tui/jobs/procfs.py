"""Reading ``/proc/<pid>/stat`` (Linux): a process's state and process group, zombies told apart.

Shared by the command runner (is anything left in the job's process group?) and the owner that
takes over (are the processes a dead owner's run left still alive?).
"""

from __future__ import annotations

from pathlib import Path

_GONE = ("Z", "X")
"""States of a process that holds nothing to stop: zombie, dead."""


def stat_fields(entry: Path) -> list[str] | None:
    """The fields of ``entry/stat`` after the command name (state, ppid, pgrp, ...), or ``None``
    when the process is gone or not ours to read. The name may hold spaces and parentheses, so
    the fields start after its last ``)``."""
    try:
        stat = (entry / "stat").read_text()
    except OSError:
        return None
    return stat[stat.rfind(")") + 2:].split()


def is_live(fields: list[str] | None) -> bool:
    """Whether :func:`stat_fields` describe a running (not zombie, not dead) process."""
    return fields is not None and len(fields) > 0 and fields[0] not in _GONE
