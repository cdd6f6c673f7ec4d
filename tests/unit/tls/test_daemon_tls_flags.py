"""``daemon --tls-cert/--tls-key``: both or neither, only with --listen, files checked before
anything starts; and the warning for a clear-text API beyond loopback."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from tests.unit.owner.helpers import Daemons
from tests.unit.tls.conftest import Pki, write_jobs
from tests.waiting import wait_until_sync
from ysched_tui.cli import main
from ysched_tui.settings import load_settings


def daemon(folder: Path, *args: str) -> list[str]:
    """``ysched-tui daemon`` on a fresh database in ``folder``."""
    db, jobs = write_jobs(folder)
    return ["--db", str(db), "--jobs", str(jobs), "daemon", *args]


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    """The single line the command printed on stderr."""
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    return err.strip()


def nothing_started(folder: Path) -> bool:
    """No database, lock, socket or token was created next to the jobs file."""
    return sorted(p.name for p in folder.iterdir()) == ["jobs.toml"]


@pytest.mark.parametrize("flag", ["--tls-cert", "--tls-key"])
def test_tls_flags_need_listen(
    flag: str, pki: Pki, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A TLS flag without --listen is a usage error naming the flag and --listen."""
    assert main(daemon(tmp_path, flag, str(pki.cert))) == 2
    err = one_line_error(capsys)
    assert f"{flag}: only with --listen" in err
    assert nothing_started(tmp_path)


@pytest.mark.parametrize(("given", "missing"), [("--tls-cert", "--tls-key"),
                                                ("--tls-key", "--tls-cert")])
def test_half_the_flags_names_the_missing_one(
    given: str, missing: str, pki: Pki, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A certificate without its key, or a key without its certificate, exits 2 naming the
    missing flag; nothing starts."""
    assert main(daemon(tmp_path, "--listen", "127.0.0.1:0", given, str(pki.cert))) == 2
    assert f"{given} needs {missing} FILE" in one_line_error(capsys)
    assert nothing_started(tmp_path)


def test_half_the_settings_names_the_missing_one(
    pki: Pki, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """YSCHED_TLS_CERT without YSCHED_TLS_KEY is refused like the flags, naming the setting."""
    monkeypatch.setenv("YSCHED_TLS_CERT", str(pki.cert))
    assert main(daemon(tmp_path, "--listen", "127.0.0.1:0")) == 2
    assert "YSCHED_TLS_KEY" in one_line_error(capsys)
    assert nothing_started(tmp_path)


def _encrypted_key(pki: Pki, folder: Path) -> Path:
    key = serialization.load_pem_private_key(pki.key.read_bytes(), None)
    path = folder.parent / f"{folder.name}-encrypted-key.pem"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.BestAvailableEncryption(b"secret")))
    return path


@pytest.mark.parametrize("case", ["missing cert", "cert is a key", "key is a cert",
                                  "key of another cert", "encrypted key"])
def test_unusable_files_are_named(
    case: str, pki: Pki, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A TLS file that cannot be used: one line naming the flag and the file, exit 2, and the
    daemon starts nothing (no lock, socket, token or database)."""
    cert, key = pki.cert, pki.key
    if case == "missing cert":
        cert = tmp_path.parent / "no-such-cert.pem"
    elif case == "cert is a key":
        cert = pki.key
    elif case == "key is a cert":
        key = pki.cert
    elif case == "key of another cert":
        key = pki.other_key
    else:
        key = _encrypted_key(pki, tmp_path)
    args = daemon(tmp_path, "--listen", "127.0.0.1:0", "--tls-cert", str(cert),
                  "--tls-key", str(key))
    assert main(args) == 2
    err = one_line_error(capsys)
    named = {"missing cert": f"--tls-cert {cert}: cannot read it",
             "cert is a key": f"--tls-cert {cert}: no PEM certificate",
             "key is a cert": f"--tls-key {key}: no PEM private key",
             "key of another cert": f"--tls-key {key} is not the private key of --tls-cert",
             "encrypted key": f"--tls-key {key}: the key is protected by a passphrase"}
    assert named[case] in err
    assert nothing_started(tmp_path)


def test_tls_paths_in_the_jobs_file_are_read_beside_it(tmp_path: Path) -> None:
    """[settings] tls_cert/tls_key/ca_file given relative are read against the jobs file's
    folder, as db and scripts_dir are."""
    jobs = tmp_path / "conf" / "jobs.toml"
    jobs.parent.mkdir()
    jobs.write_text('[settings]\ntls_cert = "tls/cert.pem"\ntls_key = "tls/key.pem"\n'
                    'ca_file = "ca.pem"\n')
    settings = load_settings(jobs_file=jobs)
    assert settings.tls_cert == jobs.parent / "tls" / "cert.pem"
    assert settings.tls_key == jobs.parent / "tls" / "key.pem"
    assert settings.ca_file == jobs.parent / "ca.pem"


def test_clear_text_beyond_loopback_warns_once(pki: Pki, tmp_path: Path) -> None:
    """Plain HTTP on 0.0.0.0 logs one WARNING (token and data unencrypted; TLS flags or an SSH
    tunnel); loopback plain HTTP and 0.0.0.0 with TLS log none."""
    daemons = Daemons(tmp_path)
    cases = {"any-plain": ["--listen", "0.0.0.0:0"],
             "loopback-plain": ["--listen", "127.0.0.1:0"],
             "any-tls": ["--listen", "0.0.0.0:0", "--tls-cert", str(pki.cert),
                         "--tls-key", str(pki.key)]}
    try:
        for name, args in cases.items():
            folder = tmp_path / name
            folder.mkdir()
            daemons.start(*write_jobs(folder), "--paused", *args)
        logs = wait_until_sync(lambda: _when_all_own(daemons, len(cases)), timeout=20)
    finally:
        daemons.kill_all()
    warned, loopback, tls = logs
    warnings = [line for line in warned.splitlines() if " WARNING " in line]
    assert len(warnings) == 1
    assert "http://0.0.0.0:" in warnings[0] and "unencrypted" in warnings[0]
    assert "--tls-cert/--tls-key" in warnings[0] and "ssh -L" in warnings[0]
    assert " WARNING " not in loopback and " WARNING " not in tls
    assert "and https://0.0.0.0:" in tls


def _when_all_own(daemons: Daemons, count: int) -> list[str] | None:
    logs = [daemons.log(i) for i in range(count)]
    return logs if all("owner of" in log for log in logs) else None
