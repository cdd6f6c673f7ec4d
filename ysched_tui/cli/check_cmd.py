"""``ysched-tui check``: validate the jobs file, scripts and settings without touching the database.

Every problem is printed with its file, job code, field and line; exit 2 on any. Otherwise a
summary of the jobs with their next run.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from ysched_tui.cli.common import local, print_table, settings_from
from ysched_tui.core.schedule import describe_all, next_fire_multi
from ysched_tui.errors import ConfigError


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``check`` subcommand."""
    p = sub.add_parser("check", parents=[common], help="validate the jobs file and settings")
    p.set_defaults(func=check)


def check(args: argparse.Namespace) -> int:
    """Validate; raises JobsFileError/ConfigError (exit 2) with every problem."""
    from ysched_tui.config.jobs_file import load_all

    settings = settings_from(args)
    if settings.jobs is None and settings.scripts_dir is None:
        raise ConfigError("no jobs file: pass --jobs FILE or set YSCHED_JOBS (./ysched.toml)")
    specs, _callables = load_all(settings)
    now = datetime.now(UTC)
    rows = []
    for spec in sorted(specs, key=lambda s: s.code):
        tz = spec.timezone or settings.timezone
        found = next_fire_multi(spec.triggers, now, default_tz=tz, seed=spec.code)
        rows.append([
            spec.code,
            spec.kind,
            describe_all(spec.triggers),
            local(found[0], tz) if found else "-",
            "yes" if spec.enabled else "no",
        ])
    source = settings.jobs or settings.scripts_dir
    print(f"{source}: {len(specs)} jobs OK")
    print_table(["CODE", "KIND", "SCHEDULE", "NEXT RUN", "ENABLED"], rows)
    return 0
