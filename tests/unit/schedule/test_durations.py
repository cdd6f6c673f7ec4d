"""Durations: what parse_duration accepts, what it refuses, and that format_duration reads back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ysched_tui.core.durations import format_duration, parse_duration
from ysched_tui.errors import DurationError


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90", 90.0),
        ("90s", 90.0),
        ("5m", 300.0),
        ("1h30m", 5400.0),
        ("1h 30m", 5400.0),
        ("2d", 172800.0),
        ("1w", 604800.0),
        ("500ms", 0.5),
        ("1.5h", 5400.0),
        (" 5 minutes ", 300.0),
        ("2 hours 15 min", 8100.0),
        ("1H30M", 5400.0),
        (90, 90.0),
        (1.5, 1.5),
        ("0", 0.0),
    ],
)
def test_parse_duration_accepts(text: str | float, seconds: float) -> None:
    """Numbers are seconds; units ms/s/m/h/d/w (and their words) add up, spaces allowed."""
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    "text", ["", "5x", "h", "1h-2m", "-5s", "nan", "inf", "1e3s", "5 m x", True, -1]
)
def test_parse_duration_rejects_naming_text_and_form(text: object) -> None:
    """A bad duration raises DurationError quoting the text and the accepted forms."""
    with pytest.raises(DurationError) as info:
        parse_duration(text)  # type: ignore[arg-type]
    assert repr(text) in str(info.value)
    assert "'1h30m'" in str(info.value)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (5400, "1h30m"),
        (300, "5m"),
        (45, "45s"),
        (1.5, "1.5s"),
        (0.25, "250ms"),
        (0, "0s"),
        (90.5, "1m30.5s"),
        (691200, "1w1d"),
        (59.9996, "1m"),
        (-90, "-1m30s"),
    ],
)
def test_format_duration(seconds: float, text: str) -> None:
    """The compact form: largest units first, fractions to the millisecond."""
    assert format_duration(seconds) == text


@given(st.integers(min_value=0, max_value=10**10))
def test_format_then_parse_round_trips(milliseconds: int) -> None:
    """Whatever format_duration writes, parse_duration reads back to the same value."""
    seconds = milliseconds / 1000
    assert parse_duration(format_duration(seconds)) == pytest.approx(seconds, abs=1e-6)
