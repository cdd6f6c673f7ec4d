"""Declaring jobs in Python: decorators, ``add_job``, ``add_http_job``, ``add_job_class``.

:class:`JobDeclarations` is the declaring half of :class:`~ysched_tui.api.scheduler.Scheduler`:
it needs no engine, no database and no event loop, so a jobs module can be imported and checked
anywhere. Each declaration becomes a core :class:`JobSpec` (``source=api``) at once, so a mistake
is reported where it is made. :meth:`JobDeclarations.collect_jobs` hands the specs and the
registry of callables to whoever runs them (the engine, the jobs-file loader).

How a declaration becomes the final spec and callable (refs) is :mod:`ysched_tui.api.declared`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar, Unpack, cast

from ysched_tui.api import triggers as trig
from ysched_tui.api.builder import BuiltJob, default_code
from ysched_tui.api.declared import Declared, materialize, source_of
from ysched_tui.api.job_class import (
    DEFAULT_RETRY_ON_CODES,
    ClassJob,
    Job,
    describe_job_class,
    http_target,
)
from ysched_tui.api.listeners import ListenerHub
from ysched_tui.api.options import (
    HttpJobArgs,
    JobOptionArgs,
    JobOptions,
    TriggerDecoratorArgs,
    build_spec,
)
from ysched_tui.core.models import HttpTarget, JobSpec, PythonTarget
from ysched_tui.core.triggers import TriggerSpec
from ysched_tui.errors import ConfigError

__all__ = ["JobDeclarations"]

F = TypeVar("F", bound=Callable[..., Any])


class JobDeclarations:
    """The declaring half of the scheduler (see the module docstring)."""

    def __init__(self) -> None:
        self._decls: dict[str, Declared] = {}
        self._hub = ListenerHub()

    # --- decorators ------------------------------------------------------------------------

    def cron(
        self,
        expr: str | None = None,
        *,
        second: trig.CronField | None = None,
        minute: trig.CronField | None = None,
        hour: trig.CronField | None = None,
        day: trig.CronField | None = None,
        month: trig.CronField | None = None,
        day_of_week: trig.CronField | None = None,
        timezone: str | None = None,
        start_date: trig.DateLike | None = None,
        end_date: trig.DateLike | None = None,
        jitter: float = 0,
        **options: Unpack[TriggerDecoratorArgs],
    ) -> Callable[[F], F]:
        """Decorator: run the function on a cron schedule (stack several for several times)."""
        trigger = trig.cron(expr, second=second, minute=minute, hour=hour, day=day, month=month,
                            day_of_week=day_of_week, timezone=timezone, start_date=start_date,
                            end_date=end_date, jitter=jitter)
        return self._decorator((trigger,), options, "@scheduler.cron")

    def interval(
        self,
        seconds: float = 0,
        minutes: float = 0,
        hours: float = 0,
        days: float = 0,
        weeks: float = 0,
        *,
        start_date: trig.DateLike | None = None,
        end_date: trig.DateLike | None = None,
        jitter: float = 0,
        timezone: str | None = None,
        **options: Unpack[TriggerDecoratorArgs],
    ) -> Callable[[F], F]:
        """Decorator: run the function every period."""
        trigger = trig.interval(seconds, minutes, hours, days, weeks, start_date=start_date,
                                end_date=end_date, jitter=jitter, timezone=timezone)
        return self._decorator((trigger,), options, "@scheduler.interval")

    def once(
        self, run_date: trig.DateLike, *, timezone: str | None = None,
        **options: Unpack[TriggerDecoratorArgs],
    ) -> Callable[[F], F]:
        """Decorator: run the function once at ``run_date``."""
        return self._decorator((trig.once(run_date, timezone=timezone),), options,
                               "@scheduler.once")

    def job(
        self, trigger: TriggerSpec | None = None, *,
        triggers: Iterable[TriggerSpec] | None = None, **options: Unpack[JobOptionArgs],
    ) -> Callable[[F], F]:
        """Decorator: declare a job with any triggers (none = run by hand only)."""
        found = trig.as_trigger_list(trigger, triggers, "@scheduler.job")
        return self._decorator(tuple(found), options, "@scheduler.job")

    def _decorator(
        self, triggers: tuple[TriggerSpec, ...], options: Mapping[str, Any], where: str
    ) -> Callable[[F], F]:
        opts = JobOptions.from_kwargs(where, options)

        def decorate(func: F) -> F:
            self._declare(func, triggers, opts, merge=True, replace=False)
            return func

        return decorate

    # --- methods ---------------------------------------------------------------------------

    def add_job(
        self,
        func: Callable[..., Any] | BuiltJob | type[Job],
        trigger: TriggerSpec | None = None,
        triggers: Iterable[TriggerSpec] | None = None,
        *,
        replace_existing: bool = False,
        **options: Unpack[JobOptionArgs],
    ) -> JobSpec:
        """Declare a function job (or a ``JobBuilder(...).build()`` result, or a Job class).

        Raises:
            ConfigError: a bad option or trigger, or the code is taken and not
                ``replace_existing``.
        """
        found = tuple(trig.as_trigger_list(trigger, triggers, "add_job"))
        if isinstance(func, BuiltJob):
            if found or options:
                raise ConfigError("add_job(JobBuilder(...).build()): configure the job in the "
                                  "builder, not in add_job's arguments")
            return self._declare(func.func, func.triggers, func.options, merge=False,
                                 replace=replace_existing)
        opts = JobOptions.from_kwargs("add_job", options)
        return self._declare(func, found, opts, merge=False, replace=replace_existing)

    def add_http_job(
        self,
        url: str,
        method: str = "GET",
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        data: Mapping[str, str] | str | None = None,
        timeout: float | None = 30,
        success_codes: Sequence[int] | None = None,
        retry_on_codes: Sequence[int] | None = None,
        trigger: TriggerSpec | None = None,
        triggers: Iterable[TriggerSpec] | None = None,
        replace_existing: bool = False,
        **options: Unpack[HttpJobArgs],
    ) -> JobSpec:
        """Declare a job that sends one HTTP request per run (needs ``code=``).

        ``success_codes`` default: any 2xx; ``retry_on_codes`` default: 500, 502, 503, 504.

        Raises:
            ConfigError: no code, a bad URL or option.
        """
        opts = JobOptions.from_kwargs("add_http_job", {**options, "timeout": timeout})
        if not opts.code:
            raise ConfigError(f"add_http_job({url!r}): pass code=... to name the job")
        where = f"job {opts.code!r}"
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ConfigError(f"{where}: url must start with http:// or https://, got {url!r}")
        target = http_target(
            where, url=url, method=method, headers=headers, params=params, json=json, data=data,
            timeout=timeout, success_codes=success_codes or (),
            retry_on_codes=DEFAULT_RETRY_ON_CODES if retry_on_codes is None else retry_on_codes,
        )
        found = tuple(trig.as_trigger_list(trigger, triggers, where))
        decl = self._make(code=opts.code, triggers=found, options=opts, origin=target,
                          runner=None, http=target, description="", source=(None, None))
        return self._store(decl, replace=replace_existing)

    def add_job_class(self, cls: type[Job], *, replace_existing: bool = False) -> JobSpec:
        """Declare a :class:`Job` or :class:`HttpJob` subclass.

        Raises:
            ConfigError: not a job class, or a bad attribute.
        """
        describe_job_class(cls)  # refuses anything but a Job/HttpJob subclass
        return self._declare(cls, (), JobOptions(), merge=False, replace=replace_existing)

    # --- collecting ------------------------------------------------------------------------

    def collect_jobs(self) -> tuple[list[JobSpec], dict[str, Callable[..., object]]]:
        """All declared jobs as specs, and the callables their Python targets refer to."""
        specs: list[JobSpec] = []
        callables: dict[str, Callable[..., object]] = {}
        for decl in self._decls.values():
            spec, ref, runner = materialize(decl)
            specs.append(spec)
            if ref is not None and runner is not None:
                callables[ref] = runner
        return specs, callables

    # --- internals -------------------------------------------------------------------------

    def _declare(
        self, origin: Any, triggers: Sequence[TriggerSpec], opts: JobOptions, *,
        merge: bool, replace: bool,
    ) -> JobSpec:
        base_opts, base_triggers = JobOptions(), cast(tuple[TriggerSpec, ...], ())
        if isinstance(origin, type) and issubclass(origin, Job):
            found: ClassJob = describe_job_class(origin)
            default, runner, http = found.code, found.runner, found.http
            description, base_opts, base_triggers = found.description, found.options, found.triggers
        elif callable(origin):
            default, runner, http = opts.code or default_code(origin), origin, None
            description = inspect.cleandoc(origin.__doc__) if origin.__doc__ else ""
        else:
            raise ConfigError(f"expected a function or a Job class to schedule, got {origin!r}")
        stacked = self._stacked_on(origin, opts) if merge else None
        if stacked is not None:  # decorators apply bottom-up: earlier ones are listed later
            base_opts, base_triggers, replace = stacked.options, stacked.triggers, True
        opts = base_opts.merge(opts, f"job {opts.code or default!r}")
        triggers, code = (*triggers, *base_triggers), opts.code or default
        if stacked is not None and stacked.code != code:
            self._forget(stacked.code)
        decl = self._make(code=code, triggers=tuple(triggers), options=opts, origin=origin,
                          runner=runner, http=http, description=description,
                          source=source_of(origin))
        return self._store(decl, replace=replace)

    def _stacked_on(self, origin: object, opts: JobOptions) -> Declared | None:
        """The job a stacked decorator adds to: same function, and no clash of explicit codes."""
        for decl in self._decls.values():
            if decl.origin is origin and (
                opts.code is None or decl.options.code in (None, opts.code)
            ):
                return decl
        return None

    def _make(
        self, *, code: str, triggers: tuple[TriggerSpec, ...], options: JobOptions,
        origin: object, runner: Callable[..., Any] | None, http: HttpTarget | None,
        description: str, source: tuple[str | None, int | None],
    ) -> Declared:
        target: HttpTarget | PythonTarget = http or PythonTarget(
            ref=f"{getattr(runner, '__module__', '?')}:{getattr(runner, '__qualname__', '?')}",
            args=options.args or (), kwargs=dict(options.kwargs or {}),
        )
        spec = build_spec(code=code, target=target, triggers=triggers, options=options,
                          description=description, source_file=source[0],
                          source_line=source[1])
        return Declared(code=code, triggers=triggers, options=options, origin=origin,
                     runner=runner, http=http, description=description, source_file=source[0],
                     source_line=source[1], spec=spec)

    def _store(self, decl: Declared, *, replace: bool) -> JobSpec:
        existing = self._decls.get(decl.code)
        if existing is not None and not replace:
            where = f" (declared at {existing.source_file}:{existing.source_line})" if (
                existing.source_file) else ""
            raise ConfigError(f"job code {decl.code!r} is already declared{where}; "
                              "choose another code or pass replace_existing=True")
        self._hub.set_job_callbacks(decl.code, decl.options.on_success, decl.options.on_failure)
        self._decls[decl.code] = decl
        spec, ref, runner = materialize(decl)
        self._declared(spec, ref, runner, replace=existing is not None)
        return spec

    def _declared(
        self, spec: JobSpec, ref: str | None, runner: Callable[..., object] | None, *,
        replace: bool,
    ) -> None:
        """Called after each declaration; the scheduler forwards it to a running engine."""

    def _forget(self, code: str) -> None:
        """Drop a declaration (after the job was removed from the engine)."""
        self._decls.pop(code, None)
        self._hub.set_job_callbacks(code, None, None)

