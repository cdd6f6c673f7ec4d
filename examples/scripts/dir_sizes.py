"""Report the biggest folders under a path (a manual script; run it with ``t`` in the console)."""

from __future__ import annotations

import os

from ysched_tui import task_log

TASK_INFO = {"code": "dir_sizes", "name": "Biggest folders", "tags": ["demo", "ops"]}


async def run(path: str = ".", top: int = 5) -> dict[str, int]:
    """Sum file sizes per top-level folder of ``path`` and log the ``top`` biggest."""
    sizes: dict[str, int] = {}
    for entry in os.scandir(path):
        if entry.is_dir(follow_symlinks=False):
            total = 0
            for root, _dirs, files in os.walk(entry.path):
                for name in files:
                    try:
                        total += os.path.getsize(os.path.join(root, name))
                    except OSError:
                        continue
            sizes[entry.name] = total
    biggest = dict(sorted(sizes.items(), key=lambda kv: kv[1], reverse=True)[:top])
    for name, size in biggest.items():
        task_log(f"{size / 1024:10.1f} KiB  {name}")
    return biggest
