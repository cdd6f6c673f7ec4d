"""In-process owners with TLS: the console's way in (global options -> settings ->
open_service) over https with live events, https to a plain port, and what counts as loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from tests.unit.engine.conftest import EventLog, command_job, make_settings
from tests.unit.tls.conftest import Pki
from ysched_tui.cli import build_parser
from ysched_tui.cli.common import settings_from
from ysched_tui.cli.control import connect_options
from ysched_tui.control.tls import is_loopback, server_context
from ysched_tui.core.events import RunFinished, RunOutput
from ysched_tui.engine import Engine
from ysched_tui.errors import NotOwner
from ysched_tui.owner.assembly import build_engine
from ysched_tui.owner.connect import Session, become_owner, open_service
from ysched_tui.owner.lock import try_lock
from ysched_tui.settings import Settings


def _engine(settings: Settings) -> Engine:
    return build_engine(settings, specs=[command_job("hello", "echo one; sleep 0.2; echo two")])


@asynccontextmanager
async def owner(folder: Path, tls_files: tuple[Path, Path] | None) -> AsyncIterator[Session]:
    """This process owns a database in ``folder``, serving 127.0.0.1:0 (HTTPS with
    ``tls_files``: the certificate and its key)."""
    folder.mkdir()
    settings = make_settings(folder)
    lock = try_lock(settings.db)
    assert lock is not None
    tls = server_context(*tls_files) if tls_files else None
    session = await become_owner(settings, lock, listen="127.0.0.1:0", tls=tls,
                                 engine_factory=_engine)
    try:
        yield session
    finally:
        await session.close(grace=0)


def console_args(url: str, token: Path, ca: Path, db: Path) -> list[str]:
    """The console's command line: global options and no subcommand."""
    return ["--db", str(db), "--connect", url, "--token-file", str(token), "--ca-file", str(ca)]


async def test_console_options_reach_an_https_owner(pki: Pki, tmp_path: Path) -> None:
    """`ysched-tui --connect https://... --token-file F --ca-file C` (the console) opens a remote
    session whose live events arrive over TLS, as the CLI's do."""
    async with owner(tmp_path / "owner", (pki.cert, pki.key)) as owned:
        assert owned.server is not None and owned.server.tcp_url is not None
        url = owned.server.tcp_url
        assert url.startswith("https://127.0.0.1:")
        token = Path(owned.db + ".token")
        args = build_parser().parse_args(console_args(url, token, pki.ca, tmp_path / "c.db"))
        assert getattr(args, "func", None) is None  # no subcommand: the console
        settings = settings_from(args)
        assert settings.ca_file == pki.ca
        connect, token_file = connect_options(args)
        session = await open_service(settings, connect=connect, token_file=token_file,
                                     via="console", defer_server=True)
        try:
            assert session.role == "remote"
            assert (await session.service.status()).state == "attached"
            log = EventLog()
            session.service.subscribe(log)
            run_id = await session.service.trigger("hello")
            out = await log.wait_for(lambda e: isinstance(e, RunOutput) and e.run_id == run_id)
            assert [line.text for line in out[0].lines][:1] == ["one"]  # type: ignore[attr-defined]
            await log.wait_for(lambda e: isinstance(e, RunFinished) and e.run.run_id == run_id)
        finally:
            await session.close()


async def test_https_to_a_plain_port_says_so(tmp_path: Path) -> None:
    """https:// to an owner serving plain HTTP fails in one line naming the URL and http://."""
    async with owner(tmp_path / "owner", None) as owned:
        assert owned.server is not None and owned.server.tcp_url is not None
        url = owned.server.tcp_url.replace("http://", "https://")
        settings = make_settings(tmp_path)
        with pytest.raises(NotOwner) as caught:
            await open_service(settings, connect=url, token_file=Path(owned.db + ".token"))
    message = str(caught.value)
    assert "\n" not in message and url in message
    assert "TLS handshake failed" in message and "http://" in message


async def test_hostname_mismatch_is_explained(pki: Pki, tmp_path: Path) -> None:
    """A certificate that does not name the host connected to: verify failed, and why."""
    async with owner(tmp_path / "owner", (pki.other_host_cert, pki.other_host_key)) as owned:
        assert owned.server is not None and owned.server.tcp_url is not None
        url = owned.server.tcp_url
        settings = make_settings(tmp_path, ca_file=pki.ca)
        with pytest.raises(NotOwner) as caught:
            await open_service(settings, connect=url, token_file=Path(owned.db + ".token"))
    message = str(caught.value)
    assert "\n" not in message and url in message
    assert "certificate verify failed" in message and "host name" in message


LOOPBACK: list[tuple[str, bool]] = [
    ("127.0.0.1", True), ("127.4.5.6", True), ("::1", True), ("[::1]", True),
    ("localhost", True), ("LocalHost.", True), ("0.0.0.0", False), ("::", False),
    ("10.1.2.3", False), ("192.168.1.10", False), ("sched.example.com", False),
]


@pytest.mark.parametrize(("host", "expected"), LOOPBACK)
def test_what_counts_as_loopback(host: str, expected: bool) -> None:
    """Only 127.0.0.0/8, ::1 and localhost stay on this host (no clear-text warning)."""
    check: Callable[[str], bool] = is_loopback
    assert check(host) is expected
