"""The composition root: the one place that builds the scheduler's parts from settings.

* :func:`build_repository` — the storage the settings name (SQLite at ``settings.db``);
* :func:`build_engine` — the engine on that repository, with the jobs-file loader;
* :func:`build_control_server` — the control API serving an engine.

Everything else receives these parts: the engine is given its repository and loader and never
names a storage implementation; the owner session (:mod:`~ysched_tui.owner.connect`), the
console (:func:`ysched_tui.console.make_app`), the CLI's read-only commands and the public
:class:`ysched_tui.Scheduler` ask this module for them. A second storage backend is chosen here.
Importing this module loads the engine and storage: its importers import it where they need it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ysched_tui.config.jobs_file import JobsLoader
from ysched_tui.core.models import JobSpec
from ysched_tui.core.repository import Repository
from ysched_tui.core.service import SchedulerService
from ysched_tui.engine import Engine
from ysched_tui.settings import Settings
from ysched_tui.storage import SqliteRepository

if TYPE_CHECKING:  # the control server's web stack loads only when a server is built
    import ssl

    from ysched_tui.control.serve import ControlServer


def build_repository(settings: Settings) -> Repository:
    """The storage ``settings`` name, not opened yet: SQLite at ``settings.db`` (the engine, not
    the store, caps each run's output at ``settings.max_output_lines``)."""
    return SqliteRepository(settings.db)


def build_engine(
    settings: Settings,
    *,
    specs: Sequence[JobSpec] | None = None,
    callables: Mapping[str, Callable[..., Any]] | None = None,
    clock: Callable[[], datetime] | None = None,
    repository: Repository | None = None,
) -> Engine:
    """The engine for ``settings``, not started.

    Args:
        specs: the declared jobs; ``None`` reads the settings' jobs file and scripts (at
            start and on each reload); ``[]`` for a read-only engine.
        callables: Python callables by reference, for jobs declared through the API.
        clock: the current aware time (tests freeze it).
        repository: storage to use instead of :func:`build_repository`'s.
    """
    return Engine(settings, repository or build_repository(settings), JobsLoader(),
                  specs=specs, callables=callables, clock=clock)


def build_control_server(
    service: SchedulerService,
    *,
    socket_path: Path,
    listen: str | None = None,
    token: str | None = None,
    tls: ssl.SSLContext | None = None,
) -> ControlServer:
    """The control API serving ``service`` on ``socket_path`` (and TCP on ``listen``, with the
    bearer ``token``, over HTTPS with ``tls``); not started."""
    from ysched_tui.control.serve import ControlServer

    return ControlServer(service, socket_path=socket_path, listen=listen, token=token, tls=tls)
