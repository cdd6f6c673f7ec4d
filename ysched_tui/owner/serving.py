"""The owner's control server: the control API plus who is acting, and the audit.

:class:`OwnerControlServer` is the control package's :class:`ControlServer` with two additions
to each app it serves:

* an ASGI middleware that reads the ``X-Ysched-Actor`` header (JSON ``{"user", "address",
  "via"}``) that attached consoles and the CLI send, and attributes the request's operator
  actions to that actor (:func:`~ysched_tui.core.service.acting_as`). Without the header the
  actor is ``via="api"``: on the Unix socket (mode 0600) the caller can only be this OS user;
  on TCP the user is ``?`` and the address is the peer's.
* ``GET /api/v1/audit?limit=N``: the latest operator actions, newest first (token on TCP).
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from ysched_tui.control.guard import GuardedRoute
from ysched_tui.control.serve import ControlServer
from ysched_tui.control.tokens import check_token
from ysched_tui.control.wire import API_PREFIX
from ysched_tui.core.models import Actor, AuditEntry
from ysched_tui.core.service import SchedulerService, current_actor

ACTOR_HEADER = "X-Ysched-Actor"
"""The request header naming who acts: JSON of :class:`~ysched_tui.core.models.Actor`."""


def actor_from(header: str | None, *, local: bool, peer: str | None) -> Actor:
    """The actor of one request (see the module docstring)."""
    given: Actor | None = None
    if header:
        try:
            given = Actor.model_validate(json.loads(header))
        except (ValueError, ValidationError):
            given = None
    if given is None:
        user = Actor.here("api").user if local else "?"
        return Actor(user=user, address=None if local else peer, via="api")
    if not local and given.address is None:
        given = given.model_copy(update={"address": peer})
    return given


class ActorMiddleware:
    """Sets the context's actor for each HTTP request."""

    def __init__(self, app: ASGIApp, *, local: bool) -> None:
        self.app = app
        self.local = local

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = dict(scope.get("headers") or ()).get(ACTOR_HEADER.lower().encode())
        client = scope.get("client")
        peer = str(client[0]) if client and client[0] else None
        actor = actor_from(raw.decode("utf-8", "replace") if raw else None,
                           local=self.local, peer=peer)
        token = current_actor.set(actor)
        try:
            await self.app(scope, receive, send)
        finally:
            current_actor.reset(token)


def audit_router(service: SchedulerService, token: str | None) -> APIRouter:
    """``GET /audit``, requiring ``token`` when one is given."""
    bearer = HTTPBearer(auto_error=False)

    async def require_token(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> None:
        if token is not None and (
            credentials is None or not check_token(credentials.credentials, token)
        ):
            raise HTTPException(401, "missing or wrong bearer token",
                                headers={"WWW-Authenticate": "Bearer"})

    r = APIRouter(route_class=GuardedRoute, tags=["scheduler"],
                  dependencies=[Depends(require_token)])

    @r.get("/audit", response_model=list[AuditEntry],
           summary="The latest operator actions, newest first")
    async def audit(limit: Annotated[int, Query(ge=1, le=100_000)] = 100) -> Any:
        return await service.audit(limit)

    return r


class OwnerControlServer(ControlServer):
    """The control server of an owner: see the module docstring.

    Args:
        service: the owner's engine.
        socket_path: the Unix socket.
        listen: ``HOST:PORT`` to serve on TCP as well.
        token: the bearer token TCP clients must present.
    """

    def __init__(
        self,
        service: SchedulerService,
        *,
        socket_path: Path,
        listen: str | None = None,
        token: str | None = None,
    ) -> None:
        super().__init__(service, socket_path=socket_path, listen=listen, token=token)
        self._tcp_token = token

    async def _serve(self, app: FastAPI, sock: socket.socket) -> None:
        local = sock.family == socket.AF_UNIX
        app.include_router(audit_router(self.service, None if local else self._tcp_token),
                           prefix=API_PREFIX)
        app.add_middleware(ActorMiddleware, local=local)
        await super()._serve(app, sock)
