"""ysched errors <-> HTTP statuses and error bodies, in both directions.

The server turns an exception into a status and an :class:`ErrorBody`; the client turns that
body back into the same exception class with the same message and attributes, so a caller of
``RemoteService`` cannot tell it from the engine.

=====================================================  ======
JobNotFound, RunNotFound                               404
InvalidOperation                                       409
CronError, DurationError, ParamError, ConfigError      422
(and malformed requests: ``ValidationError``)
StorageError (SchemaTooNew, DatabaseLocked), NotOwner  503
any other YschedError                                  400
=====================================================  ======
"""

from __future__ import annotations

from typing import Any

from ysched_tui import errors
from ysched_tui.control.wire import ErrorBody
from ysched_tui.errors import YschedError

_STATUS: tuple[tuple[type[YschedError], int], ...] = (
    (errors.JobNotFound, 404),
    (errors.RunNotFound, 404),
    (errors.InvalidOperation, 409),
    (errors.CronError, 422),
    (errors.DurationError, 422),
    (errors.ParamError, 422),
    (errors.ConfigError, 422),
    (errors.StorageError, 503),
    (errors.NotOwner, 503),
)

_SIMPLE: dict[str, type[YschedError]] = {
    cls.__name__: cls
    for cls in (
        errors.InvalidOperation,
        errors.SchedulerNotRunning,
        errors.JobConflict,
        errors.AlreadyInState,
        errors.DurationError,
        errors.ConfigError,
        errors.StorageError,
        errors.SchemaTooNew,
        errors.DatabaseLocked,
        errors.NotOwner,
    )
}


def status_for(exc: YschedError) -> int:
    """The HTTP status of an error (see the table above)."""
    for cls, status in _STATUS:
        if isinstance(exc, cls):
            return status
    return 400


def body_for(exc: YschedError, *, field: str | None = None) -> ErrorBody:
    """The error body of ``exc``; ``field`` says where in the request it was found."""
    name = type(exc).__name__
    if isinstance(exc, errors.JobsFileError):
        name = "ConfigError"
    body = ErrorBody(detail=str(exc), error=name, field=field)
    if isinstance(exc, errors.JobNotFound):
        body.code = exc.code
    elif isinstance(exc, errors.RunNotFound):
        body.run_id = exc.run_id
    elif isinstance(exc, errors.CronError):
        body.expr, body.cron_field = exc.expr, exc.field
    elif isinstance(exc, errors.ParamError):
        body.param = exc.param
        body.field = field or (f"params.{exc.param}" if exc.param else "params")
    return body


def error_from_response(
    status: int, body: Any, *, code: str | None = None, run_id: str | None = None
) -> YschedError:
    """The exception an error response stands for.

    Args:
        status: the HTTP status.
        body: the decoded JSON body (anything: a proxy may answer with something else).
        code: the job code the request was about, for a bare 404.
        run_id: the run id the request was about, for a bare 404.
    """
    data = body if isinstance(body, dict) else {}
    detail = data.get("detail")
    message = detail if isinstance(detail, str) else f"HTTP {status}"
    kind = data.get("error")
    if kind == "JobNotFound" or (status == 404 and kind != "RunNotFound" and code is not None):
        return errors.JobNotFound(str(data.get("code") or code))
    if kind == "RunNotFound" or (status == 404 and run_id is not None):
        return errors.RunNotFound(str(data.get("run_id") or run_id))
    if kind == "CronError":
        return errors.CronError(message, expr=str(data.get("expr") or ""),
                                field=data.get("cron_field"))
    if kind == "ParamError":
        return errors.ParamError(message, param=data.get("param"))
    if isinstance(kind, str) and kind in _SIMPLE:
        return _SIMPLE[kind](message)
    if status == 401:
        return errors.ConfigError(f"the scheduler refused the token: {message}")
    if status == 409:
        return errors.InvalidOperation(message)
    if status == 422:
        where = data.get("field")
        return errors.ConfigError(f"{where}: {message}" if where and where not in message
                                  else message)
    if status == 503:
        return errors.StorageError(message)
    return errors.YschedError(f"the scheduler answered HTTP {status}: {message}")
