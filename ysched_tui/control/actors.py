"""Who is acting, for the audit: read from each request of the control API.

A client says who it is in the ``X-Ysched-Actor`` header (its OS user, its SSH client address,
and whether it is the console, the CLI or a script). How far that is believed depends on the
connection:

* **Unix socket**: only this OS user (or root) can connect to the 0600 socket, so the claim is
  taken as is; without a header the actor is this user ``via="api"``.
* **TCP**: the address is always the peer's address as seen here (a claim cannot change it);
  the user is the claimed one, or ``"?"`` when the client did not say.
"""

from __future__ import annotations

import getpass
import os
from typing import Annotated

from fastapi import Depends, Header, Request
from pydantic import ValidationError

from ysched_tui.control.guard import FieldError
from ysched_tui.control.wire import ACTOR_HEADER
from ysched_tui.core.models import Actor
from ysched_tui.errors import ConfigError


def _local_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid())


def parse_actor(value: str) -> Actor:
    """The actor a header value claims.

    Raises:
        FieldError: naming the header, when the value is not an actor as JSON.
    """
    try:
        return Actor.model_validate_json(value)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(p) for p in problem["loc"]) or "value"
        raise FieldError(ConfigError(f"header {ACTOR_HEADER}: {where}: {problem['msg']}"),
                         f"header.{ACTOR_HEADER}") from None


async def request_actor(
    request: Request,
    claim: Annotated[str | None, Header(
        alias=ACTOR_HEADER, description="Who acts, for the audit: an Actor as JSON.")] = None,
) -> Actor:
    """The actor of this request (see the module docstring for what is believed)."""
    claimed = parse_actor(claim) if claim else None
    peer = request.client.host if request.client else ""
    if peer:
        return Actor(user=claimed.user if claimed else "?", address=peer,
                     via=claimed.via if claimed else "api")
    return claimed or Actor(user=_local_user(), via="api")


ActorDep = Annotated[Actor, Depends(request_actor)]
"""An endpoint parameter receiving the request's actor."""
