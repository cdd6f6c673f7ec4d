"""The scheduling core is reachable without the console: nothing below tui/ imports textual."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEADLESS = [
    "ysched_tui",
    "ysched_tui.core.schedule",
    "ysched_tui.jobs",
    "ysched_tui.storage",
    "ysched_tui.engine",
    "ysched_tui.config.jobs_file",
    "ysched_tui.cli",
    "ysched_tui.cli.daemon_cmd",
    "ysched_tui.cli.jobs_cmd",
]


def _loaded_after(module: str) -> set[str]:
    code = (
        f"import sys, importlib; importlib.import_module({module!r}); "
        "print('\\n'.join(sorted(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return set(out.split())


@pytest.mark.parametrize("module", HEADLESS)
def test_headless_modules_do_not_import_textual(module: str) -> None:
    """Importing a headless module loads neither textual nor the console package."""
    loaded = _loaded_after(module)
    assert not {m for m in loaded if m == "textual" or m.startswith("textual.")}
    assert "ysched_tui.tui" not in loaded


def test_console_does_not_import_storage_or_apscheduler() -> None:
    """The console package talks to the service interface only."""
    loaded = _loaded_after("ysched_tui.tui.app")
    assert not {m for m in loaded if m.split(".")[0] in ("sqlalchemy", "aiosqlite", "apscheduler")}
    assert "ysched_tui.storage" not in loaded and "ysched_tui.engine" not in loaded


def test_cli_help_does_not_import_textual() -> None:
    """``ysched-tui --help`` builds every subcommand parser without loading the console."""
    code = (
        "import sys\nfrom ysched_tui.cli import build_parser\nbuild_parser()\n"
        "assert 'textual' not in sys.modules, 'textual imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
