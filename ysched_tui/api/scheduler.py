"""``Scheduler``: the Python API's entry point — declare jobs, run them, operate them.

Declaring (decorators, ``add_job`` ...) is inherited from
:class:`~ysched_tui.api.declarations.JobDeclarations` and needs nothing running. ``await
scheduler.start()`` builds the engine (imported only then, so ``import ysched_tui`` stays light)
with the declared specs and their callables (by ref); from then on the control and query
methods delegate to the engine's :class:`~ysched_tui.core.service.SchedulerService`, and jobs
declared later are sent to it. Those methods are coroutines because the engine is asyncio;
scripts that only schedule can call the blocking :meth:`Scheduler.run_forever`.

Events reach the application through one :class:`~ysched_tui.api.listeners.ListenerHub`:
:meth:`Scheduler.subscribe` for the core events by type, the ``on_job_*`` decorators for run
outcomes. :meth:`Scheduler.run_job` with ``wait=True`` subscribes to ``RunFinished`` before it
triggers, so it never misses a run that ends at once (a skipped one).

Jobs declared while the engine runs are sent to it in a task; the next awaited method waits for
that task and raises its error (e.g. a bad spec), so ``scheduler.add_job(...)`` followed by
``await scheduler.run_job(code)`` just works. Their callables are reached through
:mod:`ysched_tui.api.live` (the engine keeps its own copy of the callables it was built with).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import warnings
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any, Literal, Self, overload

from pydantic import ValidationError

from ysched_tui.api import live
from ysched_tui.api.declarations import JobDeclarations
from ysched_tui.api.listeners import EventKind, Subscription, T_Event
from ysched_tui.api.triggers import as_trigger_list
from ysched_tui.core.events import Event, RunFinished
from ysched_tui.core.models import JobSpec, JobView, OutputLine, RunRecord, RunStatus, StatsReport
from ysched_tui.core.service import SchedulerService
from ysched_tui.core.triggers import TriggerSpec
from ysched_tui.errors import ConfigError, InvalidOperation, YschedError
from ysched_tui.settings import Settings, load_settings

__all__ = ["Scheduler"]

log = logging.getLogger("ysched_tui.api")

LISTENER_GRACE = 5.0
"""Seconds :meth:`Scheduler.shutdown` waits for coroutine listeners still running."""

L = Callable[[Any], Any]


class Scheduler(JobDeclarations):
    """Declare jobs in Python and run them on the ysched-tui engine.

    Example::

        scheduler = Scheduler(db="jobs.db", timezone="Europe/Berlin")

        @scheduler.cron("0 8 * * *", code="REPORT_DAILY")
        async def daily_report(context: JobContext) -> dict:
            task_log("building the report for", context.scheduled_time)
            return {"rows": 100}

        scheduler.run_forever()
    """

    def __init__(self, settings: Settings | None = None, **setting_overrides: Any) -> None:
        """Create a scheduler; nothing is opened until :meth:`start`.

        Args:
            settings: the settings to run with; default: environment and defaults.
            **setting_overrides: setting values that win (``db=``, ``timezone=`` ...).
        """
        super().__init__()
        self._settings_arg = settings
        self._overrides = setting_overrides
        self._settings: Settings | None = None
        self._engine: SchedulerService | None = None
        self._feed: live.EngineFeed | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._waiters: set[_RunWaiter] = set()

    # --- settings and state ----------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        """The settings, built on first use.

        Raises:
            ConfigError: a setting override is invalid (naming it).
        """
        if self._settings is None:
            self._settings = self._build_settings()
        return self._settings

    def _build_settings(self) -> Settings:
        if self._settings_arg is None:
            return load_settings(**self._overrides)
        if not self._overrides:
            return self._settings_arg
        try:
            return Settings(**{**self._settings_arg.model_dump(), **self._overrides})
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"])
            raise ConfigError(f"Scheduler setting {field!r}: {first['msg']}") from None

    @property
    def running(self) -> bool:
        """Whether :meth:`start` has run and :meth:`shutdown` has not."""
        return self._engine is not None

    @property
    def service(self) -> SchedulerService:
        """The running engine, e.g. to embed the console on it.

        Raises:
            InvalidOperation: the scheduler is not started.
        """
        if self._engine is None:
            raise InvalidOperation("the scheduler is not started: await scheduler.start() first")
        return self._engine

    # --- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Build the engine with the declared jobs and start firing.

        Raises:
            InvalidOperation: already started.
            YschedError: invalid settings or jobs, or an unusable database.
        """
        if self._engine is not None:
            raise InvalidOperation("the scheduler is already started")
        from ysched_tui.owner.assembly import build_engine

        specs, callables = self.collect_jobs()
        engine = build_engine(self.settings, specs=specs, callables=callables)
        unsubscribe = engine.subscribe(self._hub.dispatch)
        try:
            await engine.start()
        except BaseException:
            unsubscribe()
            raise
        self._engine, self._unsubscribe = engine, unsubscribe
        self._feed = live.EngineFeed(engine, asyncio.get_running_loop())

    async def shutdown(self, grace: float | None = None) -> None:
        """Stop firing, wait up to ``grace`` seconds for runs (settings' default), then cancel."""
        engine = self._engine
        if engine is None:
            return
        try:
            if self._feed is not None:
                await self._feed.flush()
        finally:
            self._engine, self._feed = None, None
            await engine.stop(grace)
            if self._unsubscribe is not None:
                self._unsubscribe()
            for waiter in self._waiters:
                waiter.close()
            await self._hub.drain(LISTENER_GRACE)

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.shutdown()

    def run_forever(self) -> None:
        """Run until SIGINT or SIGTERM (for scripts); a YschedError is printed, then exit."""
        try:
            asyncio.run(self._serve())
        except YschedError as exc:
            print(f"ysched-tui: error: {exc}", file=sys.stderr)
            raise SystemExit(exc.exit_code) from None

    async def _serve(self) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        signals = (signal.SIGINT, signal.SIGTERM)
        for sig in signals:
            loop.add_signal_handler(sig, stop.set)
        try:
            await self.start()
            log.info("scheduler running (pid %d); stop with Ctrl-C", os.getpid())
            await stop.wait()
        finally:
            for sig in signals:
                loop.remove_signal_handler(sig)
            await self.shutdown()

    # --- jobs declared while running -------------------------------------------------------

    def _declared(
        self, spec: JobSpec, ref: str | None, runner: Callable[..., object] | None, *,
        replace: bool,
    ) -> None:
        if self._feed is not None:
            self._feed.send(spec, ref, runner, replace=replace)

    async def _ready(self) -> SchedulerService:
        engine = self.service
        if self._feed is not None:
            await self._feed.flush()
        return engine

    # --- listeners -------------------------------------------------------------------------

    @overload
    def subscribe(
        self, callback: Callable[[T_Event], Any], event_types: type[T_Event], *,
        one_shot: bool = ...,
    ) -> Subscription: ...

    @overload
    def subscribe(
        self, callback: Callable[[Event], Any],
        event_types: Iterable[type[Event]] | None = None, *, one_shot: bool = ...,
    ) -> Subscription: ...

    def subscribe(
        self,
        callback: Callable[[T_Event], Any],
        event_types: type[T_Event] | Iterable[type[T_Event]] | None = None,
        *,
        one_shot: bool = False,
    ) -> Subscription:
        """Call ``callback(event)`` for the engine's events of ``event_types``.

        Works before :meth:`start` too. The events are those of :mod:`ysched_tui.core.events`
        (``RunStarted``, ``RunOutput``, ``RunFinished``, ``RunMissed``, ``RetryScheduled``,
        ``JobUpdated``, ``JobRemoved``, ``StatusChanged``), all exported by ``ysched_tui``.
        A sync callback runs on the scheduler's event loop and must be quick; a coroutine
        function is started as a task. An exception in a callback is logged.

        Args:
            callback: called with each matching event.
            event_types: one event class or several; subclasses match (``Event``: all);
                ``None``: every event.
            one_shot: unsubscribe after the first matching event.

        Returns:
            The subscription: ``unsubscribe()`` ends it, and so does leaving ``with`` on it.

        Raises:
            ConfigError: ``callback`` is not callable or an event type is not an event class.
        """
        return self._hub.subscribe(callback, event_types, one_shot=one_shot)

    def _listen(self, kind: EventKind, func: L) -> L:
        self._hub.add(kind, func)
        return func

    def on_job_executed(self, func: L) -> L:
        """Decorator: ``func(run_record)`` after each successful run of any job."""
        return self._listen("executed", func)

    def on_job_error(self, func: L) -> L:
        """Decorator: ``func(run_record)`` after each failed or timed-out run."""
        return self._listen("error", func)

    def on_job_missed(self, func: L) -> L:
        """Decorator: ``func(run_record)`` for each fire recorded as missed."""
        return self._listen("missed", func)

    def on_job_retry(self, func: L) -> L:
        """Decorator: ``func(event)`` with a ``RetryScheduled`` (``run``, ``attempt``,
        ``next_retry_time``) each time a retry is scheduled."""
        return self._listen("retry", func)

    # --- control ---------------------------------------------------------------------------

    async def pause_job(self, code: str) -> JobView:
        """Stop scheduled fires of a job. Raises: JobNotFound, InvalidOperation."""
        return await (await self._ready()).pause(code)

    async def resume_job(self, code: str) -> JobView:
        """Resume a paused job. Raises: JobNotFound, InvalidOperation."""
        return await (await self._ready()).resume(code)

    async def remove_job(self, code: str) -> None:
        """Remove a job (its history stays). Raises: JobNotFound."""
        await (await self._ready()).remove_job(code)
        self._forget(code)

    async def reschedule_job(
        self, code: str, trigger: TriggerSpec | None = None,
        triggers: Iterable[TriggerSpec] | None = None,
    ) -> JobView:
        """Replace a job's triggers (``triggers=[]``: manual only); persists across restarts.

        Raises:
            ConfigError: no trigger argument given. JobNotFound: unknown code.
        """
        if trigger is None and triggers is None:
            raise ConfigError(f"reschedule_job({code!r}): give trigger= or triggers=")
        found = as_trigger_list(trigger, triggers, f"reschedule_job({code!r})")
        return await (await self._ready()).reschedule(code, found)

    @overload
    async def run_job(self, code: str, *, wait: Literal[False] = False, **params: Any) -> str: ...

    @overload
    async def run_job(self, code: str, *, wait: Literal[True], **params: Any) -> RunRecord: ...

    async def run_job(self, code: str, *, wait: bool = False, **params: Any) -> str | RunRecord:
        """Run a job now as a manual run (not affecting its schedule).

        Args:
            code: the job.
            wait: wait for the run to finish and return its record instead of its run_id.
            **params: the run's parameters (a script's declared params, a function's kwargs).

        Returns:
            The run_id (``run_YYYYMMDD_HHMMSS_xxxxxx``); with ``wait=True`` the
            :class:`RunRecord` of the finished run (its ``status`` may be ``skipped``,
            ``failed`` ...; a retry is another run, with ``retry_of`` set to this one).

        Raises:
            JobNotFound: unknown code. ParamError: a parameter is missing or invalid.
            InvalidOperation: not started, or (``wait=True``) the scheduler shut down before
                the run was recorded as finished.
        """
        service = await self._ready()
        if not wait:
            return await service.trigger(code, params or None)
        waiter = _RunWaiter(code)
        self._waiters.add(waiter)
        try:
            with self._hub.subscribe(waiter.collect, RunFinished):
                run_id = await service.trigger(code, params or None)
                return await waiter.wait(run_id)
        finally:
            self._waiters.discard(waiter)

    # --- queries ---------------------------------------------------------------------------

    async def get_jobs(self) -> list[JobView]:
        """All jobs (declared here and from anywhere else in the database), by code."""
        return await (await self._ready()).list_jobs()

    async def get_job(self, code: str) -> JobView:
        """One job with its state (``next_run_time``, ``run_count`` ...). Raises: JobNotFound."""
        return await (await self._ready()).get_job(code)

    async def get_runs(
        self, code: str | None = None, limit: int = 10, *, status: RunStatus | None = None
    ) -> list[RunRecord]:
        """Runs, newest first, optionally of one job and/or one status."""
        return await (await self._ready()).list_runs(code, status=status, limit=limit)

    async def get_run(self, run_id: str) -> RunRecord:
        """One run by its run_id. Raises: RunNotFound."""
        return await (await self._ready()).get_run(run_id)

    async def get_executions(
        self, code: str | None = None, limit: int = 10, *, status: RunStatus | None = None
    ) -> list[RunRecord]:
        """Deprecated name of :meth:`get_runs`."""
        _renamed("get_executions", "get_runs")
        return await self.get_runs(code, limit, status=status)

    async def get_execution(self, run_id: str) -> RunRecord:
        """Deprecated name of :meth:`get_run`."""
        _renamed("get_execution", "get_run")
        return await self.get_run(run_id)

    async def get_output(self, run_id: str) -> list[OutputLine]:
        """The lines a run printed or logged with ``task_log``. Raises: RunNotFound."""
        return await (await self._ready()).run_output(run_id)

    async def get_stats(self, code: str | None = None) -> StatsReport:
        """Run figures for today, the last 24 h and the last 7 days, of one job or all."""
        return await (await self._ready()).stats(code)


def _renamed(old: str, new: str) -> None:
    warnings.warn(f"Scheduler.{old}() is deprecated: use Scheduler.{new}()", DeprecationWarning,
                  stacklevel=3)


class _RunWaiter:
    """What ``run_job(wait=True)`` waits on: the ``RunFinished`` events of one job, until the
    awaited run's arrives or the scheduler shuts down."""

    def __init__(self, code: str) -> None:
        self._code = code
        self._finished: dict[str, RunRecord] = {}
        self._closed = False
        self._wake = asyncio.Event()

    def collect(self, event: RunFinished) -> None:
        """A subscriber: keep the job's finished runs (the awaited id is not known yet)."""
        if event.run.job_code == self._code:
            self._finished[event.run.run_id] = event.run
            self._wake.set()

    def close(self) -> None:
        """The scheduler shut down: a run not finished by now never will be here."""
        self._closed = True
        self._wake.set()

    async def wait(self, run_id: str) -> RunRecord:
        """The record of run ``run_id`` once finished.

        Raises:
            InvalidOperation: the scheduler shut down first.
        """
        while run_id not in self._finished:
            if self._closed:
                raise InvalidOperation(f"the scheduler shut down before run {run_id} finished")
            self._wake.clear()
            await self._wake.wait()
        return self._finished[run_id]
