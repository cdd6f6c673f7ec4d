"""crontab(5) line grammar as cron reads it: environment assignments and the ``%`` rules."""

from __future__ import annotations

import pytest

from ysched_tui.importers.crontab_lines import parse_assignment, split_command, split_word


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("PATH=/usr/bin:/bin", ("PATH", "/usr/bin:/bin")),
        ("MAILTO = me@example.com", ("MAILTO", "me@example.com")),
        ("MAILTO=\"\"", ("MAILTO", "")),
        ("MAILTO=", ("MAILTO", "")),
        ("EMPTY =   ", ("EMPTY", "")),
        ("DEBUG = \"  yes  \"", ("DEBUG", "  yes  ")),
        ("NOTE = 'spaces kept'   ", ("NOTE", "spaces kept")),
        ("GREETING = hello world   ", ("GREETING", "hello world")),
        ("'MY VAR' = x", ("MY VAR", "x")),
        ("A=b=c", ("A", "b=c")),
        ("Q=it's", ("Q", "it's")),
        ("X=\t tab and spaces\t", ("X", "tab and spaces")),
    ],
)
def test_assignment_lines_are_read_like_cron_load_env(line, expected):
    """NAME = value (blanks, matching quotes optional) is an assignment; value as cron keeps it."""
    assert parse_assignment(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "* * * * * FOO=bar",
        "0 5 * * * /bin/true",
        "@daily FOO=bar",
        "export FOO=bar",
        "FOO=\"unterminated",
        "FOO=\"closed\" trailing",
        "'NAME=x' = y",
        "=value",
        "just-a-word",
    ],
)
def test_other_lines_are_not_assignments(line):
    """Entries, unterminated quotes, text after a closing quote, empty names: no assignments."""
    assert parse_assignment(line) is None


@pytest.mark.parametrize(
    ("raw", "command", "stdin"),
    [
        ("echo hi", "echo hi", None),
        ("date +\\%Y-\\%m-\\%d", "date +%Y-%m-%d", None),
        ("mail -s hi root%line one%line two", "mail -s hi root", "line one\nline two\n"),
        ("cat%a%", "cat", "a\n"),
        ("cat%", "cat", None),
        ("cat%100\\% sure", "cat", "100% sure\n"),
        ("cat%back\\slash", "cat", "back\\slash\n"),
        ("cat%ends with\\", "cat", "ends with\\\n"),
        ("cat%ends with\\%", "cat", "ends with%\n"),
        ("cat%\\", "cat", "\\"),
        ("cat%double\\\\%x", "cat", "double\\%x\n"),
        ("printf '\\\\%s'%x", "printf '\\\\", "s'\nx\n"),
        ("echo \\\\n", "echo \\\\n", None),
        ("cat%%%", "cat", "\n\n"),
    ],
)
def test_percent_splits_command_and_stdin_like_cron(raw, command, stdin):
    """First % starts stdin, later % are newlines, \\% is %, other \\ stay, a newline ends it."""
    assert split_command(raw) == (command, stdin)


def test_split_word_uses_blanks_only():
    """Fields are separated by spaces and tabs; the rest keeps its inner blanks."""
    assert split_word(" \t0\t * a  b ") == ("0", "* a  b ")
    assert split_word("   ") == ("", "")
