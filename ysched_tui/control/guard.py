"""Turning every failure of a request into a clear error response, never a bare 500.

ysched errors become their status and :class:`ErrorBody` (:mod:`error_map`); malformed
requests become 422 naming the field; anything else is a bug: it is logged with its traceback
and answered 500 ``InternalError``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from ysched_tui.control.error_map import body_for, status_for
from ysched_tui.control.wire import ErrorBody
from ysched_tui.errors import YschedError

log = logging.getLogger("ysched_tui.control")

_REASONS = {401: "Unauthorized", 404: "NotFound", 405: "MethodNotAllowed"}


class FieldError(Exception):
    """A ysched error found in one part of the request (``field``), raised from a dependency
    or a route; answered like the error itself, with the field named."""

    def __init__(self, error: YschedError, field: str) -> None:
        super().__init__(str(error))
        self.error, self.field = error, field


def error_response(exc: YschedError, *, field: str | None = None) -> JSONResponse:
    """The response for a ysched error; ``field`` names where in the request it was found."""
    body = body_for(exc, field=field)
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status_for(exc))


def internal_error(exc: Exception) -> JSONResponse:
    """A 500 for a bug, logged with its traceback."""
    log.error("control API request failed", exc_info=exc)
    body = ErrorBody(detail=f"internal error ({type(exc).__name__}): {exc}",
                     error="InternalError")
    return JSONResponse(body.model_dump(exclude_none=True), status_code=500)


class GuardedRoute(APIRoute):
    """An APIRoute whose handler maps ysched errors and catches bugs (see the module doc)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except YschedError as exc:
                return error_response(exc)
            except FieldError as exc:
                return error_response(exc.error, field=exc.field)
            except (HTTPException, RequestValidationError):
                raise
            except Exception as exc:
                return internal_error(exc)

        return guarded


async def on_validation_error(request: Request, exc: Exception) -> Response:
    """422 naming every bad field: ``query.limit: Input should be ...``."""
    assert isinstance(exc, RequestValidationError)
    problems = [
        {"loc": [str(part) for part in e.get("loc", ())], "msg": str(e.get("msg", "")),
         "type": str(e.get("type", ""))}
        for e in exc.errors()
    ]
    where = [".".join(p["loc"]) or "request" for p in problems]
    detail = "; ".join(f"{w}: {p['msg']}" for w, p in list(zip(where, problems, strict=True))[:5])
    body = ErrorBody(detail=detail or "invalid request", error="ValidationError",
                     field=where[0] if where else None, errors=problems)
    return JSONResponse(body.model_dump(exclude_none=True), status_code=422)


async def on_http_error(request: Request, exc: Exception) -> Response:
    """Starlette/FastAPI HTTP errors (401, unknown routes...) in the same error body."""
    assert isinstance(exc, HTTPException)
    body = ErrorBody(detail=str(exc.detail), error=_REASONS.get(exc.status_code, "HTTPError"))
    return JSONResponse(body.model_dump(exclude_none=True), status_code=exc.status_code,
                        headers=exc.headers)
