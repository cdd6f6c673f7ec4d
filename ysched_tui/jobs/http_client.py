"""The shared HTTP client, built when first needed: importing httpx and loading its CA bundle
cost ~100 ms, which a scheduler with no HTTP job (or webhook) should not pay at start.

:class:`LazyHttpClient` is what the engine hands to the runners; they call :func:`client_of`,
which also accepts a plain ``httpx.AsyncClient`` (tests, the Python API).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    import httpx

HttpSource = Union["httpx.AsyncClient", Callable[[], Awaitable["httpx.AsyncClient"]]]
"""A client, or an async callable giving the (shared) client."""


def _build() -> httpx.AsyncClient:
    import httpx

    return httpx.AsyncClient(follow_redirects=True)


class LazyHttpClient:
    """One ``httpx.AsyncClient`` for the engine, built in a thread on first use (or ahead of it
    with :meth:`prepare`), closed with :meth:`aclose`."""

    def __init__(self) -> None:
        self._building: asyncio.Future[httpx.AsyncClient] | None = None

    def prepare(self) -> None:
        """Start building the client in a thread now (jobs will need it), without waiting."""
        if self._building is None:
            self._building = asyncio.ensure_future(asyncio.to_thread(_build))

    async def __call__(self) -> httpx.AsyncClient:
        self.prepare()
        assert self._building is not None
        return await asyncio.shield(self._building)

    @property
    def built(self) -> bool:
        return self._building is not None

    async def aclose(self) -> None:
        """Close the client if it was ever built."""
        building, self._building = self._building, None
        if building is not None:
            try:
                client = await building
            except Exception:  # building failed: nothing to close
                return
            await client.aclose()


async def client_of(source: HttpSource) -> httpx.AsyncClient:
    """The client behind ``source``."""
    return await source() if callable(source) else source
