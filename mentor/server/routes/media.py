"""``GET /media?path=...``: an audio or video file a task names, sent to the browser.

The recipe's ``MediaFiles`` (``Components.media``) answers which file that is:
only files the stream's tasks named are sent, whatever the path says, so
``..``, links and other absolute paths get a 404. Range requests are answered
(Starlette's ``FileResponse``), which the browser's player needs to seek.
"""
from __future__ import annotations

import mimetypes

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse

router = APIRouter(tags=["app"])


@router.get("/media", include_in_schema=False)
def media(request: Request, path: str = Query(..., max_length=4096)) -> FileResponse:
    files = getattr(request.app.state.controller.components, "media", None)
    found = files.find(path) if files is not None else None
    if found is None:
        raise HTTPException(status_code=404, detail="No task names this media file")
    kind = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
    # private: recordings may be confidential; a shared cache must not keep them
    return FileResponse(found, media_type=kind, headers={"Cache-Control": "private, max-age=3600"})
