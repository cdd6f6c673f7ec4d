"""The small grammars inside one crontab line, ported from cron(8) so imports read lines as it does.

Two of crontab(5)'s rules are easy to get almost right and then differ from cron on real files,
so they follow cronie's C code (``env.c:load_env`` and ``do_command.c:child_process``) step by
step rather than a regular expression:

* an environment assignment ``NAME = value`` (spaces around ``=`` optional, name or value in
  matching single or double quotes to keep blanks, trailing blanks of an unquoted value
  dropped); a line that is not exactly that is a cron entry;
* a command's ``%``: the first unescaped ``%`` ends the command and the rest is its standard
  input, where every further ``%`` is a newline; ``\\%`` stands for a literal ``%`` in both;
  cron ends that input with a newline when it does not already end with one.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = ["BLANKS", "parse_assignment", "split_command", "split_word"]

BLANKS = " \t"
"""What separates the fields of a cron entry (cron's ``Skip_Blanks``)."""

_C_SPACE = " \t\n\v\f\r"
"""C's ``isspace`` in the "C" locale, which cron's assignment parser uses."""


class _State(IntEnum):
    """The states of cron's ``load_env``, in its order (each step goes to the next value)."""

    NAMEI = 0
    NAME = 1
    EQ1 = 2
    EQ2 = 3
    VALUEI = 4
    VALUE = 5
    FINI = 6
    ERROR = 7


def parse_assignment(line: str) -> tuple[str, str] | None:
    """Read ``line`` as an environment assignment, exactly as cron's ``load_env`` does.

    Args:
        line: one crontab line without its newline and leading blanks.

    Returns:
        ``(name, value)``, or ``None`` when cron would read the line as a cron entry instead.
    """
    name: list[str] = []
    value: list[str] = []
    state, quote, i = _State.NAMEI, "", 0
    while state is not _State.ERROR and i < len(line):
        c = line[i]
        if state in (_State.NAMEI, _State.VALUEI):
            if c in "'\"":
                quote, i = c, i + 1
            state = _State(state + 1)
        elif state in (_State.NAME, _State.VALUE):
            if quote and c == quote:
                state, i = _State(state + 1), i + 1
            elif quote and state is _State.NAME and c == "=":
                state = _State.ERROR
            elif not quote and state is _State.NAME and c in _C_SPACE:
                state, i = _State.EQ1, i + 1
            elif not quote and state is _State.NAME and c == "=":
                state = _State.EQ1
            else:
                (name if state is _State.NAME else value).append(c)
                i += 1
        elif state is _State.EQ1:
            if c == "=":
                state, quote = _State.EQ2, ""
            elif c not in _C_SPACE:
                state = _State.ERROR
            i += 1
        elif c in _C_SPACE:  # EQ2 or FINI: blanks are skipped, anything else moves on
            i += 1
        else:
            state = _State(state + 1)
    complete = state in (_State.FINI, _State.EQ2) or (state is _State.VALUE and not quote)
    if not complete or not name:
        return None
    text = "".join(value)
    return "".join(name), text.rstrip(_C_SPACE) if state is _State.VALUE else text


def split_word(text: str) -> tuple[str, str]:
    """Split off the first blank-separated word: ``("word", "rest without leading blanks")``."""
    text = text.lstrip(BLANKS)
    end = 0
    while end < len(text) and text[end] not in BLANKS:
        end += 1
    return text[:end], text[end:].lstrip(BLANKS)


def split_command(raw: str) -> tuple[str, str | None]:
    """Split a crontab command at its first unescaped ``%`` into command and standard input.

    Args:
        raw: the command as written in the crontab.

    Returns:
        ``(command, stdin)``: in the command ``\\%`` became ``%`` (other backslashes stay for
        the shell); ``stdin`` is the text after the first ``%`` translated like cron does, or
        ``None`` when there is no unescaped ``%`` or nothing after it.
    """
    out: list[str] = []
    escaped = False
    for i, ch in enumerate(raw):
        if escaped:
            escaped = False
            if ch == "%":
                out[-1] = "%"  # the backslash is replaced by the percent sign
                continue
        elif ch == "\\":
            escaped = True
        elif ch == "%":
            return "".join(out), _stdin_text(raw[i + 1 :]) or None
        out.append(ch)
    return "".join(out), None


def _stdin_text(data: str) -> str:
    """The bytes cron writes to the job's stdin for the text after the first ``%``.

    ``%`` is a newline, ``\\%`` a literal ``%``, a backslash before anything else is kept; a
    newline ends the text unless the last character written already is one (cronie's
    ``need_newline``: ``mail ...%Hi%Bye`` gets ``"Hi\\nBye\\n"``).
    """
    out: list[str] = []
    escaped = need_newline = False
    for ch in data:
        if escaped:
            if ch != "%":
                out.append("\\")
        elif ch == "%":
            ch = "\n"
        escaped = ch == "\\"
        if not escaped:
            out.append(ch)
            need_newline = ch != "\n"
    if escaped:
        out.append("\\")
    if need_newline:
        out.append("\n")
    return "".join(out)
