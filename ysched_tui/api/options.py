"""Job options of the Python API and their translation into a core :class:`JobSpec`.

Decorators, ``add_job``, ``JobBuilder`` and ``Job`` classes all accept the same option names
(``concurrent``, ``max_instances``, ``max_retries``, ``retry_delay``, ``coalesce``,
``misfire_grace_time`` ...). This module is the one place that maps them onto the engine's model,
so the four ways of declaring a job cannot drift apart:

* ``concurrent=False`` -> concurrency ``"skip"``; ``max_instances=N`` -> at most N at once;
  ``concurrent=True`` alone -> at most :data:`CONCURRENT_LIMIT` at once; ``concurrency=`` is
  passed through (``"skip"``, ``"queue"`` or a number) and wins.
* ``coalesce=True`` -> catch-up ``once``; ``coalesce=False`` -> ``all``; ``catch_up=`` wins.
* ``max_retries``/``retry_delay``/``retry_backoff``/``retry_max_delay``/``retry_on`` or
  ``retry=RetryStrategy...`` -> :class:`RetryPolicy` (not both forms at once).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, Literal, TypedDict

from pydantic import ValidationError
from pydantic_core import PydanticSerializationError

from ysched_tui.api.retry import CustomRetryPolicy, ExceptionSpec, ShouldRetry, exception_names
from ysched_tui.api.triggers import check_timezone
from ysched_tui.core.models import CatchUp, Hook, JobSource, JobSpec, RetryPolicy
from ysched_tui.core.triggers import TriggerSpec
from ysched_tui.errors import ConfigError

__all__ = [
    "CONCURRENT_LIMIT",
    "HttpJobArgs",
    "JobOptionArgs",
    "JobOptions",
    "TriggerDecoratorArgs",
    "build_spec",
]

CONCURRENT_LIMIT = 10
"""Runs of one job allowed at once for ``concurrent=True`` without ``max_instances``."""

Listener = Callable[..., Any]


class _CommonArgs(TypedDict, total=False):
    code: str
    id: str
    name: str
    description: str
    tags: Sequence[str]
    enabled: bool
    concurrent: bool
    max_instances: int
    concurrency: Literal["skip", "queue"] | int
    misfire_grace_time: float
    coalesce: bool
    catch_up: CatchUp | str
    max_retries: int
    retry_delay: float
    retry_backoff: float
    retry_max_delay: float
    retry_on: Sequence[ExceptionSpec]
    retry: RetryPolicy
    args: Sequence[Any]
    kwargs: Mapping[str, Any]
    hooks: Sequence[Hook]
    on_success: Listener
    on_failure: Listener


class TriggerDecoratorArgs(_CommonArgs, total=False):
    """Options of ``@scheduler.cron/interval/once`` (their ``timezone`` is the trigger's)."""

    timeout: float


class HttpJobArgs(_CommonArgs, total=False):
    """Options of ``add_http_job`` (its ``timeout`` is an argument of its own)."""

    timezone: str


class JobOptionArgs(_CommonArgs, total=False):
    """Keyword options every way of declaring a job accepts (see the module docstring)."""

    timezone: str
    timeout: float


_RETRY_FIELDS = ("max_retries", "retry_delay", "retry_backoff", "retry_max_delay", "retry_on")


@dataclass(frozen=True, kw_only=True)
class JobOptions:
    """Options as given; ``None`` means "not given" so stacked declarations can be merged."""

    code: str | None = None
    name: str | None = None
    description: str | None = None
    tags: tuple[str, ...] | None = None
    timezone: str | None = None
    timeout: float | None = None
    enabled: bool | None = None
    concurrent: bool | None = None
    max_instances: int | None = None
    concurrency: Literal["skip", "queue"] | int | None = None
    misfire_grace_time: float | None = None
    coalesce: bool | None = None
    catch_up: CatchUp | str | None = None
    max_retries: int | None = None
    retry_delay: float | None = None
    retry_backoff: float | None = None
    retry_max_delay: float | None = None
    retry_on: tuple[ExceptionSpec, ...] | None = None
    retry: RetryPolicy | None = None
    args: tuple[Any, ...] | None = None
    kwargs: Mapping[str, Any] | None = None
    hooks: tuple[Hook, ...] | None = None
    on_success: Listener | None = None
    on_failure: Listener | None = None

    @classmethod
    def from_kwargs(cls, where: str, values: Mapping[str, Any]) -> JobOptions:
        """Read keyword options; ``id`` is accepted as an alias of ``code`` (APScheduler's name).

        Raises:
            ConfigError: an unknown option (naming it and the valid ones) or code given twice.
        """
        data = {k: v for k, v in values.items() if v is not None}
        if "id" in data:
            if "code" in data and data["code"] != data["id"]:
                raise ConfigError(f"{where}: give code= or id= (its alias), not both")
            data["code"] = data.pop("id")
        valid = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - valid)
        if unknown:
            raise ConfigError(
                f"{where}: unknown option {unknown[0]!r}; expected one of "
                + ", ".join(sorted(valid | {"id"}))
            )
        for key in ("tags", "retry_on", "args", "hooks"):
            if key in data:
                data[key] = _as_tuple(where, key, data[key])
        return cls(**data)

    def merge(self, other: JobOptions, where: str) -> JobOptions:
        """Combine two declarations of one job; an option given differently twice is an error."""
        merged: dict[str, Any] = {}
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if mine is not None and theirs is not None and mine != theirs:
                raise ConfigError(
                    f"{where}: option {f.name!r} is given twice with different values "
                    f"({mine!r} and {theirs!r}); give it once"
                )
            merged[f.name] = mine if mine is not None else theirs
        return JobOptions(**merged)

    def replace(self, **changes: Any) -> JobOptions:
        """A copy with some options changed (used by :class:`JobBuilder`)."""
        return dataclasses.replace(self, **changes)

    # --- translation -----------------------------------------------------------------------

    def retry_parts(self, where: str) -> tuple[RetryPolicy | None, ShouldRetry | None]:
        """The storable retry policy (``None`` = default) and a ``should_retry`` predicate.

        Raises:
            ConfigError: ``retry=`` combined with the single retry options, or a bad value.
        """
        singles = [name for name in _RETRY_FIELDS if getattr(self, name) is not None]
        if self.retry is not None:
            if singles:
                raise ConfigError(f"{where}: give retry=RetryStrategy... or {', '.join(singles)}, "
                                  "not both")
            if not isinstance(self.retry, RetryPolicy):
                raise ConfigError(f"{where}: retry must be a RetryStrategy policy such as "
                                  f"RetryStrategy.fixed(3, 60), got {self.retry!r}")
            if isinstance(self.retry, CustomRetryPolicy):
                return self.retry.plain(), self.retry.should_retry
            return self.retry, None
        if not singles:
            return None, None
        data: dict[str, Any] = {"max": self.max_retries or 0}
        if self.retry_delay is not None:
            data["delay"] = self.retry_delay
        if self.retry_backoff is not None:
            data["backoff"] = self.retry_backoff
        if self.retry_max_delay is not None:
            data["max_delay"] = self.retry_max_delay
        data["retry_on"] = exception_names(self.retry_on or (), f"{where}: retry_on")
        try:
            return RetryPolicy(**data), None
        except ValidationError as exc:
            raise ConfigError(f"{where}: {_describe(exc, _RETRY_ALIASES)}") from None

    def concurrency_value(self, where: str) -> Literal["skip", "queue"] | int | None:
        """The spec's concurrency, or ``None`` to keep the default (``skip``)."""
        if self.concurrency is not None:
            return self.concurrency
        if self.concurrent is False:
            if self.max_instances not in (None, 1):
                raise ConfigError(f"{where}: concurrent=False allows one run at a time, "
                                  f"but max_instances={self.max_instances}")
            return "skip"
        if self.max_instances is not None:
            return self.max_instances
        if self.concurrent:
            return CONCURRENT_LIMIT
        return None

    def catch_up_value(self) -> CatchUp | str | None:
        """The spec's catch-up policy, or ``None`` for the settings' default."""
        if self.catch_up is not None:
            return self.catch_up
        if self.coalesce is None:
            return None
        return CatchUp.ONCE if self.coalesce else CatchUp.ALL


_RETRY_ALIASES = {"max": "max_retries", "delay": "retry_delay", "backoff": "retry_backoff",
                  "max_delay": "retry_max_delay"}
_SPEC_ALIASES = {"misfire_grace": "misfire_grace_time", "retries": "retry"}


def _as_tuple(where: str, key: str, value: Any) -> tuple[Any, ...]:
    if isinstance(value, str) and key != "args":
        return (value,)
    listlike = isinstance(value, Sequence | set | frozenset)
    if isinstance(value, str | bytes | Mapping) or not listlike:
        raise ConfigError(f"{where}: {key} must be a list, got {value!r}")
    return tuple(value)


def _describe(exc: ValidationError, aliases: Mapping[str, str]) -> str:
    parts = []
    for err in exc.errors():
        loc = [aliases.get(str(p), str(p)) for p in err.get("loc", ())]
        field = ".".join(loc)
        parts.append(f"field {field!r}: {err['msg']}" if field else str(err["msg"]))
    return "; ".join(parts)


def build_spec(
    *,
    code: str,
    target: Any,
    triggers: Sequence[TriggerSpec],
    options: JobOptions,
    name: str = "",
    description: str = "",
    source_file: str | None = None,
    source_line: int | None = None,
) -> JobSpec:
    """Build the core spec of one API job (``source=api``).

    Args:
        code: the job code (already defaulted by the caller).
        target: the Python or HTTP target.
        triggers: the job's triggers; empty means manual-only.
        options: the options as given.
        name: the default name when ``options.name`` is not given.
        description: the default description when ``options.description`` is not given.
        source_file: where the job was declared, for messages.
        source_line: the line it was declared on.

    Raises:
        ConfigError: naming the job code and the bad option.
    """
    where = f"job {code!r}"
    retries, _predicate = options.retry_parts(where)
    fields_: dict[str, Any] = {
        "code": code,
        "name": options.name if options.name is not None else name,
        "description": options.description if options.description is not None else description,
        "target": target,
        "triggers": tuple(triggers),
        "timezone": check_timezone(options.timezone, f"{where}: timezone"),
        "source": JobSource.API,
        "source_file": source_file,
        "source_line": source_line,
    }
    optional = {
        "tags": options.tags,
        "timeout": options.timeout,
        "enabled": options.enabled,
        "retries": retries,
        "concurrency": options.concurrency_value(where),
        "catch_up": options.catch_up_value(),
        "misfire_grace": options.misfire_grace_time,
        "hooks": options.hooks,
    }
    fields_.update({k: v for k, v in optional.items() if v is not None})
    try:
        spec = JobSpec(**fields_)
    except ValidationError as exc:
        raise ConfigError(f"{where}: {_describe(exc, _SPEC_ALIASES)}") from None
    try:
        spec.model_dump_json()
    except PydanticSerializationError as exc:
        raise ConfigError(f"{where}: args, kwargs and request bodies are stored, so they must be "
                          f"JSON-able: {exc}") from None
    return spec
