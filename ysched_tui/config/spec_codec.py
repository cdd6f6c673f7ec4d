"""Validated job specs to plain data and back, without validating them a second time.

Rebuilding 10,000 :class:`~ysched_tui.core.models.JobSpec` through pydantic costs ~0.3 s (and
reading them from the jobs file ~0.7 s); the parse cache (:mod:`ysched_tui.config.parse_cache`)
stores them in this form instead. Every model becomes one row of a table — its class, the fields
the author set, its field values in declaration order — and a value that is a model (or a tuple
of models) becomes the index of an earlier row. Equal immutable sub-models (the default
``RetryPolicy``, the same cron trigger on many jobs) share one row. Decoding fills ``__dict__``
the way :meth:`pydantic.BaseModel.model_construct` does, which is exact for models that were
already validated: no validator runs and no default is recomputed.

Only plain pydantic models qualify (no private attributes, no ``model_post_init``, extra fields
forbidden or ignored); anything else raises :class:`UnsupportedValue` and the caller simply does
not cache that file.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from ysched_tui.core.models import JobSpec

Row = tuple[int, tuple[str, ...], tuple[Any, ...], tuple[tuple[int, bool], ...]]
"""(class index, fields set, field values, (position, is a tuple of refs) of each ref)."""


class UnsupportedValue(Exception):
    """A spec holds something this codec cannot rebuild exactly."""


def encode_specs(specs: Sequence[JobSpec]) -> dict[str, Any]:
    """Plain data (picklable) holding ``specs``.

    Raises:
        UnsupportedValue: a model kind or value the codec cannot rebuild exactly.
    """
    encoder = _Encoder()
    top = [encoder.model(spec) for spec in specs]
    return {"classes": encoder.classes, "rows": encoder.rows, "top": top}


def decode_specs(data: dict[str, Any]) -> list[JobSpec]:
    """The specs :func:`encode_specs` stored.

    Raises:
        UnsupportedValue: the data names a class that no longer exists or whose fields changed
            (the cache is stale); malformed data raises whatever it raises — callers treat
            any exception as a cache miss.
    """
    classes = [_resolve(module, name, fields) for module, name, fields in data["classes"]]
    objects: list[Any] = []
    shared_tuples: dict[tuple[int, ...], tuple[Any, ...]] = {}  # equal triggers: one tuple
    append = objects.append
    new = object.__new__
    setattr_ = object.__setattr__
    for class_index, fields_set, values, refs in data["rows"]:
        cls, names = classes[class_index]
        if refs:
            values = list(values)
            for position, many in refs:
                ref = values[position]
                if not many:
                    values[position] = objects[ref]
                elif (found := shared_tuples.get(ref)) is not None:
                    values[position] = found
                else:
                    values[position] = shared_tuples[ref] = tuple([objects[i] for i in ref])
        model = new(cls)
        setattr_(model, "__dict__", dict(zip(names, values, strict=True)))
        setattr_(model, "__pydantic_fields_set__", set(fields_set))
        setattr_(model, "__pydantic_extra__", None)
        setattr_(model, "__pydantic_private__", None)
        append(model)
    specs = [objects[i] for i in data["top"]]
    if not all(type(spec) is JobSpec for spec in specs):
        raise UnsupportedValue("the stored rows are not job specs")
    return specs


def spec_fingerprint(spec: JobSpec) -> str | None:
    """A short hash of everything in ``spec`` (its JSON dump); ``None`` when it cannot be dumped.

    Two specs with one fingerprint dump to the same JSON, so they are stored, scheduled and
    shown the same way: the engine uses it to recognise a stored spec without rebuilding it.
    """
    try:
        dumped = spec.model_dump_json()
    except Exception:  # a value JSON cannot hold
        return None
    return hashlib.blake2b(dumped.encode(), digest_size=16).hexdigest()


def _resolve(
    module: str, name: str, fields: tuple[str, ...]
) -> tuple[type[BaseModel], tuple[str, ...]]:
    cls = getattr(importlib.import_module(module), name, None)
    if not (isinstance(cls, type) and issubclass(cls, BaseModel)) or not _plain(cls):
        raise UnsupportedValue(f"{module}.{name} is not a plain model")
    if tuple(cls.model_fields) != tuple(fields):
        raise UnsupportedValue(f"the fields of {module}.{name} changed")
    return cls, tuple(fields)


def _plain(cls: type[BaseModel]) -> bool:
    """Whether ``__dict__`` and the fields set are all there is to an instance of ``cls``."""
    return (
        not cls.__private_attributes__
        and not cls.__pydantic_post_init__
        and not cls.__pydantic_root_model__
        and cls.model_config.get("extra") != "allow"
    )


class _Encoder:
    """Builds the class list and the row table, sharing rows of equal sub-models."""

    def __init__(self) -> None:
        self.classes: list[tuple[str, str, tuple[str, ...]]] = []
        self.rows: list[Row] = []
        self._class_index: dict[type[BaseModel], int] = {}
        self._shared: dict[Any, int] = {}

    def model(self, model: BaseModel) -> int:
        """The row index of ``model`` (added, or shared with an equal earlier row)."""
        cls = type(model)
        class_index = self._class(cls)
        values: list[Any] = []
        refs: list[tuple[int, bool]] = []
        if tuple(model.__dict__) != self.classes[class_index][2]:
            raise UnsupportedValue(f"{cls.__qualname__} holds other fields than it declares")
        for position, value in enumerate(model.__dict__.values()):
            if type(value) in _LEAVES:
                pass
            elif isinstance(value, BaseModel):
                refs.append((position, False))
                value = self.model(value)
            elif isinstance(value, tuple) and value and all(
                isinstance(v, BaseModel) for v in value
            ):
                refs.append((position, True))
                value = tuple(self.model(v) for v in value)
            else:
                _check_plain(value)
            values.append(value)
        row: Row = (class_index, tuple(sorted(model.__pydantic_fields_set__)), tuple(values),
                    tuple(refs))
        if cls is not JobSpec:  # one spec per job: only sub-models are worth sharing
            try:
                hash(row)
                key: Any = (row, repr(row))  # repr: 1, 1.0 and True are equal, not the same
            except TypeError:  # holds a dict or a list: mutable, never shared
                key = None
            if key is not None and key in self._shared:
                return self._shared[key]
            if key is not None:
                self._shared[key] = len(self.rows)
        self.rows.append(row)
        return len(self.rows) - 1

    def _class(self, cls: type[BaseModel]) -> int:
        index = self._class_index.get(cls)
        if index is None:
            if not _plain(cls):
                raise UnsupportedValue(f"{cls.__qualname__} is not a plain model")
            index = len(self.classes)
            self.classes.append((cls.__module__, cls.__qualname__, tuple(cls.model_fields)))
            self._class_index[cls] = index
        return index


_LEAVES = frozenset({str, int, float, bool, type(None)})


def _check_plain(value: Any) -> None:
    """Raise when ``value`` holds a model somewhere other than where the codec looks."""
    if type(value) in _LEAVES:
        return
    if isinstance(value, BaseModel):
        raise UnsupportedValue("a model nested in a container")
    if isinstance(value, (tuple, list, set, frozenset)):
        for item in value:
            _check_plain(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_plain(key)
            _check_plain(item)
