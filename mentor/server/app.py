"""Build the FastAPI app around a controller.

``create_app`` is handed a built :class:`~mentor.core.controller.Controller`,
so this package never loads a model and never imports spaCy. The app runs
the recipe's ``on_load`` at start-up and ``on_exit`` at shutdown (lifespan).

Around the routes, outermost first: security headers on every response, the
Host check (DNS rebinding), the body size limit, then basic auth when it is on.
With ``user_sessions`` or ``admins`` set, the routes hold each user to its own
sessions (``binding.py``), and only admins may use the management API
(``/api/v1/``, ``routes/management.py``).
"""
from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator, Optional

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from .. import __version__
from ..config import Settings
from ..core.controller import Controller
from .auth import BasicAuthMiddleware
from .binding import SessionBinding
from .errors import add_error_handlers
from .headers import SecurityHeadersMiddleware, page_policy
from .hosts import HostCheckMiddleware, HostPolicy
from .limits import BodyLimitMiddleware
from .routes import answers, health, management, media, project, questions, webapp

STATIC_DIR = Path(__file__).parent / "static"


def create_app(controller: Controller, settings: Settings, *, static_dir: Optional[Path] = None) -> FastAPI:
    """The ASGI app serving the API and the web app for one controller."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        controller.start()
        try:
            yield
        finally:
            controller.close()

    app = FastAPI(
        title="mentor",
        version=__version__,
        description="Annotation server: fetch tasks, send answers.",
        lifespan=lifespan,
        docs_url=None,  # the docs pages load scripts from a CDN; the schema is at /openapi.json
        redoc_url=None,
    )
    app.state.controller = controller
    app.state.settings = settings
    app.state.session_binding = SessionBinding.from_settings(settings, controller.dataset)
    app.state.static_dir = Path(static_dir) if static_dir is not None else STATIC_DIR
    add_error_handlers(app)
    for module in (health, project, questions, answers, management, media, webapp):
        app.include_router(module.router)
    if app.state.static_dir.is_dir():
        # after the routes, so the API wins; serves the bundle's scripts, styles and fonts
        app.mount("/", StaticFiles(directory=app.state.static_dir), name="static")
    # add_middleware wraps what is there: the last one added runs first
    if settings.basic_auth:
        app.add_middleware(BasicAuthMiddleware, users=settings.basic_auth)
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_request_bytes, import_limit=settings.max_import_bytes)
    app.add_middleware(HostCheckMiddleware, policy=HostPolicy.from_settings(settings))
    app.add_middleware(SecurityHeadersMiddleware, policy=page_policy(app.state.static_dir / "index.html"))
    return app
