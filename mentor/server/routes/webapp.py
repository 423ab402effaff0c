"""``GET /``: the web app's page (its assets are mounted by ``create_app``); ``/stats`` beside it."""
from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from ..custom_page import customise
from ..headers import page_policy
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
        config = request.app.state.controller.ui_config()
        css, script = _text(config.get("global_css")), _text(config.get("javascript"))
        if css or script:
            html, policy = customise(page.read_text(encoding="utf8"), page_policy(page), css, script)
            return HTMLResponse(html, headers={"Cache-Control": "no-cache", "Content-Security-Policy": policy})
        # no-cache: a new version of the app must not be hidden behind a stale page
        return FileResponse(page, media_type="text/html", headers={"Cache-Control": "no-cache"})
    return HTMLResponse(PLACEHOLDER, headers={"Cache-Control": "no-cache"})


def _text(value: object) -> str | None:
    """A setting's text, or None when it isn't a non-empty string (set explicitly, or not at all)."""
    return value if isinstance(value, str) and value.strip() else None
