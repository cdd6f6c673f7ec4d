"""Where the owner's files live, and the token file's secrecy."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from ysched_tui.control.paths import (
    SOCKET_PATH_MAX,
    control_paths,
    ensure_socket_dir,
    runtime_dir,
)
from ysched_tui.control.tokens import check_token, load_or_create_token, read_token
from ysched_tui.errors import ConfigError


def test_paths_sit_beside_the_database(tmp_path: Path) -> None:
    """lock, socket and token are <db>.lock/.sock/.token next to the resolved file."""
    paths = control_paths(str(tmp_path / "t.db"))
    db = (tmp_path / "t.db").resolve()
    assert paths.db == db
    assert (paths.lock, paths.socket, paths.token) == (
        db.with_name("t.db.lock"), db.with_name("t.db.sock"), db.with_name("t.db.token"))


def test_sqlite_urls_and_symlinks_name_the_same_file(tmp_path: Path) -> None:
    """A sqlite URL or a symlink to the database gives the same paths as the plain path."""
    plain = control_paths(str(tmp_path / "t.db"))
    assert control_paths(f"sqlite+aiosqlite:///{tmp_path}/t.db") == plain
    assert control_paths(f"sqlite:///{tmp_path}/t.db") == plain
    (tmp_path / "t.db").touch()
    (tmp_path / "link.db").symlink_to(tmp_path / "t.db")
    assert control_paths(str(tmp_path / "link.db")) == plain
    with pytest.raises(ConfigError, match="only SQLite"):
        control_paths("postgresql://host/db")
    with pytest.raises(ConfigError, match="not memory"):
        control_paths("sqlite:///:memory:")


def test_long_socket_path_falls_back_to_a_hashed_runtime_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A socket path over sun_path's limit moves to $XDG_RUNTIME_DIR, named by a hash."""
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    paths = control_paths(str(deep / "t.db"))
    assert len(os.fsencode(paths.db.with_name("t.db.sock"))) > SOCKET_PATH_MAX
    assert paths.socket.parent == tmp_path / "run" / "ysched-tui"
    assert paths.socket.name.endswith(".sock") and len(paths.socket.name) == 29
    assert paths.lock.parent == deep.resolve()
    assert control_paths(str(deep / "t.db")).socket == paths.socket
    assert control_paths(str(deep / "u.db")).socket != paths.socket
    (tmp_path / "run").mkdir()
    ensure_socket_dir(paths.socket)
    assert stat.S_IMODE(paths.socket.parent.stat().st_mode) == 0o700


def test_without_xdg_runtime_dir_the_fallback_is_per_user_in_tmp(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without $XDG_RUNTIME_DIR the hashed sockets go to a per-user folder in the temp dir."""
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    assert runtime_dir().name == f"ysched-tui-{os.getuid()}"


def test_open_socket_folder_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fallback socket folder others may enter is refused, not used."""
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    folder = runtime_dir()
    folder.mkdir(mode=0o777)
    folder.chmod(0o777)
    with pytest.raises(ConfigError, match="open to other users"):
        ensure_socket_dir(folder / "x.sock")


def test_token_file_is_created_0600_and_reused(tmp_path: Path) -> None:
    """The token is created once with mode 0600 and read back unchanged."""
    old = os.umask(0)
    try:
        token = load_or_create_token(tmp_path / "t.db.token")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "t.db.token").stat().st_mode) == 0o600
    assert len(token) >= 43
    assert load_or_create_token(tmp_path / "t.db.token") == token
    assert [p.name for p in tmp_path.iterdir()] == ["t.db.token"]


def test_racing_creators_agree_on_one_token(tmp_path: Path) -> None:
    """Owners creating the token at once all end up with the same one."""
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(
        load_or_create_token(tmp_path / "tok"))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1 and len(results) == 8


def test_readable_or_empty_token_files_are_refused(tmp_path: Path) -> None:
    """A token file others can read, or an empty one, is a ConfigError naming the file."""
    path = tmp_path / "tok"
    path.write_text("secret\n")
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="readable by other users"):
        load_or_create_token(path)
    assert read_token(path) == "secret"
    path.write_text("\n")
    with pytest.raises(ConfigError, match="is empty"):
        read_token(path)
    with pytest.raises(ConfigError, match="cannot read token file"):
        read_token(tmp_path / "missing")


def test_check_token() -> None:
    """Only the exact token passes."""
    assert check_token("abc", "abc")
    assert not check_token("abd", "abc")
    assert not check_token(None, "abc")
    assert not check_token("", "abc")
    assert not check_token("é", "abc")
