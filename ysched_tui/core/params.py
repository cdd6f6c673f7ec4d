"""Script parameters: read from a script's source, checked and filled in before a run.

A script in the scripts folder declares its parameters in the signature of ``async def run(...)``.
They are read with :mod:`ast` only — discovering a script never imports or executes it —
so the console can offer a form and the CLI can check ``--param`` values before anything runs.

Conventions kept in the resulting :class:`~ysched_tui.core.models.ParamSpec` tuple:

* a default that is a literal is stored as its value; a default that is one of the date/time
  expressions :func:`~ysched_tui.core.param_values.safe_expression` understands (``datetime.now()``)
  is stored as its source text and evaluated again at every run; any other default is computed by
  the script itself (``default=None``, the expression is named in the description);
* ``X | None`` / ``Optional[X]`` without a default is optional, with ``None`` passed when omitted;
* ``**kwargs`` is kept as a spec named ``"**kwargs"``: it lets a run accept parameters the
  signature does not name.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Mapping
from typing import Any

from ysched_tui.core.models import ParamSpec
from ysched_tui.core.param_values import TEMPORAL_TYPES, parse_value, safe_expression
from ysched_tui.errors import JobsFileError, ParamError, Problem

__all__ = ["is_var_keyword", "params_from_source", "parse_value", "validate_params"]

_SIMPLE_TYPES = frozenset(
    {"str", "int", "float", "bool", "date", "datetime", "time", "timedelta", "list", "dict"}
)
_ALIASES = {"List": "list", "Dict": "dict", "Tuple": "list", "tuple": "list", "Sequence": "list",
            "Mapping": "dict", "Any": "any"}
_CONTEXT_TYPES = frozenset({"JobContext"})


def is_var_keyword(spec: ParamSpec) -> bool:
    """Whether ``spec`` stands for the function's ``**kwargs`` (extra parameters accepted)."""
    return spec.name.startswith("**")


def params_from_source(source: str, filename: str) -> tuple[tuple[ParamSpec, ...], dict[str, Any]]:
    """Read the parameters of ``run`` and the ``TASK_INFO`` literal from a script's source.

    Args:
        source: the script's text.
        filename: shown in problems.

    Returns:
        The parameters in signature order, and ``TASK_INFO`` (empty when absent).

    Raises:
        JobsFileError: a syntax error, no ``run`` function, a non-literal ``TASK_INFO`` or a
            positional-only parameter, each as a problem naming the file and line.
    """
    try:
        tree = ast.parse(source, filename=filename)
    except SyntaxError as exc:
        raise JobsFileError([Problem(file=filename, line=exc.lineno,
                                     message=f"syntax error: {exc.msg}")]) from None
    run = _find_run(tree, filename)
    info = _task_info(tree, filename)
    docs = _arg_docs(ast.get_docstring(run) or "")
    return _specs(run, filename, docs), info


def _find_run(tree: ast.Module, filename: str) -> ast.FunctionDef | ast.AsyncFunctionDef:
    found: ast.FunctionDef | ast.AsyncFunctionDef | None = None
    other_line: int | None = None
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == "run":
            found = node
        elif _assigns(node, "run"):
            other_line = node.lineno
    if found is None:
        message = ("`run` must be a function: define `async def run(**params)`" if other_line
                   else "no `run` function: a script must define `async def run(**params)`")
        raise JobsFileError([Problem(file=filename, line=other_line, message=message)])
    return found


def _assigns(node: ast.stmt, name: str) -> bool:
    if isinstance(node, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
    if isinstance(node, ast.AnnAssign):
        return isinstance(node.target, ast.Name) and node.target.id == name
    return False


def _task_info(tree: ast.Module, filename: str) -> dict[str, Any]:
    info: dict[str, Any] = {}
    for node in tree.body:
        if not _assigns(node, "TASK_INFO"):
            continue
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        try:
            literal = ast.literal_eval(value) if value is not None else None
        except (ValueError, SyntaxError, TypeError):
            literal = None
        if not isinstance(literal, dict):
            raise JobsFileError([Problem(file=filename, line=node.lineno, field="TASK_INFO",
                                         message="TASK_INFO must be a dict literal")])
        info = literal
    return info


def _specs(run: ast.FunctionDef | ast.AsyncFunctionDef, filename: str,
           docs: dict[str, str]) -> tuple[ParamSpec, ...]:
    a = run.args
    if a.posonlyargs:
        first = a.posonlyargs[0]
        raise JobsFileError([Problem(file=filename, line=first.lineno, field=first.arg,
                                     message="run() parameters must be passable by name")])
    positional = a.args
    padding: list[ast.expr | None] = [None] * (len(positional) - len(a.defaults))
    defaults = [*padding, *a.defaults]
    pairs = [*zip(positional, defaults, strict=True),
             *zip(a.kwonlyargs, a.kw_defaults, strict=True)]
    specs = [_spec(arg, default, docs.get(arg.arg, "")) for arg, default in pairs
             if not _is_context(arg)]
    if a.kwarg is not None:
        specs.append(ParamSpec(name=f"**{a.kwarg.arg}", type="dict",
                               description="extra parameters accepted by run()"))
    return tuple(specs)


def _is_context(arg: ast.arg) -> bool:
    kind = _annotation_name(arg.annotation) if arg.annotation is not None else None
    return arg.arg == "context" or kind in _CONTEXT_TYPES


def _spec(arg: ast.arg, default: ast.expr | None, description: str) -> ParamSpec:
    kind, optional = _annotation(arg.annotation)
    if default is None:
        return ParamSpec(name=arg.arg, type=kind, required=not optional, default=None,
                         description=description)
    value, note = _default(default, kind)
    text = " ".join(p for p in (description, note) if p)
    return ParamSpec(name=arg.arg, type=kind, required=False, default=value,
                     description=text)


def _default(node: ast.expr, kind: str) -> tuple[object, str]:
    try:
        value = ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        text = ast.unparse(node)
        if kind in TEMPORAL_TYPES:
            try:
                safe_expression(text)
            except ValueError:
                pass
            else:
                return text, ""
        return None, f"(default computed by the script: {text})"
    return (list(value) if isinstance(value, tuple | set | frozenset) else value), ""


def _annotation(node: ast.expr | None) -> tuple[str, bool]:
    """The ParamSpec type for an annotation, and whether ``None`` is allowed."""
    if node is None:
        return "any", False
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            return _annotation(ast.parse(node.value, mode="eval").body)
        except SyntaxError:
            return "any", False
    members = _union_members(node)
    if members is not None:
        optional = any(_is_none(m) for m in members)
        kinds = {_annotation(m)[0] for m in members if not _is_none(m)}
        return (kinds.pop() if len(kinds) == 1 else "any"), optional
    if isinstance(node, ast.Subscript):
        outer = _annotation_name(node.value)
        if outer == "Annotated" and isinstance(node.slice, ast.Tuple) and node.slice.elts:
            return _annotation(node.slice.elts[0])
        return _ALIASES.get(outer or "", outer if outer in _SIMPLE_TYPES else "any"), False
    name = _annotation_name(node) or ""
    return (name if name in _SIMPLE_TYPES else _ALIASES.get(name, "any")), False


def _union_members(node: ast.expr) -> list[ast.expr] | None:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return [*(_union_members(node.left) or [node.left]),
                *(_union_members(node.right) or [node.right])]
    if isinstance(node, ast.Subscript):
        outer = _annotation_name(node.value)
        if outer == "Optional":
            return [node.slice, ast.Constant(value=None)]
        if outer == "Union":
            return list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
    return None


def _is_none(node: ast.expr) -> bool:
    return (isinstance(node, ast.Constant) and node.value is None) or (
        isinstance(node, ast.Name) and node.id == "None")


def _annotation_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.rsplit(".", 1)[-1]
    return None


def _arg_docs(docstring: str) -> dict[str, str]:
    """Descriptions from a Google-style ``Args:`` section (``name: text`` lines)."""
    docs: dict[str, str] = {}
    in_args = False
    for line in docstring.splitlines():
        stripped = line.strip()
        if stripped in ("Args:", "Arguments:", "Parameters:"):
            in_args = True
        elif in_args and stripped.endswith(":") and " " not in stripped:
            in_args = False
        elif in_args and ":" in stripped:
            name, _, text = stripped.partition(":")
            name = name.split("(")[0].strip().lstrip("*")
            if name.isidentifier():
                docs[name] = text.strip()
    return docs


def validate_params(specs: tuple[ParamSpec, ...] | list[ParamSpec],
                    values: Mapping[str, object]) -> dict[str, object]:
    """Check ``values`` against ``specs``, parse text values and fill defaults.

    Parameters omitted whose default is ``None`` are left out, so the script's own default
    applies (the runner passes ``None`` for optional parameters without a Python default).

    Returns:
        The values to call ``run`` with.

    Raises:
        ParamError: an unknown parameter (unless ``run`` takes ``**kwargs``), a required one
            missing, or a value that cannot be parsed; the error names the parameter.
    """
    named = {s.name: s for s in specs if not is_var_keyword(s)}
    accepts_extra = any(is_var_keyword(s) for s in specs)
    out: dict[str, object] = {}
    for name, raw in values.items():
        spec = named.get(name)
        if spec is None and not accepts_extra:
            known = ", ".join(named) or "no parameters"
            raise ParamError(f"unknown parameter {name!r} (this script takes: {known})",
                             param=name)
        out[name] = parse_value(raw, spec or ParamSpec(name=name))
    for spec in named.values():
        if spec.name in out:
            continue
        if spec.required:
            raise ParamError(f"parameter {spec.name!r} ({spec.type}) is required but was not "
                             "given", param=spec.name)
        if spec.default is not None:
            out[spec.name] = _default_value(spec)
    return out


def _default_value(spec: ParamSpec) -> object:
    if spec.type in TEMPORAL_TYPES and isinstance(spec.default, str):
        return parse_value(spec.default, spec)
    return copy.deepcopy(spec.default)
