"""The ``ysched-tui`` command line: the console by default, headless subcommands otherwise.

Each subcommand lives in its own module under ``ysched_tui.cli`` exposing
``register(subparsers, common) -> None``, which adds a parser whose ``func`` default is an
``(args: argparse.Namespace) -> int`` handler. Handlers raise
:class:`~ysched_tui.errors.YschedError` for expected failures; :func:`main` turns those into one
line on stderr and the error's exit code (2 for usage/config errors, 1 for runtime failures).
Textual is imported only when the console is asked for.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Any

from ysched_tui.errors import YschedError
from ysched_tui.version import __version__

COMMAND_MODULES: tuple[str, ...] = (
    "cron_cmd",
    "check_cmd",
    "daemon_cmd",
    "run_cmd",
    "jobs_cmd",
    "history_cmd",
    "logs_cmd",
    "stats_cmd",
    "status_cmd",
    "pause_cmd",
    "resume_cmd",
    "enable_cmd",
    "trigger_cmd",
    "cancel_cmd",
    "reschedule_cmd",
    "reload_cmd",
    "audit_cmd",
    "import_crontab_cmd",
)
"""Subcommand modules in ``ysched_tui.cli``, in the order ``--help`` lists them."""


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with one line (not the whole usage) on bad usage, and never reads
    an abbreviation as an option (``--job`` is not ``--jobs``: scripts get an error, not a
    guess)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"ysched-tui: error: {message} (see --help)\n")


def common_options(*, suppress: bool = False) -> argparse.ArgumentParser:
    """Options every command accepts: ``--db``, ``--jobs``, ``--connect``, ``--token-file``,
    ``--ca-file``.

    Args:
        suppress: leave the attributes unset when not given (for subcommands, so that
            ``ysched-tui --db X jobs`` keeps the ``--db`` given before the subcommand).
    """
    default = argparse.SUPPRESS if suppress else None
    common = _Parser(add_help=False)
    common.add_argument(
        "--db", metavar="PATH", default=default, help="database path or URL (env YSCHED_DB)"
    )
    common.add_argument(
        "--jobs", metavar="FILE", default=default, help="jobs file (env YSCHED_JOBS)"
    )
    common.add_argument(
        "--connect", metavar="URL", default=default,
        help="the owner to talk to: https://HOST:PORT, http://HOST:PORT or unix:///path.sock",
    )
    common.add_argument(
        "--token-file", metavar="FILE", default=default,
        help="the bearer token of a --connect owner (a copy of its <db>.token)",
    )
    common.add_argument(
        "--ca-file", metavar="FILE", default=default,
        help="for --connect https://: trust this CA or self-signed certificate (PEM) instead "
             "of the system's CAs (env YSCHED_CA_FILE)",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    """The full parser with every available subcommand registered."""
    common = common_options(suppress=True)
    parser = _Parser(
        prog="ysched-tui",
        description="Operate job schedules from the terminal. No subcommand opens the console.",
        parents=[common_options()],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(f"ysched_tui.cli.{name}").register(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``ysched-tui``; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    try:
        if func is None:
            from ysched_tui.cli.console_cmd import run_console

            return run_console(args)
        code: int = func(args)
        return code
    except YschedError as exc:
        print(f"ysched-tui: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _reader_gone()


def _reader_gone() -> int:
    """The reader of our output went away (``ysched-tui jobs | head``): stop quietly.

    Standard output is pointed at /dev/null so that the interpreter's final flush does not
    print a second traceback; the exit code is 141 (128 + SIGPIPE), as a shell tool's would be.
    """
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 141
