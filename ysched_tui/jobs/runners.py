"""Which runner executes which job kind, and :func:`execute`, the one call the engine makes.

The runner modules (:mod:`.shell`, :mod:`.python`, :mod:`.script`, :mod:`.http`) import the
contract types from :mod:`.base`; this module imports the runners. So the dependencies go one
way: base <- runners' modules <- this table.

``execute`` guarantees the two things the engine relies on (see :mod:`.base`): it never raises
for a job's failure, and it lets cancellation through after the runner has cleaned up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Protocol

from ysched_tui.jobs.base import LineSink, Outcome, RunRequest, failure
from ysched_tui.jobs.http_client import HttpSource
from ysched_tui.jobs.python import run_python
from ysched_tui.jobs.script import run_script
from ysched_tui.jobs.shell import run_command


class Runner(Protocol):
    """Runs one job of its kind to its end (timeouts included) and says how it ended."""

    def __call__(self, request: RunRequest, sink: LineSink, *, http: HttpSource,
                 callables: Mapping[str, Callable[..., object]]) -> Awaitable[Outcome]: ...


async def _run_http(request: RunRequest, sink: LineSink, *, http: HttpSource,
                    callables: Mapping[str, Callable[..., object]]) -> Outcome:
    """The HTTP runner, loaded with the first HTTP job: importing httpx costs ~80 ms, which a
    scheduler without HTTP jobs should not pay at start (see :mod:`.http_client`)."""
    from ysched_tui.jobs.http import run_http

    return await run_http(request, sink, http=http, callables=callables)


RUNNERS: Mapping[str, Runner] = {
    "command": run_command,
    "http": _run_http,
    "python": run_python,
    "script": run_script,
}
"""The runner of each job kind (``JobSpec.target.kind``)."""


async def execute(request: RunRequest, sink: LineSink, *, http: HttpSource,
                  callables: Mapping[str, Callable[..., object]]) -> Outcome:
    """Run one job to its end and say how it ended; never raises except ``CancelledError``.

    Args:
        request: the job and the run.
        sink: receives the run's output lines as they are produced.
        http: the shared client HTTP jobs use.
        callables: functions registered through the Python API, by ref.
    """
    try:
        runner = RUNNERS[request.spec.target.kind]
        return await runner(request, sink, http=http, callables=callables)
    except asyncio.CancelledError:
        raise
    except (Exception, SystemExit) as exc:
        return failure(exc, request.spec)
