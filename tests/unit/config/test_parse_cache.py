"""The parse cache: a restart reuses the specs of an unchanged jobs file, and only then."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ysched_tui.config import load_all, parse_cache, toml_jobs
from ysched_tui.config.toml_text import forget_parsed
from ysched_tui.core.models import JobSpec
from ysched_tui.errors import JobsFileError
from ysched_tui.settings import load_settings


@pytest.fixture(autouse=True)
def cache_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """A private cache folder, every file cached, and no parse remembered across tests."""
    home = tmp_path / "xdg-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.setattr(parse_cache, "CACHE_MIN_BYTES", 0)
    forget_parsed()
    yield home
    forget_parsed()


@pytest.fixture
def table_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the times the [[jobs]] tables are read (the work a cache hit saves)."""
    calls: list[int] = []
    real = toml_jobs._read_tables

    def counting(tables: list[Any], *args: Any) -> None:
        calls.append(len(tables))
        real(tables, *args)

    monkeypatch.setattr(toml_jobs, "_read_tables", counting)
    return calls


def jobs_text(count: int, command: str = "echo") -> str:
    """A jobs file with ``count`` cron jobs and a [settings] table."""
    parts = ['[settings]\ntimezone = "Europe/Berlin"\nretention_days = 12\n']
    for i in range(count):
        parts.append(
            f'[[jobs]]\ncode = "job_{i}"\nname = "Job {i}"\ncron = "{i % 60} * * * *"\n'
            f'command = "{command} {i}"\nretries = {{ max = 2, delay = "5s" }}\n'
        )
    return "\n".join(parts)


def write_jobs(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "jobs.toml"
    path.write_text(text, encoding="utf-8")
    return path


def load(path: Path) -> list[JobSpec]:
    """The specs as a fresh process would load them (nothing remembered in memory)."""
    forget_parsed()
    specs, _ = load_all(load_settings(jobs_file=path))
    return specs


def test_restart_reuses_the_specs_of_an_unchanged_file(
    tmp_path: Path, table_reads: list[int]
) -> None:
    """A second load of the same content reads no table and gives equal specs."""
    path = write_jobs(tmp_path, jobs_text(30))
    first = load(path)
    second = load(path)
    assert table_reads == [30]
    assert second == first
    assert [s.model_fields_set for s in second] == [s.model_fields_set for s in first]
    assert [s.source_line for s in second] == [s.source_line for s in first]


def test_touching_without_a_change_is_still_a_hit(tmp_path: Path, table_reads: list[int]) -> None:
    """A new mtime with the same bytes reuses the cache."""
    path = write_jobs(tmp_path, jobs_text(5))
    load(path)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    load(path)
    assert table_reads == [5]


def test_a_change_of_same_size_and_mtime_is_read_again(
    tmp_path: Path, table_reads: list[int]
) -> None:
    """The key is the content hash: an edit keeping size and mtime still gives the new specs."""
    path = write_jobs(tmp_path, jobs_text(5, command="echo"))
    stat = path.stat()
    load(path)
    path.write_text(jobs_text(5, command="ecxo"), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    specs = load(path)
    assert table_reads == [5, 5]
    assert specs[0].target.command == "ecxo 0"  # type: ignore[union-attr]


def test_settings_come_from_the_cached_document(tmp_path: Path) -> None:
    """The [settings] table read from the cache is the file's."""
    path = write_jobs(tmp_path, jobs_text(3))
    load(path)
    forget_parsed()
    settings = load_settings(jobs_file=path)
    assert (settings.timezone, settings.retention_days) == ("Europe/Berlin", 12)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "flipped"])
def test_a_damaged_cache_is_ignored_and_rewritten(
    tmp_path: Path, cache_home: Path, table_reads: list[int], damage: str
) -> None:
    """A corrupt entry never fails a start: the file is read and the entry written again."""
    path = write_jobs(tmp_path, jobs_text(4))
    expected = load(path)
    (entry,) = (cache_home / "ysched-tui" / "parsed").glob("*.cache")
    raw = entry.read_bytes()
    if damage == "garbage":
        entry.write_bytes(b"not a cache at all")
    elif damage == "truncated":
        entry.write_bytes(raw[: len(raw) // 2])
    else:
        entry.write_bytes(raw[:-10] + bytes([raw[-10] ^ 0xFF]) + raw[-9:])
    assert load(path) == expected
    assert load(path) == expected
    assert table_reads == [4, 4]


def test_an_entry_from_other_code_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, table_reads: list[int]
) -> None:
    """An entry written by another version of the readers (or of pydantic) is not used."""
    path = write_jobs(tmp_path, jobs_text(3))
    real = parse_cache.code_fingerprint
    monkeypatch.setattr(parse_cache, "code_fingerprint", lambda: "an older ysched-tui")
    load(path)
    monkeypatch.setattr(parse_cache, "code_fingerprint", real)
    load(path)
    assert table_reads == [3, 3]


def test_a_file_with_problems_is_not_cached(tmp_path: Path, table_reads: list[int]) -> None:
    """Errors are reported on every load, at their lines, even when the document is cached."""
    text = jobs_text(2) + '\n[[jobs]]\ncode = "bad"\ncron = "61 * * * *"\ncommand = "x"\n'
    path = write_jobs(tmp_path, text)
    line = text.splitlines().index('cron = "61 * * * *"') + 1
    for _ in range(2):
        with pytest.raises(JobsFileError) as caught:
            load(path)
        (problem,) = caught.value.problems
        assert (problem.code, problem.line) == ("bad", line)
    assert table_reads == [3, 3]


def test_other_scripts_are_another_key(tmp_path: Path) -> None:
    """Specs read with other discovered scripts are not served for this set of scripts."""
    path = tmp_path / "jobs.toml"
    (spec,) = load(write_jobs(tmp_path, jobs_text(1)))
    assert parse_cache.specs_key(path, {}) != parse_cache.specs_key(path, {"job_0": spec})
    assert parse_cache.specs_key(path, {}) != parse_cache.specs_key(tmp_path / "x.toml", {})


def test_small_files_are_never_cached(
    tmp_path: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under CACHE_MIN_BYTES nothing is written: such files parse in milliseconds."""
    monkeypatch.setattr(parse_cache, "CACHE_MIN_BYTES", 64 * 1024)
    load(write_jobs(tmp_path, jobs_text(3)))
    assert not (cache_home / "ysched-tui" / "parsed").exists()


def test_an_unwritable_cache_folder_only_means_no_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, table_reads: list[int]
) -> None:
    """When the cache folder cannot be created, jobs load as without a cache."""
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    path = write_jobs(tmp_path, jobs_text(2))
    assert load(path) == load(path)
    assert table_reads == [2, 2]


def test_crlf_files_read_as_with_universal_newlines(tmp_path: Path) -> None:
    """CRLF line ends become LF inside multi-line strings, cached or not."""
    text = '[[jobs]]\r\ncode = "a"\r\ncommand = """one\r\ntwo"""\r\n'
    path = tmp_path / "jobs.toml"
    path.write_bytes(text.encode())
    for _ in range(2):
        (spec,) = load(path)
        assert spec.target.command == "one\ntwo"  # type: ignore[union-attr]


def test_old_entries_are_pruned(
    tmp_path: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At most MAX_ENTRIES cache files are kept."""
    monkeypatch.setattr(parse_cache, "MAX_ENTRIES", 3)
    for i in range(5):
        folder = tmp_path / f"project{i}"
        folder.mkdir()
        load(write_jobs(folder, jobs_text(1)))
    assert len(list((cache_home / "ysched-tui" / "parsed").glob("*.cache"))) == 3


def test_a_new_process_uses_the_entry(tmp_path: Path, cache_home: Path) -> None:
    """Across real processes: the second one loads the same specs from the cache."""
    path = write_jobs(tmp_path, jobs_text(20))
    script = (
        "import sys\nfrom pathlib import Path\n"
        "from ysched_tui.config import load_all, parse_cache\n"
        "from ysched_tui.settings import load_settings\nparse_cache.CACHE_MIN_BYTES = 0\n"
        "hit = parse_cache.cached_document(Path(sys.argv[1]), "
        "parse_cache.content_digest(Path(sys.argv[1]).read_bytes())) is not None\n"
        "specs, _ = load_all(load_settings(jobs_file=Path(sys.argv[1])))\n"
        "print(hit, len(specs), specs[-1].model_dump_json())\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    runs = [
        subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True,
                       text=True, env=env, check=True, timeout=60).stdout.split(" ", 2)
        for _ in range(2)
    ]
    assert [r[:2] for r in runs] == [["False", "20"], ["True", "20"]]
    assert runs[0][2] == runs[1][2]


def test_entries_beyond_the_byte_budget_are_pruned(
    tmp_path: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past MAX_BYTES the oldest entries go; the newest is always kept."""
    monkeypatch.setattr(parse_cache, "MAX_BYTES", 1)
    for i in range(3):
        folder = tmp_path / f"project{i}"
        folder.mkdir()
        load(write_jobs(folder, jobs_text(1)))
    (kept,) = (cache_home / "ysched-tui" / "parsed").glob("*.cache")
    forget_parsed()
    assert parse_cache.cached_document(
        tmp_path / "project2" / "jobs.toml",
        parse_cache.content_digest((tmp_path / "project2" / "jobs.toml").read_bytes()),
    ) is not None
    assert kept.exists()
