"""Shared parts for the job runner tests: requests, a recording sink, a real local HTTP server."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from ysched_tui.core.context import JobContext
from ysched_tui.core.models import JobSpec, RetryPolicy
from ysched_tui.jobs import RunRequest


def make_request(target: Any, *, timeout: float | None = 10, params: dict | None = None,
                 kill_grace: float = 2.0, retry_on: tuple[str, ...] = (),
                 code: str = "job1") -> RunRequest:
    """A RunRequest for ``target`` with a plausible context."""
    spec = JobSpec(code=code, name="Job one", target=target,
                   retries=RetryPolicy(max=2, retry_on=retry_on))
    context = JobContext(job_id="id-1", job_code=code, job_name="Job one",
                         run_id="run_20260101_000000_abcdef", start_time=datetime.now(UTC),
                         params=params or {})
    return RunRequest(spec=spec, context=context, params=params or {}, timeout=timeout,
                      kill_grace=kill_grace)


class Sink:
    """Records (stream, text) lines and wakes waiters when a wanted line arrives."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []
        self.threads: set[int] = set()
        self._waiters: list[tuple[Callable[[str, str], bool], asyncio.Event]] = []

    def __call__(self, stream: str, text: str) -> None:
        self.threads.add(threading.get_ident())
        self.lines.append((stream, text))
        for predicate, event in self._waiters:
            if predicate(stream, text):
                event.set()

    def texts(self, stream: str | None = None) -> list[str]:
        return [t for s, t in self.lines if stream is None or s == stream]

    def event_for(self, predicate: Callable[[str, str], bool]) -> asyncio.Event:
        event = asyncio.Event()
        self._waiters.append((predicate, event))
        return event


@pytest.fixture
def sink() -> Sink:
    return Sink()


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class LocalServer:
    """A threaded HTTP server on 127.0.0.1; ``routes`` maps a path to (status, body, delay)."""

    url: str
    routes: dict[str, tuple[int, str]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    received: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    state = LocalServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            path = self.path.split("?", 1)[0]
            state.requests.append(Recorded(self.command, self.path, dict(self.headers), body))
            state.received.set()
            if path == "/hang":
                state.release.wait(10)
            status, text = state.routes.get(path, (200, json.dumps({"ok": True})))
            if path == "/echo":
                auth = self.headers.get("Authorization", "")
                text = f"{self.path} {auth} {body.decode()}"
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = _handle

        def log_message(self, fmt: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
async def client() -> Any:
    async with httpx.AsyncClient(timeout=5) as c:
        yield c
