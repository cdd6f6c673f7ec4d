"""``ysched-tui import-crontab [FILE | -] [--system] [--write]``: crontab entries as jobs.

Without ``--write`` the TOML is printed for review; with it, the new entries are appended to
the jobs file, leaving every job already there untouched (codes are stable, so importing the
same crontab twice adds nothing the second time). Lines that cannot be converted are listed on
stderr with their line numbers and make the exit code 1; the other lines are still imported.
A system crontab entry for another user than the one importing gets a note on stderr: the
scheduler starts it as that user only when it runs as root (its runs fail otherwise, saying so).
"""

from __future__ import annotations

import argparse
import os
import pwd
import sys
import tomllib
from pathlib import Path
from typing import Any

from ysched_tui.errors import ConfigError
from ysched_tui.importers.crontab import CrontabImport, parse_crontab
from ysched_tui.importers.crontab_toml import partition_new, render_toml

DEFAULT_JOBS_FILE = "ysched.toml"
"""Where ``--write`` appends when neither ``--jobs`` nor ``YSCHED_JOBS`` names a file."""

_SYSTEM_PATHS = ("/etc/crontab", "/etc/cron.d/")


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``import-crontab`` subcommand."""
    p = sub.add_parser(
        "import-crontab",
        parents=[common],
        help="turn a crontab into jobs-file entries",
        description="Convert a crontab (crontab -l output, or with --system /etc/crontab and "
        "/etc/cron.d files) into [[jobs]] tables. Prints the TOML unless --write is given.",
    )
    p.add_argument("file", nargs="?", default="-", metavar="FILE",
                   help="crontab file, or - for standard input (default)")
    p.add_argument("--system", action="store_true",
                   help="system crontab: the field after the times is the user to run as")
    p.add_argument("--write", action="store_true",
                   help="append the new jobs to the jobs file (--jobs, YSCHED_JOBS or "
                   "./ysched.toml; created if missing) instead of printing them")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Import, print or append, report problems; 0 when every line converted, else 1."""
    source, text = _read_crontab(args.file)
    if not args.system and looks_like_system_crontab(source):
        print(f"ysched-tui: note: {source} is usually a system crontab; "
              "without --system its user field is read as part of the command", file=sys.stderr)
    result = parse_crontab(text, system=args.system, source=source, root=os.geteuid() == 0)
    if args.write:
        _append(result, _jobs_path(args))
    else:
        sys.stdout.write(render_toml(result.jobs))
    _note_other_users(result)
    for problem in result.problems:
        print(f"{problem} (line not imported)", file=sys.stderr)
    return 1 if result.problems else 0


def _note_other_users(result: CrontabImport) -> None:
    """Say which entries cron ran as another user than the one importing (and what that needs)."""
    try:
        me = pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        me = str(os.geteuid())
    for job in result.jobs:
        if job.user is not None and job.user != me:
            print(f"{job.source}:{job.line}: note: cron runs this as {job.user!r}; the scheduler "
                  f"starts it as {job.user!r} only when it runs as root (you are {me!r})",
                  file=sys.stderr)


def _read_crontab(name: str) -> tuple[str, str]:
    """The crontab's display name and text.

    Raises:
        ConfigError: the file cannot be read or is not UTF-8 text.
    """
    if name == "-":
        return "<stdin>", sys.stdin.read()
    try:
        return name, Path(name).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read crontab {name}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"cannot read crontab {name}: not UTF-8 text (byte {exc.start})") from None


def looks_like_system_crontab(source: str) -> bool:
    """Whether ``source`` is where system crontabs live (``/etc/crontab``, ``/etc/cron.d/*``)."""
    path = os.path.abspath(source)
    return path == _SYSTEM_PATHS[0] or path.startswith(_SYSTEM_PATHS[1])


def _jobs_path(args: argparse.Namespace) -> Path:
    chosen = getattr(args, "jobs", None) or os.environ.get("YSCHED_JOBS") or DEFAULT_JOBS_FILE
    path = Path(chosen).expanduser()
    if path.suffix == ".py":
        raise ConfigError(f"--write needs a TOML jobs file; {path} is a Python module "
                          "(choose a .toml file with --jobs)")
    return path


def _existing(path: Path) -> tuple[str, set[str]]:
    """The jobs file's text (empty if it does not exist) and the job codes it defines.

    Raises:
        ConfigError: the file cannot be read or is not valid TOML (nothing is written then).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return "", set()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read jobs file {path}: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"jobs file {path} is not valid TOML ({exc}); "
                          "fix it before importing into it") from None
    jobs = data.get("jobs", [])
    tables = jobs if isinstance(jobs, list) else []
    codes = {t.get("code") for t in tables if isinstance(t, dict)}
    return text, {code for code in codes if isinstance(code, str)}


def _append(result: CrontabImport, path: Path) -> None:
    """Append the jobs whose codes are new and print a one-line summary.

    Raises:
        ConfigError: the jobs file cannot be read, parsed or written.
    """
    text, codes = _existing(path)
    new, present = partition_new(result.jobs, codes)
    if new:
        separator = "" if not text else ("\n" if text.endswith("\n") else "\n\n")
        addition = separator + render_toml(new)
        try:
            tomllib.loads(text + addition)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"cannot append [[jobs]] tables to {path}: the result would not "
                              f"be valid TOML ({exc}); is 'jobs' defined as an inline array?"
                              ) from None
        try:
            with path.open("a", encoding="utf-8") as out:
                out.write(addition)
        except OSError as exc:
            raise ConfigError(f"cannot write jobs file {path}: {exc.strerror or exc}") from None
    for job in present:
        print(f"{job.source}:{job.line}: job code {job.code!r} is already in {path}, kept as is",
              file=sys.stderr)
    print(_summary(len(new), len(present), len(result.problems), path))


def _summary(added: int, present: int, failed: int, path: Path) -> str:
    parts = [f"appended {added} job{'s' if added != 1 else ''} to {path}"]
    if present:
        parts.append(f"{present} already there")
    if failed:
        parts.append(f"{failed} line{'s' if failed != 1 else ''} not converted")
    return parts[0] + (f" ({', '.join(parts[1:])})" if len(parts) > 1 else "")
