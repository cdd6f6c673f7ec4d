"""``/metrics``: the scheduler's figures in the Prometheus text exposition format (0.0.4).

A :class:`MetricsCollector` subscribes to the service's events when the app is created and
counts from then on (counters start at zero with the process, as Prometheus expects); gauges
come from ``service.status()`` at scrape time.

* ``ysched_runs_total{job,status}`` counter — runs that ended (and missed fires), by outcome.
* ``ysched_run_duration_seconds{job}`` histogram — durations of runs that executed.
* ``ysched_missed_total{job}`` counter — fires recorded as missed.
* ``ysched_running`` gauge — runs executing now.
* ``ysched_scheduler_lag_seconds`` gauge — how late the last scheduled run started after its
  fire time (absent until a scheduled run has started).
* ``ysched_jobs{state}`` gauge — active and paused jobs.
* ``ysched_failures_24h`` gauge — failed runs in the last 24 hours.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field

from ysched_tui.core.events import Event, RunFinished, RunMissed, RunStarted
from ysched_tui.core.models import RunStatus, SchedulerStatus, TriggerType

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
"""The media type of the text exposition format."""

BUCKETS: tuple[float, ...] = (0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0)
"""Upper bounds (seconds) of the duration histogram's buckets; ``+Inf`` is added."""

_NOT_EXECUTED = (RunStatus.SKIPPED, RunStatus.MISSED)


@dataclass
class _Histogram:
    counts: list[int] = field(default_factory=lambda: [0] * len(BUCKETS))
    total: int = 0
    sum: float = 0.0

    def observe(self, value: float) -> None:
        index = bisect_left(BUCKETS, value)
        if index < len(BUCKETS):
            self.counts[index] += 1
        self.total += 1
        self.sum += value


class MetricsCollector:
    """Counts runs from events; call it as a service listener, render it on scrape."""

    def __init__(self) -> None:
        self.runs: Counter[tuple[str, str]] = Counter()
        self.missed: Counter[str] = Counter()
        self.durations: dict[str, _Histogram] = {}
        self.lag: float | None = None

    def __call__(self, event: Event) -> None:
        """Record one event (a listener: cheap and never raising)."""
        if isinstance(event, RunFinished | RunMissed):
            run = event.run
            self.runs[run.job_code, run.status.value] += 1
            if isinstance(event, RunMissed) or run.status is RunStatus.MISSED:
                self.missed[run.job_code] += 1
            elif run.duration_ms is not None and run.status not in _NOT_EXECUTED:
                hist = self.durations.setdefault(run.job_code, _Histogram())
                hist.observe(run.duration_ms / 1000)
        elif isinstance(event, RunStarted):
            run = event.run
            if (run.trigger_type is TriggerType.SCHEDULED and run.scheduled_time is not None
                    and run.start_time is not None):
                self.lag = max(0.0, (run.start_time - run.scheduled_time).total_seconds())

    def render(self, status: SchedulerStatus) -> str:
        """The exposition text: every metric with its HELP and TYPE lines."""
        out: list[str] = []
        _header(out, "ysched_runs_total", "counter", "Runs that ended, by job and outcome.")
        for (job, st), n in sorted(self.runs.items()):
            out.append(_sample("ysched_runs_total", {"job": job, "status": st}, n))
        _header(out, "ysched_run_duration_seconds", "histogram", "Duration of executed runs.")
        for job, hist in sorted(self.durations.items()):
            _histogram(out, job, hist)
        _header(out, "ysched_missed_total", "counter", "Fires recorded as missed, by job.")
        for job, n in sorted(self.missed.items()):
            out.append(_sample("ysched_missed_total", {"job": job}, n))
        _header(out, "ysched_running", "gauge", "Runs executing now.")
        out.append(_sample("ysched_running", {}, status.running_now))
        _header(out, "ysched_scheduler_lag_seconds", "gauge",
                "Seconds the last scheduled run started after its fire time.")
        if self.lag is not None:
            out.append(_sample("ysched_scheduler_lag_seconds", {}, self.lag))
        _header(out, "ysched_jobs", "gauge", "Jobs by state.")
        out.append(_sample("ysched_jobs", {"state": "active"}, status.jobs_active))
        out.append(_sample("ysched_jobs", {"state": "paused"}, status.jobs_paused))
        _header(out, "ysched_failures_24h", "gauge", "Failed runs in the last 24 hours.")
        out.append(_sample("ysched_failures_24h", {}, status.failures_24h))
        return "\n".join(out) + "\n"


def _header(out: list[str], name: str, kind: str, help_text: str) -> None:
    out.append(f"# HELP {name} {_escape_help(help_text)}")
    out.append(f"# TYPE {name} {kind}")


def _histogram(out: list[str], job: str, hist: _Histogram) -> None:
    name = "ysched_run_duration_seconds"
    cumulative = 0
    for bound, count in zip(BUCKETS, hist.counts, strict=True):
        cumulative += count
        out.append(_sample(name + "_bucket", {"job": job, "le": _number(bound)}, cumulative))
    out.append(_sample(name + "_bucket", {"job": job, "le": "+Inf"}, hist.total))
    out.append(_sample(name + "_sum", {"job": job}, hist.sum))
    out.append(_sample(name + "_count", {"job": job}, hist.total))


def _sample(name: str, labels: dict[str, str], value: float) -> str:
    if not labels:
        return f"{name} {_number(value)}"
    inner = ",".join(f'{k}="{_escape_label(v)}"' for k, v in labels.items())
    return f"{name}{{{inner}}} {_number(value)}"


def _number(value: float) -> str:
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value))


def _escape_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _escape_help(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n")
