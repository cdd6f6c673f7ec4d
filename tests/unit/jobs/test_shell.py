"""Command jobs: real subprocesses, streamed output, exit codes, timeouts, process-group kills."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from tests.unit.jobs.conftest import Sink, make_request
from tests.waiting import wait_until
from ysched_tui.core.models import CommandTarget, RunStatus
from ysched_tui.jobs import execute
from ysched_tui.jobs.shell import MAX_LINE_BYTES


def _alive(pid: int) -> bool:
    """A process counts as alive unless it is gone or a zombie (PID 1 here may never reap)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat[stat.rfind(")") + 2] not in "ZX"


async def _wait_gone(pid: int) -> None:
    await wait_until(lambda: not _alive(pid), timeout=3.0, what=f"process {pid} to be gone")


async def _read_pid(path: Path, timeout: float = 5.0) -> int:
    written = await wait_until(lambda: path.exists() and path.read_text().strip(),
                               timeout=timeout, every=0.01, what="the command's pid file")
    return int(written)


async def run(command: str, sink: Sink, client, **kwargs):
    target_kw = {k: kwargs.pop(k) for k in ("cwd", "env") if k in kwargs}
    request = make_request(CommandTarget(command=command, **target_kw), **kwargs)
    return await execute(request, sink, http=client, callables={})


async def test_first_line_reaches_the_sink_before_the_process_ends(sink, client, tmp_path):
    """Output is streamed as printed: the first line arrives while the command still runs."""
    marker = tmp_path / "go"
    command = f"echo first; while [ ! -e {marker} ]; do sleep 0.01; done; echo second"
    first = sink.event_for(lambda s, t: t == "first")
    task = asyncio.create_task(run(command, sink, client))
    await asyncio.wait_for(first.wait(), 5)
    assert not task.done()
    assert sink.texts() == ["first"]
    marker.touch()
    outcome = await task
    assert outcome.status is RunStatus.SUCCESS and outcome.exit_code == 0
    assert sink.lines == [("stdout", "first"), ("stdout", "second")]


async def test_nonzero_exit_fails_with_code_and_last_stderr_line(sink, client):
    """A non-zero exit is FAILED with 'exit code N' and the last stderr line; streams are kept
    apart."""
    outcome = await run("echo out; echo oops >&2; echo 'real problem' >&2; exit 3", sink, client)
    assert outcome.status is RunStatus.FAILED
    assert outcome.exit_code == 3
    assert outcome.error == "exit code 3: real problem"
    assert outcome.retryable
    assert sink.texts("stdout") == ["out"]
    assert sink.texts("stderr") == ["oops", "real problem"]


async def test_env_is_merged_over_the_environment_and_cwd_is_used(sink, client, tmp_path,
                                                                  monkeypatch):
    """env entries override os.environ without hiding it; the command runs in cwd."""
    monkeypatch.setenv("YSCHED_TEST_INHERITED", "kept")
    outcome = await run('echo "$YSCHED_TEST_INHERITED $FOO"; pwd', sink, client,
                        cwd=str(tmp_path), env={"FOO": "bar"})
    assert outcome.status is RunStatus.SUCCESS
    assert sink.texts() == ["kept bar", str(tmp_path)]


async def test_timeout_kills_the_whole_process_tree(sink, client, tmp_path):
    """On timeout the group gets SIGTERM: the shell and its grandchild sleep both die."""
    pidfile = tmp_path / "pid"
    command = f"sleep 300 & echo $! > {pidfile}; echo started; wait"
    started = time.monotonic()
    outcome = await run(command, sink, client, timeout=0.5, kill_grace=2)
    assert outcome.status is RunStatus.TIMEOUT
    assert outcome.error == "timed out after 500ms"
    assert outcome.retryable
    assert time.monotonic() - started < 2.0  # SIGTERM was enough, no grace wait
    await _wait_gone(int(pidfile.read_text()))
    assert sink.texts("stdout") == ["started"]
    assert any("timed out after 500ms" in t for t in sink.texts("system"))


async def test_timeout_escalates_to_sigkill_for_processes_ignoring_sigterm(sink, client,
                                                                            tmp_path):
    """Processes ignoring SIGTERM are SIGKILLed after kill_grace; none survive."""
    pidfile = tmp_path / "pid"
    command = f"trap '' TERM; sleep 300 & echo $! > {pidfile}; wait"
    outcome = await run(command, sink, client, timeout=0.3, kill_grace=0.3)
    assert outcome.status is RunStatus.TIMEOUT
    assert outcome.exit_code == -9
    await _wait_gone(int(pidfile.read_text()))


async def test_cancellation_kills_the_group_and_reraises(sink, client, tmp_path):
    """Cancelling the task running execute() kills the process group, then re-raises."""
    pidfile = tmp_path / "pid"
    ready = sink.event_for(lambda s, t: t == "ready")
    command = f"sleep 300 & echo $! > {pidfile}; echo ready; wait"
    task = asyncio.create_task(run(command, sink, client, timeout=None))
    await asyncio.wait_for(ready.wait(), 5)
    grandchild = await _read_pid(pidfile)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await _wait_gone(grandchild)


async def test_processes_left_behind_by_a_finished_shell_are_stopped(sink, client, tmp_path):
    """When the shell exits, background processes it left in its group are stopped too."""
    pidfile = tmp_path / "pid"
    outcome = await run(f"sleep 300 > /dev/null 2>&1 & echo $! > {pidfile}", sink, client)
    assert outcome.status is RunStatus.SUCCESS
    await _wait_gone(int(pidfile.read_text()))
    assert any("left in its process group" in t for t in sink.texts("system"))


async def test_very_long_lines_are_split_not_fatal(sink, client):
    """A line longer than the limit is split into pieces; the reader never crashes."""
    size = MAX_LINE_BYTES * 2 + 100
    outcome = await run(f"head -c {size} /dev/zero | tr '\\0' a; echo; echo after", sink, client)
    assert outcome.status is RunStatus.SUCCESS
    texts = sink.texts()
    assert [len(t) for t in texts[:-1]] == [MAX_LINE_BYTES, MAX_LINE_BYTES, 100]
    assert texts[-1] == "after"


async def test_long_lines_are_split_at_character_boundaries(sink, client):
    """Splitting never cuts a UTF-8 character in half."""
    outcome = await run(f"i=0; while [ $i -lt {MAX_LINE_BYTES} ]; do printf 'é'; i=$((i+1)); "
                        "done; echo", sink, client)
    assert outcome.status is RunStatus.SUCCESS
    joined = "".join(sink.texts())
    assert joined == "é" * MAX_LINE_BYTES
    assert "\ufffd" not in joined


async def test_invalid_utf8_is_replaced(sink, client):
    """Undecodable bytes become U+FFFD instead of failing the run; CRLF loses its CR."""
    outcome = await run(r"printf 'bad \377 byte\r\n'", sink, client)
    assert outcome.status is RunStatus.SUCCESS
    assert sink.texts() == ["bad \ufffd byte"]


async def test_killed_by_a_signal_is_reported(sink, client):
    """A command killed by a signal fails with the signal's name."""
    outcome = await run("kill -KILL $$", sink, client)
    assert outcome.status is RunStatus.FAILED
    assert outcome.exit_code == -9
    assert outcome.error == "killed by signal SIGKILL"


async def test_missing_working_directory_is_a_clear_non_retryable_failure(sink, client,
                                                                         tmp_path):
    """A command that cannot start fails with the reason, and is not retried."""
    missing = tmp_path / "nope"
    outcome = await run("true", sink, client, cwd=str(missing))
    assert outcome.status is RunStatus.FAILED
    assert not outcome.retryable
    assert outcome.error is not None and str(missing) in outcome.error
