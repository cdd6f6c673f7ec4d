"""Notifications after a run: a webhook POST or a shell command, never fatal.

A hook is told about one event (``failure``, ``success`` or ``missed``; the engine decides which
hooks a run concerns). A webhook receives ``{"event", "job": {"code", "name"}, "run": {...}}`` as
JSON; a command runs through ``/bin/sh -c`` in its own process group with ``YSCHED_EVENT``,
``YSCHED_JOB_CODE``, ``YSCHED_JOB_NAME``, ``YSCHED_RUN_ID``, ``YSCHED_STATUS`` and
``YSCHED_ERROR`` in its environment. Whatever goes wrong (unreachable URL, error status, failing
or hanging command) is logged on ``ysched_tui.hooks`` and swallowed: a broken notification must
never break scheduling. Only cancellation propagates.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable

from ysched_tui.core.models import Hook, JobSpec, RunRecord
from ysched_tui.jobs.base import describe_exception
from ysched_tui.jobs.http_client import HttpSource, client_of
from ysched_tui.jobs.secrets import MissingEnvVar, expand_env, redact, url_secrets
from ysched_tui.jobs.shell import stop_process_group

log = logging.getLogger("ysched_tui.hooks")

_KILL_GRACE = 2.0


async def notify(hook: Hook, event: str, run: RunRecord, spec: JobSpec, http: HttpSource,
                 *, timeout: float = 10) -> None:
    """Deliver ``event`` about ``run`` through ``hook``; logs failures, never raises them.

    Args:
        hook: the webhook and/or command to notify.
        event: ``failure``, ``success`` or ``missed``.
        run: the run the event is about.
        spec: its job.
        http: the shared client webhooks are sent with.
        timeout: seconds each delivery may take.
    """
    if hook.webhook:
        await _guarded(_webhook(hook.webhook, event, run, spec, http, timeout), "webhook", run)
    if hook.command:
        await _guarded(_command(hook.command, event, run, spec, timeout), "command", run)


async def _guarded(delivery: Awaitable[None], what: str, run: RunRecord) -> None:
    try:
        await delivery
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        log.warning("%s hook for run %s of job %s failed: %s", what, run.run_id, run.job_code,
                    describe_exception(exc))


async def _webhook(url: str, event: str, run: RunRecord, spec: JobSpec, http: HttpSource,
                   timeout: float) -> None:
    import httpx  # only when a webhook is sent

    try:
        expanded, secrets = expand_env(url)
    except MissingEnvVar as exc:
        log.warning("webhook hook for run %s of job %s not sent: %s", run.run_id, spec.code, exc)
        return
    secrets = secrets | url_secrets(expanded)
    body = {"event": event, "job": {"code": spec.code, "name": spec.display_name},
            "run": run.model_dump(mode="json")}
    try:
        response = await (await client_of(http)).post(expanded, json=body, timeout=timeout)
    except httpx.HTTPError as exc:
        raise RuntimeError(redact(f"POST {expanded}: {describe_exception(exc)}", secrets)) from None
    if response.status_code >= 400:
        log.warning("webhook hook for run %s of job %s: POST %s answered %s", run.run_id,
                    spec.code, redact(expanded, secrets), response.status_code)


async def _command(command: str, event: str, run: RunRecord, spec: JobSpec,
                   timeout: float) -> None:
    env = {**os.environ, "YSCHED_EVENT": event, "YSCHED_JOB_CODE": spec.code,
           "YSCHED_JOB_NAME": spec.display_name, "YSCHED_RUN_ID": run.run_id,
           "YSCHED_STATUS": run.status.value, "YSCHED_ERROR": run.error or ""}
    proc = await asyncio.create_subprocess_exec(
        "/bin/sh", "-c", command, env=env, start_new_session=True,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        output, _ = await asyncio.wait_for(proc.communicate(), timeout=timeout)
    except TimeoutError:
        await stop_process_group(proc, _KILL_GRACE)
        raise RuntimeError(f"command {command!r} did not finish within {timeout:g}s") from None
    except BaseException:
        await stop_process_group(proc, _KILL_GRACE)
        raise
    if proc.returncode != 0:
        last = output.decode("utf-8", errors="replace").strip().splitlines()[-1:] or [""]
        raise RuntimeError(f"command {command!r} exited with {proc.returncode}: {last[0]}")
