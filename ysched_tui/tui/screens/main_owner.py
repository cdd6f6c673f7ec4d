"""The main screen of an attached console when the owner goes away, and when one comes back.

An attached console schedules nothing: if the owner dies and no standby takes over, nothing
schedules the database. The header says so (``● no owner``), one warning says what to do — start
``ysched-tui daemon``, or press ``O`` to make this console the owner — and the periodic re-reads
stop until an owner answers again (the client reconnects by itself and resynchronises), instead
of an error toast every second.
"""

from __future__ import annotations

from textual.screen import Screen

from ysched_tui.core.models import SchedulerStatus
from ysched_tui.tui.messages import StatusUpdated
from ysched_tui.tui.widgets.header_bar import HeaderBar

GONE_SECONDS = 15.0
"""How long the owner-gone warning stays."""


class OwnerPresence(Screen[None]):
    """Mixin for the main screen: the header's status, and the owner's coming and going."""

    owner_gone = False
    """Attached, and the owner stopped answering (no scheduler runs for the database)."""

    def on_status_updated(self, message: StatusUpdated) -> None:
        header = self.query_one(HeaderBar)
        header.status = message.status
        gone = header.attached and message.status.state == "stopped"
        if gone and not self.owner_gone:
            self.notify(_gone_text(message.status), title="no owner", severity="warning",
                        timeout=GONE_SECONDS)
        elif self.owner_gone and not gone:
            owner = message.status
            self.notify(f"attached to pid {owner.owner_pid} on {owner.owner_host}",
                        title="owner back")
        self.owner_gone = gone


def _gone_text(status: SchedulerStatus) -> str:
    return (f"pid {status.owner_pid} on {status.owner_host} no longer answers: nothing "
            f"schedules {status.db_path}. Start `ysched-tui daemon` (it keeps scheduling after "
            "you log out), or press O to schedule from this console until it quits.")
