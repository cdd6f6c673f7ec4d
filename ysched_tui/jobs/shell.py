"""Command jobs: a shell command in its own process group, its output streamed line by line.

The command runs as ``<shell> -c <command>`` in a new session, so it and everything it starts
share one process group that can be signalled as a whole. stdout and stderr are read
concurrently in chunks and cut into lines as they arrive (no line-length limit can break the
reader; very long lines are split). On timeout or cancellation the group gets SIGTERM, then
SIGKILL after the grace period. Its environment, user and standard input are set up by
:mod:`ysched_tui.jobs.launch`. When the shell exits, processes it left behind in the group are
stopped the same way — like systemd does for a finished unit — so no run leaks processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import cast

from ysched_tui.core.durations import format_duration
from ysched_tui.core.models import CommandTarget, RunStatus
from ysched_tui.jobs.base import LineSink, Outcome, RunRequest, timed_out
from ysched_tui.jobs.http_client import HttpSource
from ysched_tui.jobs.launch import LaunchError, feed, prepare
from ysched_tui.jobs.procfs import is_live, stat_fields

__all__ = ["MAX_LINE_BYTES", "run_command", "stop_process_group"]

MAX_LINE_BYTES = 16_384
"""Longer lines are split into pieces of at most this many bytes (at a character boundary)."""

_CHUNK = 65_536
_DRAIN_SECONDS = 2.0
"""How long to wait for output to close once the group is gone (a process that left the group
with ``setsid`` may still hold the pipe)."""
_POLL = 0.02
_KILL_SETTLE = 1.0

log = logging.getLogger("ysched_tui.jobs")


async def run_command(request: RunRequest, sink: LineSink, *, http: HttpSource,
                      callables: Mapping[str, Callable[..., object]]) -> Outcome:
    """Run a :class:`CommandTarget` to its end (see the module docstring)."""
    target = cast(CommandTarget, request.spec.target)
    try:
        launch = prepare(target, request)
        proc = await asyncio.create_subprocess_exec(
            target.shell, "-c", target.command, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, start_new_session=True, **launch.kwargs,
        )
    except LaunchError as exc:
        return Outcome(status=RunStatus.FAILED, error=str(exc), retryable=False)
    except OSError as exc:
        return Outcome(status=RunStatus.FAILED, error=f"cannot start the command: {exc}",
                       retryable=False)
    tail: list[str] = []
    assert proc.stdout is not None and proc.stderr is not None
    readers = [asyncio.create_task(_pump(proc.stdout, "stdout", sink, None)),
               asyncio.create_task(_pump(proc.stderr, "stderr", sink, tail))]
    if launch.stdin is not None:
        readers.append(asyncio.create_task(feed(proc, launch.stdin)))
    try:
        return await _supervise(proc, request, sink, readers, tail)
    except BaseException:
        await _abort(proc, request.kill_grace, readers)
        raise


async def _supervise(proc: asyncio.subprocess.Process, request: RunRequest, sink: LineSink,
                     readers: list[asyncio.Task[None]], tail: list[str]) -> Outcome:
    deadline = asyncio.timeout(request.timeout)
    try:
        async with deadline:
            code = await proc.wait()
    except TimeoutError:
        if not deadline.expired():
            raise
        assert request.timeout is not None
        sink("system", f"timed out after {format_duration(request.timeout)}: sending SIGTERM to "
                       f"the process group (SIGKILL after {format_duration(request.kill_grace)})")
        code = await stop_process_group(proc, request.kill_grace)
        await _drain(readers, sink)
        return timed_out(request.timeout, exit_code=code)
    if _group_alive(proc.pid):
        sink("system", "the shell exited; stopping processes it left in its process group")
        await stop_process_group(proc, request.kill_grace)
    await _drain(readers, sink)
    return _exit_outcome(code, tail)


def _exit_outcome(code: int, tail: list[str]) -> Outcome:
    if code == 0:
        return Outcome(status=RunStatus.SUCCESS, exit_code=0)
    if code < 0:
        error = f"killed by signal {_signal_name(-code)}"
    else:
        error = f"exit code {code}" + (f": {tail[-1]}" if tail else "")
    return Outcome(status=RunStatus.FAILED, exit_code=code, error=error)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)


async def stop_process_group(proc: asyncio.subprocess.Process, grace: float) -> int:
    """SIGTERM the process group led by ``proc``, SIGKILL what is left after ``grace`` seconds,
    and reap the leader.

    Returns:
        The leader's return code.
    """
    _signal_group(proc.pid, signal.SIGTERM)
    end = time.monotonic() + grace
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(proc.wait(), timeout=grace)
    while _group_alive(proc.pid) and time.monotonic() < end:
        await asyncio.sleep(_POLL)
    _signal_group(proc.pid, signal.SIGKILL)
    code = await proc.wait()
    end = time.monotonic() + _KILL_SETTLE
    while _group_alive(proc.pid) and time.monotonic() < end:  # SIGKILL is delivered async
        await asyncio.sleep(_POLL)
    return code


async def _abort(proc: asyncio.subprocess.Process, grace: float,
                 readers: list[asyncio.Task[None]]) -> None:
    """Stop everything after a cancellation or an unexpected error; a second cancellation
    during the grace period goes straight to SIGKILL."""
    try:
        if proc.returncode is None or _group_alive(proc.pid):
            await stop_process_group(proc, grace)
    finally:
        if proc.returncode is None:
            _signal_group(proc.pid, signal.SIGKILL)
        for reader in readers:
            reader.cancel()


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _group_alive(pgid: int) -> bool:
    """Whether a live (non-zombie) process is in group ``pgid``.

    On Linux /proc is read so unreaped zombies (a container's PID 1 may never reap) do not count;
    elsewhere signal 0 answers.
    """
    try:
        os.killpg(pgid, 0)  # fast path: no process at all in the group
    except (ProcessLookupError, PermissionError):
        return False
    return _linux_group_alive(pgid) if sys.platform.startswith("linux") else True


def _linux_group_alive(pgid: int) -> bool:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = stat_fields(entry)
        if fields is not None and len(fields) > 2 and fields[2] == str(pgid) and is_live(fields):
            return True
    return False


async def _drain(readers: list[asyncio.Task[None]], sink: LineSink) -> None:
    """Wait for both streams to reach end of file; give up if something outside the group
    keeps them open."""
    _done, pending = await asyncio.wait(readers, timeout=_DRAIN_SECONDS)
    for reader in pending:
        reader.cancel()
    if pending:
        sink("system", "output still held open by a process outside the job's process group; "
                       "stopped reading it")
    for reader in readers:
        with contextlib.suppress(asyncio.CancelledError):
            await reader


async def _pump(stream: asyncio.StreamReader, name: str, sink: LineSink,
                tail: list[str] | None) -> None:
    """Read ``stream`` in chunks and hand each complete line to the sink as soon as it arrives."""
    pending = b""
    while chunk := await stream.read(_CHUNK):
        *lines, pending = (pending + chunk).split(b"\n")
        for line in lines:
            _emit(line, name, sink, tail)
        while len(pending) > MAX_LINE_BYTES:
            cut = _char_boundary(pending, MAX_LINE_BYTES)
            _emit(pending[:cut], name, sink, tail)
            pending = pending[cut:]
        # read() returns at once while the pipe has data: without this a chatty command
        # would keep the event loop (and the console's keys) waiting chunk after chunk
        await asyncio.sleep(0)
    if pending:
        _emit(pending, name, sink, tail)


def _emit(raw: bytes, name: str, sink: LineSink, tail: list[str] | None) -> None:
    while len(raw) > MAX_LINE_BYTES:
        cut = _char_boundary(raw, MAX_LINE_BYTES)
        _send(raw[:cut], name, sink, tail)
        raw = raw[cut:]
    _send(raw, name, sink, tail)


def _send(raw: bytes, name: str, sink: LineSink, tail: list[str] | None) -> None:
    text = raw.decode("utf-8", errors="replace").removesuffix("\r")
    try:
        sink(name, text)
    except Exception:  # a broken sink must not stop the pipe being read
        log.exception("output sink failed")
    if tail is not None and text.strip():
        tail[:] = [text.strip()]


def _char_boundary(data: bytes, limit: int) -> int:
    """The largest cut ``<= limit`` that does not split a UTF-8 character."""
    cut = limit
    while cut > 0 and (data[cut] & 0xC0) == 0x80:
        cut -= 1
    return cut or limit
