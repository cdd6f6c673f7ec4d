"""Which declared spec each stored job was written from, so a restart need not rebuild it.

Rebuilding 10,000 stored specs from their JSON and comparing each with the declared one takes
~0.1 s at every start, to learn that nothing changed. Instead the caller (the engine) gives each
spec a fingerprint when it saves it; the ``meta`` row ``spec_fingerprints`` maps every job code
to that fingerprint and to a digest of the ``spec_json`` text written with it. A later load given
the same fingerprint for a code, whose row still holds that exact text, hands back the caller's
spec object instead of a rebuilt one.

The digest makes the record check itself: a job rewritten without a fingerprint (an API change,
another tool) no longer matches its text and is rebuilt and compared as before — nothing else
has to keep this row up to date. It is plain JSON in the existing ``meta`` table: no schema
change, and an older ysched-tui simply ignores it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from ysched_tui.storage.schema import jobs, meta

META_KEY = "spec_fingerprints"
"""The ``meta`` key of the record: ``{"<code>": ["<fingerprint>", "<spec_json digest>"]}``."""

Marks = dict[str, Any]
"""Job code -> [fingerprint, digest of the spec_json it was written as], as read (entries of
another shape never match: see :func:`matches`)."""

_UPSERT = sqlite_insert(meta)
_UPSERT = _UPSERT.on_conflict_do_update(
    index_elements=[meta.c.key], set_={"value": _UPSERT.excluded.value}
)


def matches(mark: Any, fingerprint: str, spec_json: str) -> bool:
    """Whether ``mark`` says ``spec_json`` was written from a spec with ``fingerprint``."""
    return (
        isinstance(mark, list) and len(mark) == 2 and mark[0] == fingerprint
        and mark[1] == text_digest(spec_json)
    )


def text_digest(spec_json: str) -> str:
    """A short digest of a stored ``spec_json`` text (~1 µs)."""
    return hashlib.blake2b(spec_json.encode(), digest_size=10).hexdigest()


async def load_marks(conn: AsyncConnection) -> Marks:
    """The record, or an empty one when it is missing or unreadable."""
    text = (await conn.execute(select(meta.c.value).where(meta.c.key == META_KEY))).scalar()
    if text is None:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


async def store_marks(conn: AsyncConnection, updates: Mapping[str, tuple[str, str]]) -> None:
    """Merge ``updates`` into the record (read, update, write in the caller's transaction),
    dropping codes no longer in ``jobs``."""
    if not updates:
        return
    marks = await load_marks(conn)
    marks.update({code: list(mark) for code, mark in updates.items()})
    stored = set((await conn.execute(select(jobs.c.code))).scalars())
    marks = {code: mark for code, mark in marks.items() if code in stored}  # deleted jobs go
    text = json.dumps(marks, separators=(",", ":"))
    await conn.execute(_UPSERT, {"key": META_KEY, "value": text})
