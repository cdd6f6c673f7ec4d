"""The CLI against a daemon serving HTTPS: it works with the CA that signed the certificate,
refuses (in one line) a certificate it cannot verify, and the token is still required."""

from __future__ import annotations

import json
import re
import ssl
from pathlib import Path

import httpx
import pytest

from tests.unit.tls.conftest import Pki, TlsOwner
from ysched_tui.cli import main

RUN_ID = re.compile(r"^run_\d{8}_\d{6}_[0-9a-f]{6}$")


def remote(owner: TlsOwner, *args: str, url: str | None = None,
           token: Path | None = None) -> list[str]:
    """A command line for ``owner`` from a process with no local database of its own."""
    elsewhere = owner.db.with_name("elsewhere.db")
    return ["--db", str(elsewhere), "--connect", url or owner.url,
            "--token-file", str(token or owner.token), *args]


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    """The error the command printed, checked to be one line and no traceback."""
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    return err.strip()


def test_the_daemon_says_https(tls_owner: TlsOwner) -> None:
    """With --tls-cert/--tls-key the daemon announces its TCP API as https://HOST:PORT."""
    assert tls_owner.url.startswith("https://127.0.0.1:")
    assert "WARNING" not in tls_owner.log.read_text()


def test_status_trigger_and_follow_with_the_ca(
    tls_owner: TlsOwner, pki: Pki, capsys: pytest.CaptureFixture[str]
) -> None:
    """--ca-file with the signing CA: status, trigger and a logs --follow stream all work."""
    ca = ["--ca-file", str(pki.ca)]
    assert main(remote(tls_owner, *ca, "status", "--json")) == 0
    assert json.loads(capsys.readouterr().out)["owner_pid"] == tls_owner.pid
    assert main(remote(tls_owner, *ca, "trigger", "chatty")) == 0
    run_id = capsys.readouterr().out.strip()
    assert RUN_ID.match(run_id)
    assert main(remote(tls_owner, *ca, "logs", run_id, "--follow")) == 0
    assert capsys.readouterr().out.splitlines() == ["one", "two"]


def test_ca_file_from_the_environment(
    tls_owner: TlsOwner, pki: Pki, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """YSCHED_CA_FILE does what --ca-file does."""
    monkeypatch.setenv("YSCHED_CA_FILE", str(pki.ca))
    assert main(remote(tls_owner, "status")) == 0
    assert "state     running" in capsys.readouterr().out


def test_without_the_ca_one_line_and_exit_1(
    tls_owner: TlsOwner, capsys: pytest.CaptureFixture[str]
) -> None:
    """The system CAs do not know a private CA: one line naming the URL and --ca-file, exit 1."""
    assert main(remote(tls_owner, "status")) == 1
    err = one_line_error(capsys)
    assert tls_owner.url in err
    assert "certificate verify failed" in err and "pass --ca-file" in err


def test_the_wrong_ca_is_named(
    tls_owner: TlsOwner, pki: Pki, capsys: pytest.CaptureFixture[str]
) -> None:
    """Trusting another CA does not make the certificate trusted; the message names the file."""
    assert main(remote(tls_owner, "--ca-file", str(pki.self_signed), "trigger", "chatty")) == 1
    err = one_line_error(capsys)
    assert "certificate verify failed" in err and str(pki.self_signed) in err


def test_an_unusable_ca_file_is_a_config_error(
    tls_owner: TlsOwner, pki: Pki, capsys: pytest.CaptureFixture[str]
) -> None:
    """A --ca-file that is missing or holds no certificate: one line naming it, exit 2."""
    assert main(remote(tls_owner, "--ca-file", str(pki.key), "status")) == 2
    assert f"--ca-file {pki.key}: no PEM certificate" in one_line_error(capsys)
    missing = pki.ca.with_name("missing.pem")
    assert main(remote(tls_owner, "--ca-file", str(missing), "status")) == 2
    assert f"--ca-file {missing}: cannot read it" in one_line_error(capsys)


def test_a_wrong_token_is_still_refused(
    tls_owner: TlsOwner, pki: Pki, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Over HTTPS a wrong bearer token gets 401, and the CLI says the token was refused."""
    context = ssl.create_default_context(cafile=str(pki.ca))
    with httpx.Client(verify=context) as http:
        wrong = http.get(f"{tls_owner.url}/api/v1/status",
                         headers={"Authorization": "Bearer not-the-token"})
        right = http.get(f"{tls_owner.url}/api/v1/status",
                         headers={"Authorization": f"Bearer {tls_owner.token.read_text().strip()}"})
    assert (wrong.status_code, right.status_code) == (401, 200)
    bad = tmp_path / "bad.token"
    bad.write_text("not-the-token\n")
    assert main(remote(tls_owner, "--ca-file", str(pki.ca), "status", token=bad)) == 2
    assert "token" in one_line_error(capsys)


def test_plain_http_to_the_tls_port(
    tls_owner: TlsOwner, capsys: pytest.CaptureFixture[str]
) -> None:
    """http:// to a port that speaks TLS fails in one line that points at https://."""
    plain = tls_owner.url.replace("https://", "http://")
    assert main(remote(tls_owner, "status", url=plain)) == 1
    err = one_line_error(capsys)
    assert plain in err and "https://" in err
    assert "Traceback" not in tls_owner.log.read_text()
