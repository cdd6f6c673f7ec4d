"""Build a sales report for a period: a script job with typed parameters.

The console's trigger form (``t``) is built from ``run``'s signature: ``days`` must be an int,
``since`` a date, ``dry_run`` a bool; ``region`` is required. From the command line:

    ysched-tui run sales_report --param region=emea --param days=3
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from ysched_tui import TaskResult, task_log

TASK_INFO = {
    "code": "sales_report",
    "name": "Sales report",
    "description": "Sums (pretend) sales per day for a region.",
    "tags": ["demo", "reports"],
}


async def run(
    region: str,
    days: int = 7,
    since: date | None = None,
    dry_run: bool = False,
    pause: timedelta = timedelta(milliseconds=200),
) -> TaskResult:
    """Report ``days`` days of sales for ``region`` starting at ``since`` (default: a week ago)."""
    start = since or date.today() - timedelta(days=days)
    total = 0
    for i in range(days):
        day = start + timedelta(days=i)
        amount = (hash((region, day.isoformat())) % 9000) + 1000
        total += amount
        task_log(f"{day.isoformat()} {region}: {amount} EUR")
        await asyncio.sleep(pause.total_seconds())
    if dry_run:
        return TaskResult.skipped("dry run: nothing written")
    task_log(f"total for {region}: {total} EUR")
    return TaskResult.success(data={"region": region, "days": days, "total": total})
