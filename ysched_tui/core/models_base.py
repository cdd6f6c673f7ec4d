"""The frozen, strict pydantic base every contract model in :mod:`ysched_tui.core` shares.

Contract models are values: frozen (hashable, safe to share between the engine, the console and
the parse cache), unknown fields refused, and fields settable by name or alias.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)
