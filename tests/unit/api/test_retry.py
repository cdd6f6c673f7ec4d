"""RetryStrategy and the single retry options become core RetryPolicy values."""

from __future__ import annotations

import pytest

from ysched_tui import ConfigError, RetryPolicy, RetryStrategy
from ysched_tui.api.retry import RETRYABLE_NAME, RetryableError, apply_should_retry


class AppError(Exception):
    """A user-defined exception type."""


def test_fixed_is_a_constant_delay() -> None:
    """fixed(3, 60) retries three times, 60 s apart."""
    policy = RetryStrategy.fixed(max_retries=3, delay=60)
    assert policy == RetryPolicy(max=3, delay=60, backoff=1)
    assert [policy.delay_for(n) for n in (1, 2, 3)] == [60, 60, 60]


def test_exponential_grows_and_is_capped() -> None:
    """exponential(5, 10, 2, 300) waits 10, 20, 40, 80, 160 s, never more than 300."""
    policy = RetryStrategy.exponential(max_retries=5, initial_delay=10, factor=2, max_delay=300)
    assert [policy.delay_for(n) for n in range(1, 6)] == [10, 20, 40, 80, 160]
    assert RetryStrategy.exponential(max_retries=9).delay_for(9) == 300


def test_custom_precomputes_the_delays() -> None:
    """custom() stores delay_func(1..max_retries) as explicit delays."""
    policy = RetryStrategy.custom(max_retries=3, delay_func=lambda n: n * 30)
    assert policy.delays == (30, 60, 90)
    assert type(policy) is RetryPolicy


def test_retry_on_types_become_names() -> None:
    """Builtin exceptions keep their bare name, others are qualified."""
    policy = RetryStrategy.fixed(2, 5, retry_on=(ConnectionError, AppError))
    assert policy.retry_on == ("ConnectionError", f"{__name__}.AppError")


def test_custom_should_retry_is_stored_as_the_marker() -> None:
    """A should_retry predicate is kept beside the policy; the stored policy names the marker."""
    policy = RetryStrategy.custom(2, lambda n: 1, should_retry=lambda e: True)
    plain = policy.plain()  # type: ignore[attr-defined]
    assert type(plain) is RetryPolicy
    assert plain.retry_on == (RETRYABLE_NAME,)


def test_bad_delay_func_is_reported() -> None:
    """A delay function returning a negative number names the retry."""
    with pytest.raises(ConfigError, match=r"delay_func\(2\) returned -1"):
        RetryStrategy.custom(3, lambda n: 1 if n == 1 else -1)


def test_negative_max_retries_is_a_config_error() -> None:
    """fixed(-1, ...) is refused with the field named."""
    with pytest.raises(ConfigError, match="max"):
        RetryStrategy.fixed(-1, 10)


def test_non_exception_in_retry_on_is_refused() -> None:
    """retry_on must hold exception types."""
    with pytest.raises(ConfigError, match="not an exception type"):
        RetryStrategy.fixed(1, 1, retry_on=(42,))  # type: ignore[arg-type]


def test_should_retry_wrapper_marks_accepted_exceptions() -> None:
    """The wrapper re-raises an accepted exception as RetryableError, chained to it."""

    def job() -> None:
        raise ConnectionError("down")

    wrapped = apply_should_retry(job, lambda e: isinstance(e, ConnectionError))
    with pytest.raises(RetryableError, match="ConnectionError: down") as info:
        wrapped()
    assert isinstance(info.value.__cause__, ConnectionError)


def test_should_retry_wrapper_passes_refused_exceptions_unchanged() -> None:
    """An exception the predicate refuses keeps its type, so it is not retried."""

    def job() -> None:
        raise ValueError("bad input")

    wrapped = apply_should_retry(job, lambda e: isinstance(e, ConnectionError))
    with pytest.raises(ValueError, match="bad input"):
        wrapped()


async def test_should_retry_wrapper_keeps_coroutines_and_signature() -> None:
    """An async job stays a coroutine function and keeps its parameters."""
    import inspect

    async def job(context: object, x: int = 1) -> int:
        return x

    wrapped = apply_should_retry(job, lambda e: True)
    assert inspect.iscoroutinefunction(wrapped)
    assert list(inspect.signature(wrapped).parameters) == ["context", "x"]
    assert await wrapped(None, x=3) == 3
