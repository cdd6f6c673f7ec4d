"""The spec codec: what it stores rebuilds specs equal to the validated ones, types and all."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import BaseModel

from ysched_tui.config.spec_codec import UnsupportedValue, decode_specs, encode_specs
from ysched_tui.core.models import (
    CatchUp,
    CommandTarget,
    Hook,
    HttpTarget,
    JobSource,
    JobSpec,
    ParamSpec,
    PythonTarget,
    RetryPolicy,
    ScriptTarget,
)
from ysched_tui.core.triggers import CronTrigger, IntervalTrigger, OnceTrigger, StartupTrigger


def varied_specs() -> list[JobSpec]:
    """Specs using every target kind, every trigger kind and every optional field."""
    berlin = timezone(timedelta(hours=1))
    return [
        JobSpec(code="a", target=CommandTarget(command="echo 1", env={"A": "1"}),
                triggers=(CronTrigger(expr="0 * * * *"), StartupTrigger())),
        JobSpec(code="b", target=CommandTarget(command="echo 2"),
                triggers=(CronTrigger(expr="0 * * * *"),), catch_up=CatchUp.ALL,
                retries=RetryPolicy(max=3, delays=(1.0, 2.0)), tags=("x", "y")),
        JobSpec(code="c", target=HttpTarget(url="http://h/", json_body={"k": [1, True, None, 1.5]},
                                            success_codes=(200, 204)),
                triggers=(OnceTrigger(at=datetime(2030, 1, 2, 3, 4, tzinfo=berlin)),
                          IntervalTrigger(seconds=90, start=datetime(2020, 1, 1, tzinfo=UTC))),
                hooks=(Hook(on=("failure", "missed"), command="notify"),),
                concurrency=3, timeout=12.5, misfire_grace=30),
        JobSpec(code="d", target=PythonTarget(ref="m:f", args=(1,), kwargs={"n": 1}),
                source=JobSource.API, enabled=False),
        JobSpec(code="e", target=PythonTarget(ref="m:f", args=(True,), kwargs={"n": True})),
        JobSpec(code="f", target=PythonTarget(ref="m:f", args=(1.0,))),
        JobSpec(code="g", target=ScriptTarget(path="/s/x.py", values={"days": 3},
                                              params=(ParamSpec(name="days", type="int"),)),
                source=JobSource.SCRIPT, source_file="/s", source_line=7, timezone="UTC"),
    ]


def roundtrip(specs: list[JobSpec]) -> list[JobSpec]:
    return decode_specs(pickle.loads(pickle.dumps(encode_specs(specs))))


def deep_types(value: object) -> object:
    """The value with every leaf replaced by its type, to tell 1, 1.0 and True apart."""
    if isinstance(value, BaseModel):
        return (type(value), {k: deep_types(v) for k, v in value.__dict__.items()})
    if isinstance(value, (list, tuple)):
        return (type(value), [deep_types(v) for v in value])
    if isinstance(value, dict):
        return {k: deep_types(v) for k, v in value.items()}
    return type(value)


def test_decoded_specs_equal_the_originals() -> None:
    """Equal specs, the same fields set, the same dump, the same value types."""
    specs = varied_specs()
    decoded = roundtrip(specs)
    assert decoded == specs
    assert [s.model_fields_set for s in decoded] == [s.model_fields_set for s in specs]
    assert [s.model_dump_json() for s in decoded] == [s.model_dump_json() for s in specs]
    assert [deep_types(s) for s in decoded] == [deep_types(s) for s in specs]


def test_equal_sub_models_of_different_types_are_not_merged() -> None:
    """args (1,), (True,) and (1.0,) compare equal but each spec keeps its own."""
    decoded = roundtrip(varied_specs())
    args = [type(s.target.args[0]) for s in decoded if s.code in "def"]  # type: ignore[union-attr]
    assert args == [int, bool, float]


def test_decoded_specs_stay_frozen_and_usable() -> None:
    """A decoded spec behaves like a validated one: frozen, copyable, hashable fields."""
    (spec,) = roundtrip([varied_specs()[1]])
    with pytest.raises(ValueError, match="frozen"):
        spec.code = "other"  # type: ignore[misc]
    assert spec.model_copy(update={"name": "n"}).name == "n"
    assert spec.retries.delay_for(2) == 2.0


def test_a_class_whose_fields_changed_is_stale() -> None:
    """Stored data naming fields the class no longer has is refused, not half-used."""
    data = encode_specs(varied_specs()[:1])
    module, name, fields = data["classes"][0]
    data["classes"][0] = (module, name, (*fields, "gone"))
    with pytest.raises(UnsupportedValue):
        decode_specs(data)


def test_models_the_codec_cannot_rebuild_are_refused() -> None:
    """A model hidden inside a plain container cannot be encoded (the file is not cached)."""
    spec = JobSpec(code="h", target=PythonTarget(ref="m:f", args=({"m": RetryPolicy()},)))
    with pytest.raises(UnsupportedValue):
        encode_specs([spec])
