"""The bearer token TCP clients must present: created once, stored with mode 0600.

The owner creates the token at its first start and keeps it beside the database; a client on
another host gets a copy (``--token-file``). The file is never readable by others: it is
written to a private temporary file and linked into place, so no reader ever sees it partly
written or with a wider mode, and two owners racing to create it agree on one token.
"""

from __future__ import annotations

import contextlib
import hmac
import os
import secrets
import stat
from pathlib import Path

from ysched_tui.errors import ConfigError

TOKEN_BYTES = 32
"""Random bytes in a token (``secrets.token_urlsafe``: 43 characters)."""


def load_or_create_token(path: Path | str) -> str:
    """The token stored at ``path``; creates it (mode 0600) when the file does not exist.

    Raises:
        ConfigError: the file is open to other users, empty, or cannot be read or written.
    """
    path = Path(path)
    if not path.exists():
        _create(path, secrets.token_urlsafe(TOKEN_BYTES))
    return read_token(path, private=True)


def read_token(path: Path | str, *, private: bool = False) -> str:
    """Read a token file (``--token-file``): its first line, stripped.

    Args:
        path: the file.
        private: refuse a file that group or others may read (the owner's own token file).

    Raises:
        ConfigError: naming the file: missing, unreadable, empty, or (``private``) too open.
    """
    path = Path(path)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read token file {path}: {exc}") from None
    if private and mode & 0o077:
        raise ConfigError(f"token file {path} is readable by other users (mode {mode:o}); "
                          f"run: chmod 600 {path}")
    token = text.strip().splitlines()[0].strip() if text.strip() else ""
    if not token:
        raise ConfigError(f"token file {path} is empty")
    return token


def check_token(given: str | None, expected: str) -> bool:
    """Whether ``given`` is the token, compared in constant time."""
    if given is None:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def _create(path: Path, token: str) -> None:
    """Write ``token`` to a private temp file and link it to ``path`` (no clobber)."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(token + "\n")
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):  # another owner won the race: use its token
            os.link(tmp, path)
    except OSError as exc:
        raise ConfigError(f"cannot create token file {path}: {exc}") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
