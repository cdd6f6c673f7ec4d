"""The API's history endpoints: runs, output (stored and followed live), stats, trend, status,
the event stream and the metrics."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import PlainTextResponse, StreamingResponse

from ysched_tui.control.actors import ActorDep
from ysched_tui.control.guard import GuardedRoute
from ysched_tui.control.metrics import CONTENT_TYPE, MetricsCollector
from ysched_tui.control.routes_jobs import errors
from ysched_tui.control.streams import NDJSON, EventHub, event_lines, follow_lines
from ysched_tui.core.models import (
    AuditEntry,
    OutputLine,
    RunRecord,
    RunStatus,
    SchedulerStatus,
    StatsReport,
    TrendBucket,
)
from ysched_tui.core.service import SchedulerService
from ysched_tui.core.trend import TrendUnit

RunId = Annotated[str, Path(description="The run id, e.g. run_20260101_020000_a1b2c3.")]
SEQ_MAX = 2**63 - 1
"""Largest line number SQLite can compare with (a 64-bit signed integer)."""
AfterSeq = Annotated[int, Query(ge=0, le=SEQ_MAX, description="Only lines with a greater seq.")]
_STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def ndjson_of(ref: str, what: str) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI 200 entry of an NDJSON stream whose lines match the schema ``ref``."""
    return {200: {"description": what,
                  "content": {NDJSON: {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}}


def runs_router(service: SchedulerService, hub: EventHub) -> APIRouter:
    """Routes for history, streams and figures, served from ``service``."""
    r = APIRouter(route_class=GuardedRoute, tags=["runs"])

    @r.get("/status", response_model=SchedulerStatus, tags=["scheduler"],
           summary="The header figures: state, job counts, running now, owner")
    async def status() -> Any:
        return await service.status()

    @r.get("/runs", response_model=list[RunRecord], responses=errors(422),
           summary="Runs newest first, optionally for one job and/or one status")
    async def list_runs(
        code: str | None = None,
        status: RunStatus | None = None,
        limit: Annotated[int, Query(ge=0, le=10_000)] = 100,
        before: datetime | None = None,
    ) -> Any:
        return await service.list_runs(code, status=status, limit=limit, before=before)

    @r.get("/runs/{run_id}", response_model=RunRecord, responses=errors(404), summary="One run")
    async def get_run(run_id: RunId) -> Any:
        return await service.get_run(run_id)

    @r.post("/runs/{run_id}/cancel", response_model=RunRecord, responses=errors(404, 409),
            summary="Cancel a run in progress (409 if it is not in progress)")
    async def cancel(run_id: RunId, actor: ActorDep) -> Any:
        return await service.cancel(run_id, actor=actor)

    @r.get("/runs/{run_id}/output", response_model=list[OutputLine],
           responses=errors(404, 422), summary="Stored output lines of a run")
    async def output(
        run_id: RunId,
        after_seq: AfterSeq = 0,
        limit: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
        tail: Annotated[int | None, Query(
            ge=1, le=1_000_000, description="only the last TAIL lines (instead of limit)")] = None,
    ) -> Any:
        return await service.run_output(run_id, after_seq=after_seq, limit=limit, tail=tail)

    @r.get("/runs/{run_id}/output/follow", response_class=StreamingResponse,
           responses={**errors(404, 422), **ndjson_of(
               "OutputLine", "The run's lines (NDJSON) as printed, until the run is final; "
               "empty lines are heartbeats.")},
           summary="Follow a run's output live")
    async def follow(run_id: RunId, after_seq: AfterSeq = 0) -> StreamingResponse:
        await service.get_run(run_id)
        return StreamingResponse(follow_lines(hub, service, run_id, after_seq),
                                 media_type=NDJSON, headers=_STREAM_HEADERS)

    @r.get("/stats", response_model=StatsReport, responses=errors(404),
           summary="Today / last 24 h / last 7 days, for one job or all")
    async def stats(code: str | None = None) -> Any:
        return await service.stats(code)

    @r.get("/trend", response_model=list[TrendBucket], responses=errors(422),
           summary="Runs per hour or day for the last count units, oldest first")
    async def trend(
        code: str | None = None,
        unit: TrendUnit = "hour",
        count: Annotated[int, Query(ge=1, le=10_000)] = 24,
    ) -> Any:
        return await service.trend(code, unit=unit, count=count)

    @r.get("/audit", response_model=list[AuditEntry], responses=errors(409, 422),
           tags=["audit"], summary="The latest operator actions, newest first")
    async def audit(limit: Annotated[int, Query(ge=1, le=10_000)] = 100) -> Any:
        return await service.audit(limit)

    @r.get("/events", response_class=StreamingResponse, tags=["scheduler"],
           responses=ndjson_of("Event", "Every core event as an NDJSON line, starting with a "
                               "StatusChanged of the current status; empty lines are "
                               "heartbeats."),
           summary="Stream every event")
    async def events() -> StreamingResponse:
        return StreamingResponse(event_lines(hub, service), media_type=NDJSON,
                                 headers=_STREAM_HEADERS)

    return r


def metrics_router(service: SchedulerService, metrics: MetricsCollector) -> APIRouter:
    """The ``/metrics`` route (mounted under the API prefix and at the root, where Prometheus
    scrapes by default)."""
    r = APIRouter(route_class=GuardedRoute, tags=["scheduler"])

    @r.get("/metrics", response_class=PlainTextResponse,
           responses={200: {"content": {CONTENT_TYPE: {"schema": {"type": "string"}}},
                            "description": "Prometheus text exposition format 0.0.4"}},
           summary="Metrics for Prometheus")
    async def metrics_text() -> PlainTextResponse:
        text = metrics.render(await service.status())
        return PlainTextResponse(text, media_type=CONTENT_TYPE)

    return r
