"""ysched-tui: a keyboard-driven terminal console for operating job schedules."""

__version__ = "0.1.0"
