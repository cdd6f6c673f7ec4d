"""The version of ysched-tui, in a module of its own that imports nothing.

Every layer may read it (the control API names it in its schema, the CLI prints it) without
importing the package root, whose lazy public API sits above them.
"""

__version__ = "0.1.0"
