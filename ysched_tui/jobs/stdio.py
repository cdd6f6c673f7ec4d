"""``print()`` inside a Python job goes to that run's output, like a shell job's stdout.

``sys.stdout`` and ``sys.stderr`` are replaced (once, and again if something else such as the
console swapped them meanwhile) by streams that look up the run of the caller in a context
variable: the job's task on the event loop, or its worker thread (``asyncio.to_thread`` copies
the context). Text written outside any run goes to the stream that was there before, unchanged.
Lines are delivered whole; what is left without a newline when the run ends is delivered then.
Threads a job starts itself with :mod:`threading` do not inherit the context: their prints go to
the process's own output.
"""

from __future__ import annotations

import contextlib
import io
import sys
import threading
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, TextIO

LineWriter = Callable[[str, str], None]
"""(stream name, line) -> None, safe from any thread (see ``LogBridge.write``)."""

_MAX_PENDING = 65_536
"""Characters of an unfinished line kept before it is delivered anyway."""


class _RunPrinter:
    """One run's unfinished lines per stream, completed as text arrives from any thread."""

    def __init__(self, write: LineWriter) -> None:
        self._write = write
        self._pending = {"stdout": "", "stderr": ""}
        self._lock = threading.Lock()

    def feed(self, stream: str, text: str) -> None:
        with self._lock:
            *lines, rest = (self._pending[stream] + text).split("\n")
            if len(rest) > _MAX_PENDING:
                lines.append(rest)
                rest = ""
            self._pending[stream] = rest
        for line in lines:
            self._write(stream, line.removesuffix("\r"))

    def finish(self) -> None:
        with self._lock:
            left = [(name, text) for name, text in self._pending.items() if text]
            self._pending = {"stdout": "", "stderr": ""}
        for name, text in left:
            self._write(name, text)


_printer: ContextVar[_RunPrinter | None] = ContextVar("ysched_run_printer", default=None)


class RunStream(io.TextIOBase):
    """Stands in for ``sys.stdout`` / ``sys.stderr``: a run's text to the run, the rest through."""

    def __init__(self, name: str, fallback: TextIO) -> None:
        super().__init__()
        self.name_ = name
        self.fallback = fallback

    def write(self, text: str) -> int:
        printer = _printer.get()
        if printer is None:
            return self.fallback.write(text)
        printer.feed(self.name_, str(text))
        return len(text)

    def flush(self) -> None:
        if _printer.get() is None:
            with contextlib.suppress(Exception):
                self.fallback.flush()

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return _printer.get() is None and self.fallback.isatty()

    def fileno(self) -> int:
        return self.fallback.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.fallback, "encoding", None) or "utf-8"

    def __getattr__(self, name: str) -> Any:
        return getattr(self.fallback, name)


def _install() -> None:
    """Put run streams in place of sys.stdout/stderr unless they are there already."""
    for name in ("stdout", "stderr"):
        current = getattr(sys, name)
        if current is not None and not isinstance(current, RunStream):
            setattr(sys, name, RunStream(name, current))


@contextlib.contextmanager
def capture_prints(write: LineWriter) -> Iterator[None]:
    """Inside the block, ``print()`` from this context (task or to_thread worker) goes to
    ``write``; unfinished lines are delivered when it ends."""
    _install()
    printer = _RunPrinter(write)
    token = _printer.set(printer)
    try:
        yield
    finally:
        _printer.reset(token)
        printer.finish()
