"""JobBuilder chains, Job/HttpJob classes and HTTP jobs declare the same core specs."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from ysched_tui import (
    ConfigError,
    HttpJob,
    Job,
    JobBuilder,
    JobContext,
    RetryStrategy,
    Scheduler,
    cron,
    interval,
)
from ysched_tui.core.models import HttpTarget, JobSpec, PythonTarget


def only(scheduler: Scheduler) -> JobSpec:
    specs, _ = scheduler.collect_jobs()
    assert len(specs) == 1
    return specs[0]


async def send_notification(context: JobContext) -> None:
    """Send the daily notice."""


def test_builder_chain_sets_every_option() -> None:
    """Every builder method lands on the spec declared by add_job(built)."""
    built = (
        JobBuilder(send_notification)
        .code("NOTIFY_DAILY")
        .name("Daily notice")
        .description("Every morning at nine")
        .trigger(cron("0 9 * * *"))
        .concurrent(False)
        .retry(RetryStrategy.exponential(max_retries=5))
        .timeout(60)
        .tags("notify")
        .build()
    )
    scheduler = Scheduler()
    scheduler.add_job(built)
    spec = only(scheduler)
    assert (spec.code, spec.name, spec.description) == (
        "NOTIFY_DAILY", "Daily notice", "Every morning at nine")
    assert spec.triggers == (cron("0 9 * * *"),)
    assert (spec.concurrency, spec.timeout, spec.tags) == ("skip", 60, ("notify",))
    assert spec.retries == RetryStrategy.exponential(max_retries=5)


def test_builder_id_alias_and_single_retry_options() -> None:
    """.id() sets the code; max_retries/retry_delay/retry_backoff/retry_on build a policy."""
    built = (JobBuilder(send_notification).id("daily_report").triggers(
        [cron("0 2 * * *"), interval(hours=12)]).max_retries(3).retry_delay(60)
        .retry_backoff(2).retry_on(ConnectionError, TimeoutError).enabled(False).build())
    scheduler = Scheduler()
    scheduler.add_job(built)
    spec = only(scheduler)
    assert spec.code == "daily_report" and len(spec.triggers) == 2 and not spec.enabled
    assert spec.retries.max == 3 and spec.retries.delay_for(2) == 120
    assert spec.retries.retry_on == ("ConnectionError", "TimeoutError")


def test_builder_build_checks_the_whole_job() -> None:
    """build() reports a bad option with the job code."""
    with pytest.raises(ConfigError, match="job 'x y'"):
        JobBuilder(send_notification).code("x y").build()


def test_add_job_refuses_options_beside_a_built_job() -> None:
    """A built job is configured in the builder only."""
    scheduler = Scheduler()
    built = JobBuilder(send_notification).build()
    with pytest.raises(ConfigError, match="in the builder"):
        scheduler.add_job(built, timeout=5)


def test_builder_callbacks_are_job_listeners() -> None:
    """on_success/on_failure must be callable."""
    scheduler = Scheduler()
    with pytest.raises(ConfigError, match="callback must be callable"):
        scheduler.add_job(JobBuilder(send_notification).on_success("nope").build())  # type: ignore[arg-type]


class ReportJob(Job):
    """Daily report job."""

    code = "REPORT_DAILY_SALES"
    name = "Daily sales"
    trigger = cron("0 2 * * *")
    concurrent = False
    max_retries = 3

    async def execute(self, context: JobContext) -> dict[str, Any]:
        return {"records": 100, "code": context.job_code}


def test_job_class_declares_from_class_attributes() -> None:
    """A Job subclass's attributes become the spec; its docstring the description."""
    scheduler = Scheduler()
    scheduler.add_job_class(ReportJob)
    spec = only(scheduler)
    assert (spec.code, spec.name, spec.description) == (
        "REPORT_DAILY_SALES", "Daily sales", "Daily report job.")
    assert spec.triggers == (cron("0 2 * * *"),)
    assert spec.retries.max == 3 and spec.concurrency == "skip"


async def test_job_class_runner_calls_execute_on_a_fresh_instance() -> None:
    """The registered callable runs execute(context) and takes a JobContext."""
    scheduler = Scheduler()
    scheduler.add_job_class(ReportJob)
    specs, callables = scheduler.collect_jobs()
    target = specs[0].target
    assert isinstance(target, PythonTarget)
    runner = callables[target.ref]
    assert target.ref.endswith(":ReportJob.execute@REPORT_DAILY_SALES")
    from datetime import UTC, datetime

    context = JobContext(job_id="1", job_code="REPORT_DAILY_SALES", job_name="x", run_id="r",
                         start_time=datetime.now(UTC))
    assert await runner(context) == {  # type: ignore[misc]
        "records": 100, "code": "REPORT_DAILY_SALES"}


def test_job_class_code_defaults_to_class_name_and_triggers_combine() -> None:
    """Without code the class name is used; trigger and triggers are joined."""

    class Cleanup(Job):
        trigger = cron("0 3 * * *")
        triggers: ClassVar = [interval(hours=1)]

        def execute(self, context: JobContext) -> None:
            pass

    scheduler = Scheduler()
    scheduler.add_job_class(Cleanup)
    spec = only(scheduler)
    assert spec.code == "Cleanup" and len(spec.triggers) == 2 and spec.description == ""


def test_job_class_without_execute_is_refused() -> None:
    """A Job subclass must override execute."""

    class Empty(Job):
        pass

    with pytest.raises(ConfigError, match="override 'async def execute"):
        Scheduler().add_job_class(Empty)


def test_add_job_class_refuses_non_job_classes() -> None:
    """Only Job/HttpJob subclasses are accepted."""
    with pytest.raises(ConfigError, match="subclass of Job or HttpJob"):
        Scheduler().add_job_class(dict)  # type: ignore[arg-type]


def test_decorator_on_a_job_class_adds_its_trigger() -> None:
    """@scheduler.cron on a Job subclass declares the class with that trigger added."""
    scheduler = Scheduler()

    @scheduler.cron("0 6 * * *")
    class Morning(Job):
        async def execute(self, context: JobContext) -> None:
            pass

    assert only(scheduler).triggers == (cron("0 6 * * *"),)


class WebhookJob(HttpJob):
    """Call the webhook."""

    trigger = cron("0 * * * *")
    url = "http://127.0.0.1:8080/webhook"
    method = "post"
    headers: ClassVar = {"Authorization": "Bearer ${TOKEN}"}
    json: ClassVar = {"action": "sync"}
    timeout = 15
    max_retries = 3


def test_http_job_class_becomes_an_http_target() -> None:
    """HttpJob attributes describe the request; timeout bounds request and run."""
    scheduler = Scheduler()
    scheduler.add_job_class(WebhookJob)
    specs, callables = scheduler.collect_jobs()
    spec = specs[0]
    assert callables == {}
    assert spec.target == HttpTarget.model_validate({
        "url": "http://127.0.0.1:8080/webhook", "method": "POST",
        "headers": {"Authorization": "Bearer ${TOKEN}"}, "json": {"action": "sync"},
        "timeout": 15, "retry_on_codes": (500, 502, 503, 504),
    })
    assert spec.timeout == 15 and spec.retries.max == 3


def test_http_job_with_build_request_is_refused_with_the_reason() -> None:
    """Per-run request building is not supported, and the message says what to do."""

    class Dynamic(HttpJob):
        url = "http://127.0.0.1/x"

        def build_request(self, context: JobContext) -> dict[str, Any]:
            return {}

    with pytest.raises(ConfigError, match=r"build_request.*not supported.*subclass Job"):
        Scheduler().add_job_class(Dynamic)


def test_add_http_job_declares_the_request() -> None:
    """add_http_job keeps method, headers, json, codes and needs a code."""
    scheduler = Scheduler()
    scheduler.add_http_job("http://127.0.0.1:9/sync", "POST", json={"a": 1},
                           success_codes=[200, 201], retry_on_codes=[503],
                           trigger=interval(minutes=30), code="sync_api", max_retries=2)
    spec = only(scheduler)
    assert isinstance(spec.target, HttpTarget)
    assert (spec.target.method, spec.target.json_body) == ("POST", {"a": 1})
    assert (spec.target.success_codes, spec.target.retry_on_codes) == ((200, 201), (503,))
    with pytest.raises(ConfigError, match="pass code="):
        scheduler.add_http_job("http://127.0.0.1:9/x")
    with pytest.raises(ConfigError, match="url must start with http"):
        scheduler.add_http_job("ftp://x", code="f")
