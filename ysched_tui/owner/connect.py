"""``open_service``: the scheduler service a console or a CLI command should talk to.

* ``--connect URL``: the owner at ``URL`` (role ``remote``); an ``https://`` owner's certificate
  is checked against the system's CAs, or only ``settings.ca_file`` (``--ca-file``).
* Nobody owns the database: this process takes the owner lock, starts the engine and serves
  the control API on the Unix socket (and TCP with ``--listen``, over TLS with ``tls``) — role
  ``owner``.
* Another process owns it: attach to its socket — role ``attached``; nothing is scheduled here.

:meth:`Session.close` stops what the session started: an owner stops its server and engine and
releases the lock; an attached or remote session only disconnects (the owner keeps running).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from ysched_tui.control.paths import control_paths
from ysched_tui.control.tokens import load_or_create_token, read_token
from ysched_tui.core.models import Via
from ysched_tui.core.service import SchedulerService
from ysched_tui.errors import NotOwner
from ysched_tui.owner.lock import OwnerInfo, OwnerLock, read_owner, try_lock
from ysched_tui.settings import Settings

if TYPE_CHECKING:  # the engine, the web stack and httpx load only when this process needs them
    import ssl

    from ysched_tui.control.serve import ControlServer
    from ysched_tui.engine import Engine
    from ysched_tui.owner.attached import OwnerClient

Role = Literal["owner", "attached", "remote"]

ATTACH_TIMEOUT = 15.0
"""Seconds to wait for an owner that holds the lock to start serving its socket."""
RETRY_SECONDS = 0.05


def no_owner_message(db: str) -> str:
    """The one line every control command prints when nobody schedules ``db``."""
    return f"no scheduler is running for {db}: start `ysched-tui daemon` or the console"


@dataclass
class Session:
    """What :func:`open_service` opened; close it when done."""

    service: SchedulerService
    """The engine (owner) or the client of the owner (attached, remote)."""
    role: Role
    db: str
    owner: OwnerInfo | None = None
    """Who owns the database (this process, for an owner)."""
    engine: Engine | None = None
    server: ControlServer | None = None
    lock: OwnerLock | None = None
    closed: bool = field(default=False, init=False)
    serve_later: Callable[[], ControlServer] | None = None
    """Builds the control server that :meth:`start_server` starts (``defer_server``)."""
    notes: list[str] = field(default_factory=list)
    """What the operator should know about attaching (a jobs file this process will not read)."""

    def describe(self) -> str:
        """One line: who schedules the database and how this process relates to it."""
        if self.role == "owner":
            return f"owner of {self.db} (pid {self.owner.pid})" if self.owner else "owner"
        where = f"attached to {self.owner.describe()}" if self.owner else "attached"
        return where if self.role == "attached" else f"{where} (remote)"

    async def start_server(self) -> None:
        """Start the control server that ``open_service(defer_server=True)`` left for later."""
        build, self.serve_later = self.serve_later, None
        if build is None or self.closed:
            return
        server = build()
        await server.start()
        if self.closed:  # closed while it started
            await server.stop()
            return
        self.server = server
        if self.engine is not None:
            self.engine.served_at = tuple(u for u in (server.url, server.tcp_url) if u)

    async def close(self, grace: float | None = None) -> None:
        """Stop what this session started; an attached session leaves the owner running."""
        if self.closed:
            return
        self.closed = True
        try:
            if self.server is not None:
                await self.server.stop()
            await self.service.stop(grace)
        finally:
            if self.lock is not None:
                self.lock.release()


async def open_service(
    settings: Settings,
    *,
    connect: str | None = None,
    token_file: Path | None = None,
    attach_only: bool = False,
    listen: str | None = None,
    paused: bool = False,
    via: Via = "console",
    engine_factory: Callable[[Settings], Engine] | None = None,
    defer_server: bool = False,
) -> Session:
    """Own, attach to, or connect to the scheduler of ``settings.db`` (see the module doc).

    Args:
        settings: the settings in force.
        connect: the URL of a remote owner (``https://HOST:PORT``, ``http://HOST:PORT`` or
            ``unix:///...sock``); ``settings.ca_file`` is the CA an ``https://`` one is checked
            against (else the system's).
        token_file: the bearer token for ``connect``.
        attach_only: never become the owner (CLI control commands).
        listen: also serve the control API on TCP (``HOST:PORT``) when becoming the owner.
        paused: start the engine paused when becoming the owner.
        via: how this process acts, for the audit (``console``, ``cli``).
        engine_factory: builds the engine (tests pass jobs); default
            :func:`~ysched_tui.owner.assembly.build_engine`.
        defer_server: as the owner, leave the control server for :meth:`Session.start_server`
            (the console starts it after its first paint; others wait for its socket).

    Raises:
        NotOwner: nobody owns the database (``attach_only``), the owner cannot be reached, or
            its certificate cannot be trusted.
        ConfigError, StorageError: starting as the owner failed (the lock is released); the
            token or CA file cannot be used.
    """
    if connect is not None:
        token = read_token(token_file) if token_file is not None else None
        client = await _attach(connect, token, settings.db, via, ca_file=settings.ca_file)
        return Session(service=client, role="remote", db=settings.db,
                       owner=await _owner_of(client))
    deadline = time.monotonic() + ATTACH_TIMEOUT
    url = "unix://" + str(control_paths(settings.db).socket)
    while True:
        if not attach_only and (lock := try_lock(settings.db)) is not None:
            return await become_owner(settings, lock, listen=listen, paused=paused,
                                      engine_factory=engine_factory, defer_server=defer_server)
        owner = read_owner(settings.db)
        if owner is None and attach_only:
            raise NotOwner(no_owner_message(settings.db))
        if owner is not None:
            with contextlib.suppress(NotOwner):
                client = await _attach(url, None, settings.db, via)
                notes = await jobs_file_notes(settings, client)
                return Session(service=client, role="attached", db=settings.db, owner=owner,
                               notes=notes)
        if time.monotonic() > deadline:
            raise NotOwner(f"{settings.db} is owned by "
                           f"{owner.describe() if owner else 'another process'}, "
                           f"but its control socket does not answer")
        await asyncio.sleep(RETRY_SECONDS)


async def become_owner(
    settings: Settings,
    lock: OwnerLock,
    *,
    listen: str | None = None,
    tls: ssl.SSLContext | None = None,
    paused: bool = False,
    engine_factory: Callable[[Settings], Engine] | None = None,
    defer_server: bool = False,
) -> Session:
    """Start the engine and the control server under ``lock`` (released if that fails);
    with ``defer_server`` the server waits for :meth:`Session.start_server`. ``tls`` (from
    :func:`~ysched_tui.control.tls.server_context`) serves ``listen`` over HTTPS."""
    from ysched_tui.owner.assembly import build_control_server, build_engine

    paths = control_paths(settings.db)
    engine = engine_factory(settings) if engine_factory else build_engine(settings)
    session = Session(service=engine, role="owner", db=settings.db, owner=lock.info,
                      engine=engine, lock=lock)
    try:
        token = load_or_create_token(paths.token) if listen else None
        await engine.start(paused=paused)

        def build() -> ControlServer:
            return build_control_server(engine, socket_path=paths.socket, listen=listen,
                                        token=token, tls=tls)

        session.serve_later = build
        if not defer_server:
            await session.start_server()
    except BaseException:
        await session.close(grace=0)
        raise
    return session


async def _attach(
    url: str, token: str | None, db: str, via: Via, *, ca_file: Path | None = None
) -> OwnerClient:
    from ysched_tui.owner.attached import OwnerClient  # httpx: only when attaching

    client = OwnerClient(url, token=token, db=db, via=via, ca_file=ca_file)
    try:
        await client.start()
    except BaseException:
        await client.stop()
        raise
    return client


async def jobs_file_notes(settings: Settings, client: SchedulerService) -> list[str]:
    """A note when this process was given a jobs file the owner does not read: attached, it
    schedules nothing, so edits to that file change nothing until the owner reads it. The
    owner's status is asked for only when a jobs file was given."""
    mine = _given_jobs_file(settings)
    if mine is None:
        return []
    status = await client.status()
    if status.jobs_file is not None and _same_file(Path(mine), Path(status.jobs_file)):
        return []
    theirs = status.jobs_file or "no jobs file"
    return [f"the owner (pid {status.owner_pid}) reads {theirs}; the jobs file {mine} given "
            "here is not read by an attached ysched-tui"]


def _given_jobs_file(settings: Settings) -> Path | None:
    """The jobs file this process was given; ``None`` for none, or for ./ysched.toml found by
    default (nothing was asked)."""
    from ysched_tui.config.settings_file import default_jobs_file

    mine = settings.jobs
    if mine is None or not Path(mine).is_file() or mine == default_jobs_file():
        return None
    return Path(mine)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return a.resolve() == b.resolve()


async def _owner_of(client: OwnerClient) -> OwnerInfo | None:
    status = await client.status()
    if status.owner_pid is None or status.owner_since is None:
        return None
    return OwnerInfo(pid=status.owner_pid, host=status.owner_host or "?",
                     since=status.owner_since)
