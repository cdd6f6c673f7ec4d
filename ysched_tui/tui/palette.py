"""The ``ctrl+p`` command palette: every console action by name, and "open job <code>".

The palette only names actions; the app implements them (``action_pause`` ...,
``open_job(code)``). Each command is checked with ``getattr`` before it runs, so a palette
opened on a screen or app that lacks one says so in a notification instead of crashing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

ACTIONS: tuple[tuple[str, str, str], ...] = (
    ("Pause selected job", "pause", "Stop scheduled fires of the selected (or marked) jobs"),
    ("Resume selected job", "resume", "Resume the selected (or marked) paused jobs"),
    ("Trigger selected job now", "trigger", "Run the selected job now, after a confirmation"),
    ("Reschedule selected job", "reschedule", "Change the schedule: cron, macro or interval"),
    ("Cancel running run", "cancel_run", "Cancel the selected job's run in progress"),
    ("Reload jobs file", "reload_jobs",
     "Read the jobs file again and apply what changed (no restart, runs go on)"),
    ("Show failures", "failures", "Recent failed, timed-out and missed runs"),
    ("Show audit log", "audit", "Every operator action: when, who, what, before and after"),
    ("Show help", "help", "Every key by context"),
    ("Quit", "quit", "Leave the console (asks first if runs are in progress)"),
)
"""(palette text, app action name, help) for each app-level action."""


class YschedCommands(Provider):
    """Offers the app-level actions and one "Open job <code>" command per job."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._codes: list[str] = []

    async def startup(self) -> None:
        """Read the job codes once per palette opening, through the app's service."""
        service = getattr(self.app, "service", None)
        list_jobs = getattr(service, "list_jobs", None)
        if list_jobs is None:
            return
        self._codes = [job.code for job in await list_jobs()]

    def _commands(self) -> list[tuple[str, Callable[[], Awaitable[None]], str]]:
        """Every command as (text, callback, help), actions first, then jobs by code."""
        commands: list[tuple[str, Callable[[], Awaitable[None]], str]] = [
            (text, partial(self._run_action, name), hint) for text, name, hint in ACTIONS
        ]
        commands += [
            (f"Open job {code}", partial(self._open_job, code), f"Show the detail of {code}")
            for code in self._codes
        ]
        return commands

    async def discover(self) -> Hits:
        """With no input: the actions, so the palette doubles as a menu."""
        for text, callback, hint in self._commands()[: len(ACTIONS)]:
            yield DiscoveryHit(text, callback, help=hint)

    async def search(self, query: str) -> Hits:
        """Fuzzy-match the query against every command, jobs included."""
        matcher = self.matcher(query)
        for text, callback, hint in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), callback, text=text, help=hint)

    async def _run_action(self, name: str) -> None:
        """Run ``action_<name>`` on the app, or explain that it is not available here."""
        if getattr(self.app, f"action_{name}", None) is None:
            self.app.notify(f"{name!r} is not available here", severity="warning")
            return
        await self.app.run_action(name)

    async def _open_job(self, code: str) -> None:
        """Ask the app to open a job's detail."""
        open_job = getattr(self.app, "open_job", None)
        if open_job is None:
            self.app.notify(f"cannot open job {code!r} here", severity="warning")
            return
        result = open_job(code)
        if isinstance(result, Awaitable):
            await result
