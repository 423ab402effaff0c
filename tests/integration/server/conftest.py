"""Start ``mentor RECIPE ...`` as a real process on a free port, and stop it."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    """One ``python -m mentor`` server; ``start`` waits until /health answers."""

    def __init__(self, args: List[str], env: Dict[str, str], port: int, log: Path) -> None:
        self.args, self.env, self.port, self.log = args, env, port, log
        self.proc: Optional[subprocess.Popen] = None
        self.url = f"http://127.0.0.1:{port}"

    def start(self, timeout: float = 60.0) -> "ServerProcess":
        self.output = open(self.log, "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "mentor", *self.args], env=self.env, stdout=self.output, stderr=subprocess.STDOUT)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited with {self.proc.returncode}:\n{self.log.read_text()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise AssertionError(f"server did not start in {timeout}s:\n{self.log.read_text()}")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        self.output.close()

    def terminate(self) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(30)
        self.output.close()
        return code

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[Callable[..., ServerProcess]]:
    """Start a recipe as a subprocess: ``start_server(args, db_url=None)``."""
    servers: List[ServerProcess] = []
    port = free_port()
    home = tmp_path / "home"
    home.mkdir()

    def start(
        args: List[str],
        *,
        db_url: Optional[str] = None,
        extra_env: Optional[Dict[str, str]] = None,
        own_port: bool = False,
        timeout: float = 60.0,
    ) -> ServerProcess:
        """``own_port``: a second server beside the first (same home, so the same signing key).

        ``timeout``: longer for a recipe file that imports spaCy itself, which on a loaded
        machine can take most of the default minute before the server even starts.
        """
        at = free_port() if own_port else port
        env = {k: v for k, v in os.environ.items() if not k.startswith("MENTOR_")}
        env.update({"MENTOR_HOME": str(home), "MENTOR_PORT": str(at), "PYTHONUNBUFFERED": "1"})
        if db_url:
            env["MENTOR_DB_URL"] = db_url
        env.update(extra_env or {})
        server = ServerProcess(args, env, at, tmp_path / ("server.log" if at == port else f"server-{at}.log"))
        servers.append(server)
        return server.start(timeout)

    yield start
    for server in servers:
        server.stop()
