"""Where the console's time goes: the real app in-process (``App.run_test``), watched closely.

The companion of :mod:`bench.console_latency`, for finding causes once that benchmark shows a
problem. It runs the console headless at 120x40 on a database and jobs file (seed one with
``python -m bench.seed_db``; write jobs files with :func:`bench.console_load.write_jobs`), presses
``--keys`` after ``--warmup`` seconds, then for ``--seconds`` prints the main screen's state every
half second and reports event-loop stalls and long garbage collections. Optional: ``--sample``
(a low-overhead stack sampler, py-spy style), ``--profile`` (cProfile; it slows a busy loop a
lot), ``--memory`` (tracemalloc: where memory is held), ``--freeze`` (``gc.freeze()`` after the
warm-up, to try that fix).

    python -m bench.console_profile DB JOBS [--warmup 10] [--keys g3] [--seconds 10] [--sample]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import pstats
import sys
import threading
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from types import FrameType

OURS = "ysched_tui"


class StackSampler(threading.Thread):
    """A poor man's py-spy: samples the main thread's stack every ``interval`` seconds.

    cProfile slows a busy event loop so much that the backlog it creates becomes the profile;
    sampling from another thread costs the loop almost nothing and shows where it really is.
    """

    def __init__(self, interval: float = 0.002) -> None:
        super().__init__(daemon=True, name="stack-sampler")
        self.interval = interval
        self.target = threading.main_thread().ident
        self.active = threading.Event()
        self.done = threading.Event()
        self.samples = 0
        self.leaf: Counter[str] = Counter()
        self.ours: Counter[str] = Counter()
        self.paths: Counter[str] = Counter()
        self.tasks: Counter[str] = Counter()

    def run(self) -> None:
        while not self.done.is_set():
            if self.active.is_set():
                frame = sys._current_frames().get(self.target or 0)
                if frame is not None:
                    self._count(frame)
            time.sleep(self.interval)

    def _count(self, frame: FrameType) -> None:
        stack: list[str] = []
        current: FrameType | None = frame
        while current is not None:
            code = current.f_code
            stack.append(f"{code.co_filename.split('site-packages/')[-1]}:{code.co_name}")
            current = current.f_back
        if stack[0].endswith(":select"):  # idle in epoll
            stack[0] = "<idle: waiting in the event loop>"
        self.samples += 1
        self.leaf[stack[0]] += 1
        mine = next((f for f in stack if OURS in f), "<no ysched_tui frame>")
        self.ours[mine] += 1
        self.paths[" <- ".join(stack[:6])] += 1
        runs = [i for i, f in enumerate(stack) if f.endswith("asyncio/events.py:_run")]
        self.tasks[" > ".join(reversed(stack[max(runs[-1] - 3, 0):runs[-1]])) if runs
                   else stack[0]] += 1

    def report(self, top: int) -> str:
        lines = [f"{self.samples} samples of the main thread every {self.interval * 1000:g} ms"]
        for title, counter in (("innermost frame", self.leaf),
                               ("innermost ysched_tui frame", self.ours),
                               ("innermost 6 frames", self.paths),
                               ("callback the loop is running (3 frames)", self.tasks)):
            lines.append(f"--- by {title}")
            for key, count in counter.most_common(top):
                lines.append(f"{100 * count / max(self.samples, 1):5.1f}%  {key}")
        return "\n".join(lines)


class PauseWatch:
    """Garbage collections and event-loop stalls longer than ``threshold`` seconds.

    A key press waits for whatever holds the loop; these two show the stalls and whether the
    collector caused them.
    """

    def __init__(self, threshold: float = 0.03) -> None:
        self.threshold = threshold
        self.gc: list[tuple[float, int, float]] = []
        """(when, generation, seconds) of each long collection."""
        self.stalls: list[tuple[float, float]] = []
        """(when, seconds) of each long stall."""
        self.t0 = time.perf_counter()
        self._gc_start = 0.0

    def on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_start = time.perf_counter()
            return
        took = time.perf_counter() - self._gc_start
        if took >= self.threshold:
            self.gc.append((self._gc_start - self.t0, info["generation"], took))

    async def watch_loop(self, step: float = 0.005) -> None:
        while True:
            t = time.perf_counter()
            await asyncio.sleep(step)
            late = time.perf_counter() - t - step
            if late >= self.threshold:
                self.stalls.append((t - self.t0, late))

    def report(self) -> str:
        stalls = [late for _, late in self.stalls]
        collections = [took for _, _, took in self.gc]
        lines = [
            f"event-loop stalls >= {self.threshold * 1000:.0f} ms: {len(stalls)}, total "
            f"{sum(stalls):.2f} s, longest {1000 * max(stalls, default=0):.0f} ms",
            f"garbage collections >= {self.threshold * 1000:.0f} ms: {len(collections)}, total "
            f"{sum(collections):.2f} s, longest {1000 * max(collections, default=0):.0f} ms",
            "  " + "  ".join(f"{when:.1f}s:gen{gen}={took * 1000:.0f}ms"
                             for when, gen, took in self.gc),
            "  stalls: " + "  ".join(f"{when:.1f}s:{late * 1000:.0f}ms"
                                     for when, late in self.stalls if late >= 0.1),
        ]
        return "\n".join(lines)


async def observe(
    db: str, jobs: Path, seconds: float, warmup: float, keys: str,
    profile: cProfile.Profile | None, sampler: StackSampler | None, pauses: PauseWatch,
    *, freeze: bool = False, memory: bool = False, census: bool = False, slow: bool = False,
    frames: int = 1,
) -> None:
    """Run the console headless, press ``keys`` after ``warmup`` seconds, then watch it for
    ``seconds`` (profiled if asked), printing its state every half second."""
    from ysched_tui.console import ConsoleMemory
    from ysched_tui.owner.assembly import build_engine
    from ysched_tui.settings import load_settings
    from ysched_tui.tui.app import YschedApp

    t0 = time.perf_counter()
    if profile is not None and not warmup:
        profile.enable()
    if memory:
        tracemalloc.start(frames)
    settings = load_settings(jobs_file=jobs, db=db)
    tuning = ConsoleMemory()  # this script owns its process, as the console does
    app = YschedApp(build_engine(settings), settings, start_service=True,
                    after_first_paint=tuning.after_first_paint,
                    after_bulk_change=tuning.after_bulk_change)
    async with app.run_test(size=(120, 40)) as pilot:
        print(f"{time.perf_counter() - t0:6.2f}s app running", flush=True)
        await pilot.pause(warmup)
        if keys:
            await pilot.press(*keys)
        if freeze:
            gc.collect()
            gc.freeze()  # what a gc.freeze() after start-up would give the console
            print(f"froze {gc.get_freeze_count()} objects", flush=True)
        if profile is not None and warmup:
            profile.enable()
        if sampler is not None:
            sampler.active.set()
        pauses.t0 = time.perf_counter()
        before = tracemalloc.take_snapshot() if memory else None
        if slow:  # asyncio names each callback that holds the loop longer than the threshold
            import logging

            logging.basicConfig(level=logging.WARNING, format="%(message).300s")
            loop = asyncio.get_running_loop()
            loop.slow_callback_duration = pauses.threshold
            loop.set_debug(True)
        gc.callbacks.append(pauses.on_gc)
        watcher = asyncio.create_task(pauses.watch_loop())
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            main = app.main_screen
            print(
                f"{time.perf_counter() - t0:6.2f}s jobs={len(main.jobs)} "
                f"rows={main.table.row_count} selected={main.selected} "
                f"screen queue={main._message_queue.qsize()} "
                f"table queue={main.table._message_queue.qsize()}", flush=True,
            )
            await pilot.pause(0.5)
        if profile is not None:
            profile.disable()
        if sampler is not None:
            sampler.active.clear()
        if memory:
            after = tracemalloc.take_snapshot()
            print(memory_report(after, frames=frames), flush=True)
            if before is not None:
                print(growth_report(before, after), flush=True)
            tracemalloc.stop()
        gc.callbacks.remove(pauses.on_gc)
        watcher.cancel()
        if census:
            print(tracked_census(), flush=True)
        print(f"RSS at the end: {_rss_mb():.0f} MB", flush=True)
        print(pauses.report(), flush=True)
        await app.settle()


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def tracked_census(top: int = 20) -> str:
    """What a full collection walks: the cyclic GC's tracked objects (not frozen) by type."""
    counts = Counter(type(obj).__qualname__ for obj in gc.get_objects())
    lines = [f"gc-tracked objects outside the frozen set: {sum(counts.values()):,} "
             f"(frozen: {gc.get_freeze_count():,})"]
    lines += [f"{count:>10,}  {name}" for name, count in counts.most_common(top)]
    del counts
    for i in range(3):
        if i == 2:
            gc.freeze()
            lines.append("after gc.freeze():")
        t = time.perf_counter()
        found = gc.collect()
        lines.append(f"a full collection now: {(time.perf_counter() - t) * 1000:.0f} ms, "
                     f"{found:,} unreachable")
    return "\n".join(lines)


def growth_report(before: tracemalloc.Snapshot, after: tracemalloc.Snapshot,
                  top: int = 15) -> str:
    """What the watched window added (or freed), by source line, largest first."""
    diffs = after.compare_to(before, "lineno")
    total = sum(d.size_diff for d in diffs)
    lines = [f"grew during the window: {total / 2**20:+.1f} MB"]
    for d in diffs[:top]:
        frame = d.traceback[0]
        where = frame.filename.split("site-packages/")[-1]
        lines.append(f"{d.size_diff / 2**20:+8.2f} MB {d.count_diff:>+9} blocks  "
                     f"{where}:{frame.lineno}")
    return "\n".join(lines)


def memory_report(snapshot: tracemalloc.Snapshot, top: int = 25, frames: int = 1) -> str:
    """Live memory by source line and by package, largest first; with ``frames`` > 1 also the
    call paths that hold the most."""
    stats = snapshot.statistics("lineno")
    total = sum(stat.size for stat in stats)
    lines = [f"traced memory held: {total / 2**20:.1f} MB"]
    if frames > 1:
        for stat in snapshot.statistics("traceback")[:8]:
            lines.append(f"{stat.size / 2**20:8.1f} MB {stat.count:>9} blocks from:")
            lines.extend(f"      {f.filename.split('site-packages/')[-1]}:{f.lineno}"
                         for f in stat.traceback)
    for stat in stats[:top]:
        frame = stat.traceback[0]
        where = frame.filename.split("site-packages/")[-1]
        lines.append(f"{stat.size / 2**20:8.1f} MB {stat.count:>9} blocks  {where}:{frame.lineno}")
    packages: Counter[str] = Counter()
    for stat in snapshot.statistics("filename"):
        name = stat.traceback[0].filename.split("site-packages/")[-1]
        packages[name.split("/")[0] if "/work/" not in name else name.split("/")[3]] += stat.size
    lines.append("by package: " + ", ".join(f"{name} {size / 2**20:.1f} MB"
                                             for name, size in packages.most_common(8)))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db")
    parser.add_argument("jobs", type=Path)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=0.0,
                        help="seconds before profiling starts (0: profile the start too)")
    parser.add_argument("--keys", default="", help="keys to press after the warm-up, e.g. g3")
    parser.add_argument("--freeze", action="store_true",
                        help="gc.freeze() after the warm-up (to try that fix)")
    parser.add_argument("--memory", action="store_true",
                        help="trace allocations (tracemalloc) and print where memory is held")
    parser.add_argument("--frames", type=int, default=1,
                        help="with --memory: stack depth kept per allocation (paths shown if > 1)")
    parser.add_argument("--census", action="store_true",
                        help="at the end, count the objects a full garbage collection walks")
    parser.add_argument("--slow", action="store_true",
                        help="name every loop callback that runs 30 ms or more (asyncio debug)")
    parser.add_argument("--profile", action="store_true", help="run under cProfile")
    parser.add_argument("--sample", action="store_true",
                        help="sample the main thread's stack instead (low overhead)")
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--callers", default="", help="also print the callers of functions "
                        "matching this regular expression")
    args = parser.parse_args()
    profile = cProfile.Profile() if args.profile else None
    sampler = StackSampler(sys.getswitchinterval()) if args.sample else None
    if sampler is not None:
        sampler.start()
    try:
        watch = observe(args.db, args.jobs, args.seconds, args.warmup, args.keys, profile,
                        sampler, PauseWatch(), freeze=args.freeze, memory=args.memory,
                        census=args.census, slow=args.slow, frames=args.frames)
        asyncio.run(asyncio.wait_for(watch, args.warmup + args.seconds + 120))
    finally:
        if sampler is not None:
            sampler.done.set()
            print(sampler.report(args.top))
        if profile is not None:
            profile.disable()
            out = io.StringIO()
            stats = pstats.Stats(profile, stream=out).sort_stats(args.sort)
            stats.print_stats(args.top)
            if args.callers:
                stats.print_callers(args.callers)
            print(out.getvalue())


if __name__ == "__main__":
    main()
