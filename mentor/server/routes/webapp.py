"""``GET /``: the web app's page (its assets are mounted by ``create_app``); ``/stats`` beside it."""
from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from . import stats

router = APIRouter(tags=["app"])
# the annotator statistics page and its JSON (routes/stats.py) come with the app's page
router.include_router(stats.router)

PLACEHOLDER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mentor</title></head>
<body><h1>mentor</h1><p>The web app has not been built into this package yet
(mentor/server/static/index.html is missing). The HTTP API is up: see /openapi.json.</p></body></html>
"""


@router.get("/", include_in_schema=False)
def index(request: Request) -> Response:
    static_dir: Path = request.app.state.static_dir
    page = static_dir / "index.html"
    if page.is_file():
        # no-cache: a new version of the app must not be hidden behind a stale page
        return FileResponse(page, media_type="text/html", headers={"Cache-Control": "no-cache"})
    return HTMLResponse(PLACEHOLDER, headers={"Cache-Control": "no-cache"})
