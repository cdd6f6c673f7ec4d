"""Declaring jobs with the Scheduler's decorators and add_job: one JobSpec per job."""

from __future__ import annotations

from typing import Any

import pytest

from ysched_tui import (
    ConfigError,
    CronError,
    JobContext,
    RetryPolicy,
    RetryStrategy,
    Scheduler,
    cron,
    interval,
    once,
)
from ysched_tui.core.models import CatchUp, JobSource, JobSpec, PythonTarget


def only(scheduler: Scheduler) -> JobSpec:
    specs, _ = scheduler.collect_jobs()
    assert len(specs) == 1
    return specs[0]


def report() -> str:
    """Build the daily report.

    It covers yesterday's sales.
    """
    return "ok"


def test_decorator_code_defaults_to_function_name() -> None:
    """@scheduler.cron declares an api job whose code is the function's name."""
    scheduler = Scheduler()

    @scheduler.cron("0 8 * * *")
    async def daily_report() -> None:
        """Generate the report."""

    spec = only(scheduler)
    assert spec.code == "daily_report"
    assert spec.source is JobSource.API
    assert spec.description == "Generate the report."
    assert spec.triggers == (cron("0 8 * * *"),)
    assert spec.source_file == __file__


def test_decorator_returns_the_function_unchanged() -> None:
    """Decorating keeps the function callable as before."""
    scheduler = Scheduler()
    assert scheduler.interval(minutes=1)(report) is report
    assert report() == "ok"


def test_stacked_decorators_make_one_job_with_triggers_in_source_order() -> None:
    """Several @scheduler.cron on one function are one job with several triggers."""
    scheduler = Scheduler()

    @scheduler.cron("0 9 * * *")
    @scheduler.cron("0 14 * * *", name="Reminder")
    @scheduler.interval(hours=6)
    async def send_reminder() -> None:
        pass

    spec = only(scheduler)
    assert spec.triggers == (cron("0 9 * * *"), cron("0 14 * * *"), interval(hours=6))
    assert spec.name == "Reminder"


def test_stacked_decorators_take_the_code_from_any_of_them() -> None:
    """The code may sit on the top decorator; the job is still one job with that code."""
    scheduler = Scheduler()

    @scheduler.cron("0 9 * * *", code="REMIND")
    @scheduler.cron("0 18 * * *")
    def remind() -> None:
        pass

    spec = only(scheduler)
    assert spec.code == "REMIND" and len(spec.triggers) == 2


def test_stacked_decorators_with_two_codes_make_two_jobs() -> None:
    """Different explicit codes on one function declare two jobs."""
    scheduler = Scheduler()
    scheduler.cron("0 9 * * *", code="A")(report)
    scheduler.cron("0 18 * * *", code="B")(report)
    specs, callables = scheduler.collect_jobs()
    assert [s.code for s in specs] == ["A", "B"]
    assert list(callables.values()) == [report]


def test_stacked_decorators_with_conflicting_options_are_refused() -> None:
    """An option given twice with different values names the option."""
    scheduler = Scheduler()
    with pytest.raises(ConfigError, match="'timeout' is given twice"):

        @scheduler.cron("0 9 * * *", timeout=10)
        @scheduler.cron("0 14 * * *", timeout=20)
        def job() -> None:
            pass


def test_job_decorator_with_triggers_list_and_id_alias() -> None:
    """@scheduler.job(triggers=[...], id=...) takes id as the code."""
    scheduler = Scheduler()

    @scheduler.job(triggers=[cron("0 9 * * *"), cron("0 18 * * *")], id="send_reminder",
                   name="Reminder")
    async def remind() -> None:
        pass

    spec = only(scheduler)
    assert (spec.code, spec.name, len(spec.triggers)) == ("send_reminder", "Reminder", 2)


def test_job_decorator_without_trigger_is_manual() -> None:
    """A job with no trigger is manual-only (empty triggers)."""
    scheduler = Scheduler()
    scheduler.job(code="by_hand")(report)
    assert only(scheduler).triggers == ()


def test_options_map_onto_the_core_model() -> None:
    """Seed option names become concurrency, catch_up, misfire_grace, retries, timeout."""
    scheduler = Scheduler()
    scheduler.once("2026-01-22 10:00:00", code="A", concurrent=False, coalesce=True,
                   misfire_grace_time=30, timeout=5, max_retries=3, retry_delay=60,
                   retry_backoff=2, retry_on=[ConnectionError], tags=["reports"],
                   enabled=False)(report)
    spec = only(scheduler)
    assert spec.triggers == (once("2026-01-22 10:00:00"),)
    assert spec.concurrency == "skip"
    assert spec.catch_up is CatchUp.ONCE
    assert (spec.misfire_grace, spec.timeout, spec.enabled) == (30, 5, False)
    assert spec.tags == ("reports",)
    assert spec.retries == RetryPolicy(max=3, delay=60, backoff=2, retry_on=("ConnectionError",))


@pytest.mark.parametrize(
    ("options", "concurrency"),
    [({"max_instances": 3}, 3), ({"concurrent": True}, 10), ({"concurrency": "queue"}, "queue")],
)
def test_concurrency_options(options: dict[str, Any], concurrency: object) -> None:
    """max_instances=N allows N; concurrent=True allows 10; concurrency= passes through."""
    scheduler = Scheduler()
    scheduler.interval(seconds=5, **options)(report)
    assert only(scheduler).concurrency == concurrency


def test_coalesce_false_catches_up_all() -> None:
    """coalesce=False runs every missed fire."""
    scheduler = Scheduler()
    scheduler.interval(seconds=5, coalesce=False)(report)
    assert only(scheduler).catch_up is CatchUp.ALL


def test_retry_strategy_and_single_retry_options_are_exclusive() -> None:
    """retry= together with max_retries= is refused, naming both."""
    scheduler = Scheduler()
    with pytest.raises(ConfigError, match=r"retry=RetryStrategy\.\.\. or max_retries"):
        scheduler.interval(seconds=5, retry=RetryStrategy.fixed(1, 1), max_retries=2)(report)


def test_retry_strategy_is_stored_on_the_spec() -> None:
    """retry=RetryStrategy.exponential(...) becomes the job's retry policy."""
    scheduler = Scheduler()
    scheduler.cron("0 2 * * *", retry=RetryStrategy.exponential(max_retries=5))(report)
    assert only(scheduler).retries == RetryStrategy.exponential(max_retries=5)


def test_unknown_option_is_named_with_the_valid_ones() -> None:
    """A misspelt option is a ConfigError naming it."""
    scheduler = Scheduler()
    with pytest.raises(ConfigError, match=r"unknown option 'retries'.*max_retries"):
        scheduler.interval(seconds=5, retries=3)  # type: ignore[call-arg]


def test_bad_code_is_reported_with_the_field() -> None:
    """A code with spaces names the job and the field."""
    scheduler = Scheduler()
    with pytest.raises(ConfigError, match="job 'bad code': field 'code'"):
        scheduler.interval(seconds=5, code="bad code")(report)


def test_bad_cron_in_decorator_raises_cron_error() -> None:
    """A bad expression in @scheduler.cron is a CronError before any job is declared."""
    scheduler = Scheduler()
    with pytest.raises(CronError):
        scheduler.cron("61 * * * *")
    assert scheduler.collect_jobs() == ([], {})


def test_duplicate_code_needs_replace_existing() -> None:
    """add_job with a taken code is refused unless replace_existing=True."""
    scheduler = Scheduler()
    scheduler.add_job(report, cron("0 8 * * *"), code="R")
    with pytest.raises(ConfigError, match="'R' is already declared"):
        scheduler.add_job(report, cron("0 9 * * *"), code="R")
    scheduler.add_job(report, cron("0 9 * * *"), code="R", replace_existing=True)
    assert only(scheduler).triggers == (cron("0 9 * * *"),)


def test_add_job_args_kwargs_and_trigger_list() -> None:
    """add_job stores args/kwargs on the Python target and accepts triggers=[...]."""
    scheduler = Scheduler()

    def process_user(user_id: int, action: str) -> None:
        pass

    scheduler.add_job(process_user, triggers=[interval(minutes=10), cron("0 0 * * *")],
                      code="P", args=[123], kwargs={"action": "sync"})
    target = only(scheduler).target
    assert isinstance(target, PythonTarget)
    assert (target.args, target.kwargs) == ((123,), {"action": "sync"})


def test_args_must_be_json() -> None:
    """Arguments are stored, so an object that is not JSON-able is refused."""
    scheduler = Scheduler()
    with pytest.raises(ConfigError, match="JSON-able"):
        scheduler.add_job(report, code="J", args=[object()])


def test_a_cron_string_as_trigger_gets_a_hint() -> None:
    """Passing '0 8 * * *' instead of cron('0 8 * * *') says what to write."""
    scheduler = Scheduler()
    with pytest.raises(ConfigError, match=r"write cron\('0 8 \* \* \*'\)"):
        scheduler.add_job(report, trigger="0 8 * * *", code="X")  # type: ignore[arg-type]


def test_lambda_needs_a_code() -> None:
    """A lambda has no name to use as a code."""
    scheduler = Scheduler()
    with pytest.raises(ConfigError, match="pass code="):
        scheduler.add_job(lambda: None, interval(seconds=1))


def test_collect_jobs_refs_are_importable_for_module_functions() -> None:
    """A module-level function's ref is module:qualname and maps to the function."""
    scheduler = Scheduler()
    scheduler.add_job(report, interval(seconds=5))
    specs, callables = scheduler.collect_jobs()
    ref = f"{__name__}:report"
    assert specs[0].target == PythonTarget(ref=ref)
    assert callables == {ref: report}


def test_collect_jobs_refs_of_closures_are_unique_per_code() -> None:
    """Closures sharing a qualname get refs suffixed with their code."""
    scheduler = Scheduler()
    for user in (1, 2):

        async def reminder(context: JobContext) -> None:
            pass

        scheduler.add_job(reminder, cron("0 9 * * *"), code=f"REMINDER_USER_{user}")
    specs, callables = scheduler.collect_jobs()
    refs = [s.target.ref for s in specs]  # type: ignore[union-attr]
    assert refs[0].endswith("reminder@REMINDER_USER_1")
    assert refs[1].endswith("reminder@REMINDER_USER_2")
    assert set(callables) == set(refs)
    assert callables[refs[0]] is not callables[refs[1]]


def test_should_retry_registers_a_wrapped_callable() -> None:
    """A custom should_retry wraps the registered callable and marks the stored policy."""
    scheduler = Scheduler()
    strategy = RetryStrategy.custom(2, lambda n: 5, should_retry=lambda e: True)
    scheduler.add_job(report, interval(seconds=5), retry=strategy)
    specs, callables = scheduler.collect_jobs()
    (ref, func), = callables.items()
    assert ref == f"{__name__}:report@report"
    assert func is not report and func() == "ok"
    assert specs[0].retries.retry_on == ("ysched_tui.api.retry.RetryableError",)


def test_settings_are_not_built_until_used() -> None:
    """Declaring jobs never reads settings; a bad override surfaces when settings are used."""
    scheduler = Scheduler(retention_days=0)
    scheduler.add_job(report, interval(seconds=5))
    with pytest.raises(ConfigError, match="retention_days"):
        _ = scheduler.settings
