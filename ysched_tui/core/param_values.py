"""Turning an operator's text into a script parameter's value, safely.

Parameter values come from a form, ``ysched-tui run --param k=v`` or a jobs file, so they are text
written by a person. They are parsed, never evaluated: Python literals go through
:func:`ast.literal_eval`, and these date/time expressions (``datetime.now()``,
``date.today() - timedelta(days=30)``, ``time(8, 30)``,
``datetime.combine(date.today(), time.min)``) go through a tiny interpreter that only knows
those names, constructors with numeric arguments, ``+``/``-`` and ``*``/``/`` on numbers and
timedeltas. Anything else is refused with a message naming the parameter, the expected type
and the bad value.
"""

from __future__ import annotations

import ast
import json
import math
import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from ysched_tui.core.durations import parse_duration
from ysched_tui.core.models import ParamSpec
from ysched_tui.errors import DurationError, ParamError

__all__ = ["TEMPORAL_TYPES", "parse_timedelta", "parse_value", "safe_expression"]

TEMPORAL_TYPES = frozenset({"date", "datetime", "time", "timedelta"})
"""Types whose defaults may be expressions re-evaluated at every run (``datetime.now()``)."""

_MAX_EXPR = 300
_DURATION_RE = re.compile(r"\d+(?:\.\d+)?\s*[a-z]", re.IGNORECASE)
_CLOCK_RE = re.compile(r"^(?:(\d+) days?, )?(\d+):(\d{2})(?::(\d{2}(?:\.\d+)?))?$")
_BOOLS = {"true": True, "yes": True, "on": True, "1": True,
          "false": False, "no": False, "off": False, "0": False}
_HINTS = {
    "int": "a whole number such as 7",
    "float": "a number such as 0.5",
    "bool": "true/false, yes/no, on/off or 1/0",
    "list": 'a list such as [1, 2] or ["a", "b"]',
    "dict": 'a dict such as {"key": "value"}',
    "date": '"2024-01-31", today, yesterday, tomorrow or date.today() - timedelta(days=7)',
    "datetime": '"2024-01-31T08:30", now, today, yesterday or datetime.now()',
    "time": '"08:30", "08:30:15", time(8, 30) or time.min',
    "timedelta": '"1h30m", "90s", "2d", "1:30:00" or timedelta(hours=1, minutes=30)',
    "str": "text",
}


def parse_value(raw: object, spec: ParamSpec) -> object:
    """Parse ``raw`` (text or an already typed value) into a value of ``spec.type``.

    Raises:
        ParamError: naming the parameter, the expected type and the bad value.
    """
    if raw is None or (isinstance(raw, str) and raw.strip() == "None"):
        if spec.default is None and not spec.required:
            return None
        raise _bad(spec, raw)
    try:
        value = _parse_text(raw.strip(), spec.type) if isinstance(raw, str) else raw
        return _coerce(value, spec.type)
    except (ValueError, TypeError, OverflowError, SyntaxError, RecursionError) as exc:
        raise _bad(spec, raw) from exc


def _bad(spec: ParamSpec, raw: object) -> ParamError:
    hint = _HINTS.get(spec.type, "")
    expected = f"{spec.type} ({hint})" if hint else spec.type
    return ParamError(f"parameter {spec.name!r}: expected {expected}, got {raw!r}",
                      param=spec.name)


def _parse_text(text: str, kind: str) -> object:
    if kind == "str":
        return _literal_or(text, lambda t: t)
    if kind == "bool" and text.lower() in _BOOLS:
        return _BOOLS[text.lower()]
    if kind in ("list", "dict"):
        return _literal_or(text, json.loads)
    if kind in TEMPORAL_TYPES:
        return _parse_temporal(text, kind)
    if kind == "any":
        return _literal_or(text, lambda t: t)
    return ast.literal_eval(text)


def _literal_or(text: str, fallback: Callable[[str], object]) -> object:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return fallback(text)


def _parse_temporal(text: str, kind: str) -> object:
    word = _word(text.lower(), kind)
    if word is not None:
        return word
    if kind == "timedelta" and (_CLOCK_RE.match(text) or _DURATION_RE.match(text)
                                or _is_number(text)):
        return parse_timedelta(text)
    iso = _iso(text.strip("'\""), kind)
    return iso if iso is not None else safe_expression(text)


def _word(word: str, kind: str) -> object:
    offsets = {"today": 0, "yesterday": -1, "tomorrow": 1}
    if kind == "datetime" and word == "now":
        return datetime.now()
    if kind in ("date", "datetime") and word in offsets:
        day = date.today() + timedelta(days=offsets[word])
        return day if kind == "date" else datetime.combine(day, time.min)
    return None


def _iso(text: str, kind: str) -> object:
    parsers: dict[str, Callable[[str], object]] = {
        "date": date.fromisoformat, "datetime": datetime.fromisoformat, "time": time.fromisoformat,
    }
    parser = parsers.get(kind)
    if parser is None or not text[:1].isdigit():
        return None
    try:
        return parser(text)
    except ValueError:
        return None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def parse_timedelta(text: str) -> timedelta:
    """Parse ``"1h30m"``, ``"90s"``, ``"2d"``, ``"1:30:00"`` or a number of seconds.

    Durations use :func:`~ysched_tui.core.durations.parse_duration`, the spelling used
    everywhere else; ``H:MM:SS`` (how Python prints a timedelta) is accepted too.

    Raises:
        ValueError: when the text is none of those forms.
    """
    text = text.strip()
    clock = _CLOCK_RE.match(text)
    if clock:
        days, hours, minutes, seconds = clock.groups()
        return timedelta(days=int(days or 0), hours=int(hours), minutes=int(minutes),
                         seconds=float(seconds or 0))
    try:
        return _finite_seconds(parse_duration(text))
    except DurationError as exc:
        raise ValueError(str(exc)) from None


def _finite_seconds(seconds: float) -> timedelta:
    if not math.isfinite(seconds):
        raise ValueError("duration must be finite")
    return timedelta(seconds=seconds)


def _coerce(value: object, kind: str) -> object:
    checks: dict[str, Callable[[object], object]] = {
        "str": lambda v: _need(v, isinstance(v, str)),
        "int": lambda v: _need(v, isinstance(v, int) and not isinstance(v, bool)),
        "float": lambda v: float(_need(v, isinstance(v, int | float) and not isinstance(v, bool))),
        "bool": lambda v: _need(v, isinstance(v, bool)),
        "list": lambda v: list(_need(v, isinstance(v, list | tuple))),
        "dict": lambda v: _need(v, isinstance(v, dict)),
        "date": lambda v: v.date() if isinstance(v, datetime) else _need(v, isinstance(v, date)),
        "datetime": _to_datetime,
        "time": lambda v: _need(v, isinstance(v, time)),
        "timedelta": _to_timedelta,
    }
    check = checks.get(kind)
    return check(value) if check else value


def _need(value: Any, ok: bool) -> Any:
    if not ok:
        raise TypeError(f"unexpected {type(value).__name__}")
    return value


def _to_datetime(value: object) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time.min)
    raise TypeError(f"unexpected {type(value).__name__}")


def _to_timedelta(value: object) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _finite_seconds(float(value))
    raise TypeError(f"unexpected {type(value).__name__}")


def safe_expression(text: str) -> object:
    """Evaluate one of the accepted date/time expressions without ``eval``.

    Raises:
        ValueError: for anything outside the small grammar described in the module docstring.
    """
    if len(text) > _MAX_EXPR:
        raise ValueError("expression too long")
    legacy = re.sub(r"\bdatetime\.(datetime|date|time|timedelta)\b", r"\1", text)
    try:
        tree = ast.parse(legacy.strip(), mode="eval")
        return _Interpreter().visit(tree.body)
    except (TypeError, OverflowError, SyntaxError, RecursionError, MemoryError) as exc:
        raise ValueError(f"cannot evaluate {text!r}: {exc}") from exc


_CLASSES: dict[str, type] = {"datetime": datetime, "date": date, "time": time,
                             "timedelta": timedelta}
_ALLOWED_ATTRS: dict[type, frozenset[str]] = {
    datetime: frozenset({"now", "today", "combine", "fromisoformat", "min", "max"}),
    date: frozenset({"today", "fromisoformat", "min", "max"}),
    time: frozenset({"min", "max", "fromisoformat"}),
    timedelta: frozenset(),
}


class _Interpreter(ast.NodeVisitor):
    """Evaluates the whitelisted grammar; every other node type is refused."""

    def generic_visit(self, node: ast.AST) -> Any:
        raise ValueError(f"{type(node).__name__} is not allowed in a parameter value")

    def visit_Constant(self, node: ast.Constant) -> Any:
        if isinstance(node.value, int | float | str) and not isinstance(node.value, bool):
            return node.value
        raise ValueError(f"constant {node.value!r} is not allowed here")

    def visit_Name(self, node: ast.Name) -> Any:
        if node.id in _CLASSES:
            return _CLASSES[node.id]
        raise ValueError(f"unknown name {node.id!r}")

    def visit_Attribute(self, node: ast.Attribute) -> Any:
        owner = self.visit(node.value)
        if not isinstance(owner, type) or node.attr not in _ALLOWED_ATTRS.get(owner, ()):
            raise ValueError(f"attribute {node.attr!r} is not allowed")
        return getattr(owner, node.attr)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Any:
        operand = self.visit(node.operand)
        if isinstance(node.op, ast.USub) and isinstance(operand, int | float | timedelta):
            return -operand
        if isinstance(node.op, ast.UAdd) and isinstance(operand, int | float | timedelta):
            return operand
        raise ValueError("unsupported unary operator")

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        left, right = self.visit(node.left), self.visit(node.right)
        if any(isinstance(v, type | str) for v in (left, right)):
            raise ValueError("unsupported operands")
        ops: dict[type, Callable[[Any, Any], Any]] = {
            ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
            ast.Mult: lambda a, b: a * b, ast.Div: lambda a, b: a / b,
        }
        op = ops.get(type(node.op))
        if op is None:
            raise ValueError("only + - * / are allowed")
        return op(left, right)

    def visit_Call(self, node: ast.Call) -> Any:
        func = self.visit(node.func)
        args = [self.visit(a) for a in node.args]
        kwargs = {k.arg: self.visit(k.value) for k in node.keywords if k.arg is not None}
        if len(kwargs) != len(node.keywords):
            raise ValueError("** is not allowed")
        if func in (datetime, date, time, timedelta):
            numeric = all(isinstance(v, int | float) and not isinstance(v, bool)
                          for v in [*args, *kwargs.values()])
            if not numeric or (func is not timedelta and not all(
                    isinstance(v, int) for v in [*args, *kwargs.values()])):
                raise ValueError(f"{func.__name__}() takes numbers only")
        return func(*args, **kwargs)
