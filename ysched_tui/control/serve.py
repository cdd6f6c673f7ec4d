"""Serving the control API from the owner: uvicorn on the Unix socket, and on TCP when asked.

:class:`ControlServer` runs uvicorn as tasks on the caller's event loop (the engine's), so the
API calls the engine directly. It binds the sockets itself:

* **Unix socket** (always): a stale socket file is removed first (the owner lock makes any
  existing one stale; a socket that still answers is refused rather than stolen, and a file
  that is not a socket is never deleted). The socket is chmod 0600 right after ``bind`` and
  before ``listen``, so no other user can ever connect. It needs **no token**: only this OS
  user (and root) can connect to a 0600 socket, and they can read the 0600 token file anyway,
  so a token there would protect against nobody.
* **TCP** (``listen="HOST:PORT"``): every request but ``/api/v1/health`` needs the bearer
  token; starting without one is refused. Port 0 picks a free port (see :attr:`tcp_address`).
  With ``tls`` (:func:`~ysched_tui.control.tls.server_context`) it is HTTPS only; without it,
  an address other than loopback gets one warning at start: the token and every answer cross
  the network in clear.

uvicorn's own signal handling is switched off: the owner's loop keeps its SIGTERM/SIGINT.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import ssl
import stat
from collections.abc import Iterator
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from ysched_tui.control.paths import ensure_socket_dir
from ysched_tui.control.server import close_app, create_app
from ysched_tui.control.tls import is_loopback
from ysched_tui.core.service import SchedulerService
from ysched_tui.errors import ConfigError

log = logging.getLogger("ysched_tui.control")

STARTUP_TIMEOUT = 5.0
"""Seconds uvicorn may take to start serving."""
SHUTDOWN_GRACE = 2.0
"""Seconds open requests get to finish when the server stops."""


class _Server(uvicorn.Server):
    """uvicorn without signal handlers (the owner decides when to stop) and without its 0.1 s
    polling loop: :meth:`exit` wakes it at once. No ``Date`` header, so no ticking for it."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._exit = asyncio.Event()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def main_loop(self) -> None:
        await self.on_tick(0)
        await self._exit.wait()

    def exit(self) -> None:
        """Stop serving: finish open requests (up to the grace) and close."""
        self.should_exit = True
        self._exit.set()


def parse_listen(listen: str) -> tuple[str, int]:
    """``"HOST:PORT"`` (``"[::1]:8080"`` for IPv6) as ``(host, port)``.

    Raises:
        ConfigError: naming ``--listen`` and the expected form.
    """
    host, sep, port_text = listen.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port_text.isdigit() or int(port_text) > 65535:
        raise ConfigError(f"--listen {listen!r}: expected HOST:PORT such as 127.0.0.1:8080")
    return host, int(port_text)


def bind_unix(path: Path) -> socket.socket:
    """A Unix socket bound at ``path`` with mode 0600, not yet listening.

    Raises:
        ConfigError: the path is a live socket, or not a socket at all.
    """
    ensure_socket_dir(path)
    with contextlib.suppress(FileNotFoundError):
        if not stat.S_ISSOCK(path.lstat().st_mode):
            raise ConfigError(f"cannot serve the control API on {path}: it exists and is not "
                              "a socket")
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(str(path))
        except OSError:
            path.unlink()  # stale: its owner is gone
        else:
            raise ConfigError(f"control socket {path} is in use by another process")
        finally:
            probe.close()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(str(path))
        os.chmod(path, 0o600)
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot create control socket {path}: {exc}") from None
    return sock


def bind_tcp(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port``. Raises: ConfigError (address in use ...)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family)
    except OSError as exc:
        raise ConfigError(f"--listen {host}:{port}: {exc.strerror or exc}") from None


class ControlServer:
    """The owner's control API on its Unix socket and, optionally, on TCP.

    Args:
        service: the scheduler to serve (the owner's engine).
        socket_path: the Unix socket (``control_paths(db).socket``).
        listen: ``"HOST:PORT"`` to serve on TCP as well; needs ``token``.
        token: the bearer token TCP clients must send (``load_or_create_token``).
        tls: serve ``listen`` over HTTPS with this context (``server_context``).

    Raises:
        ConfigError: ``listen`` is malformed, or given without a token.
    """

    def __init__(
        self,
        service: SchedulerService,
        *,
        socket_path: Path,
        listen: str | None = None,
        token: str | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        if listen is not None and not token:
            raise ConfigError("--listen needs a token: every TCP request must present it")
        self.service = service
        self.socket_path = Path(socket_path)
        self._listen = parse_listen(listen) if listen is not None else None
        self._token = token
        self._tls = tls
        self._servers: list[tuple[_Server, asyncio.Task[None], FastAPI]] = []
        self._socket_ino: int | None = None
        self.tcp_address: tuple[str, int] | None = None
        """The bound TCP host and port (the real port when 0 was asked), once started."""

    @property
    def url(self) -> str:
        """The URL clients use on this host: ``unix:///path/to.sock``."""
        return "unix://" + str(self.socket_path)

    @property
    def tcp_url(self) -> str | None:
        """``https://HOST:PORT`` (``http://`` without TLS) once serving on TCP, else None."""
        if self.tcp_address is None:
            return None
        host, port = self.tcp_address
        host = f"[{host}]" if ":" in host else host
        return f"{'https' if self._tls else 'http'}://{host}:{port}"

    async def start(self) -> None:
        """Bind and start serving; returns once both servers accept connections.

        Raises:
            ConfigError: a socket cannot be bound (in use, no permission, bad address).
        """
        sock = bind_unix(self.socket_path)
        self._socket_ino = self.socket_path.stat().st_ino
        try:
            await self._serve(create_app(self.service), sock)
            if self._listen is not None:
                tcp = bind_tcp(*self._listen)
                self.tcp_address = tcp.getsockname()[:2]
                await self._serve(create_app(self.service, token=self._token), tcp, self._tls)
                self._warn_if_clear()
        except BaseException:
            await self.stop()
            raise

    def _warn_if_clear(self) -> None:
        if self._tls is not None or self._listen is None or is_loopback(self._listen[0]):
            return
        port = self.tcp_address[1] if self.tcp_address else self._listen[1]
        log.warning("control API on %s: the bearer token and all data travel unencrypted "
                    "over the network; serve it with --tls-cert/--tls-key, or listen on "
                    "127.0.0.1 and reach it through an SSH tunnel "
                    "(ssh -L %d:127.0.0.1:%d THIS-HOST)", self.tcp_url, port, port)

    async def _serve(
        self, app: FastAPI, sock: socket.socket, tls: ssl.SSLContext | None = None
    ) -> None:
        config = uvicorn.Config(app, log_level="warning", log_config=None, lifespan="off",
                                access_log=False, ws="none", date_header=False,
                                timeout_graceful_shutdown=int(SHUTDOWN_GRACE),
                                ssl_context_factory=(lambda _c, _d: tls) if tls else None)
        server = _Server(config)
        task = asyncio.create_task(server.serve(sockets=[sock]), name="ysched-control-api")
        self._servers.append((server, task, app))
        async with asyncio.timeout(STARTUP_TIMEOUT):
            while not server.started:
                if task.done():
                    task.result()
                    raise ConfigError("the control API stopped while starting")
                await asyncio.sleep(0.01)

    async def stop(self) -> None:
        """End the streams, stop serving, and remove the socket file (if still ours)."""
        servers, self._servers = self._servers, []
        for server, _task, app in servers:
            close_app(app)
            server.exit()
        for _server, task, _app in servers:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._socket_ino is not None:
            with contextlib.suppress(OSError):
                if self.socket_path.stat().st_ino == self._socket_ino:
                    self.socket_path.unlink()
            self._socket_ino = None
