"""JSON responses for the hot routes, serialised once.

Tasks are free-form JSON that came from a file or the database, so
re-validating them against a schema on the way out buys nothing; the routes
keep their ``response_model`` for the OpenAPI schema and return bytes made
by srsly's fast encoder (``ujson``).
"""
from __future__ import annotations

from typing import Any, Dict

import srsly
from fastapi import Response


def json_response(payload: Dict[str, Any], status_code: int = 200) -> Response:
    return Response(content=srsly.json_dumps(payload), status_code=status_code, media_type="application/json")
