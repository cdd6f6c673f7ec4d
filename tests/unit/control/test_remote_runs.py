"""RemoteService runs, output, follow, cancel, history figures and the event stream."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ysched_tui.control.client import RemoteService
from ysched_tui.control.serve import ControlServer
from ysched_tui.core.events import (
    Event,
    RunFinished,
    RunOutput,
    RunStarted,
    StatusChanged,
)
from ysched_tui.core.models import RunStatus, TriggerType
from ysched_tui.errors import InvalidOperation, NotOwner, ParamError, RunNotFound

from .conftest import EventLog, Stack


def _finished(run_id: str) -> Callable[[Event], bool]:
    return lambda e: isinstance(e, RunFinished) and e.run.run_id == run_id


async def test_trigger_returns_run_id_and_output(stack: Stack) -> None:
    """A manual trigger returns the run id; its events, record and output come through."""
    run_id = await stack.remote.trigger("hello")
    await stack.events.wait_for(lambda e: isinstance(e, RunStarted) and e.run.run_id == run_id)
    done = await stack.events.wait_for(_finished(run_id))
    assert isinstance(done, RunFinished) and done.run.status is RunStatus.SUCCESS
    run = await stack.remote.get_run(run_id)
    assert run == await stack.engine.get_run(run_id)
    assert run.trigger_type is TriggerType.MANUAL
    lines = await stack.remote.run_output(run_id)
    assert [line.text for line in lines] == ["hi"]
    assert await stack.remote.run_output(run_id, after_seq=lines[-1].seq) == []
    assert await stack.remote.run_output(run_id, tail=1) == lines[-1:]
    runs = await stack.remote.list_runs("hello", status=RunStatus.SUCCESS, limit=5)
    assert [r.run_id for r in runs] == [run_id]
    assert await stack.remote.list_runs("hello", status=RunStatus.FAILED) == []
    assert await stack.remote.list_runs(before=run.scheduled_time or run.start_time) == []


async def test_follow_streams_a_running_jobs_output(stack: Stack) -> None:
    """Following a running job yields each line as printed and ends when the run is final."""
    run_id = await stack.remote.trigger("ticker")
    await stack.events.wait_for(lambda e: isinstance(e, RunOutput) and e.run_id == run_id)
    followed = [line async for line in stack.remote.follow_output(run_id)]
    assert [line.text for line in followed] == ["line1", "line2", "line3"]
    assert [line.seq for line in followed] == sorted({line.seq for line in followed})
    assert (await stack.remote.get_run(run_id)).status is RunStatus.SUCCESS
    again = [line async for line in stack.remote.follow_output(run_id, after_seq=1)]
    assert [line.text for line in again] == ["line2", "line3"]


async def test_cancel_a_running_run_then_409(stack: Stack) -> None:
    """Cancel kills a run in progress; cancelling it again is InvalidOperation (409)."""
    run_id = await stack.remote.trigger("long")
    await stack.events.wait_for(lambda e: isinstance(e, RunOutput) and e.run_id == run_id)
    run = await stack.remote.cancel(run_id)
    assert run.status is RunStatus.CANCELLED
    with pytest.raises(InvalidOperation, match="not in progress"):
        await stack.remote.cancel(run_id)


async def test_unknown_runs_raise_run_not_found(stack: Stack) -> None:
    """Every run method raises RunNotFound naming the run id."""
    for call in (stack.remote.get_run, stack.remote.cancel, stack.remote.run_output):
        with pytest.raises(RunNotFound, match="'run_x'") as caught:
            await call("run_x")
        assert caught.value.run_id == "run_x"
    with pytest.raises(RunNotFound):
        [_ async for _ in stack.remote.follow_output("run_x")]


async def test_bad_script_params_raise_param_error(stack: Stack) -> None:
    """A trigger with a parameter that does not parse raises ParamError naming it."""
    with pytest.raises(ParamError, match="days") as caught:
        await stack.remote.trigger("report", {"days": "many"})
    assert caught.value.param == "days"


async def test_trend_checks_like_the_engine(stack: Stack) -> None:
    """trend answers like the engine, and refuses a bad unit or count the same way."""
    run_id = await stack.remote.trigger("hello")
    await stack.events.wait_for(_finished(run_id))
    remote = await stack.remote.trend("hello", unit="day", count=3)
    assert remote == await stack.engine.trend("hello", unit="day", count=3)
    assert sum(b.success for b in remote) == 1
    cases: list[dict[str, Any]] = [{"unit": "week"}, {"count": 0}]
    for kw in cases:
        with pytest.raises(InvalidOperation) as remote_error:
            await stack.remote.trend(**kw)
        with pytest.raises(InvalidOperation) as engine_error:
            await stack.engine.trend(**kw)
        assert str(remote_error.value) == str(engine_error.value)


async def test_no_owner_is_one_line_not_owner(tmp_path: Path) -> None:
    """start() with nothing at the socket raises NotOwner in one line naming the database."""
    remote = RemoteService(f"unix://{tmp_path}/t.db.sock", db=str(tmp_path / "t.db"))
    with pytest.raises(NotOwner, match=r"no scheduler owns .*t\.db") as caught:
        await remote.start()
    assert "\n" not in str(caught.value)
    await remote.stop()


async def test_stream_drop_publishes_stopped_and_reconnects(stack: Stack) -> None:
    """When the owner's server goes away subscribers see 'stopped'; on return they resync."""
    await stack.server.stop()
    await stack.events.wait_for(
        lambda e: isinstance(e, StatusChanged) and e.status.state == "stopped")
    assert not stack.remote.connected
    with pytest.raises(NotOwner):
        await stack.remote.status()
    stack.server = ControlServer(stack.engine, socket_path=stack.server.socket_path)
    await stack.server.start()
    fresh = EventLog()
    stack.remote.subscribe(fresh)
    await fresh.wait_for(lambda e: isinstance(e, StatusChanged) and e.status.state == "running")
    await stack.engine.pause("nightly")
    await fresh.wait_for(lambda e: getattr(getattr(e, "job", None), "code", "") == "nightly"
                         and e.job.state.paused)  # type: ignore[attr-defined]
    assert stack.remote.connected


async def test_nothing_at_a_tcp_url_names_the_url() -> None:
    """--connect to a port where nothing listens: one line naming the URL, not a database."""
    import socket

    with socket.socket() as probe:  # a free port, closed again: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    remote = RemoteService(f"http://127.0.0.1:{port}", token="t")
    with pytest.raises(NotOwner, match=rf"^no scheduler answers at http://127\.0\.0\.1:{port} \("):
        await remote.start()
    await remote.stop()
