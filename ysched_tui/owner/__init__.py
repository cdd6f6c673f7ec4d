"""One owner per database: the OS lock that makes a process the owner, and the sessions that
either own a database (engine + control API) or attach to its owner.

* :mod:`~ysched_tui.owner.lock` — the exclusive lock beside the database, and who holds it.
* :mod:`~ysched_tui.owner.attached` — a client service that says it is attached and acts as
  this process (console or CLI).
* :mod:`~ysched_tui.owner.connect` — ``open_service``: own, attach or connect.
* :mod:`~ysched_tui.owner.assembly` — the composition root: the repository, the engine and the
  control server, built from settings.

Nothing is imported here, so the CLI pays only for what it uses.
"""
