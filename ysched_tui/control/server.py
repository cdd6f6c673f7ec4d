"""The control API as a FastAPI app over any :class:`SchedulerService`.

``create_app(service, token=...)`` serves ``service`` (the engine, in the owner) under
``/api/v1``. Request and response bodies are the core pydantic models, so the OpenAPI schema at
``/openapi.json`` (also committed as ``docs/openapi.json``) is the exact contract. With a token,
every endpoint but ``/api/v1/health`` needs ``Authorization: Bearer <token>`` (401 otherwise,
compared in constant time); the schema always declares the bearer scheme, so it is the same
document whether or not this app enforces it (the Unix socket's app does not: see
:mod:`ysched_tui.control.serve`).

Errors never escape as tracebacks: see :mod:`ysched_tui.control.guard` for the mapping.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException

from ysched_tui.control.guard import GuardedRoute, on_http_error, on_validation_error
from ysched_tui.control.metrics import MetricsCollector
from ysched_tui.control.routes_jobs import errors, jobs_router
from ysched_tui.control.routes_runs import metrics_router, runs_router
from ysched_tui.control.streams import EventHub
from ysched_tui.control.tokens import check_token
from ysched_tui.control.wire import API_PREFIX, Health, event_schemas
from ysched_tui.core.service import SchedulerService
from ysched_tui.version import __version__

DESCRIPTION = """\
Control API of a ysched-tui scheduler, served by the process that owns the database.

* On the Unix socket beside the database (mode 0600) no token is needed.
* On TCP (`--listen HOST:PORT`) every endpoint but `/api/v1/health` needs
  `Authorization: Bearer <token>` (the token file beside the database, mode 0600).
* Errors are `ErrorBody` objects: 404 unknown job or run, 409 not applicable now
  (pausing a paused job), 422 invalid input naming the `field`, 401 missing or wrong token.
* `/events` and `/runs/{run_id}/output/follow` are NDJSON streams (one JSON object per line;
  empty lines are heartbeats).
* `/metrics` (Prometheus' default scrape path) serves the same text as `/api/v1/metrics`, with
  the same token rule.
"""

_bearer = HTTPBearer(auto_error=False, description="The token file beside the database "
                     "(required on TCP; the Unix socket needs none).")


def _auth(token: str | None) -> Any:
    async def require_token(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> None:
        if token is None:
            return
        if credentials is None or not check_token(credentials.credentials, token):
            raise HTTPException(401, "missing or wrong bearer token",
                                headers={"WWW-Authenticate": "Bearer"})

    return require_token


def create_app(service: SchedulerService, *, token: str | None = None) -> FastAPI:
    """The control API app serving ``service``.

    Args:
        service: the scheduler to serve (any SchedulerService; the owner passes its engine).
        token: when set, required as a bearer token on every endpoint but ``/health``.

    The app subscribes to ``service`` at once (for ``/metrics`` and the streams); call
    :func:`close_app` when the server stops, to end the streams and unsubscribe.
    """
    app = FastAPI(title="ysched-tui control API", version=__version__,
                  description=DESCRIPTION, docs_url=None, redoc_url=None,
                  separate_input_output_schemas=False)
    metrics = MetricsCollector()
    hub = EventHub(service)
    app.state.hub, app.state.metrics = hub, metrics
    app.state.unsubscribe_metrics = service.subscribe(metrics)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(HTTPException, on_http_error)

    open_router = APIRouter(route_class=GuardedRoute, tags=["scheduler"])

    @open_router.get("/health", response_model=Health, summary="The owner answers (no token)")
    async def health() -> Health:
        return Health()

    secured, responses = [Depends(_auth(token))], errors(401, 503)
    app.include_router(open_router, prefix=API_PREFIX)
    scrape = metrics_router(service, metrics)
    for router in (jobs_router(service), runs_router(service, hub), scrape):
        app.include_router(router, prefix=API_PREFIX, dependencies=secured, responses=responses)
    app.include_router(scrape, dependencies=secured, include_in_schema=False)
    app.openapi = lambda: openapi_schema(app)  # type: ignore[method-assign]
    return app


def close_app(app: FastAPI) -> None:
    """End the app's streams and unsubscribe it from its service."""
    app.state.hub.close()
    app.state.unsubscribe_metrics()


def openapi_schema(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document, with the event stream's line schema (``Event``) added."""
    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version, routes=app.routes,
                             description=app.description,
                             separate_input_output_schemas=False)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        line, defs = event_schemas("#/components/schemas/{model}")
        for name, definition in defs.items():
            components.setdefault(name, definition)
        components["Event"] = {"title": "Event", **line}
        _uniform_422(schema)
        schema["components"]["schemas"] = dict(sorted(components.items()))
        app.openapi_schema = schema
    return app.openapi_schema


def _uniform_422(schema: dict[str, Any]) -> None:
    """Declare FastAPI's automatic 422 responses as the ErrorBody this app really sends."""
    error_body = {"$ref": "#/components/schemas/ErrorBody"}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            response = operation.get("responses", {}).get("422")
            if response is not None:
                response["content"] = {"application/json": {"schema": error_body}}
    components = schema["components"]["schemas"]
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
