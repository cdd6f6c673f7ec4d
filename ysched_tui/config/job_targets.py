"""The kind keys of a ``[[jobs]]`` table: ``command``, ``http``, ``python`` or ``script``.

Exactly one kind per job. Each kind has its own option keys next to it (``cwd`` for a command,
``method`` for a request...); an option of another kind is reported rather than ignored. An HTTP
request may also be written as a table, ``http = { url = "...", method = "POST", timeout = "5s" }``,
where ``timeout`` is the per-request timeout (next to ``http = "URL"`` it is ``request_timeout``,
because a job's own ``timeout`` bounds the whole run). ``${ENV_VAR}`` references are kept as
written: the HTTP runner expands them when sending, so secrets never reach the database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ysched_tui.config.table_reader import TableReader
from ysched_tui.config.values import unknown_key_message
from ysched_tui.core.models import (
    CommandTarget,
    HttpTarget,
    JobSpec,
    ParamSpec,
    PythonTarget,
    ScriptTarget,
)
from ysched_tui.core.params import is_var_keyword, parse_value
from ysched_tui.errors import ParamError

Target = CommandTarget | HttpTarget | PythonTarget | ScriptTarget

HTTP_OPTIONS = (
    "method", "headers", "params", "json", "data", "success_codes", "retry_on_codes",
)
"""Request options accepted next to ``http = "URL"`` and inside an ``http`` table."""

KIND_OPTIONS: dict[str, tuple[str, ...]] = {
    "command": ("cwd", "env", "shell", "stdin", "user"),
    "http": (*HTTP_OPTIONS, "request_timeout"),
    "python": ("args", "kwargs"),
    "script": ("params",),
}
"""Option keys of each job kind."""

KINDS = tuple(KIND_OPTIONS)
"""The job kinds, in the order messages list them."""

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
"""Request methods an http job may use."""

_PYTHON_REF = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")


def read_target(
    reader: TableReader, kind: str, scripts: Mapping[str, JobSpec], scheduled: bool
) -> Target | None:
    """Build the job's target of ``kind``; ``None`` (with problems recorded) when invalid.

    Args:
        reader: the job table's reader.
        kind: the one kind key present.
        scripts: discovered script jobs by code and by file stem.
        scheduled: whether the job has triggers (scheduled scripts need every required value).
    """
    if kind == "command":
        return _command(reader)
    if kind == "http":
        return _http(reader)
    if kind == "python":
        return _python(reader)
    return _script(reader, scripts, scheduled)


def _command(reader: TableReader) -> CommandTarget | None:
    command = reader.text("command")
    options: dict[str, Any] = {
        "cwd": reader.text("cwd"),
        "env": reader.str_map("env"),
        "shell": reader.text("shell"),
        "stdin": reader.convert("stdin", _any_string),
        "user": reader.text("user"),
    }
    if command is None:
        return None
    return CommandTarget(command=command, **{k: v for k, v in options.items() if v is not None})


def _any_string(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {value!r}")
    return value


def _http(reader: TableReader) -> HttpTarget | None:
    raw = reader.table["http"]
    if isinstance(raw, dict):
        for key in (*HTTP_OPTIONS, "request_timeout"):
            if key in reader.table:
                reader.add(key, f"'{key}' belongs inside the 'http' table when 'http' is a table")
        inner = reader.sub("http", raw)
        for key in raw:
            if key not in (*HTTP_OPTIONS, "url", "timeout"):
                inner.add(key, unknown_key_message(key, (*HTTP_OPTIONS, "url", "timeout")))
        url = inner.convert("url", _url) if "url" in raw else None
        if "url" not in raw:
            inner.add(None, "the 'http' table needs a 'url'")
        return _http_target(inner, url, timeout_key="timeout")
    url = reader.convert("http", _url)
    return _http_target(reader, url, timeout_key="request_timeout")


def _http_target(reader: TableReader, url: str | None, *, timeout_key: str) -> HttpTarget | None:
    options: dict[str, Any] = {
        "method": reader.convert("method", _method),
        "headers": reader.str_map("headers"),
        "params": reader.str_map("params"),
        "data": reader.convert("data", _data),
        "timeout": reader.seconds(timeout_key, strict=True),
        "success_codes": reader.convert("success_codes", _status_codes),
        "retry_on_codes": reader.convert("retry_on_codes", _status_codes),
    }
    if "json" in reader.table:
        if "data" in reader.table:
            reader.add("json", "set either 'json' or 'data', not both")
        options["json"] = reader.table["json"]
    if url is None:
        return None
    return HttpTarget(url=url, **{k: v for k, v in options.items() if v is not None})


def _url(value: Any) -> str:
    if isinstance(value, str) and value.startswith(("http://", "https://", "${")):
        return value
    raise ValueError(f"expected an http:// or https:// URL, got {value!r}")


def _method(value: Any) -> str:
    if isinstance(value, str) and value.upper() in HTTP_METHODS:
        return value.upper()
    raise ValueError(f"expected one of {', '.join(HTTP_METHODS)}, got {value!r}")


def _data(value: Any) -> dict[str, str] | str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        return value
    raise ValueError(f"expected a string or a table of strings, got {value!r}")


def _status_codes(value: Any) -> tuple[int, ...]:
    ok = isinstance(value, list) and all(
        isinstance(v, int) and not isinstance(v, bool) and 100 <= v <= 599 for v in value
    )
    if not ok:
        raise ValueError(f"expected a list of HTTP status codes (100-599), got {value!r}")
    return tuple(value)


def _python(reader: TableReader) -> PythonTarget | None:
    ref = reader.convert("python", _python_ref)
    args = reader.convert("args", _list)
    kwargs = reader.table_value("kwargs")
    if ref is None:
        return None
    return PythonTarget(ref=ref, args=tuple(args or ()), kwargs=kwargs or {})


def _python_ref(value: Any) -> str:
    if isinstance(value, str) and _PYTHON_REF.match(value):
        return value
    raise ValueError(f"expected 'package.module:function', got {value!r}")


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError(f"expected a list, got {value!r}")
    return value


def _script(
    reader: TableReader, scripts: Mapping[str, JobSpec], scheduled: bool
) -> ScriptTarget | None:
    name = reader.text("script")
    values = reader.table_value("params") or {}
    if name is None:
        return None
    found = scripts.get(name)
    if found is None or not isinstance(found.target, ScriptTarget):
        known = sorted({s.code for s in scripts.values()})
        hint = f"; known scripts: {', '.join(known)}" if known else "; no scripts were found"
        reader.add("script", f"unknown script {name!r}{hint} (see the scripts_dir setting)")
        return None
    target = found.target
    _check_params(reader.sub("params", values), target, values, scheduled)
    return target.model_copy(update={"values": values})


def _check_params(
    reader: TableReader, target: ScriptTarget, values: dict[str, Any], scheduled: bool
) -> None:
    specs = {p.name: p for p in target.params if not is_var_keyword(p)}
    accepts_extra = any(is_var_keyword(p) for p in target.params)
    for key, raw in values.items():
        spec = specs.get(key)
        if spec is None and not accepts_extra:
            known = ", ".join(specs) or "no parameters"
            reader.add(key, f"unknown parameter {key!r}; the script takes: {known}")
            continue
        try:
            parse_value(raw, spec or ParamSpec(name=key))
        except ParamError as exc:
            reader.add(key, str(exc))
    if scheduled:
        for spec in specs.values():
            if spec.required and spec.name not in values:
                reader.add(spec.name, f"required parameter {spec.name!r} has no value; "
                           "scheduled runs need one in 'params'")
