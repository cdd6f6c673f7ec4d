"""Fixtures for the TLS tests: a private CA with a certificate for 127.0.0.1, and a daemon that
serves the control API over HTTPS with it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme

from tests.unit.owner.helpers import Daemons
from tests.waiting import wait_until_sync

JOBS = """
[settings]
timezone = "UTC"

[[jobs]]
code = "chatty"
command = "echo one; sleep 0.3; echo two"
"""
TCP_URL = re.compile(r" and (https?://\S+) \(bearer token\)")


@dataclass(frozen=True)
class Pki:
    """A CA and a server certificate it signed (for 127.0.0.1 and localhost), as PEM files."""

    ca: Path
    cert: Path
    key: Path
    other_key: Path
    """A private key that belongs to no certificate here."""
    self_signed: Path
    """Another CA's certificate: trusting it must not make ours trusted."""
    other_host_cert: Path
    """Signed by ``ca`` for ``sched.example`` only (with ``other_host_key``)."""
    other_host_key: Path


@dataclass(frozen=True)
class TlsOwner:
    """A daemon serving its control API on HTTPS."""

    url: str
    db: Path
    jobs: Path
    token: Path
    pid: int
    log: Path


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """Certificates written once for the whole session."""
    folder = tmp_path_factory.mktemp("pki")
    ca, stranger = trustme.CA(), trustme.CA()
    issued = ca.issue_cert("127.0.0.1", "localhost")
    pki = Pki(ca=folder / "ca.pem", cert=folder / "cert.pem", key=folder / "key.pem",
              other_key=folder / "other-key.pem", self_signed=folder / "stranger.pem",
              other_host_cert=folder / "host-cert.pem", other_host_key=folder / "host-key.pem")
    ca.cert_pem.write_to_path(str(pki.ca))
    for i, blob in enumerate(issued.cert_chain_pems):
        blob.write_to_path(str(pki.cert), append=i > 0)
    issued.private_key_pem.write_to_path(str(pki.key))
    stranger.issue_cert("127.0.0.1").private_key_pem.write_to_path(str(pki.other_key))
    stranger.cert_pem.write_to_path(str(pki.self_signed))
    elsewhere = ca.issue_cert("sched.example")
    elsewhere.cert_chain_pems[0].write_to_path(str(pki.other_host_cert))
    elsewhere.private_key_pem.write_to_path(str(pki.other_host_key))
    return pki


def write_jobs(folder: Path) -> tuple[Path, Path]:
    """A jobs file in ``folder``; returns ``(db, jobs)``."""
    jobs = folder / "jobs.toml"
    jobs.write_text(JOBS)
    return folder / "t.db", jobs


def tcp_url(daemons: Daemons, index: int) -> str:
    """The TCP URL daemon ``index`` logged once it owns its database."""
    found = wait_until_sync(lambda: TCP_URL.search(daemons.log(index)), timeout=15)
    return found.group(1)


@pytest.fixture(scope="module")
def tls_owner(tmp_path_factory: pytest.TempPathFactory, pki: Pki) -> Iterator[TlsOwner]:
    """One HTTPS daemon shared by a module's tests (starting one takes about a second)."""
    folder = tmp_path_factory.mktemp("owner")
    db, jobs = write_jobs(folder)
    daemons = Daemons(folder)
    proc = daemons.start(db, jobs, "--listen", "127.0.0.1:0",
                         "--tls-cert", str(pki.cert), "--tls-key", str(pki.key))
    try:
        url = tcp_url(daemons, 0)
        yield TlsOwner(url=url, db=db, jobs=jobs, token=Path(f"{db}.token"), pid=proc.pid,
                       log=folder / "daemon0.log")
    finally:
        daemons.kill_all()
