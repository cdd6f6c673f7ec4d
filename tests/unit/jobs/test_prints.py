"""print() in Python jobs: to the run's output as stdout/stderr lines, from a worker thread or a
coroutine, whole lines only; outside a run, and in other runs, nothing is mixed up."""

from __future__ import annotations

import asyncio
import sys
import threading

from tests.unit.jobs.test_python import call
from ysched_tui.core.models import RunStatus


def printing_function() -> str:
    print("hello from a thread")
    print("to stderr", file=sys.stderr)
    print("partial", end="")
    print(" line", end="")
    print()
    print("no newline at the end", end="")
    return "done"


async def printing_coroutine(tag: str, pause: float) -> None:
    for i in range(3):
        print(f"{tag} {i}")
        await asyncio.sleep(pause)


async def test_prints_of_a_threaded_job_are_its_output(sink, client):
    """stdout and stderr lines of a sync job arrive whole, in order, with their stream, on the
    loop's thread; an unfinished last line is delivered when the run ends."""
    outcome = await call("p", sink, client, callables={"p": printing_function})
    assert outcome.status is RunStatus.SUCCESS
    assert sink.lines == [("stdout", "hello from a thread"), ("stderr", "to stderr"),
                          ("stdout", "partial line"), ("stdout", "no newline at the end")]
    assert sink.threads == {threading.get_ident()}


async def test_two_coroutine_jobs_printing_at_once_keep_their_own_lines(client):
    """Interleaved prints of two runs on the loop each land in their own run's output, and a
    print outside any run goes to the process's stdout as before."""
    from tests.unit.jobs.conftest import Sink

    first, second = Sink(), Sink()
    await asyncio.gather(
        call("c", first, client, callables={"c": printing_coroutine},
             kwargs={"tag": "a", "pause": 0.01}),
        call("c", second, client, callables={"c": printing_coroutine},
             kwargs={"tag": "b", "pause": 0.013}),
    )
    assert first.texts() == ["a 0", "a 1", "a 2"]
    assert second.texts() == ["b 0", "b 1", "b 2"]


async def test_prints_outside_runs_are_untouched(sink, client, capsys):
    """After a run, print() writes to the real stdout again."""
    await call("p", sink, client, callables={"p": printing_function})
    print("after the run")
    assert "after the run" in capsys.readouterr().out
    assert all("after the run" not in text for _, text in sink.lines)
