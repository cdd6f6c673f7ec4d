"""Batched history: buffered writes land, reads see them, every line is kept, nothing is lost."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from ysched_tui.core.models import OutputLine, RunStatus
from ysched_tui.storage import SqliteRepository

from .helpers import NOW, make_run


def count_rows(path: Path, table: str) -> int:
    """Rows committed to ``table``, seen through a separate plain sqlite3 connection."""
    con = sqlite3.connect(path)
    try:
        return int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        con.close()


async def test_many_records_then_flush_are_all_stored(db_path: Path) -> None:
    """Thousands of buffered runs and lines are all in the file after flush()."""
    repo = SqliteRepository(str(db_path), batch_size=50, flush_interval=60)
    await repo.open()
    try:
        for n in range(1, 2501):
            await repo.record_run(make_run(n, code=f"j{n % 7}"))
        await repo.append_output(
            [OutputLine(run_id="run_000001_j1", seq=i, ts=NOW, text=str(i)) for i in range(1, 301)]
        )
        await repo.flush()
        assert count_rows(db_path, "runs") == 2500
        assert count_rows(db_path, "run_output") == 300
    finally:
        await repo.close()


async def test_background_writer_flushes_without_being_asked(db_path: Path) -> None:
    """A buffered run reaches the file within flush_interval with no flush() call."""
    repo = SqliteRepository(str(db_path), flush_interval=0.01)
    await repo.open()
    try:
        await repo.record_run(make_run(1))
        for _ in range(200):
            if count_rows(db_path, "runs") == 1:
                break
            await asyncio.sleep(0.01)
        assert count_rows(db_path, "runs") == 1
    finally:
        await repo.close()


async def test_reads_see_buffered_writes(db_path: Path) -> None:
    """A read right after record_run sees the run even though no flush was due yet."""
    repo = SqliteRepository(str(db_path), flush_interval=60)
    await repo.open()
    try:
        await repo.record_run(make_run(1, status=RunStatus.RUNNING))
        await repo.record_run(make_run(1, status=RunStatus.SUCCESS))
        runs = await repo.list_runs()
        assert [(r.run_id, r.status) for r in runs] == [("run_000001_job", RunStatus.SUCCESS)]
    finally:
        await repo.close()


async def test_close_writes_everything_buffered(db_path: Path) -> None:
    """close() flushes before releasing the file: nothing buffered is lost."""
    repo = SqliteRepository(str(db_path), flush_interval=60, batch_size=10_000)
    await repo.open()
    for n in range(1, 501):
        await repo.record_run(make_run(n))
    await repo.close()
    assert count_rows(db_path, "runs") == 500


async def test_every_line_is_stored_and_counts_are_kept_as_recorded(db_path: Path) -> None:
    """The store caps nothing: every line given is stored across batches, no line is added,
    and a run's output_lines / dropped_lines are stored as recorded (the cap is the engine's)."""
    repo = SqliteRepository(str(db_path), flush_interval=60)
    await repo.open()
    try:
        await repo.record_run(make_run(1, status=RunStatus.RUNNING))
        for seq in range(1, 9):
            await repo.append_output([OutputLine(run_id="run_000001_job", seq=seq, ts=NOW,
                                                 text=f"line {seq}")])
            if seq == 4:
                await repo.flush()
        running = await repo.get_run("run_000001_job")
        assert running is not None and (running.output_lines, running.dropped_lines) == (0, 0)
        await repo.record_run(make_run(1, status=RunStatus.SUCCESS, output_lines=5,
                                       dropped_lines=3))
        await repo.record_run(make_run(1, status=RunStatus.SUCCESS, output_lines=5,
                                       dropped_lines=3))
        lines = await repo.get_output("run_000001_job")
        assert [line.text for line in lines] == [f"line {i}" for i in range(1, 9)]
        assert {line.stream for line in lines} == {"stdout"}
        run = await repo.get_run("run_000001_job")
        assert run is not None and (run.output_lines, run.dropped_lines) == (5, 3)
    finally:
        await repo.close()


async def test_caller_counted_drops_add_no_line(repo: SqliteRepository) -> None:
    """A final record with dropped lines gets no line from the store: the engine writes its
    own "lines dropped" line, which is stored like any other."""
    await repo.append_output([OutputLine(run_id="run_000001_job", seq=1, ts=NOW, text="a")])
    await repo.record_run(make_run(1, dropped_lines=7, output_lines=1))
    await repo.append_output([OutputLine(
        run_id="run_000001_job", seq=9, ts=NOW, stream="system",
        text="[7 lines dropped: output cap of 20000 lines reached]")])
    lines = await repo.get_output("run_000001_job")
    assert [(line.seq, line.text) for line in lines] == [
        (1, "a"),
        (9, "[7 lines dropped: output cap of 20000 lines reached]"),
    ]


async def test_no_marker_without_drops(repo: SqliteRepository) -> None:
    """A run under the cap gets no marker line."""
    await repo.append_output([OutputLine(run_id="run_000001_job", seq=1, ts=NOW, text="a")])
    await repo.record_run(make_run(1))
    assert [line.text for line in await repo.get_output("run_000001_job")] == ["a"]


async def test_failed_batch_is_kept_and_retried(db_path: Path) -> None:
    """When the file is locked a flush fails with DatabaseLocked, and the batch is written later."""
    from ysched_tui.errors import DatabaseLocked

    repo = SqliteRepository(str(db_path), flush_interval=60, busy_timeout=0.05)
    await repo.open()
    try:
        await repo.record_run(make_run(1))
        locker = sqlite3.connect(db_path, isolation_level=None)
        locker.execute("BEGIN IMMEDIATE")
        try:
            try:
                await repo.flush()
            except DatabaseLocked as exc:
                assert str(db_path) in str(exc)
            else:
                raise AssertionError("flush should fail while another writer holds the lock")
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        await repo.flush()
        assert count_rows(db_path, "runs") == 1
    finally:
        await repo.close()


async def test_reader_on_same_file_while_writing(db_path: Path) -> None:
    """WAL: another connection reads while the writer commits, and sees whole batches only."""
    repo = SqliteRepository(str(db_path), batch_size=100, flush_interval=0.005)
    await repo.open()
    reader = SqliteRepository(str(db_path))
    await reader.open()
    raw = sqlite3.connect(db_path)
    try:
        seen: list[tuple[int, int]] = []

        async def write() -> None:
            for n in range(1, 3001):
                await repo.record_run(make_run(n))
            await repo.flush()

        async def read() -> None:
            while not seen or seen[-1][0] < 3000:
                # runs and their hourly stats are committed together: one snapshot sees both
                seen.append(raw.execute(
                    "SELECT (SELECT count(*) FROM runs), (SELECT coalesce(sum(total), 0) "
                    "FROM stats_hourly WHERE job_code = '*')"
                ).fetchone())
                assert len(await reader.list_runs(limit=10_000)) >= seen[-1][0]
                await asyncio.sleep(0.001)

        await asyncio.wait_for(asyncio.gather(write(), read()), timeout=30)
        assert all(runs == stats for runs, stats in seen)
        assert [runs for runs, _ in seen] == sorted(runs for runs, _ in seen)
        assert len(seen) > 2 and seen[-1] == (3000, 3000)
    finally:
        raw.close()
        await reader.close()
        await repo.close()
