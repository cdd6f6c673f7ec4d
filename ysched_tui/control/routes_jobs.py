"""The API's job endpoints: list, detail, create, delete and the operator actions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Response

from ysched_tui.control.actors import ActorDep
from ysched_tui.control.guard import FieldError, GuardedRoute
from ysched_tui.control.wire import (
    ErrorBody,
    RescheduleRequest,
    TriggerRequest,
    TriggerResponse,
)
from ysched_tui.core.models import JobSpec, JobView, ReloadReport, UpcomingFire
from ysched_tui.core.schedule import parse_trigger_text
from ysched_tui.core.service import SchedulerService
from ysched_tui.core.triggers import CronTrigger, StartupTrigger, TriggerSpec
from ysched_tui.errors import ConfigError, CronError, InvalidOperation, JobNotFound, YschedError

Code = Annotated[str, Path(description="The job code.")]
_FORMS = ("cron", "every", "at", "triggers")


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries with the error body for ``statuses``."""
    return {s: {"model": ErrorBody} for s in statuses}


def triggers_from(body: RescheduleRequest, form: str) -> list[TriggerSpec]:
    """The triggers a reschedule body asks for, parsed with :func:`parse_trigger_text`.

    Raises:
        CronError, DurationError, ConfigError: the text is invalid or of the wrong form.
    """
    if form == "triggers":
        return list(body.triggers or ())
    text = str(getattr(body, form)).strip()
    if not text:
        raise ConfigError(f"{form!r} is empty")
    if form == "every":
        text = text.removeprefix("every ").strip()
        return [parse_trigger_text("every " + text, timezone=body.timezone)]
    if form == "at":
        return [parse_trigger_text("at " + text.removeprefix("at ").strip(),
                                   timezone=body.timezone)]
    trigger = parse_trigger_text(text, timezone=body.timezone)
    if not isinstance(trigger, CronTrigger | StartupTrigger):
        raise CronError(f"{text!r} is not a cron expression (such as '30 2 * * *' or '@daily'); "
                        "give intervals as 'every' and single times as 'at'", expr=text)
    return [trigger]


def jobs_router(service: SchedulerService) -> APIRouter:
    """Routes for jobs, served from ``service``."""
    r = APIRouter(route_class=GuardedRoute, tags=["jobs"])

    @r.get("/jobs", response_model=list[JobView], summary="All jobs, ordered by code")
    async def list_jobs() -> Any:
        return await service.list_jobs()

    @r.post("/jobs", response_model=JobView, status_code=201, responses=errors(409, 422),
            summary="Create a runtime job (409 if the code exists, unless replace=true)")
    async def create_job(spec: JobSpec, actor: ActorDep, replace: bool = False) -> Any:
        return await service.add_job(spec, replace=replace, actor=actor)

    @r.get("/jobs/{code}", response_model=JobView, responses=errors(404),
           summary="One job")
    async def get_job(code: Code) -> Any:
        return await service.get_job(code)

    @r.delete("/jobs/{code}", status_code=204, responses=errors(404, 409),
              summary="Remove a job (its history stays)")
    async def delete_job(code: Code, actor: ActorDep) -> Response:
        await service.remove_job(code, actor=actor)
        return Response(status_code=204)

    @r.post("/jobs/{code}/pause", response_model=JobView, responses=errors(404, 409),
            summary="Stop scheduled fires (409 if already paused)")
    async def pause(code: Code, actor: ActorDep) -> Any:
        return await service.pause(code, actor=actor)

    @r.post("/jobs/{code}/resume", response_model=JobView, responses=errors(404, 409),
            summary="Resume a paused job (409 if not paused)")
    async def resume(code: Code, actor: ActorDep) -> Any:
        return await service.resume(code, actor=actor)

    @r.post("/jobs/{code}/enable", response_model=JobView, responses=errors(404, 409),
            summary="Enable a job (operator override; 409 if already enabled)")
    async def enable(code: Code, actor: ActorDep) -> Any:
        return await service.set_enabled(code, True, actor=actor)

    @r.post("/jobs/{code}/disable", response_model=JobView, responses=errors(404, 409),
            summary="Disable a job (operator override; 409 if already disabled)")
    async def disable(code: Code, actor: ActorDep) -> Any:
        return await service.set_enabled(code, False, actor=actor)

    @r.post("/jobs/{code}/revert", response_model=JobView, responses=errors(404, 409),
            summary="Drop operator overrides (409 if there are none)")
    async def revert(code: Code, actor: ActorDep) -> Any:
        return await service.revert(code, actor=actor)

    @r.post("/reload", response_model=ReloadReport, responses=errors(409, 422),
            summary="Read the jobs file again and apply what changed (422 listing every "
                    "problem of a broken file; nothing changes then)")
    async def reload(actor: ActorDep) -> Any:
        return await service.reload_jobs(actor=actor)

    @r.post("/jobs/{code}/trigger", response_model=TriggerResponse,
            responses=errors(404, 409, 422), summary="Run a job now; returns its run_id")
    async def trigger(
        code: Code, actor: ActorDep, body: Annotated[TriggerRequest | None, Body()] = None
    ) -> Any:
        run_id = await service.trigger(code, body.params if body else None, actor=actor)
        return TriggerResponse(run_id=run_id)

    @r.post("/jobs/{code}/reschedule", response_model=JobView, responses=errors(404, 422),
            summary="Replace the job's triggers (an override that persists until reverted)")
    async def reschedule(code: Code, body: RescheduleRequest, actor: ActorDep) -> Any:
        given = [f for f in _FORMS if getattr(body, f) is not None]
        if len(given) != 1:
            problem = ConfigError("give exactly one of 'cron', 'every', 'at', 'triggers'")
            raise FieldError(problem, "body")
        await service.get_job(code)
        try:
            triggers = triggers_from(body, given[0])
            return await service.reschedule(code, triggers, actor=actor)
        except (JobNotFound, InvalidOperation):
            raise
        except YschedError as exc:
            raise FieldError(exc, given[0]) from None

    @r.get("/upcoming", response_model=list[UpcomingFire], summary="The next fires, soonest first")
    async def upcoming(
        limit: Annotated[int, Query(ge=1, le=10_000)] = 50, include_paused: bool = False
    ) -> Any:
        return await service.upcoming(limit, include_paused=include_paused)

    return r

