"""Retry strategies of the Python API (``RetryStrategy``) as core retry policies.

``RetryStrategy.fixed/exponential/custom`` return a :class:`~ysched_tui.core.models.RetryPolicy`,
the plain data the engine applies to every job kind. ``retry_on`` exception types become names
(``ConnectionError``, ``package.module.MyError``) because a policy is stored as JSON.

A ``should_retry`` predicate is code, so it cannot live in a stored policy. ``custom`` returns a
:class:`CustomRetryPolicy` carrying it; the :class:`~ysched_tui.api.scheduler.Scheduler` then
stores a plain policy with ``retry_on = (RETRYABLE_NAME,)`` and registers the job's callable
wrapped by :func:`apply_should_retry`: an exception the predicate accepts is re-raised as
:class:`RetryableError` (chained to the original, so the stored traceback shows it), any other
exception is re-raised unchanged and therefore not retried. The engine needs nothing new. As the
predicate alone decides, a run stopped by its timeout is not retried for such a job.
"""

from __future__ import annotations

import builtins
import functools
import inspect
from collections.abc import Callable, Iterable
from typing import Any

from pydantic import PrivateAttr

from ysched_tui.core.models import RetryPolicy
from ysched_tui.errors import ConfigError

__all__ = [
    "RETRYABLE_NAME",
    "CustomRetryPolicy",
    "RetryStrategy",
    "RetryableError",
    "ShouldRetry",
    "apply_should_retry",
    "exception_names",
]

ShouldRetry = Callable[[BaseException], bool]
"""Decides whether a job's exception deserves a retry."""

ExceptionSpec = type[BaseException] | str
"""An exception type, or its name as the engine matches it (bare or ``module.Qualname``)."""


class RetryableError(Exception):
    """Raised in place of an exception that a ``should_retry`` predicate accepted."""

    def __init__(self, original: BaseException) -> None:
        self.original = original
        super().__init__(f"{type(original).__name__}: {original}")


RETRYABLE_NAME = f"{RetryableError.__module__}.{RetryableError.__qualname__}"
"""The ``retry_on`` name stored for jobs whose retries are decided by a predicate."""


class CustomRetryPolicy(RetryPolicy):
    """A :class:`RetryPolicy` that also carries a ``should_retry`` predicate (not stored)."""

    _should_retry: ShouldRetry | None = PrivateAttr(default=None)

    @property
    def should_retry(self) -> ShouldRetry | None:
        """The predicate given to :meth:`RetryStrategy.custom`."""
        return self._should_retry

    def plain(self) -> RetryPolicy:
        """The storable policy: the predicate is replaced by the ``RetryableError`` marker."""
        data = self.model_dump()
        if self._should_retry is not None:
            data["retry_on"] = (RETRYABLE_NAME,)
        return RetryPolicy(**data)


def exception_names(types: Iterable[ExceptionSpec], where: str = "retry_on") -> tuple[str, ...]:
    """Names of exception types as the engine matches them: bare for builtins, else qualified.

    Raises:
        ConfigError: an item is neither an exception type nor a non-empty name.
    """
    names: list[str] = []
    for item in types:
        if isinstance(item, str) and item.strip():
            names.append(item.strip())
        elif isinstance(item, type) and issubclass(item, BaseException):
            builtin = getattr(builtins, item.__name__, None) is item
            names.append(item.__qualname__ if builtin else f"{item.__module__}.{item.__qualname__}")
        else:
            raise ConfigError(f"{where}: {item!r} is not an exception type such as ConnectionError")
    return tuple(names)


def _policy(where: str, **fields: Any) -> RetryPolicy:
    try:
        return RetryPolicy(**fields)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise ConfigError(f"{where}: {_first_error(exc)}") from None


def _first_error(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        loc = ".".join(str(p) for p in first.get("loc", ()))
        return f"{loc}: {first.get('msg', exc)}" if loc else str(first.get("msg", exc))
    return str(exc)


class RetryStrategy:
    """Factories for retry policies: fixed, exponential and custom delays."""

    @staticmethod
    def fixed(
        max_retries: int, delay: float, *, retry_on: Iterable[ExceptionSpec] = ()
    ) -> RetryPolicy:
        """Retry up to ``max_retries`` times, ``delay`` seconds apart."""
        return _policy(
            "RetryStrategy.fixed", max=max_retries, delay=delay, backoff=1.0,
            retry_on=exception_names(retry_on),
        )

    @staticmethod
    def exponential(
        max_retries: int = 5,
        initial_delay: float = 10,
        factor: float = 2,
        max_delay: float | None = 300,
        *,
        retry_on: Iterable[ExceptionSpec] = (),
    ) -> RetryPolicy:
        """Retry with delays ``initial_delay * factor**(n-1)``, capped at ``max_delay``."""
        return _policy(
            "RetryStrategy.exponential", max=max_retries, delay=initial_delay, backoff=factor,
            max_delay=max_delay, retry_on=exception_names(retry_on),
        )

    @staticmethod
    def custom(
        max_retries: int,
        delay_func: Callable[[int], float],
        should_retry: ShouldRetry | None = None,
        *,
        retry_on: Iterable[ExceptionSpec] = (),
    ) -> RetryPolicy:
        """Retry with ``delay_func(n)`` seconds before retry ``n`` (1-based).

        The delays are computed now, for retries 1..``max_retries``. ``should_retry`` decides per
        exception (see the module docstring for how it reaches the engine).

        Raises:
            ConfigError: ``delay_func`` fails or returns a negative or non-numeric delay.
        """
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ConfigError(f"RetryStrategy.custom: max_retries must be an integer >= 0, "
                              f"got {max_retries!r}")
        delays = tuple(_delay(delay_func, n) for n in range(1, max_retries + 1))
        fields: dict[str, Any] = {
            "max": max_retries, "delays": delays or None, "retry_on": exception_names(retry_on),
        }
        if should_retry is None:
            return _policy("RetryStrategy.custom", **fields)
        if not callable(should_retry):
            raise ConfigError(f"RetryStrategy.custom: should_retry must be callable, "
                              f"got {should_retry!r}")
        policy = CustomRetryPolicy(**fields)
        policy._should_retry = should_retry
        return policy


def _delay(delay_func: Callable[[int], float], n: int) -> float:
    try:
        value = delay_func(n)
    except Exception as exc:
        raise ConfigError(f"RetryStrategy.custom: delay_func({n}) raised {exc!r}") from exc
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(
            f"RetryStrategy.custom: delay_func({n}) returned {value!r}; expected seconds >= 0"
        )
    return float(value)


def _matches(exc: BaseException, names: tuple[str, ...]) -> bool:
    if not names:
        return True
    for cls in type(exc).__mro__:
        if cls.__qualname__ in names or f"{cls.__module__}.{cls.__qualname__}" in names:
            return True
    return False


def apply_should_retry(
    func: Callable[..., Any], should_retry: ShouldRetry, retry_on: tuple[str, ...] = ()
) -> Callable[..., Any]:
    """Wrap ``func`` so that exceptions worth a retry surface as :class:`RetryableError`.

    An exception is worth a retry when it matches ``retry_on`` (if any names are given) and
    ``should_retry`` returns true for it. The wrapper keeps ``func``'s signature (so a
    ``JobContext`` parameter is still injected) and stays a coroutine function if ``func`` is one.
    """

    def judge(exc: Exception) -> BaseException:
        try:
            retry = _matches(exc, retry_on) and bool(should_retry(exc))
        except Exception:
            retry = False
        return RetryableError(exc) if retry else exc

    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def run_async(*args: Any, **kwargs: Any) -> Any:
            try:
                return await func(*args, **kwargs)
            except Exception as exc:
                outcome = judge(exc)
                if outcome is exc:
                    raise
                raise outcome from exc

        return run_async

    @functools.wraps(func)
    def run_sync(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except Exception as exc:
            outcome = judge(exc)
            if outcome is exc:
                raise
            raise outcome from exc

    return run_sync
