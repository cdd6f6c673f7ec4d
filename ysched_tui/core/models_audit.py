"""The operator audit: who acted (:class:`Actor`), through what, and what changed.

Re-exported by :mod:`ysched_tui.core.models`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ysched_tui.core.models_base import _Model

AuditAction = Literal[
    "pause", "resume", "trigger", "reschedule", "cancel", "create", "delete", "revert",
    "enable", "disable", "reload",
]
"""The operator actions the audit records."""

Via = Literal["console", "cli", "api", "python", "signal"]
"""How an operator reached the scheduler: the console, the CLI, the control API (a script or
``curl``), Python code calling the service in-process, or a signal to the daemon (SIGHUP)."""


class Actor(_Model):
    """Who performed an operator action, for the audit."""

    user: str
    """The OS user name (``?`` when a TCP client did not say)."""
    address: str | None = None
    """The SSH client address (``SSH_CONNECTION``/``SSH_CLIENT``), or the TCP peer's."""
    via: Via = "python"

    @classmethod
    def here(cls, via: Via) -> Actor:
        """This process's user and SSH client address, acting through ``via``."""
        import getpass
        import os

        try:
            user = getpass.getuser()
        except (KeyError, OSError):
            user = str(os.getuid())
        ssh = os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_CLIENT") or ""
        return cls(user=user, address=ssh.split()[0] if ssh.split() else None, via=via)


class AuditEntry(_Model):
    """One recorded operator action: when, who, what, and the value before and after."""

    id: int = 0
    """Sequence number in the audit table (0 until stored)."""
    time: datetime
    actor: Actor
    action: AuditAction
    job_code: str | None = None
    run_id: str | None = None
    before: Any = None
    """The changed part before the action, as JSON (``None`` when there was nothing)."""
    after: Any = None
    """The changed part after the action, as JSON."""
