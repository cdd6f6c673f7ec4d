"""A cache of parsed jobs files, so a restart does not parse and validate 10,000 jobs again.

Parsing a 10,000-job TOML file takes ~0.25 s and turning its tables into validated job specs
~0.4 s more, on every start, for a file that rarely changes. This cache keeps, per jobs file, the
parsed document and the specs read from it, keyed by a hash of the file's bytes: any change to
the content is a miss, and touching the file without changing it is still a hit. The specs are
also keyed by what else they were read with — the file's path as given, the discovered scripts —
and everything is tied to a fingerprint of the code that produced it (this package's config and
core modules, Python and pydantic), so an upgrade or an edited reader never serves stale specs.

Entries live in the user cache folder (``platformdirs``), one file per jobs file, written
atomically; a checksum guards the payload. An unreadable, corrupt, foreign or stale entry is
ignored and rewritten; a folder that cannot be written only means no cache. Small files (under
:data:`CACHE_MIN_BYTES`) are never cached: they parse in milliseconds anyway.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs
import pydantic

from ysched_tui.config.spec_codec import decode_specs, encode_specs, spec_fingerprint
from ysched_tui.core.models import JobSpec

CACHE_MIN_BYTES = 64 * 1024
"""Jobs files smaller than this are parsed every time (a few ms) and never cached."""

MAX_ENTRIES = 64
"""At most this many cache files are kept; the least recently written go first."""

MAX_BYTES = 64 * 1024 * 1024
"""And at most this many bytes of them (an entry for 10,000 jobs takes ~3 MB)."""

FORMAT = 2
"""Bumped whenever the layout of an entry changes."""

_MAGIC = b"YSCHEDPC"
_SUFFIX = ".cache"


def cache_dir() -> Path:
    """The folder holding the entries (``$XDG_CACHE_HOME/ysched-tui/parsed`` on Linux)."""
    return Path(platformdirs.user_cache_dir("ysched-tui")) / "parsed"


def content_digest(raw: bytes) -> str:
    """The hash a jobs file's entry is keyed by (~1 ms per MB)."""
    return hashlib.blake2b(raw, digest_size=20).hexdigest()


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Hold the cyclic garbage collector while tens of thousands of objects are built.

    Building 10,000 specs allocates ~100,000 objects and none of them is garbage; left on, the
    collector walks the growing heap again and again (about half the time of the load).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass
class _Entry:
    """One jobs file's cached content, as loaded from or written to disk."""

    path: str
    digest: str
    doc: dict[str, Any]
    specs: dict[str, bytes] = field(default_factory=dict)
    """Pickled :func:`encode_specs` data, by :func:`specs_key`."""


_loaded: dict[str, _Entry] = {}
"""Entries read or written by this process, by resolved path."""


def cached_document(path: Path, digest: str) -> dict[str, Any] | None:
    """The parsed document stored for ``path`` when its content still hashes to ``digest``."""
    entry = _entry(path, digest)
    return None if entry is None else entry.doc


def store_document(path: Path, digest: str, size: int, doc: dict[str, Any]) -> None:
    """Remember the parsed document of ``path`` (files under :data:`CACHE_MIN_BYTES` excepted)."""
    if size < CACHE_MIN_BYTES:
        return
    entry = _Entry(path=_key_path(path), digest=digest, doc=doc)
    _loaded[entry.path] = entry
    _write(entry)


def specs_key(path: Path, scripts: Mapping[str, JobSpec]) -> str:
    """What, besides the content, the specs of a file depend on: the path as given (it becomes
    ``source_file``) and the scripts that ``script = "name"`` entries refer to."""
    scripts_repr = repr(sorted(scripts.items()))
    return hashlib.blake2b(f"{path}\0{scripts_repr}".encode(), digest_size=20).hexdigest()


def cached_specs(
    path: Path, digest: str, key: str
) -> tuple[list[JobSpec], list[str | None]] | None:
    """The specs stored for this content and ``key`` with their fingerprints (one each, see
    :func:`~ysched_tui.config.spec_codec.spec_fingerprint`), or ``None`` (a miss, for any
    reason)."""
    entry = _entry(path, digest)
    blob = None if entry is None else entry.specs.get(key)
    if blob is None:
        return None
    try:
        with paused_gc():
            data, fingerprints = pickle.loads(blob)
            specs = decode_specs(data)
            if len(fingerprints) != len(specs):
                return None
            return specs, list(fingerprints)
    except Exception:  # stale classes or damaged data: read the file instead
        return None


def store_specs(
    path: Path, digest: str, key: str, specs: Sequence[JobSpec]
) -> list[str | None] | None:
    """Remember the specs read from ``path`` (only when its document is cached).

    Returns:
        The fingerprint of each spec as stored with it, or ``None`` when nothing was stored.
    """
    entry = _entry(path, digest)
    if entry is None:
        return None
    try:
        with paused_gc():
            fingerprints = [spec_fingerprint(spec) for spec in specs]
            data = (encode_specs(specs), fingerprints)
            blob = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # a value the codec or pickle cannot hold: no cache for this file
        return None
    entry.specs = {key: blob}
    _write(entry)
    return fingerprints


def _key_path(path: Path) -> str:
    return str(path.resolve())


def _entry(path: Path, digest: str) -> _Entry | None:
    resolved = _key_path(path)
    entry = _loaded.get(resolved)
    if entry is None or entry.digest != digest:
        entry = _read(resolved)
        if entry is None:
            return None
        _loaded[resolved] = entry
    return entry if entry.digest == digest else None


def _file_for(resolved: str) -> Path:
    return cache_dir() / (hashlib.blake2b(resolved.encode(), digest_size=16).hexdigest() + _SUFFIX)


def _read(resolved: str) -> _Entry | None:
    try:
        raw = _file_for(resolved).read_bytes()
    except OSError:
        return None
    header = len(_MAGIC) + 32
    if raw[: len(_MAGIC)] != _MAGIC or len(raw) < header:
        return None
    payload = memoryview(raw)[header:]
    if hashlib.blake2b(payload, digest_size=32).digest() != raw[len(_MAGIC):header]:
        return None
    try:
        with paused_gc():
            stored = pickle.loads(payload)
        if stored["format"] != FORMAT or stored["code"] != code_fingerprint():
            return None
        entry = _Entry(path=stored["path"], digest=stored["digest"], doc=stored["doc"],
                       specs=dict(stored["specs"]))
    except Exception:
        return None
    return entry if entry.path == resolved and isinstance(entry.doc, dict) else None


def _write(entry: _Entry) -> None:
    stored = {"format": FORMAT, "code": code_fingerprint(), "path": entry.path,
              "digest": entry.digest, "doc": entry.doc, "specs": entry.specs}
    try:
        payload = pickle.dumps(stored, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # a TOML value pickle cannot hold
        return
    checksum = hashlib.blake2b(payload, digest_size=32).digest()
    folder = cache_dir()
    target = _file_for(entry.path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(_MAGIC + checksum)
                f.write(payload)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        _prune(folder)
    except OSError:  # read-only or full: run without a cache
        return


def _prune(folder: Path) -> None:
    """Keep the most recently written entries within :data:`MAX_ENTRIES` and
    :data:`MAX_BYTES` (the newest is always kept)."""
    entries = []
    for path in folder.glob("*" + _SUFFIX):
        with contextlib.suppress(OSError):
            stat = path.stat()
            entries.append((stat.st_mtime_ns, stat.st_size, path))
    entries.sort(reverse=True)
    total = 0
    for kept, (_, size, path) in enumerate(entries):
        total += size
        if kept and (kept >= MAX_ENTRIES or total > MAX_BYTES):
            with contextlib.suppress(OSError):
                path.unlink()


@functools.cache
def code_fingerprint() -> str:
    """Identifies the code that parsed and validated: Python, pydantic and the modules of
    ``ysched_tui.config`` and ``ysched_tui.core`` (name, size and mtime of each)."""
    package = Path(__file__).resolve().parent.parent
    parts = [sys.version, pydantic.VERSION, str(FORMAT)]
    for folder in ("config", "core"):
        for source in sorted((package / folder).glob("*.py")):
            with contextlib.suppress(OSError):
                stat = source.stat()
                parts.append(f"{folder}/{source.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.blake2b("\n".join(parts).encode(), digest_size=20).hexdigest()


def forget() -> None:
    """Drop the entries this process holds in memory (the files stay): after a start, and for
    tests."""
    _loaded.clear()
