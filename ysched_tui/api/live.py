"""Callables of jobs declared while the engine runs, reachable through an importable ref.

The engine receives the registry of callables when it is built (``Engine(callables=...)``) and
keeps its own copy; a job declared later (``scheduler.add_job`` in a running application, the
seed's per-user reminders) must still be found. Its callable is registered here and its ref
points here: ``ysched_tui.api.live:callables.x<hex of the code>``. The engine's Python runner
resolves a ref it was not given by importing ``module`` and following the attribute path, which
lands in :meth:`LiveCallables.__getattr__`. The code is hex-encoded because codes may contain
``.``, which separates attribute names in a ref.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["LiveCallables", "callables"]


class LiveCallables:
    """A namespace whose attributes are the registered callables."""

    def __init__(self) -> None:
        self._funcs: dict[str, Callable[..., object]] = {}

    def add(self, code: str, func: Callable[..., object]) -> str:
        """Register ``func`` as the callable of job ``code`` and return the ref naming it."""
        key = "x" + code.encode().hex()
        self._funcs[key] = func
        return f"{__name__}:callables.{key}"

    def __getattr__(self, name: str) -> Callable[..., object]:
        try:
            return self.__dict__["_funcs"][name]  # type: ignore[no-any-return]
        except KeyError:
            raise AttributeError(f"no job callable registered as {name!r}") from None


callables = LiveCallables()
"""The process-wide namespace refs point into."""
