"""``RemoteService``: the scheduler service of another process, over its control API.

It implements every :class:`SchedulerService` method with one request and raises the same
ysched errors the engine raises, so the console and the CLI work the same attached as
embedded. ``start()`` checks the owner answers (else ``NotOwner`` in one line) and follows
``GET /events`` (an :class:`~ysched_tui.control.client_events.EventStream`), calling
subscribers with the same core events.

If the stream drops, subscribers get a ``StatusChanged`` with state ``"stopped"`` and the
stream reconnects with backoff. Once back the service resynchronises: the stream's first
``StatusChanged``, then ``JobUpdated`` for every job and ``JobRemoved`` for jobs that went away
meanwhile. :attr:`RemoteService.connected` says whether the stream is up.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from ysched_tui.control.client_events import EventStream
from ysched_tui.control.client_http import ApiClient, segment
from ysched_tui.control.wire import ACTOR_HEADER, actor_header
from ysched_tui.core.events import Event, JobRemoved, JobUpdated, StatusChanged
from ysched_tui.core.models import (
    Actor,
    AuditEntry,
    JobSpec,
    JobView,
    OutputLine,
    ReloadReport,
    RunRecord,
    RunStatus,
    SchedulerStatus,
    StatsReport,
    TrendBucket,
    UpcomingFire,
)
from ysched_tui.core.service import Listener, SchedulerService, current_actor
from ysched_tui.core.trend import check_trend_args
from ysched_tui.core.triggers import TriggerSpec
from ysched_tui.errors import JobNotFound, RunNotFound

log = logging.getLogger("ysched_tui.control")

CONNECT_TIMEOUT = 5.0
"""Seconds ``start()`` waits for the event stream's first line."""

_JOBS = TypeAdapter(list[JobView])
_RUNS = TypeAdapter(list[RunRecord])
_LINES = TypeAdapter(list[OutputLine])
_FIRES = TypeAdapter(list[UpcomingFire])
_BUCKETS = TypeAdapter(list[TrendBucket])
_AUDIT = TypeAdapter(list[AuditEntry])


def acting(actor: Actor | None) -> dict[str, str]:
    """The actor header for an action: ``actor``, else the context's (``acting_as``), else
    this process's user via ``api``."""
    return {ACTOR_HEADER: actor_header(actor or current_actor.get() or Actor.here("api"))}


class RemoteService(SchedulerService):
    """A scheduler in another process, reached at ``url``.

    Args:
        url: ``unix:///path/to.sock`` (``control_paths(db).socket``), ``http://HOST:PORT`` or
            ``https://HOST:PORT``.
        token: the bearer token (needed on TCP; ``read_token(--token-file)``).
        db: the database the owner schedules, named in the NotOwner message.
        ca_file: for ``https://``, the CA (PEM) to trust instead of the system's (``--ca-file``).

    Raises:
        ConfigError: a malformed URL, or a ``ca_file`` that cannot be used.
    """

    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        db: str | None = None,
        ca_file: Path | None = None,
    ) -> None:
        self.url = url
        self._api = ApiClient(url, token=token, subject=db or url, ca_file=ca_file)
        self._listeners: list[Listener] = []
        self._codes: set[str] = set()
        """The jobs subscribers know of: what a resync reports as removed if it is gone."""
        self._last_status: SchedulerStatus | None = None
        self._events = EventStream(self._api, on_event=self._publish,
                                   on_drop=self._publish_stopped, on_return=self._resync)

    @property
    def connected(self) -> bool:
        """Whether the event stream is up (subscribers are receiving events)."""
        return self._events.connected

    # --- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Check the owner answers and follow its events.

        Raises:
            NotOwner: nothing answers at the URL. ConfigError: the token was refused.
        """
        await self._api.request("GET", "/health")
        self._last_status = await self.status()
        self._codes = {job.code for job in await self.list_jobs()}
        try:
            await self._events.start(CONNECT_TIMEOUT)
        except BaseException:
            await self.stop()
            raise

    async def stop(self, grace: float | None = None) -> None:
        """Stop following events and close the connection (the owner keeps running)."""
        await self._events.stop()
        await self._api.aclose()

    async def status(self) -> SchedulerStatus:
        return SchedulerStatus.model_validate(await self._api.request("GET", "/status"))

    # --- events ----------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def _publish(self, event: Event) -> None:
        if isinstance(event, StatusChanged):
            self._last_status = event.status
        elif isinstance(event, JobUpdated):
            self._codes.add(event.job.code)
        elif isinstance(event, JobRemoved):
            self._codes.discard(event.code)
        for listener in tuple(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("event listener %r failed on %s", listener, type(event).__name__)

    def _publish_stopped(self) -> None:
        """The stream broke: subscribers see the owner as stopped until it is back."""
        if self._last_status is not None:
            self._publish(StatusChanged(status=self._last_status.model_copy(
                update={"state": "stopped"})))

    async def _resync(self) -> None:
        """The stream is back: report every job, and the ones that went away meanwhile."""
        jobs = await self.list_jobs()
        for code in self._codes - {job.code for job in jobs}:
            self._publish(JobRemoved(code=code))
        for job in jobs:
            self._publish(JobUpdated(job=job))

    # --- jobs ------------------------------------------------------------------------------

    async def list_jobs(self) -> list[JobView]:
        return _JOBS.validate_python(await self._api.request("GET", "/jobs"))

    async def get_job(self, code: str) -> JobView:
        return await self._job("GET", code, "")

    async def upcoming(
        self, limit: int = 50, *, include_paused: bool = False
    ) -> list[UpcomingFire]:
        params = {"limit": limit, "include_paused": include_paused}
        return _FIRES.validate_python(await self._api.request("GET", "/upcoming", params=params))

    async def add_job(
        self, spec: JobSpec, *, replace: bool = False, actor: Actor | None = None
    ) -> JobView:
        body = spec.model_dump(mode="json", by_alias=True)
        data = await self._api.request("POST", "/jobs", params={"replace": replace}, body=body,
                                       headers=acting(actor))
        return JobView.model_validate(data)

    async def remove_job(self, code: str, *, actor: Actor | None = None) -> None:
        _require(code, JobNotFound)
        await self._api.request("DELETE", f"/jobs/{segment(code)}", code=code,
                                headers=acting(actor))

    async def _job(
        self, method: str, code: str, action: str, body: Any = None, *,
        headers: dict[str, str] | None = None,
    ) -> JobView:
        _require(code, JobNotFound)
        path = f"/jobs/{segment(code)}" + (f"/{action}" if action else "")
        data = await self._api.request(method, path, body=body, code=code, headers=headers)
        return JobView.model_validate(data)

    # --- operator actions ------------------------------------------------------------------

    async def pause(self, code: str, *, actor: Actor | None = None) -> JobView:
        return await self._job("POST", code, "pause", headers=acting(actor))

    async def resume(self, code: str, *, actor: Actor | None = None) -> JobView:
        return await self._job("POST", code, "resume", headers=acting(actor))

    async def set_enabled(
        self, code: str, enabled: bool, *, actor: Actor | None = None
    ) -> JobView:
        action = "enable" if enabled else "disable"
        return await self._job("POST", code, action, headers=acting(actor))

    async def trigger(
        self, code: str, params: dict[str, Any] | None = None, *, actor: Actor | None = None
    ) -> str:
        _require(code, JobNotFound)
        data = await self._api.request("POST", f"/jobs/{segment(code)}/trigger",
                                       body={"params": params}, code=code,
                                       headers=acting(actor))
        return str(data["run_id"])

    async def reschedule(
        self, code: str, triggers: Sequence[TriggerSpec], *, actor: Actor | None = None
    ) -> JobView:
        body = {"triggers": [t.model_dump(mode="json") for t in triggers]}
        return await self._job("POST", code, "reschedule", body, headers=acting(actor))

    async def revert(self, code: str, *, actor: Actor | None = None) -> JobView:
        return await self._job("POST", code, "revert", headers=acting(actor))

    async def reload_jobs(self, *, actor: Actor | None = None) -> ReloadReport:
        data = await self._api.request("POST", "/reload", headers=acting(actor))
        return ReloadReport.model_validate(data)

    async def cancel(self, run_id: str, *, actor: Actor | None = None) -> RunRecord:
        _require(run_id, RunNotFound)
        data = await self._api.request("POST", f"/runs/{segment(run_id)}/cancel",
                                       run_id=run_id, headers=acting(actor))
        return RunRecord.model_validate(data)

    async def audit(self, limit: int = 100) -> list[AuditEntry]:
        """The owner's latest ``limit`` operator actions, newest first."""
        data = await self._api.request("GET", "/audit", params={"limit": limit})
        return _AUDIT.validate_python(data)

    # --- history ---------------------------------------------------------------------------

    async def list_runs(
        self,
        code: str | None = None,
        *,
        status: RunStatus | None = None,
        limit: int = 100,
        before: datetime | None = None,
    ) -> list[RunRecord]:
        params = {"code": code, "status": status.value if status else None, "limit": limit,
                  "before": before.isoformat() if before else None}
        return _RUNS.validate_python(await self._api.request("GET", "/runs", params=params))

    async def get_run(self, run_id: str) -> RunRecord:
        _require(run_id, RunNotFound)
        data = await self._api.request("GET", f"/runs/{segment(run_id)}", run_id=run_id)
        return RunRecord.model_validate(data)

    async def run_output(
        self, run_id: str, *, after_seq: int = 0, limit: int | None = None,
        tail: int | None = None,
    ) -> list[OutputLine]:
        _require(run_id, RunNotFound)
        params = {"after_seq": max(after_seq, 0), "limit": limit, "tail": tail}
        data = await self._api.request("GET", f"/runs/{segment(run_id)}/output",
                                       params=params, run_id=run_id)
        return _LINES.validate_python(data)

    async def follow_output(self, run_id: str, *, after_seq: int = 0) -> AsyncIterator[OutputLine]:
        """A run's output lines as it prints them, ending when the run is final.

        Not part of SchedulerService: ``ysched-tui logs RUN_ID --follow`` uses it.

        Raises:
            RunNotFound; NotOwner when the owner cannot be reached or goes away.
        """
        _require(run_id, RunNotFound)
        path = f"/runs/{segment(run_id)}/output/follow"
        async for data in self._api.stream(path, params={"after_seq": max(after_seq, 0)},
                                           run_id=run_id):
            yield OutputLine.model_validate(data)

    async def stats(self, code: str | None = None) -> StatsReport:
        data = await self._api.request("GET", "/stats", params={"code": code}, code=code)
        return StatsReport.model_validate(data)

    async def trend(
        self, code: str | None = None, *, unit: str = "hour", count: int = 24
    ) -> list[TrendBucket]:
        check_trend_args(unit, count)
        params = {"code": code, "unit": unit, "count": count}
        return _BUCKETS.validate_python(await self._api.request("GET", "/trend", params=params))


def _require(value: str, missing: type[JobNotFound] | type[RunNotFound]) -> None:
    """An empty code or run id names nothing (and would address another endpoint)."""
    if not value:
        raise missing(value)
