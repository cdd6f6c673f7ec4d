"""Script parameters: read from source with ast only, parsed safely, validated with named errors."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from ysched_tui.core.models import ParamSpec
from ysched_tui.core.params import params_from_source, parse_value, validate_params
from ysched_tui.errors import JobsFileError, ParamError

SOURCE = '''
"""Sync data."""
import datetime
import os
from typing import Optional

TASK_INFO = {"name": "Data sync", "tags": ["sync"], "every": "1h"}

async def run(
    days: int = 7,
    target: str = "all",
    start_date: datetime.datetime | None = None,
    options: dict | None = None,
    since: "datetime.date" = datetime.date.today(),
    window: timedelta = timedelta(hours=1),
    where: str = os.getcwd(),
    ids: list[int] = (1, 2),
    *,
    limit: Optional[int],
    ratio: float,
    flag: bool = False,
    context=None,
    **extra,
):
    """Synchronise.

    Args:
        days: how many days back
        ratio (float): sampling ratio
    """
'''


def specs_by_name() -> dict[str, ParamSpec]:
    specs, _info = params_from_source(SOURCE, "sync.py")
    return {s.name: s for s in specs}


@pytest.mark.parametrize(
    ("name", "type_", "required", "default"),
    [
        ("days", "int", False, 7),
        ("target", "str", False, "all"),
        ("start_date", "datetime", False, None),
        ("options", "dict", False, None),
        ("since", "date", False, "datetime.date.today()"),
        ("window", "timedelta", False, "timedelta(hours=1)"),
        ("where", "str", False, None),
        ("ids", "list", False, [1, 2]),
        ("limit", "int", False, None),
        ("ratio", "float", True, None),
        ("flag", "bool", False, False),
        ("**extra", "dict", False, None),
    ],
)
def test_signature_gives_types_defaults_and_required(name, type_, required, default):
    """Annotations give the type, Optional/None makes a parameter optional, literal defaults are
    values and date/time expressions are kept as text to evaluate per run."""
    spec = specs_by_name()[name]
    assert (spec.type, spec.required, spec.default) == (type_, required, default)


def test_context_is_not_a_parameter_and_docs_give_descriptions():
    """The injected context is not a form field; Google-style Args give descriptions; a default
    the script computes is named in the description."""
    specs = specs_by_name()
    assert "context" not in specs
    assert list(specs)[:3] == ["days", "target", "start_date"]
    assert specs["days"].description == "how many days back"
    assert specs["ratio"].description == "sampling ratio"
    assert "os.getcwd()" in specs["where"].description


def test_task_info_is_read_as_a_literal():
    """TASK_INFO is read with ast.literal_eval, not by importing the script."""
    _specs, info = params_from_source(SOURCE, "sync.py")
    assert info == {"name": "Data sync", "tags": ["sync"], "every": "1h"}


@pytest.mark.parametrize(
    ("source", "line", "fragment"),
    [
        ("x = 1\ndef run(:\n", 2, "syntax error"),
        ("def main():\n    pass\n", None, "no `run` function"),
        ("run = 5\n", 1, "`run` must be a function"),
        ("TASK_INFO = dict(a=1)\nasync def run(): pass\n", 1, "TASK_INFO must be a dict literal"),
        ("async def run(a, /): pass\n", 1, "passable by name"),
    ],
)
def test_source_problems_name_the_file_and_line(source, line, fragment):
    """Bad scripts raise JobsFileError with a problem naming the file and the line."""
    with pytest.raises(JobsFileError) as info:
        params_from_source(source, "bad.py")
    problem = info.value.problems[0]
    assert problem.file == "bad.py"
    assert problem.line == line
    assert fragment in problem.message


TODAY = date.today()


@pytest.mark.parametrize(
    ("type_", "raw", "expected"),
    [
        ("int", "7", 7),
        ("int", "-100", -100),
        ("float", "3.14", 3.14),
        ("float", "2", 2.0),
        ("bool", "True", True),
        ("bool", "false", False),
        ("bool", "yes", True),
        ("bool", "0", False),
        ("str", '"hello"', "hello"),
        ("str", "'world'", "world"),
        ("str", "plain words", "plain words"),
        ("list", "[1, 2, 3]", [1, 2, 3]),
        ("list", '["a", "b"]', ["a", "b"]),
        ("dict", '{"key": "value"}', {"key": "value"}),
        ("dict", '{"flag": true, "none": null}', {"flag": True, "none": None}),
        ("any", "[1, 2]", [1, 2]),
        ("any", "not a literal", "not a literal"),
        ("date", "2024-01-31", date(2024, 1, 31)),
        ("date", "today", TODAY),
        ("date", "yesterday", TODAY - timedelta(days=1)),
        ("date", "date.today() - timedelta(days=30)", TODAY - timedelta(days=30)),
        ("date", "date.today() + timedelta(days=7)", TODAY + timedelta(days=7)),
        ("datetime", "2024-01-01T08:30", datetime(2024, 1, 1, 8, 30)),
        ("datetime", "datetime(2024, 1, 1)", datetime(2024, 1, 1)),
        ("datetime", "datetime.datetime(2024, 1, 1)", datetime(2024, 1, 1)),
        ("datetime", "datetime.combine(date.today(), time.min)",
         datetime.combine(TODAY, time.min)),
        ("datetime", "today", datetime.combine(TODAY, time.min)),
        ("time", "08:30", time(8, 30)),
        ("time", "time(8, 30, 0)", time(8, 30)),
        ("time", "time.min", time.min),
        ("timedelta", "1h30m", timedelta(hours=1, minutes=30)),
        ("timedelta", "90s", timedelta(seconds=90)),
        ("timedelta", "2d", timedelta(days=2)),
        ("timedelta", "1:30:00", timedelta(hours=1, minutes=30)),
        ("timedelta", "timedelta(hours=1, minutes=30)", timedelta(hours=1, minutes=30)),
        ("timedelta", "datetime.timedelta(days=7)", timedelta(days=7)),
        ("timedelta", "timedelta(minutes=1.5)", timedelta(seconds=90)),
    ],
)
def test_values_are_parsed_by_type(type_, raw, expected):
    """Each accepted spelling of seed 003 parses to the declared type."""
    value = parse_value(raw, ParamSpec(name="p", type=type_))
    assert value == expected
    assert type(value) is type(expected)


def test_now_is_the_current_time():
    """'now' and datetime.now() are evaluated when parsed."""
    before = datetime.now()
    for raw in ("now", "datetime.now()", "datetime.datetime.now()"):
        value = parse_value(raw, ParamSpec(name="p", type="datetime"))
        assert isinstance(value, datetime) and before <= value <= datetime.now()


@pytest.mark.parametrize(
    ("type_", "raw"),
    [
        ("int", "seven"),
        ("int", "True"),
        ("int", "1.5"),
        ("float", "abc"),
        ("bool", "maybe"),
        ("list", "{'a': 1}"),
        ("date", "2024-13-01"),
        ("date", "__import__('os').system('true')"),
        ("datetime", "datetime.now().replace(year=1)"),
        ("timedelta", "timedelta(hours='1')"),
        ("timedelta", "10 ** 100"),
        ("timedelta", "(1).__class__"),
        ("time", "lambda: 1"),
        ("timedelta", "timedelta(days=10**9)"),
        ("timedelta", "9" * 400),
    ],
)
def test_bad_values_name_the_parameter_type_and_value(type_, raw):
    """A value that does not parse raises ParamError naming the param, the type and the value."""
    with pytest.raises(ParamError) as info:
        parse_value(raw, ParamSpec(name="days", type=type_))
    assert info.value.param == "days"
    message = str(info.value)
    assert "'days'" in message and f"expected {type_}" in message and repr(raw) in message


def test_expressions_are_never_evaluated(tmp_path):
    """Code in a value is refused, not run (no side effect happens)."""
    marker = tmp_path / "pwned"
    raw = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    for type_ in ("date", "datetime", "time", "timedelta", "int", "list"):
        with pytest.raises(ParamError):
            parse_value(raw, ParamSpec(name="p", type=type_))
    assert parse_value(raw, ParamSpec(name="p", type="any")) == raw
    assert not marker.exists()


def test_validate_fills_defaults_and_parses_text():
    """Missing optional parameters get their defaults (date expressions evaluated now); given
    text is parsed; None-default parameters are left for the script's own default."""
    specs, _ = params_from_source(SOURCE, "sync.py")
    values = validate_params(specs, {"ratio": "0.5", "days": "3", "window": "90s", "x": "[1]"})
    assert values == {
        "ratio": 0.5, "days": 3, "window": timedelta(seconds=90), "x": [1],
        "target": "all", "since": TODAY, "ids": [1, 2], "flag": False,
    }


def test_validate_reports_a_missing_required_parameter():
    """A required parameter that was not given is an error naming it."""
    specs, _ = params_from_source(SOURCE, "sync.py")
    with pytest.raises(ParamError) as info:
        validate_params(specs, {"days": 1})
    assert info.value.param == "ratio"
    assert "'ratio' (float) is required" in str(info.value)


def test_validate_refuses_unknown_parameters_without_kwargs():
    """Without **kwargs, an unknown parameter is an error listing the accepted ones."""
    specs, _ = params_from_source("async def run(days: int = 1): pass", "s.py")
    with pytest.raises(ParamError) as info:
        validate_params(specs, {"dayz": "2"})
    assert info.value.param == "dayz"
    assert "takes: days" in str(info.value)


def test_none_is_accepted_only_where_the_default_is_none():
    """'None' is a valid value for optional parameters, not for ones with a real default."""
    specs, _ = params_from_source(SOURCE, "sync.py")
    named = {s.name: s for s in specs}
    assert parse_value("None", named["start_date"]) is None
    with pytest.raises(ParamError):
        parse_value("None", named["days"])
