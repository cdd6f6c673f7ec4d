"""Print the control API's OpenAPI document: ``python -m ysched_tui.control.schema``.

``docs/openapi.json`` is this output, committed; a test checks it still matches, so a change to
the API shows up as a change to the published contract.
"""

from __future__ import annotations

import json
import sys
from typing import Any


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of :func:`~ysched_tui.control.server.create_app`.

    It depends neither on the service served nor on the token, so the app is built over a
    ``RemoteService`` that is never started (nothing is contacted).
    """
    from ysched_tui.control.client import RemoteService
    from ysched_tui.control.server import create_app

    return create_app(RemoteService("unix:///nonexistent/ysched.sock")).openapi()


def render() -> str:
    """The document as stable, indented JSON with a final newline."""
    return json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
