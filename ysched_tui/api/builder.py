"""``JobBuilder``: configuring a job by chained method calls, one option per call.

``JobBuilder(func).code("NOTIFY").trigger(cron("0 9 * * *")).max_retries(3).build()`` returns a
:class:`BuiltJob`, which ``scheduler.add_job(built)`` declares. Every method returns the builder,
so a chain reads as the list of the job's options; ``build()`` checks the whole job at once and
raises a :class:`~ysched_tui.errors.ConfigError` naming the bad option.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Self

from ysched_tui.api.options import JobOptions, build_spec
from ysched_tui.api.retry import ExceptionSpec
from ysched_tui.api.triggers import as_trigger_list
from ysched_tui.core.models import CatchUp, Hook, PythonTarget, RetryPolicy
from ysched_tui.core.triggers import TriggerSpec
from ysched_tui.errors import ConfigError

__all__ = ["BuiltJob", "JobBuilder", "default_code"]


def default_code(func: Callable[..., Any]) -> str:
    """A job's default code: the function's name, or an error for a lambda.

    Raises:
        ConfigError: the callable has no usable name.
    """
    name = getattr(func, "__name__", "")
    if not name or name.startswith("<"):
        raise ConfigError(f"{func!r} has no name to use as the job code; pass code=...")
    return str(name)


@dataclass(frozen=True, kw_only=True)
class BuiltJob:
    """A configured job waiting to be declared with ``scheduler.add_job(built)``."""

    func: Callable[..., Any]
    triggers: tuple[TriggerSpec, ...]
    options: JobOptions

    @property
    def code(self) -> str:
        """The job code: the one given, else the function's name."""
        return self.options.code or default_code(self.func)


class JobBuilder:
    """Chained configuration of one function job (see the module docstring)."""

    def __init__(self, func: Callable[..., Any]) -> None:
        """Start configuring ``func`` (a coroutine function or a plain function).

        Raises:
            ConfigError: ``func`` is not callable.
        """
        if not callable(func):
            raise ConfigError(f"JobBuilder: expected a function, got {func!r}")
        self._func = func
        self._triggers: list[TriggerSpec] = []
        self._options = JobOptions()

    def _set(self, **changes: Any) -> Self:
        self._options = self._options.replace(**changes)
        return self

    # --- identity --------------------------------------------------------------------------

    def code(self, code: str) -> Self:
        """The job code operators type (``[A-Za-z0-9_.-]+``); default the function name."""
        return self._set(code=code)

    def id(self, code: str) -> Self:
        """Seed 000's ``.id(...)``: the same as :meth:`code` (the real id is generated)."""
        return self.code(code)

    def name(self, name: str) -> Self:
        """The display name."""
        return self._set(name=name)

    def description(self, text: str) -> Self:
        """What the job is for; default the function's docstring."""
        return self._set(description=text)

    def tags(self, *tags: str) -> Self:
        """Labels to filter by."""
        return self._set(tags=tuple(tags))

    # --- when ------------------------------------------------------------------------------

    def trigger(self, trigger: TriggerSpec) -> Self:
        """Add a trigger (``cron(...)``, ``interval(...)``, ``once(...)``); may be repeated."""
        self._triggers.extend(as_trigger_list(trigger, None, "JobBuilder.trigger"))
        return self

    def triggers(self, triggers: Iterable[TriggerSpec]) -> Self:
        """Add several triggers at once."""
        self._triggers.extend(as_trigger_list(None, triggers, "JobBuilder.triggers"))
        return self

    def timezone(self, name: str) -> Self:
        """The job's zone for triggers without their own."""
        return self._set(timezone=name)

    def enabled(self, flag: bool = True) -> Self:
        """Whether scheduled fires happen (a disabled job can still be run by hand)."""
        return self._set(enabled=flag)

    def misfire_grace_time(self, seconds: float) -> Self:
        """Seconds a fire may be late and still run; later ones are recorded as missed."""
        return self._set(misfire_grace_time=seconds)

    def coalesce(self, flag: bool = True) -> Self:
        """After downtime run missed fires once (``True``) or all of them (``False``)."""
        return self._set(coalesce=flag)

    def catch_up(self, policy: CatchUp | Literal["once", "all", "skip"]) -> Self:
        """The catch-up policy itself: once, all or skip."""
        return self._set(catch_up=policy)

    # --- how -------------------------------------------------------------------------------

    def concurrent(self, flag: bool = True) -> Self:
        """``False``: a fire while running is recorded as skipped."""
        return self._set(concurrent=flag)

    def max_instances(self, count: int) -> Self:
        """At most ``count`` runs at once."""
        return self._set(max_instances=count)

    def timeout(self, seconds: float) -> Self:
        """Seconds a run may take before it is stopped as ``timeout``."""
        return self._set(timeout=seconds)

    def args(self, *args: Any) -> Self:
        """Positional arguments for every run (JSON-able: they are stored)."""
        return self._set(args=tuple(args))

    def kwargs(self, **kwargs: Any) -> Self:
        """Keyword arguments for every run (JSON-able: they are stored)."""
        return self._set(kwargs=dict(kwargs))

    def hooks(self, *hooks: Hook) -> Self:
        """Webhook/command notifications on success, failure or missed fires."""
        return self._set(hooks=tuple(hooks))

    # --- retries ---------------------------------------------------------------------------

    def max_retries(self, count: int) -> Self:
        """Retries after a failed or timed-out run."""
        return self._set(max_retries=count)

    def retry_delay(self, seconds: float) -> Self:
        """Seconds before the first retry (default 60)."""
        return self._set(retry_delay=seconds)

    def retry_backoff(self, factor: float) -> Self:
        """Multiply the delay by ``factor`` for each further retry."""
        return self._set(retry_backoff=factor)

    def retry_max_delay(self, seconds: float) -> Self:
        """Upper bound of the retry delay."""
        return self._set(retry_max_delay=seconds)

    def retry_on(self, *types: ExceptionSpec) -> Self:
        """Retry only these exception types (Python jobs)."""
        return self._set(retry_on=tuple(types))

    def retry(self, policy: RetryPolicy) -> Self:
        """A ``RetryStrategy`` policy, instead of the single retry options."""
        return self._set(retry=policy)

    # --- callbacks -------------------------------------------------------------------------

    def on_success(self, listener: Callable[..., Any]) -> Self:
        """Call ``listener(run_record)`` after each successful run of this job."""
        return self._set(on_success=listener)

    def on_failure(self, listener: Callable[..., Any]) -> Self:
        """Call ``listener(run_record)`` after each failed or timed-out run of this job."""
        return self._set(on_failure=listener)

    # --- result ----------------------------------------------------------------------------

    def build(self) -> BuiltJob:
        """Check the configuration and return the job to declare.

        Raises:
            ConfigError: naming the job code and the bad option.
        """
        built = BuiltJob(func=self._func, triggers=tuple(self._triggers), options=self._options)
        kwargs: Mapping[str, Any] = self._options.kwargs or {}
        target = PythonTarget(ref="builder:check", args=self._options.args or (), kwargs=kwargs)
        build_spec(code=built.code, target=target, triggers=built.triggers,
                   options=self._options)
        return built
