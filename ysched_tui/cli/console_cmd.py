"""``ysched-tui`` with no subcommand: the console — the owner of the database, or attached to it."""

from __future__ import annotations

import argparse
import logging

from ysched_tui.cli.common import run, settings_from
from ysched_tui.cli.control import connect_options


def run_console(args: argparse.Namespace) -> int:
    """Validate settings and jobs (errors exit 2 before the screen opens), then run the console."""
    from ysched_tui.console import run_console as serve

    settings = settings_from(args)
    # the console owns the terminal: engine logs must not scribble over it
    logging.getLogger("ysched_tui").addHandler(logging.NullHandler())
    logging.getLogger("ysched_tui").propagate = False
    connect, token_file = connect_options(args)
    return run(serve(settings, connect=connect, token_file=token_file))
