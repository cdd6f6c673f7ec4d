"""How a command job's process is set up: its environment, its user and its standard input.

* **Environment**: the scheduler's environment, then the job's ``env`` (a crontab's
  assignments), then the run's identity — ``YSCHED_JOB_CODE``, ``YSCHED_JOB_NAME``,
  ``YSCHED_RUN_ID``, ``YSCHED_ATTEMPT``, ``YSCHED_TRIGGER`` and ``YSCHED_SCHEDULED_TIME`` (ISO
  8601, empty for manual runs) — like Cronicle's ``JOB_ID``. ``YSCHED_RUN_ID`` is also how an
  owner that took over finds the processes a dead owner's runs left behind
  (:mod:`ysched_tui.jobs.leftovers`).
* **User** (``user`` of system crontabs): when it is not the scheduler's own user, the command
  runs as that user, with its groups, ``HOME``, ``USER`` and ``LOGNAME`` as cron sets them and
  its home as the working directory unless the job names one (``/`` when the home does not
  exist, as for ``nobody``). Only root can switch users;
  otherwise the run fails at once saying so (never silently running as the wrong user).
* **Standard input** (``stdin``, a crontab's ``%`` text): written to the command's stdin, which
  is then closed; ``None`` gives /dev/null.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pwd
from dataclasses import dataclass, field
from typing import Any

from ysched_tui.core.models import CommandTarget
from ysched_tui.jobs.base import RunRequest

RUN_ID_VAR = "YSCHED_RUN_ID"
"""The environment variable naming the run a process belongs to."""


class LaunchError(Exception):
    """The command cannot be started as declared (the message says why)."""


@dataclass(frozen=True)
class Launch:
    """Keyword arguments for ``create_subprocess_exec`` and the bytes to feed to stdin."""

    kwargs: dict[str, Any] = field(default_factory=dict)
    stdin: bytes | None = None


def run_identity(request: RunRequest) -> dict[str, str]:
    """The ``YSCHED_*`` variables naming the run (also given to hook commands' children)."""
    ctx = request.context
    scheduled = ctx.scheduled_time.isoformat() if ctx.scheduled_time else ""
    return {"YSCHED_JOB_CODE": ctx.job_code, "YSCHED_JOB_NAME": ctx.job_name,
            RUN_ID_VAR: ctx.run_id, "YSCHED_ATTEMPT": str(ctx.attempt),
            "YSCHED_TRIGGER": ctx.trigger_type.value, "YSCHED_SCHEDULED_TIME": scheduled}


def prepare(target: CommandTarget, request: RunRequest) -> Launch:
    """How to start ``target`` for ``request``.

    Raises:
        LaunchError: the job names a user that does not exist, or one this process cannot
            switch to.
    """
    env = {**os.environ, **target.env}
    kwargs: dict[str, Any] = {"cwd": target.cwd}
    if target.user is not None and not _is_me(target.user):
        account = _account(target.user)
        kwargs.update(user=account.pw_uid, group=account.pw_gid,
                      extra_groups=_groups(account))
        env.update(HOME=account.pw_dir, USER=account.pw_name, LOGNAME=account.pw_name)
        env.update(target.env)  # the crontab's own HOME=... still wins, as in cron
        if target.cwd is None:  # cron starts in the home; a user without one starts in /
            kwargs["cwd"] = env["HOME"] if os.path.isdir(env["HOME"]) else "/"
    env.update(run_identity(request))
    kwargs["env"] = env
    data = target.stdin.encode() if target.stdin is not None else None
    kwargs["stdin"] = asyncio.subprocess.PIPE if data is not None else asyncio.subprocess.DEVNULL
    return Launch(kwargs=kwargs, stdin=data)


async def feed(proc: asyncio.subprocess.Process, data: bytes | None) -> None:
    """Write ``data`` to the process's stdin and close it; a command that stops reading early
    (``head -1``) is not an error."""
    if data is None or proc.stdin is None:
        return
    try:
        proc.stdin.write(data)
        await proc.stdin.drain()
    except (BrokenPipeError, ConnectionResetError):
        pass
    finally:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            proc.stdin.close()


def _is_me(user: str) -> bool:
    try:
        return pwd.getpwuid(os.geteuid()).pw_name == user
    except KeyError:  # this process's uid has no passwd entry (some containers)
        return False


def _account(user: str) -> pwd.struct_passwd:
    try:
        account = pwd.getpwnam(user)
    except KeyError:
        raise LaunchError(f"cannot run as user {user!r}: no such user on this host") from None
    if os.geteuid() != 0:
        me = _my_name()
        raise LaunchError(f"cannot run as user {user!r}: the scheduler runs as {me!r}, and only "
                          "root can start commands as another user")
    return account


def _groups(account: pwd.struct_passwd) -> list[int]:
    try:
        return os.getgrouplist(account.pw_name, account.pw_gid)
    except OSError:
        return [account.pw_gid]


def _my_name() -> str:
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return str(os.geteuid())
