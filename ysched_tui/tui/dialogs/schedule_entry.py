"""What the operator typed in the reschedule dialog, read by the same functions that fire.

No UI here: :func:`evaluate_entry` turns the text into triggers, a description in words and the
next fire times, or into one error message naming the bad part. The dialog shows whatever it
returns, so a preview can never disagree with what the engine will do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ysched_tui.core.schedule import describe, fire_times, parse_trigger_text
from ysched_tui.core.triggers import TriggerSpec
from ysched_tui.errors import CronError, DurationError, YschedError

SEPARATOR = ";"
"""Several triggers may be given at once, separated by this character."""

EMPTY_HINT = "enter a cron expression, a macro (@daily), 'every 5m' or 'at 2026-12-31T23:59'"
"""The error shown for an empty entry: it says what is expected."""


@dataclass(frozen=True, kw_only=True, slots=True)
class EntryResult:
    """The verdict on one entry: either ``error`` or (``triggers``, ``description``, ``fires``)."""

    triggers: tuple[TriggerSpec, ...] = ()
    error: str | None = None
    description: str = ""
    fires: tuple[datetime, ...] = ()

    @property
    def valid(self) -> bool:
        """Whether the entry may be applied."""
        return self.error is None


def _error_text(exc: YschedError, part: str, index: int, count: int) -> str:
    """The message for one bad part, naming the cron field and which trigger it is."""
    message = str(exc)
    field = getattr(exc, "field", None) if isinstance(exc, CronError) else None
    if field and field not in message:
        message = f"{field}: {message}"
    return f"trigger {index} ({part!r}): {message}" if count > 1 else message


def parse_entry(text: str, *, timezone: str | None = None) -> tuple[TriggerSpec, ...]:
    """Parse ``"expr; every 5m; ..."`` into triggers.

    Args:
        text: what the operator typed.
        timezone: a zone to pin on each trigger; ``None`` leaves them in the job's zone.

    Raises:
        ValueError: with a message naming the bad trigger and field.
    """
    parts = [p.strip() for p in text.split(SEPARATOR)]
    if not any(parts):
        raise ValueError(EMPTY_HINT)
    triggers: list[TriggerSpec] = []
    for index, part in enumerate(parts, start=1):
        if not part:
            raise ValueError(f"trigger {index} is empty (remove the extra {SEPARATOR!r})")
        try:
            triggers.append(parse_trigger_text(part, timezone=timezone))
        except (CronError, DurationError, YschedError) as exc:
            raise ValueError(_error_text(exc, part, index, len(parts))) from exc
    return tuple(triggers)


def evaluate_entry(
    text: str,
    *,
    timezone: str,
    after: datetime,
    seed: str,
    count: int = 5,
    trigger_zone: str | None = None,
) -> EntryResult:
    """Read an entry and preview it.

    Args:
        text: what the operator typed.
        timezone: the zone the job's triggers are read in (job zone, else the settings' zone).
        after: the instant the preview starts from (now, or a frozen clock in tests).
        seed: the job code, which fixes each fire's deterministic jitter.
        count: how many fire times to preview.
        trigger_zone: a zone to pin on the new triggers (the one the old ones pinned), if any.

    Returns:
        The verdict; an entry that never fires after ``after`` is an error too, since applying
        it would silently stop the job.
    """
    try:
        triggers = parse_entry(text, timezone=trigger_zone)
        fires = tuple(fire_times(triggers, after, count, default_tz=timezone, seed=seed))
        words = "; ".join(describe(t, default_tz=timezone) for t in triggers)
    except (ValueError, YschedError) as exc:
        return EntryResult(error=str(exc))
    if not fires:
        since = after.isoformat(timespec="minutes")
        return EntryResult(error=f"{words}: never fires after {since}")
    return EntryResult(triggers=triggers, description=words, fires=fires)
