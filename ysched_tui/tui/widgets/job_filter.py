"""The jobs filter language typed after ``/``: words that must all match.

- ``tag:x`` — the job has tag ``x``;
- ``status:failed`` — its last run failed (failed, timeout or interrupted); ``status:<word>``
  otherwise matches the last run's status (``status:success``) or the job's state
  (``status:running``, ``status:paused``, ``status:disabled``, ``status:manual``);
- ``paused``, ``running``, ``disabled`` alone — the job's state;
- anything else — a case-insensitive substring of the code, name, description or a tag.
"""

from __future__ import annotations

from ysched_tui.core.models import JobView

STATE_WORDS = frozenset({"paused", "running", "disabled", "active", "manual"})
"""Bare words that mean a job state rather than text."""


def _status_matches(job: JobView, word: str) -> bool:
    last = job.state.last_status
    if word == "failed":
        return last is not None and last.is_failure
    if word in STATE_WORDS:
        return job.status_word == word or (word == "paused" and job.state.paused)
    return last is not None and last.value == word


def _term_matches(job: JobView, term: str) -> bool:
    if term.startswith("tag:"):
        return term[4:] in {t.lower() for t in job.spec.tags}
    if term.startswith("status:"):
        return _status_matches(job, term[7:])
    if term in STATE_WORDS:
        return _status_matches(job, term)
    haystack = " ".join((job.code, job.spec.name, job.spec.description, *job.spec.tags))
    return term in haystack.lower()


def job_matches(job: JobView, query: str) -> bool:
    """Whether ``job`` passes every word of ``query`` (an empty query passes all jobs)."""
    return all(_term_matches(job, term) for term in query.lower().split())
