"""The control package stays in its lane: the client pulls in no server, and nothing in it
loads the console, SQL, APScheduler or the engine."""

from __future__ import annotations

import subprocess
import sys

import pytest

NEVER = ("textual", "sqlalchemy", "aiosqlite", "apscheduler")
SERVER = ("fastapi", "starlette", "uvicorn")


def _loaded_after(module: str) -> set[str]:
    code = (
        f"import sys, importlib; importlib.import_module({module!r}); "
        "print('\\n'.join(sorted(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    return set(out.split())


@pytest.mark.parametrize("module", ["ysched_tui.control.client", "ysched_tui.control.serve"])
def test_control_loads_no_console_sql_scheduler_or_engine(module: str) -> None:
    """Importing the control package loads none of textual, SQL, APScheduler, the engine."""
    loaded = _loaded_after(module)
    assert not {m for m in loaded if m.split(".")[0] in NEVER}
    assert not {m for m in loaded if m.startswith(("ysched_tui.engine", "ysched_tui.storage",
                                                   "ysched_tui.tui"))}


def test_client_loads_no_server() -> None:
    """The client side (console, CLI) does not pay for FastAPI or uvicorn."""
    loaded = _loaded_after("ysched_tui.control.client")
    assert not {m for m in loaded if m.split(".")[0] in SERVER}
