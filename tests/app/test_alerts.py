"""Run alerts: a few toasts at once, the rest summed up in one toast when the window ends; the
bell follows the toasts; successes never alert."""

from __future__ import annotations

from collections.abc import Callable

from ysched_tui.core.models import RunRecord, RunStatus
from ysched_tui.tui.alerts import BURST, WINDOW, Alerts


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def run(code: str, status: RunStatus) -> RunRecord:
    return RunRecord(run_id=f"run_{code}", job_code=code, job_id=code, status=status,
                     error="exit 3" if status is RunStatus.FAILED else None)


def make() -> tuple[Alerts, list[tuple[str, str]], list[int], list[Callable[[], None]], Clock]:
    toasts: list[tuple[str, str]] = []
    bells: list[int] = []
    timers: list[Callable[[], None]] = []
    clock = Clock()
    alerts = Alerts(lambda text, severity: toasts.append((text, severity)),
                    lambda: bells.append(1),
                    lambda delay, callback: timers.append(callback), clock)
    return alerts, toasts, bells, timers, clock


def test_a_flood_of_failures_gives_a_few_toasts_and_one_summary() -> None:
    """500 failures in a second: BURST toasts, then one 'N more alerts' toast at window end."""
    alerts, toasts, bells, timers, clock = make()
    for i in range(500):
        alerts.run_alert("finished", run(f"job{i}", RunStatus.FAILED))
    assert toasts == [(f"job{i} failed: exit 3", "error") for i in range(BURST)]
    assert len(timers) == 1 and len(bells) == BURST
    clock.now += WINDOW
    timers[0]()
    assert toasts[-1] == (f"{500 - BURST} more alerts (failed, timed out or missed runs): "
                          "F shows the recent failures", "error")
    assert alerts.held == 0 and len(bells) == BURST + 1


def test_alerts_spread_out_in_time_are_all_shown() -> None:
    """One failure every two seconds is never held back; missed fires warn; successes are quiet."""
    alerts, toasts, _bells, timers, clock = make()
    for i in range(10):
        alerts.run_alert("finished", run(f"job{i}", RunStatus.TIMEOUT))
        clock.now += 2
    alerts.run_alert("missed", run("nightly", RunStatus.MISSED))
    alerts.run_alert("finished", run("fine", RunStatus.SUCCESS))
    assert len(toasts) == 11 and not timers
    assert toasts[-1] == ("nightly: a fire was missed", "warning")
