"""Run the annotation server for a recipe until Ctrl-C or SIGTERM.

One process, one uvicorn worker: the controller's state (sessions, open
tasks, the model in the loop) lives in this process. Stopping is graceful:
requests in flight finish, then the recipe's ``on_exit`` runs.
"""
from __future__ import annotations

import errno
import ipaddress
import logging
import socket
import sys
from types import FrameType
from typing import Optional

import uvicorn
from wasabi import Printer, msg

from ..config import Settings
from ..db import Database, connect
from ..errors import ConfigError
from .components import Components
from .controller import Controller

logger = logging.getLogger(__name__)


class _Server(uvicorn.Server):
    """uvicorn's server, minus re-raising the stop signal once it has shut down.

    uvicorn re-sends SIGINT/SIGTERM to itself after a graceful shutdown, which
    would kill the process before ``serve`` closes the database.
    """

    def handle_exit(self, sig: int, frame: Optional[FrameType]) -> None:
        if self.should_exit and sig == 2:  # a second Ctrl-C: stop waiting for requests
            self.force_exit = True
        else:
            self.should_exit = True


def check_port_free(host: str, port: int) -> None:
    """Raise ConfigError when the address is taken, before anything starts."""
    if port == 0:
        return
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                raise ConfigError(
                    f"Port {port} on {host} is already in use: stop the other server or set "
                    "MENTOR_PORT (or 'port' in mentor.json) to a free port"
                ) from None
            raise ConfigError(f"Can't listen on {host}:{port}: {err.strerror}") from None


def exposure_warning(settings: Settings) -> Optional[str]:
    """A warning when other machines can reach the server and no login is asked, else None."""
    host = settings.host.strip("[]").lower()
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False  # a name: it may resolve to any interface
    if loopback or settings.basic_auth:
        return None
    return (
        f"Listening on {settings.host} without basic auth: anyone who can reach port {settings.port} of "
        "this machine can read the tasks and store answers. Set MENTOR_BASIC_AUTH_USER and "
        "MENTOR_BASIC_AUTH_PASS, or bind 127.0.0.1"
    )


def serve(components: Components, settings: Settings, db: Optional[Database] = None) -> None:
    """Build the controller and app for ``components`` and serve them on settings.host/port.

    Blocks until Ctrl-C or SIGTERM; runs ``on_exit`` before returning. Raises
    ConfigError when the port is taken or the database can't be opened.
    """
    from ..server.app import create_app  # the one upward import: serving joins the two layers

    own_db = db is None
    database = connect(settings=settings) if db is None else db
    try:
        controller = Controller(components, database, settings)
        app = create_app(controller, settings)
        warning = exposure_warning(settings)
        if warning:
            # stderr: it must not be lost in (or mixed into) output that is piped on
            print(Printer(no_print=True).warn(warning), file=sys.stderr, flush=True)
        check_port_free(settings.host, settings.port)
        sharing = controller.sharing_notice()
        if sharing:
            print(Printer(no_print=True).warn(sharing), file=sys.stderr, flush=True)
        config = uvicorn.Config(
            app,
            host=settings.host,
            port=settings.port,
            log_level=settings.log_level.lower(),
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=10,
        )
        server = _Server(config)
        msg.good(f"Starting the web server at http://{settings.host}:{settings.port} ...")
        msg.text("Open the app in your browser and start annotating! (Ctrl-C to stop)")
        sys.stdout.flush()
        server.run()
        controller.close()
    finally:
        if own_db:
            database.close()
