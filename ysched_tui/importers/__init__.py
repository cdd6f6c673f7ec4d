"""Importers: existing schedules (crontabs) turned into ysched-tui jobs-file entries.

``parse_crontab`` reads a crontab as cron(8) would; ``render_toml`` writes the result as
``[[jobs]]`` tables for the jobs file.
"""

from ysched_tui.importers.crontab import CrontabImport, ImportedJob, parse_crontab
from ysched_tui.importers.crontab_toml import partition_new, render_toml

__all__ = ["CrontabImport", "ImportedJob", "parse_crontab", "partition_new", "render_toml"]
