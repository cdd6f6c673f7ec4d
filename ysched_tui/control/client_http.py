"""The HTTP side of the client: one httpx client for a control URL, with errors mapped back.

A control URL is ``unix:///path/to.sock`` (the owner's socket on this host), ``http://HOST:PORT``
(an owner listening on TCP, which needs the token) or ``https://HOST:PORT`` (the same over TLS:
the owner's certificate is checked against the system's CAs, or only ``ca_file``). Every
failure becomes a ysched error: an owner that cannot be reached — a certificate that cannot be
trusted included — is :class:`~ysched_tui.errors.NotOwner` in one line, an error response the
exception it stands for (:mod:`~ysched_tui.control.error_map`).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from ysched_tui.control.error_map import error_from_response
from ysched_tui.control.tls import client_context, tls_failure
from ysched_tui.control.wire import API_PREFIX
from ysched_tui.errors import ConfigError, NotOwner, YschedError

REQUEST_TIMEOUT = 30.0
"""Seconds a request may take (a cancel waits for the process tree to die)."""
STREAM_READ_TIMEOUT = 35.0
"""Seconds of silence after which a stream is taken as dead (the owner sends a heartbeat
every 10 s)."""


def segment(value: str) -> str:
    """``value`` as one URL path segment (``/`` and dot-segments encoded)."""
    if value in (".", ".."):
        return value.replace(".", "%2E")
    return quote(value, safe="")


def _transport(url: str, ca_file: Path | None) -> tuple[httpx.AsyncHTTPTransport, str]:
    if url.startswith("unix://"):
        path = url.removeprefix("unix://")
        if not path.startswith("/"):
            raise ConfigError(f"control URL {url!r}: expected unix:///absolute/path.sock")
        return httpx.AsyncHTTPTransport(uds=path), "http://ysched"
    if url.startswith("https://") and httpx.URL(url).host:
        return httpx.AsyncHTTPTransport(verify=client_context(ca_file)), url.rstrip("/")
    if url.startswith("http://") and httpx.URL(url).host:
        return httpx.AsyncHTTPTransport(), url.rstrip("/")
    raise ConfigError(f"control URL {url!r}: expected unix:///path/to.sock, http://HOST:PORT "
                      "or https://HOST:PORT")


class ApiClient:
    """Requests to one owner's control API.

    Args:
        url: ``unix:///path/to.sock``, ``http://HOST:PORT`` or ``https://HOST:PORT``.
        token: the bearer token (needed on TCP).
        subject: what the owner owns, for messages (the database path, else the URL).
        ca_file: for ``https://``, trust only this CA (PEM) instead of the system's.

    Raises:
        ConfigError: a malformed URL, or a ``ca_file`` that cannot be used.
    """

    def __init__(
        self, url: str, *, token: str | None, subject: str, ca_file: Path | None = None
    ) -> None:
        transport, base = _transport(url, ca_file)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.url = url
        self.subject = subject
        self.ca_file = ca_file
        self.http = httpx.AsyncClient(transport=transport, base_url=base + API_PREFIX,
                                      headers=headers, timeout=REQUEST_TIMEOUT)

    def unreachable(self, exc: Exception) -> NotOwner:
        """The one-line NotOwner for an owner that cannot be reached (or trusted)."""
        tls = tls_failure(exc, self.url, self.ca_file)
        if tls is not None:
            return NotOwner(tls)
        reason = (str(exc).splitlines() or [""])[0] or type(exc).__name__
        if self.url.startswith("unix://"):  # the owner of this database is gone
            return NotOwner(f"no scheduler owns {self.subject}: cannot reach {self.url} "
                            f"({reason})")
        if self.url.startswith("http://") and _closed_unanswered(exc):
            return NotOwner(f"no scheduler answers at {self.url} (the connection closed "
                            "without an answer); if the owner serves TLS, connect to https://")
        return NotOwner(f"no scheduler answers at {self.url} ({reason})")

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        code: str | None = None,
        run_id: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """Send a request; returns the decoded JSON body (``None`` when empty).

        Raises:
            NotOwner: the owner cannot be reached. YschedError: the error the owner answered.
        """
        try:
            response = await self.http.request(method, path, params=_query(params), json=body,
                                               headers=headers)
        except httpx.TransportError as exc:
            raise self.unreachable(exc) from None
        if response.status_code >= 300:
            raise _error(response, code=code, run_id=run_id)
        return response.json() if response.content else None

    async def stream(
        self, path: str, *, params: dict[str, Any] | None = None, run_id: str | None = None
    ) -> AsyncIterator[Any]:
        """The JSON objects of an NDJSON stream (heartbeat lines skipped).

        Raises:
            NotOwner: the owner cannot be reached or the stream broke.
            YschedError: the error the owner answered.
        """
        timeout = httpx.Timeout(REQUEST_TIMEOUT, read=STREAM_READ_TIMEOUT)
        try:
            async with self.http.stream("GET", path, params=_query(params),
                                        timeout=timeout) as response:
                if response.status_code >= 300:
                    await response.aread()
                    raise _error(response, run_id=run_id)
                async for line in response.aiter_lines():
                    if line.strip():
                        yield json.loads(line)
        except httpx.TransportError as exc:
            raise self.unreachable(exc) from None

    async def aclose(self) -> None:
        """Close the connections."""
        await self.http.aclose()


def _closed_unanswered(exc: Exception) -> bool:
    """Whether the owner dropped the connection before any answer, as a TLS port does when
    plain HTTP arrives (a reset, or httpx's "disconnected without sending a response")."""
    if isinstance(exc, httpx.ReadError) and not str(exc):
        return True
    return isinstance(exc, httpx.RemoteProtocolError) and "without sending a response" in str(exc)


def _query(params: dict[str, Any] | None) -> dict[str, Any] | None:
    if params is None:
        return None
    return {k: v for k, v in params.items() if v is not None}


def _error(response: httpx.Response, **about: str | None) -> YschedError:
    try:
        body = response.json()
    except ValueError:
        body = {"detail": response.text.strip()[:200] or response.reason_phrase}
    return error_from_response(response.status_code, body, **about)
