"""Hypothesis strategies drawn from the OpenAPI document: requests for every operation.

A small stand-in for schemathesis (not installed): each operation's path parameters, query
parameters and JSON body are generated from their JSON schemas, mostly valid and sometimes
deliberately wrong (garbage strings, arbitrary JSON), so both sides of validation get exercised.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hypothesis import strategies as st

JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=10),
)
ANY_JSON = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                max_size=3),
    max_leaves=6,
)
GARBAGE_TEXT = st.sampled_from(["", "-1", "1e309", "NaN", "null", "[]", "%00", "..", " ", "é"])


@dataclass(frozen=True)
class Operation:
    """One operation of the document."""

    method: str
    path: str
    parameters: tuple[dict[str, Any], ...]
    body: dict[str, Any] | None
    """The JSON body's schema, or None."""

    @property
    def streams(self) -> bool:
        """Whether the 200 answer is an NDJSON stream."""
        return self.path.endswith(("/events", "/follow"))


def operations(doc: dict[str, Any]) -> list[Operation]:
    """Every operation in ``doc``."""
    found = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            found.append(Operation(method.upper(), path, tuple(op.get("parameters", ())),
                                   body.get("schema")))
    return found


class SchemaStrategies:
    """Strategies for the JSON schemas of one document (``$ref``s into its components)."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.components: dict[str, Any] = doc["components"]["schemas"]

    def valid(self, schema: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
        """Values that (mostly) match ``schema``."""
        if depth > 8:
            return JSON_SCALARS
        if "$ref" in schema:
            return self.valid(self.components[schema["$ref"].rsplit("/", 1)[1]], depth + 1)
        for key in ("anyOf", "oneOf", "allOf"):
            if key in schema:
                options = schema[key] if key != "allOf" else schema[key][:1]
                return st.one_of([self.valid(s, depth + 1) for s in options])
        if "const" in schema:
            return st.just(schema["const"])
        if "enum" in schema:
            return st.sampled_from(schema["enum"])
        kind = schema.get("type")
        if kind == "string":
            return self._string(schema)
        if kind in ("integer", "number"):
            return self._number(schema, kind)
        if kind == "boolean":
            return st.booleans()
        if kind == "null":
            return st.none()
        if kind == "array":
            items = self.valid(schema.get("items", {}), depth + 1)
            return st.lists(items, max_size=3)
        if kind == "object" or "properties" in schema:
            return self._object(schema, depth)
        return ANY_JSON

    def _string(self, schema: dict[str, Any]) -> st.SearchStrategy[Any]:
        if schema.get("format") == "date-time":
            moments = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1))
            return st.tuples(moments, st.booleans()).map(
                lambda m: (m[0].replace(tzinfo=UTC) if m[1] else m[0]).isoformat())
        return st.text(min_size=schema.get("minLength", 0), max_size=20) | GARBAGE_TEXT

    def _number(self, schema: dict[str, Any], kind: str) -> st.SearchStrategy[Any]:
        low = schema.get("minimum", schema.get("exclusiveMinimum"))
        high = schema.get("maximum", schema.get("exclusiveMaximum"))
        if kind == "integer":
            bounded = st.integers(min_value=low, max_value=high)
            return bounded | st.integers() | st.sampled_from([-1, 0, 2**63, 10**30])
        floats = st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False)
        return floats | st.sampled_from([0, -1.5, 1e-9, 1e300, 2**63])

    def _object(self, schema: dict[str, Any], depth: int) -> st.SearchStrategy[Any]:
        props = schema.get("properties", {})
        required = set(schema.get("required", ()))
        fixed = {k: self.valid(v, depth + 1) for k, v in props.items() if k in required}
        optional = {k: self.valid(v, depth + 1) for k, v in props.items() if k not in required}
        extra = schema.get("additionalProperties")
        if not props and isinstance(extra, dict):
            return st.dictionaries(st.text(max_size=8), self.valid(extra, depth + 1), max_size=3)
        if not props:
            return st.dictionaries(st.text(max_size=8), ANY_JSON, max_size=3)
        return st.fixed_dictionaries(fixed, optional=optional)

    def maybe_wrong(self, schema: dict[str, Any]) -> st.SearchStrategy[Any]:
        """Mostly valid values, sometimes arbitrary JSON."""
        return st.one_of(self.valid(schema), self.valid(schema), ANY_JSON)
