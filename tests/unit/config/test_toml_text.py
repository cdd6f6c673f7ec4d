"""LineIndex: the line of each [[jobs]] table and key, found by scanning the text."""

from __future__ import annotations

from ysched_tui.config.toml_text import LineIndex

TEXT = '''\
include = ["x.py"]            # 1

[settings]                    # 3
db = "a.db"
[settings.ui]
bell = true                   # 6

[[jobs]]                      # 8
code = "a"
command = """
not_a_key = 1
[[jobs]]
"""
"quoted key" = 2              # 14
retries.max = 3

[jobs.retries]                # 17
delay = 5

[[jobs]]                      # 20
# code = "commented"
code = "b"
hooks = [
  { on = ["failure"], command = "x" },
]
timeout = 3                   # 26
'''


def test_lines_of_tables_and_keys() -> None:
    """Headers, keys, dotted keys and sub-tables map to their lines; strings are skipped."""
    index = LineIndex(TEXT)
    assert index.line_of("include") == 1
    assert index.line_of("settings") == 3
    assert index.line_of("settings", "db") == 4
    assert index.line_of("settings", "ui", "bell") == 6
    assert index.line_of("jobs", 0) == 8
    assert index.line_of("jobs", 0, "code") == 9
    assert index.line_of("jobs", 0, "quoted key") == 14
    assert index.line_of("jobs", 0, "retries", "max") == 15
    assert index.line_of("jobs", 0, "retries", "delay") == 18
    assert index.line_of("jobs", 1) == 20
    assert index.line_of("jobs", 1, "code") == 22
    assert index.line_of("jobs", 1, "timeout") == 26


def test_missing_keys_fall_back_to_the_enclosing_table() -> None:
    """A key not written falls back to its table's line; unknown paths give None."""
    index = LineIndex(TEXT)
    assert index.line_of("jobs", 1, "hooks", "on") == 23
    assert index.line_of("jobs", 1, "cron") == 20
    assert index.line_of("nothing") is None
    assert not index.has("jobs", 0, "not_a_key")
    assert not index.has("jobs", 2)
