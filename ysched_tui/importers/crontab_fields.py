"""The time fields of a crontab entry, held to cronie's grammar before the scheduler reads them.

The scheduler's cron parser accepts a little more than cron(8) does (``L`` for the last day of
the month, ``5/15`` for ``5-59/15``). A crontab line using those never ran under cron: cronie
refuses it and older Vixie cron reads ``5/15`` as minute 5 alone. Importing such a line as the
scheduler reads it would fire it at times cron never did, so it is reported instead. The rules
follow cronie's ``entry.c:get_range``: an item is ``*``, ``*/step``, a number or name, or
``first-last`` with an optional ``/step``; items are joined by commas.
"""

from __future__ import annotations

import re

from ysched_tui.core.cron import validate_cron
from ysched_tui.errors import CronError

__all__ = ["FIELD_NAMES", "FieldError", "check_time_fields"]

FIELD_NAMES = ("minute", "hour", "day-of-month", "month", "day-of-week")
"""The five time fields in crontab order, named as the scheduler's cron errors name them."""

_ITEM = re.compile(r"^(?:\*(?:/[0-9]+)?|[A-Za-z0-9]+(?:-[A-Za-z0-9]+(?:/[0-9]+)?)?)$")
_SINGLE_STEP = re.compile(r"^([A-Za-z0-9]+)/([0-9]+)$")


class FieldError(Exception):
    """A time field cron would refuse (or read differently); ``field`` names it."""

    def __init__(self, message: str, field: str | None) -> None:
        super().__init__(message)
        self.field = field


def check_time_fields(fields: list[str]) -> str:
    """Check the five fields as cronie parses them and return the expression they form.

    Args:
        fields: minute, hour, day-of-month, month and day-of-week as written.

    Returns:
        The fields joined by single spaces.

    Raises:
        FieldError: naming the field and what cron does with it.
    """
    for name, text in zip(FIELD_NAMES, fields, strict=True):
        for item in text.split(","):
            _check_item(name, text, item)
    expr = " ".join(fields)
    try:
        validate_cron(expr)
    except CronError as exc:
        raise FieldError(str(exc), exc.field) from exc
    return expr


def _check_item(name: str, text: str, item: str) -> None:
    where = f"{name} field {text!r}"
    if item.lower() == "l":
        raise FieldError(f"{where}: 'L' (last day of the month) is not crontab(5) syntax, so "
                         "cron refuses this line", name)
    if not item or _ITEM.match(item):
        return  # values and ranges are checked by the scheduler's parser, which names them
    single = _SINGLE_STEP.match(item)
    if single:
        first, step = single.groups()
        raise FieldError(
            f"{where}: a step needs a range or '*' before it in cron: cronie refuses "
            f"'{item}' and older cron runs it at {first} only; write the range, "
            f"e.g. '{first}-<last>/{step}'", name)
    if item == "?" or "#" in item:
        raise FieldError(f"{where}: {item!r} is not crontab(5) syntax (a Quartz/croniter "
                         "extension), so cron refuses this line", name)
    if "~" in item:
        raise FieldError(f"{where}: cronie's random '~' picks a time when cron loads the "
                         "crontab; choose a fixed time instead", name)
    raise FieldError(f"invalid {where}: cron accepts '*', '*/step', a value, or "
                     "'first-last' with an optional '/step', separated by commas", name)
