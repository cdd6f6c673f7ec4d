"""What travels over the control API besides the core models: request bodies, the error body
and core events as JSON.

Responses reuse the core pydantic models unchanged, so the OpenAPI schema is exactly what the
engine returns. Events are the core dataclasses with their class name added as ``"type"``:
``{"type": "RunStarted", "timestamp": ..., "run": {...}}``; :func:`event_from_json` turns such a
line back into the same dataclass, and skips types it does not know (a newer owner).
"""

from __future__ import annotations

import dataclasses
import json
import typing
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, create_model

from ysched_tui.core import events as core_events
from ysched_tui.core.events import Event
from ysched_tui.core.models import Actor
from ysched_tui.core.triggers import TriggerSpec

API_PREFIX = "/api/v1"
"""Every endpoint lives under this prefix."""

ACTOR_HEADER = "X-Ysched-Actor"
"""Request header saying who acts, for the audit: an :class:`~ysched_tui.core.models.Actor` as
ASCII JSON, e.g. ``{"user": "alice", "address": "10.0.0.7", "via": "cli"}``."""

EVENT_TYPES: dict[str, type[Event]] = {
    cls.__name__: cls
    for cls in (
        core_events.JobUpdated,
        core_events.JobRemoved,
        core_events.RunStarted,
        core_events.RunOutput,
        core_events.RunFinished,
        core_events.RunMissed,
        core_events.RetryScheduled,
        core_events.StatusChanged,
    )
}
"""Every core event the ``/events`` stream carries, by its ``type``."""


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorBody(BaseModel):
    """Every error response: a message naming what is wrong, and where."""

    detail: str
    """One line saying what is wrong."""
    error: str
    """The error's kind: a ysched error class name (``JobNotFound``, ``CronError``...),
    ``ValidationError`` for a malformed request, ``Unauthorized``, ``HTTPError`` or
    ``InternalError``."""
    field: str | None = None
    """Where in the request the problem is (``cron``, ``query.limit``, ``body.triggers.0``)."""
    code: str | None = None
    """The job code (``JobNotFound``)."""
    run_id: str | None = None
    """The run id (``RunNotFound``)."""
    expr: str | None = None
    """The cron expression (``CronError``)."""
    cron_field: str | None = None
    """The cron field that is wrong: minute, hour... (``CronError``)."""
    param: str | None = None
    """The script parameter (``ParamError``)."""
    errors: list[dict[str, Any]] | None = None
    """Every problem of a malformed request (``ValidationError``), as pydantic reports them."""


class Health(BaseModel):
    """``GET /health``: the owner answers (no token needed, nothing secret)."""

    status: Literal["ok"] = "ok"


class TriggerRequest(_Body):
    """``POST /jobs/{code}/trigger``: parameters for a script job's manual run."""

    params: dict[str, Any] | None = None


class TriggerResponse(BaseModel):
    """The run a manual trigger started."""

    run_id: str


class RescheduleRequest(_Body):
    """``POST /jobs/{code}/reschedule``: exactly one of ``cron``, ``every``, ``at``,
    ``triggers``."""

    cron: str | None = None
    """A cron expression or macro: ``"30 2 * * *"``, ``"@daily"``."""
    every: str | None = None
    """An interval: ``"5m"``, ``"1h30m"``."""
    at: str | None = None
    """One time, ISO 8601: ``"2026-12-31T23:59"`` (naive: in ``timezone`` or the job's zone)."""
    triggers: list[TriggerSpec] | None = None
    """Full trigger specs; an empty list makes the job manual-only."""
    timezone: str | None = None
    """IANA zone for ``cron``/``every``/``at``; default the job's or the scheduler's zone."""


def _wire_model(cls: type[Event]) -> type[BaseModel]:
    hints = typing.get_type_hints(cls)
    fields: dict[str, Any] = {"type": (Literal[cls.__name__], cls.__name__)}
    for f in dataclasses.fields(cls):
        default = f.default if f.default is not dataclasses.MISSING else ...
        fields[f.name] = (hints[f.name], default)
    return create_model(cls.__name__ + "Event", __doc__=cls.__doc__, **fields)


EVENT_MODELS: dict[str, type[BaseModel]] = {n: _wire_model(c) for n, c in EVENT_TYPES.items()}
"""Pydantic twins of the event dataclasses, with ``type``: the stream's schema."""

AnyEvent: Any = Annotated[
    typing.Union[tuple(EVENT_MODELS.values())],  # noqa: UP007 (built at run time)
    Field(discriminator="type"),
]
"""One stream line: any of :data:`EVENT_MODELS`, told apart by ``type``."""
_ANY_EVENT: TypeAdapter[Any] = TypeAdapter(AnyEvent)
_DUMPERS = {name: TypeAdapter(cls) for name, cls in EVENT_TYPES.items()}


def event_to_json(event: Event) -> dict[str, Any]:
    """``{"type": <class name>, ...fields}`` with JSON-ready values."""
    name = type(event).__name__
    data: dict[str, Any] = _DUMPERS[name].dump_python(event, mode="json", by_alias=True)
    return {"type": name, **data}


def event_from_json(data: Any) -> Event | None:
    """The core event a JSON object describes; ``None`` for a type this version lacks.

    Raises:
        pydantic.ValidationError: the object is not a valid event of its type.
    """
    if not isinstance(data, dict) or data.get("type") not in EVENT_TYPES:
        return None
    model = _ANY_EVENT.validate_python(data)
    cls = EVENT_TYPES[data["type"]]
    return cls(**{f.name: getattr(model, f.name) for f in dataclasses.fields(cls)})


def event_schemas(ref_template: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The JSON schema of one stream line and the definitions it refers to."""
    schema = _ANY_EVENT.json_schema(ref_template=ref_template, mode="serialization")
    defs = schema.pop("$defs", {})
    return schema, defs


def actor_header(actor: Actor) -> str:
    """The :data:`ACTOR_HEADER` value for ``actor`` (ASCII-only JSON, as headers need)."""
    return json.dumps(actor.model_dump(mode="json", exclude_none=True), ensure_ascii=True,
                      separators=(",", ":"))
