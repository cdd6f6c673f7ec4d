"""Job codes for crontab entries: readable, stable across imports, derived from what a line does.

A code is the base name of the program the command runs (skipping ``VAR=value`` words, a leading
``cd DIR &&`` and wrappers such as ``nice -n 19``) and six hex digits of a hash of the schedule,
the user and the command. Moving a line, reformatting its blanks or editing comments keeps its
code, so importing the same crontab again finds the jobs already there.
"""

from __future__ import annotations

import hashlib
import re
import shlex

from ysched_tui.importers.crontab_lines import split_command

__all__ = ["base_code"]

_WRAPPERS = frozenset({"exec", "nohup", "command", "time", "nice", "ionice", "chronic"})
"""Words that only wrap the real program; a code names the program instead."""
_ASSIGNMENT_WORD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def base_code(schedule: str, raw_command: str, user: str | None = None) -> str:
    """The code of an entry: its program's name and 6 hex digits of a hash of what it does.

    Args:
        schedule: the time fields joined by single spaces, or the macro.
        raw_command: the command as written (``%`` input included).
        user: the system crontab's user, if any.

    Returns:
        e.g. ``backup.sh-3fa9c1``: the same for the same entry wherever it sits in the file.
    """
    key = "\n".join([schedule, user or "", raw_command.strip()])
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:6]
    return f"{_program_slug(split_command(raw_command)[0])}-{digest}"


def _program_slug(command: str) -> str:
    """The base name of the program a command runs, as code characters (``job`` if none)."""
    words = _shell_words(command)
    i = 0
    while i < len(words):
        word = words[i]
        if _ASSIGNMENT_WORD.match(word):
            i += 1
        elif word == "cd" and i + 2 < len(words) and words[i + 2] in ("&&", ";"):
            i += 3
        elif word in _WRAPPERS:
            i += 1
            while i < len(words) and (words[i].startswith("-") or words[i].isdigit()):
                i += 1
        else:
            break
    program = words[i].rsplit("/", 1)[-1] if i < len(words) else ""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", program).strip("._-")[:32] or "job"


def _shell_words(command: str) -> list[str]:
    """The command's words as the shell splits them, with ``&&``/``;``/``|`` as their own words."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        return list(lexer)
    except ValueError:  # an unbalanced quote: plain splitting is good enough for a name
        return command.split()
