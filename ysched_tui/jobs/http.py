"""HTTP jobs: one request through the shared client, judged by its status code.

``${ENV_VAR}`` references are expanded just before sending; everything recorded afterwards —
the summary line, the result (status, latency, the first 2,000 characters of the body) and any
error — is redacted so the expanded secrets are never stored or shown. A status in
``retry_on_codes`` (or any failure when that list is empty) may be retried; other failing
statuses may not, since repeating the same request would get the same answer.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from typing import Any, cast

import httpx

from ysched_tui.core.durations import format_duration
from ysched_tui.core.models import HttpTarget, RunStatus
from ysched_tui.jobs.base import LineSink, Outcome, RunRequest, describe_exception, timed_out
from ysched_tui.jobs.http_client import HttpSource, client_of
from ysched_tui.jobs.secrets import MissingEnvVar, expand_env, header_secrets, redact, url_secrets

BODY_EXCERPT_CHARS = 2_000
"""How much of the response body is kept in the run's result."""


async def run_http(request: RunRequest, sink: LineSink, *, http: HttpSource,
                   callables: Mapping[str, Callable[..., object]]) -> Outcome:
    """Send an :class:`HttpTarget`'s request and turn the response into an outcome."""
    target = cast(HttpTarget, request.spec.target)
    try:
        (url, headers, params, json_body, data), secrets = expand_env(
            (target.url, target.headers, target.params, target.json_body, target.data)
        )
    except MissingEnvVar as exc:
        return Outcome(status=RunStatus.FAILED, error=f"cannot send the request: {exc}",
                       retryable=False)
    secrets = secrets | header_secrets(headers) | url_secrets(url)
    client = await client_of(http)
    try:
        req = client.build_request(
            target.method.upper(), url, headers=headers, params=params or None, json=json_body,
            **_body(data), timeout=target.timeout if target.timeout is not None else
            httpx.USE_CLIENT_DEFAULT,
        )
    except (httpx.HTTPError, httpx.InvalidURL, ValueError, TypeError) as exc:
        return Outcome(status=RunStatus.FAILED, retryable=False,
                       error=redact(f"invalid request: {describe_exception(exc)}", secrets))
    return await _timed(req, target, request, sink, client, secrets)


def _body(data: dict[str, str] | str | None) -> dict[str, Any]:
    if isinstance(data, str):
        return {"content": data}
    return {"data": data} if data else {}


async def _timed(req: httpx.Request, target: HttpTarget, request: RunRequest, sink: LineSink,
                 http: httpx.AsyncClient, secrets: frozenset[str]) -> Outcome:
    shown = f"{req.method} {redact(str(req.url), secrets)}"
    deadline = asyncio.timeout(request.timeout)
    try:
        async with deadline:
            return await _exchange(req, target, sink, http, secrets, shown)
    except TimeoutError:
        if not deadline.expired() or request.timeout is None:
            raise
        sink("system", f"{shown} -> timed out after {format_duration(request.timeout)}")
        return timed_out(request.timeout)
    except httpx.TimeoutException as exc:
        sink("system", f"{shown} -> {type(exc).__name__}")
        if target.timeout is not None:
            return timed_out(target.timeout, note=f"{type(exc).__name__} from {shown}")
        return Outcome(status=RunStatus.TIMEOUT, error=f"{type(exc).__name__} from {shown}")
    except httpx.HTTPError as exc:
        error = redact(f"{shown} failed: {describe_exception(exc)}", secrets)
        sink("system", error)
        return Outcome(status=RunStatus.FAILED, error=error)


async def _exchange(req: httpx.Request, target: HttpTarget, sink: LineSink,
                    http: httpx.AsyncClient, secrets: frozenset[str], shown: str) -> Outcome:
    started = time.monotonic()
    response = await http.send(req, stream=True)
    try:
        latency_ms = round((time.monotonic() - started) * 1000)
        body = await _excerpt(response)
    finally:
        await response.aclose()
    status = response.status_code
    sink("system", f"{shown} -> {status} in {latency_ms} ms")
    result = {"status": status, "latency_ms": latency_ms, "body": redact(body, secrets)}
    if _succeeded(status, target.success_codes):
        return Outcome(status=RunStatus.SUCCESS, http_status=status, result=result)
    expected = ", ".join(map(str, target.success_codes)) if target.success_codes else "2xx"
    return Outcome(
        status=RunStatus.FAILED, http_status=status, result=result,
        error=f"HTTP {status} {response.reason_phrase} from {shown} (expected {expected})",
        retryable=not target.retry_on_codes or status in target.retry_on_codes,
    )


def _succeeded(status: int, success_codes: tuple[int, ...]) -> bool:
    return status in success_codes if success_codes else 200 <= status < 300


async def _excerpt(response: httpx.Response) -> str:
    """The first characters of the body, reading no more than needed."""
    limit = BODY_EXCERPT_CHARS * 4  # a UTF-8 character is at most 4 bytes
    data = bytearray()
    async for chunk in response.aiter_bytes():
        data += chunk
        if len(data) >= limit:
            break
    try:
        text = bytes(data).decode(response.encoding or "utf-8", errors="replace")
    except LookupError:
        text = bytes(data).decode("utf-8", errors="replace")
    return text[:BODY_EXCERPT_CHARS]
