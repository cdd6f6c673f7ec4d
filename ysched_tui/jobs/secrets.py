"""``${ENV_VAR}`` references, expanded only when sending, and redaction of what they revealed.

Jobs files and the database keep the references, never the values (issue 2, section 3a). A runner
expands them at the last moment and gets back the set of values it substituted; everything it then
stores or shows (output lines, results, errors) passes through :func:`redact`, which replaces
those values — and credentials found in ``Authorization``-like headers or URL user info — with
``***``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote, quote_plus, urlsplit

T = TypeVar("T")

MIN_SECRET_LENGTH = 4
"""Shorter values are not redacted: replacing every "1" or "on" in a body would garble it, and a
value that short is no secret."""

SENSITIVE_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "x-api-key", "api-key", "x-auth-token"}
)
"""Headers whose values are always redacted, even when written literally in the jobs file."""

_REF = re.compile(r"\$(\$)?\{([A-Za-z_][A-Za-z0-9_]*)\}")
_MASK = "***"


class MissingEnvVar(LookupError):
    """A ``${NAME}`` reference names an environment variable that is not set."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"environment variable {name!r} is not set (referenced as ${{{name}}})")


def expand_env(obj: T, environ: Mapping[str, str] | None = None) -> tuple[T, frozenset[str]]:
    """Replace ``${NAME}`` in every string inside ``obj`` (dicts, lists, tuples, nested).

    ``$${NAME}`` stands for a literal ``${NAME}``. Dict keys are expanded too.

    Args:
        obj: a string or a JSON-like structure.
        environ: where to look names up; ``os.environ`` by default.

    Returns:
        The expanded copy and the values substituted (to redact later).

    Raises:
        MissingEnvVar: naming the first variable that is not set.
    """
    env = os.environ if environ is None else environ
    found: set[str] = set()
    return _expand(obj, env, found), frozenset(found)


def _expand(obj: Any, env: Mapping[str, str], found: set[str]) -> Any:
    if isinstance(obj, str):
        return _REF.sub(lambda m: _substitute(m, env, found), obj)
    if isinstance(obj, dict):
        return {_expand(k, env, found): _expand(v, env, found) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return type(obj)(_expand(v, env, found) for v in obj)
    return obj


def _substitute(match: re.Match[str], env: Mapping[str, str], found: set[str]) -> str:
    escaped, name = match.group(1), match.group(2)
    if escaped:
        return "${" + name + "}"
    if name not in env:
        raise MissingEnvVar(name)
    found.add(env[name])
    return env[name]


def header_secrets(headers: Mapping[str, str]) -> frozenset[str]:
    """Values of sensitive headers, whole and without their scheme (``Bearer``, ``Basic``)."""
    out: set[str] = set()
    for name, value in headers.items():
        if name.lower() in SENSITIVE_HEADERS:
            out.add(value)
            _scheme, _, credential = value.partition(" ")
            if credential:
                out.add(credential.strip())
    return frozenset(out)


def url_secrets(url: str) -> frozenset[str]:
    """The password in a URL's user info (``https://user:pass@host``)."""
    try:
        password = urlsplit(url).password
    except ValueError:
        return frozenset()
    return frozenset({password}) if password else frozenset()


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret (and its URL-encoded forms) replaced by ``***``."""
    variants: set[str] = set()
    for secret in secrets:
        if len(secret) >= MIN_SECRET_LENGTH:
            variants.update({secret, quote(secret, safe=""), quote_plus(secret, safe="")})
    for variant in sorted(variants, key=len, reverse=True):
        text = text.replace(variant, _MASK)
    return text
