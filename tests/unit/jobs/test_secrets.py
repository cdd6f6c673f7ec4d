"""${ENV_VAR} expansion and redaction of the values it revealed."""

from __future__ import annotations

import pytest

from ysched_tui.jobs.secrets import (
    MissingEnvVar,
    expand_env,
    header_secrets,
    redact,
    url_secrets,
)

ENV = {"TOKEN": "tok/en+42", "HOST": "api.example.com", "ON": "1"}


def test_expansion_walks_nested_structures():
    """Strings inside dicts, lists and tuples (keys too) are expanded; other values kept."""
    value, found = expand_env(
        {"url": "https://${HOST}/x", "list": ["${TOKEN}", 3], "${ON}": ("a${ON}",), "n": None},
        ENV,
    )
    assert value == {"url": "https://api.example.com/x", "list": ["tok/en+42", 3],
                     "1": ("a1",), "n": None}
    assert found == {"api.example.com", "tok/en+42", "1"}


def test_double_dollar_escapes_a_reference():
    """$${NAME} is a literal ${NAME} and reveals nothing."""
    assert expand_env("cost $${TOKEN} ${ON}", ENV) == ("cost ${TOKEN} 1", frozenset({"1"}))


def test_missing_variable_is_named():
    """An unset variable raises MissingEnvVar naming it."""
    with pytest.raises(MissingEnvVar, match="'NOPE' is not set") as info:
        expand_env(["${TOKEN}", "${NOPE}"], ENV)
    assert info.value.name == "NOPE"


def test_redaction_covers_url_encoded_forms_and_skips_tiny_values():
    """Secrets are masked as is and URL-encoded; values under 4 characters are left alone."""
    text = "token tok/en+42 in url tok%2Fen%2B42 and form tok%2Fen%2B42, flag 1"
    assert redact(text, {"tok/en+42", "1"}) == "token *** in url *** and form ***, flag 1"


def test_sensitive_headers_and_url_passwords_are_secrets():
    """Authorization-like headers (whole and credential part) and URL passwords are secrets."""
    secrets = header_secrets({"Authorization": "Bearer abc.def", "Accept": "text/plain",
                              "X-Api-Key": "k-123456"})
    assert secrets == {"Bearer abc.def", "abc.def", "k-123456"}
    assert url_secrets("https://user:pa55word@host/x") == {"pa55word"}
    assert url_secrets("https://host/x") == frozenset()
