"""Command jobs' process set-up: the run's YSCHED_* variables, a crontab's standard input, and
running as another user (root only; never silently as the wrong one)."""

from __future__ import annotations

import os
import pwd

import pytest

from tests.unit.jobs.conftest import make_request
from ysched_tui.core.models import CommandTarget, RunStatus
from ysched_tui.jobs import execute

ROOT = os.geteuid() == 0


async def _run(sink, client, **target):
    request = make_request(CommandTarget(**target))
    return await execute(request, sink, http=client, callables={})


async def test_the_run_is_named_in_the_environment(sink, client):
    """YSCHED_JOB_CODE/RUN_ID/ATTEMPT/TRIGGER are set, and win over a same-named job env."""
    outcome = await _run(sink, client, env={"YSCHED_RUN_ID": "forged", "OTHER": "kept"},
                         command='echo "$YSCHED_JOB_CODE $YSCHED_RUN_ID $YSCHED_ATTEMPT '
                                 '$YSCHED_TRIGGER [$YSCHED_SCHEDULED_TIME] $OTHER"')
    assert outcome.status is RunStatus.SUCCESS
    assert sink.texts() == ["job1 run_20260101_000000_abcdef 1 manual [] kept"]


async def test_stdin_text_is_fed_then_closed(sink, client):
    """A crontab's % text reaches the command's stdin, which then ends (cat returns)."""
    outcome = await _run(sink, client, command="cat; echo done", stdin="Dear team,\n50% off\n")
    assert outcome.status is RunStatus.SUCCESS
    assert sink.texts() == ["Dear team,", "50% off", "done"]


async def test_a_command_that_ignores_its_stdin_is_not_an_error(sink, client):
    """Input the command never reads (a large text, then exit) does not fail or hang the run."""
    outcome = await _run(sink, client, command="exit 0", stdin="x" * 1_000_000)
    assert outcome.status is RunStatus.SUCCESS


async def test_without_stdin_the_command_reads_nothing(sink, client):
    """No stdin text: the command's stdin is /dev/null (cat ends at once with nothing)."""
    outcome = await _run(sink, client, command="cat; echo end")
    assert outcome.status is RunStatus.SUCCESS and sink.texts() == ["end"]


async def test_an_unknown_user_fails_the_run_naming_it(sink, client):
    """A user that does not exist fails the run, not retryable, naming the user."""
    outcome = await _run(sink, client, command="true", user="no-such-user-xyz")
    assert outcome.status is RunStatus.FAILED and outcome.retryable is False
    assert outcome.error == "cannot run as user 'no-such-user-xyz': no such user on this host"


async def test_own_user_runs_as_usual(sink, client):
    """Naming the scheduler's own user needs no privilege."""
    me = pwd.getpwuid(os.geteuid()).pw_name
    outcome = await _run(sink, client, command="id -un", user=me)
    assert outcome.status is RunStatus.SUCCESS and sink.texts() == [me]


@pytest.mark.skipif(not ROOT, reason="switching users needs root")
async def test_root_runs_the_command_as_the_user_with_its_home(sink, client):
    """As root, the command runs as the user, with HOME/USER/LOGNAME and its home as cwd."""
    nobody = pwd.getpwnam("nobody")
    outcome = await _run(sink, client, user="nobody",
                         command='id -un; echo "$HOME $USER $LOGNAME"; pwd')
    assert outcome.status is RunStatus.SUCCESS, outcome.error
    assert sink.texts() == ["nobody", f"{nobody.pw_dir} nobody nobody",
                            nobody.pw_dir if os.path.isdir(nobody.pw_dir) else "/"]


@pytest.mark.skipif(ROOT, reason="as root the switch is allowed")
async def test_without_root_another_user_is_refused(sink, client):
    """Not root: naming another user fails the run saying only root can do that."""
    outcome = await _run(sink, client, command="true", user="root")
    assert outcome.status is RunStatus.FAILED
    assert "only root can start commands as another user" in (outcome.error or "")
