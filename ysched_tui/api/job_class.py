"""Class jobs of the Python API: subclass :class:`Job` or :class:`HttpJob`.

A class job declares its schedule and options as class attributes and is registered with
``scheduler.add_job_class(MyJob)``. A :class:`Job` runs ``execute(context)`` on a fresh instance
for every run (so concurrent runs never share instance state). An :class:`HttpJob` becomes an
``http`` job run by the engine's HTTP runner, which sends the request described by the class
attributes ``url``, ``method``, ``headers``, ``params``, ``json``, ``data``: the request is fixed
when the job is declared. Per-run ``build_request(context)`` and
``on_response(response, context)`` hooks are not supported (the stored job is plain data, and the
HTTP runner records status, latency and body by itself); a class defining them is refused with a
message saying so. For a request that changes per run, write a :class:`Job` whose ``execute``
uses httpx.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from ysched_tui.api.options import JobOptions
from ysched_tui.api.retry import ExceptionSpec
from ysched_tui.core.context import JobContext
from ysched_tui.core.models import HttpTarget, RetryPolicy
from ysched_tui.core.triggers import TriggerSpec
from ysched_tui.errors import ConfigError

__all__ = ["DEFAULT_RETRY_ON_CODES", "ClassJob", "HttpJob", "Job", "describe_job_class"]

DEFAULT_RETRY_ON_CODES = (500, 502, 503, 504)
"""HTTP statuses that allow a retry when a job does not say."""

_OPTION_ATTRS = (
    "code", "name", "description", "tags", "timezone", "timeout", "enabled", "concurrent",
    "max_instances", "concurrency", "misfire_grace_time", "coalesce", "catch_up", "max_retries",
    "retry_delay", "retry_backoff", "retry_max_delay", "retry_on", "retry",
)


class Job:
    """Base of class jobs: set class attributes, override ``execute``.

    Example::

        class ReportJob(Job):
            code = "REPORT_DAILY_SALES"
            trigger = cron("0 2 * * *")
            concurrent = False
            max_retries = 3

            async def execute(self, context: JobContext) -> dict:
                return {"records": 100}
    """

    trigger: ClassVar[TriggerSpec | None] = None
    """One trigger; combined with ``triggers``. No trigger at all means manual-only."""
    triggers: ClassVar[Sequence[TriggerSpec]] = ()
    """Several triggers: the job fires at each one's times."""
    code: ClassVar[str | None] = None
    """The job code; default the class name."""
    name: ClassVar[str | None] = None
    """The display name; default empty (the code is shown)."""
    description: ClassVar[str | None] = None
    """Default: the class docstring."""
    tags: ClassVar[Sequence[str] | None] = None
    timezone: ClassVar[str | None] = None
    timeout: ClassVar[float | None] = None
    """Seconds a run may take; default the settings' ``default_timeout``."""
    enabled: ClassVar[bool | None] = None
    concurrent: ClassVar[bool | None] = None
    """``False``: a fire while a run is in progress is recorded as skipped."""
    max_instances: ClassVar[int | None] = None
    concurrency: ClassVar[str | int | None] = None
    misfire_grace_time: ClassVar[float | None] = None
    coalesce: ClassVar[bool | None] = None
    catch_up: ClassVar[str | None] = None
    max_retries: ClassVar[int | None] = None
    retry_delay: ClassVar[float | None] = None
    retry_backoff: ClassVar[float | None] = None
    retry_max_delay: ClassVar[float | None] = None
    retry_on: ClassVar[Sequence[ExceptionSpec] | None] = None
    retry: ClassVar[RetryPolicy | None] = None
    """A ``RetryStrategy`` policy; instead of the single retry attributes."""

    def execute(self, context: JobContext) -> Any:
        """Do the work of one run; the return value is stored as the run's result.

        Override it as ``async def`` (awaited on the event loop) or a plain ``def`` (run in a
        worker thread).
        """
        raise NotImplementedError(f"{type(self).__qualname__} must override execute(context)")


class HttpJob(Job):
    """A class job that sends one HTTP request per run.

    Only the class attributes describe the request (see the module docstring).
    """

    url: ClassVar[str] = ""
    """The URL; ``${ENV_VAR}`` references are expanded when sending, never stored expanded."""
    method: ClassVar[str] = "GET"
    headers: ClassVar[Mapping[str, str]] = {}
    params: ClassVar[Mapping[str, str]] = {}
    json: ClassVar[Any] = None
    """A JSON body."""
    data: ClassVar[Mapping[str, str] | str | None] = None
    """A form body or raw text."""
    timeout: ClassVar[float | None] = 30
    """Seconds for the request (and the run)."""
    success_codes: ClassVar[Sequence[int]] = ()
    """Statuses counted as success; empty means any 2xx."""
    retry_on_codes: ClassVar[Sequence[int]] = DEFAULT_RETRY_ON_CODES
    """Statuses that fail the run and allow a retry."""


@dataclass(frozen=True, kw_only=True)
class ClassJob:
    """What :func:`describe_job_class` reads from a class."""

    code: str
    triggers: tuple[TriggerSpec, ...]
    options: JobOptions
    description: str
    runner: Callable[..., Any] | None
    """The callable run for a :class:`Job`; ``None`` for an :class:`HttpJob`."""
    http: HttpTarget | None


def describe_job_class(cls: Any) -> ClassJob:
    """Read a :class:`Job`/:class:`HttpJob` subclass's attributes.

    Raises:
        ConfigError: not a subclass, no ``execute``/``url``, or per-run HTTP hooks defined.
    """
    if not (isinstance(cls, type) and issubclass(cls, Job)) or cls in (Job, HttpJob):
        raise ConfigError(f"add_job_class: expected a subclass of Job or HttpJob, got {cls!r}")
    where = f"job class {cls.__qualname__}"
    values = {attr: getattr(cls, attr) for attr in _OPTION_ATTRS}
    options = JobOptions.from_kwargs(where, values)
    code = options.code or cls.__name__
    triggers = tuple(([cls.trigger] if cls.trigger is not None else []) + list(cls.triggers))
    own_doc = cls.__dict__.get("__doc__")
    description = inspect.cleandoc(own_doc) if isinstance(own_doc, str) else ""
    if issubclass(cls, HttpJob):
        return ClassJob(code=code, triggers=triggers, options=options, description=description,
                        runner=None, http=_http_target(cls, where))
    if cls.execute is Job.execute:
        raise ConfigError(f"{where}: override 'async def execute(self, context)'")
    return ClassJob(code=code, triggers=triggers, options=options, description=description,
                    runner=_runner(cls), http=None)


def _http_target(cls: type[HttpJob], where: str) -> HttpTarget:
    for hook in ("build_request", "on_response"):
        if hasattr(cls, hook):
            raise ConfigError(
                f"{where}: {hook}() is not supported; an HttpJob's request is fixed by its class "
                "attributes (url, method, headers, params, json, data). For a request built per "
                "run, subclass Job and send it with httpx in execute()"
            )
    if not isinstance(cls.url, str) or not cls.url.startswith(("http://", "https://")):
        raise ConfigError(f"{where}: url must start with http:// or https://, got {cls.url!r}")
    return http_target(
        where, url=cls.url, method=cls.method, headers=cls.headers, params=cls.params,
        json=cls.json, data=cls.data, timeout=cls.timeout, success_codes=cls.success_codes,
        retry_on_codes=cls.retry_on_codes,
    )


def http_target(where: str, **fields: Any) -> HttpTarget:
    """Build an :class:`HttpTarget`, turning validation errors into a :class:`ConfigError`."""
    data = {k: (tuple(v) if k.endswith("_codes") else v) for k, v in fields.items()}
    data["headers"] = dict(data.get("headers") or {})
    data["params"] = dict(data.get("params") or {})
    data["method"] = str(data.get("method") or "GET").upper()
    try:
        return HttpTarget(**data)
    except ValueError as exc:
        raise ConfigError(f"{where}: invalid HTTP request: {exc}") from None


def _runner(cls: type[Job]) -> Callable[..., Any]:
    """The callable the engine runs: a fresh instance's ``execute(context)`` per run."""
    execute = cls.execute
    if inspect.iscoroutinefunction(execute):

        async def run_async(context: JobContext) -> Any:
            return await cls().execute(context)

        runner: Callable[..., Any] = run_async
    else:

        def run_sync(context: JobContext) -> Any:
            return cls().execute(context)

        runner = run_sync
    runner.__module__ = cls.__module__
    runner.__qualname__ = f"{cls.__qualname__}.execute"
    runner.__name__ = "execute"
    runner.__doc__ = execute.__doc__
    return runner
