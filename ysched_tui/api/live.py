"""Jobs declared while the engine runs: sent to it, with callables reachable by an importable ref.

The engine receives the callables of the declared jobs when it is built (``Engine(callables=...)``)
and keeps its own copy of that mapping; a job declared later (``scheduler.add_job`` in a running
application, e.g. one reminder job per user) must still be found. When its ref is not importable
as named (``module:qualname@CODE``: closures, lambdas, class-job runners), its callable is
registered here and the ref sent to the engine points here instead:
``ysched_tui.api.live:callables.x<hex of the code>``. The engine's Python runner resolves a ref
it was not given by importing ``module`` and following the attribute path, which lands in
:meth:`LiveCallables.__getattr__`. The code is hex-encoded because codes may contain ``.``, which
separates attribute names in a ref. Jobs declared before ``start()`` (and those of Python jobs
files, which the engine's loader collects) never go through this registry.

:class:`EngineFeed` sends such jobs to the engine from whatever thread declared them, and lets the
next awaited scheduler method wait for them and raise their errors.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from ysched_tui.core.models import JobSpec
from ysched_tui.core.service import SchedulerService

__all__ = ["EngineFeed", "callables"]

log = logging.getLogger("ysched_tui.api")


class LiveCallables:
    """A namespace whose attributes are the registered callables."""

    def __init__(self) -> None:
        self._funcs: dict[str, Callable[..., object]] = {}

    def add(self, code: str, func: Callable[..., object]) -> str:
        """Register ``func`` as the callable of job ``code`` and return the ref naming it."""
        key = "x" + code.encode().hex()
        self._funcs[key] = func
        return f"{__name__}:callables.{key}"

    def __getattr__(self, name: str) -> Callable[..., object]:
        try:
            return self.__dict__["_funcs"][name]  # type: ignore[no-any-return]
        except KeyError:
            raise AttributeError(f"no job callable registered as {name!r}") from None


callables = LiveCallables()
"""The process-wide namespace refs point into."""


class EngineFeed:
    """Sends jobs declared while the engine runs to it (see the module docstring)."""

    def __init__(self, engine: SchedulerService, loop: asyncio.AbstractEventLoop) -> None:
        self._engine = engine
        self._loop = loop
        self._pending: set[asyncio.Task[Any]] = set()
        self._errors: list[BaseException] = []

    def send(
        self, spec: JobSpec, ref: str | None, runner: Callable[..., object] | None, *,
        replace: bool,
    ) -> None:
        """Add (or replace) ``spec`` on the engine; safe to call from any thread."""
        if ref is not None and runner is not None and "@" in ref:  # not importable as named
            target = spec.target.model_copy(update={"ref": callables.add(spec.code, runner)})
            spec = spec.model_copy(update={"target": target})
        try:
            on_loop = asyncio.get_running_loop() is self._loop
        except RuntimeError:
            on_loop = False
        if on_loop:
            self._spawn(spec, replace)
        else:
            self._loop.call_soon_threadsafe(self._spawn, spec, replace)

    def _spawn(self, spec: JobSpec, replace: bool) -> None:
        task = self._loop.create_task(self._engine.add_job(spec, replace=replace))
        self._pending.add(task)
        task.add_done_callback(self._added)

    def _added(self, task: asyncio.Task[Any]) -> None:
        self._pending.discard(task)
        error = None if task.cancelled() else task.exception()
        if error is not None:
            log.error("adding a job to the running scheduler failed: %s", error)
            self._errors.append(error)

    async def flush(self) -> None:
        """Wait for jobs being sent; raise the first error among them (once)."""
        while self._pending:
            await asyncio.wait(set(self._pending))
        if self._errors:
            error, self._errors = self._errors[0], []
            raise error
