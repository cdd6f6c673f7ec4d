"""The control API: the owner of a database serves it, every other process attaches through it.

* :mod:`~ysched_tui.control.paths` — where the lock, socket and token live beside a database.
* :mod:`~ysched_tui.control.tokens` — the bearer token file (mode 0600) and its check.
* :mod:`~ysched_tui.control.server` — ``create_app(service)``: FastAPI over any SchedulerService.
* :mod:`~ysched_tui.control.serve` — ``ControlServer``: uvicorn on the Unix socket (and TCP).
* :mod:`~ysched_tui.control.client` — ``RemoteService``: the SchedulerService over the API.

Nothing is imported here, so the client side never pays for FastAPI and uvicorn.
"""
