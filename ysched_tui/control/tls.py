"""TLS for the control API on TCP: the owner's certificate, what clients trust, and failures in
one line.

* :func:`server_context` loads ``--tls-cert``/``--tls-key`` when the daemon starts, checking
  each file on its own so that a bad one is named (a missing file, a file that holds no
  certificate, a key that does not belong to the certificate, a key protected by a passphrase).
* :func:`client_context` is what an ``https://`` client trusts: the system's certificate
  authorities (``SSL_CERT_FILE``/``SSL_CERT_DIR`` are honoured), or only ``--ca-file`` for a
  private CA or a self-signed certificate. Host names are always checked.
* :func:`tls_failure` finds the TLS error behind a failed connection and says what to do.
* :func:`is_loopback` tells whether a listen address stays on this host.
"""

from __future__ import annotations

import ipaddress
import ssl
from pathlib import Path

from ysched_tui.errors import ConfigError

ALPN = ["http/1.1"]
"""The one protocol the control API speaks."""
NAME_MISMATCH = (62, 64)
"""OpenSSL's ``X509_V_ERR_HOSTNAME_MISMATCH`` and ``X509_V_ERR_IP_ADDRESS_MISMATCH``: the
certificate was issued for another host name or address."""


class _EncryptedKey(Exception):
    """Raised by the password callback: the daemon runs unattended and cannot ask for one."""


def _no_password() -> bytes:
    raise _EncryptedKey


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this host only: ``localhost``, 127.0.0.0/8 or ``::1``."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="ascii", errors="replace")
    except OSError as exc:
        raise ConfigError(f"{what} {path}: cannot read it ({exc.strerror or exc})") from None


def _check_certificate(cert: Path) -> None:
    probe = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        probe.load_verify_locations(cadata=_read(cert, "--tls-cert"))
    except ssl.SSLError:
        raise ConfigError(f"--tls-cert {cert}: no PEM certificate in it (expected "
                          "-----BEGIN CERTIFICATE-----)") from None


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    """The owner's TLS context from a PEM certificate (chain) and its unencrypted private key.

    Raises:
        ConfigError: one line naming the flag and the file that cannot be used.
    """
    _check_certificate(cert)
    _read(key, "--tls-key")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_alpn_protocols(ALPN)
    try:
        context.load_cert_chain(cert, key, password=_no_password)
    except _EncryptedKey:
        raise ConfigError(f"--tls-key {key}: the key is protected by a passphrase; the daemon "
                          "runs unattended, so give it an unencrypted key (mode 0600)") from None
    except ssl.SSLError as exc:
        if "KEY_VALUES_MISMATCH" in str(exc):
            raise ConfigError(f"--tls-key {key} is not the private key of --tls-cert "
                              f"{cert}") from None
        raise ConfigError(f"--tls-key {key}: no PEM private key in it (expected "
                          "-----BEGIN PRIVATE KEY-----)") from None
    return context


def client_context(ca_file: Path | None = None) -> ssl.SSLContext:
    """What an ``https://`` client trusts: the system CAs, or only ``ca_file`` when given.

    Raises:
        ConfigError: ``ca_file`` cannot be read or holds no certificate (naming it).
    """
    if ca_file is None:
        context = ssl.create_default_context()
    else:
        try:
            context = ssl.create_default_context(cadata=_read(ca_file, "--ca-file"))
        except ssl.SSLError:
            raise ConfigError(f"--ca-file {ca_file}: no PEM certificate in it (expected "
                              "-----BEGIN CERTIFICATE-----)") from None
    context.set_alpn_protocols(ALPN)
    return context


def tls_failure(exc: BaseException, url: str, ca_file: Path | None) -> str | None:
    """One line for a connection that failed in TLS, naming ``url``; ``None`` if it did not."""
    error = _ssl_error(exc)
    if isinstance(error, ssl.SSLCertVerificationError):
        reason = f"certificate verify failed: {str(error.verify_message).rstrip('.')}"
        if error.verify_code in NAME_MISMATCH:
            hint = "connect with a host name or address the certificate was issued for"
        elif ca_file is not None:
            hint = f"it is not signed by the CA in --ca-file {ca_file}"
        else:
            hint = "pass --ca-file with the CA (or the self-signed certificate) that signed it"
        return f"cannot trust the owner at {url}: {reason}; {hint}"
    if error is not None:
        reason = (error.reason or str(error)).replace("_", " ").lower()
        return (f"no TLS owner answers at {url} (TLS handshake failed: {reason}); an owner "
                "started without --tls-cert speaks http://")
    return None


def _ssl_error(exc: BaseException | None) -> ssl.SSLError | None:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, ssl.SSLError):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None
