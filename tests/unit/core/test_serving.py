"""serve()'s checks before it starts: a taken port is a ConfigError, not a traceback."""
from __future__ import annotations

import socket
from pathlib import Path

import pytest

from mentor.config import Settings
from mentor.core.components import Components
from mentor.core.serving import check_port_free, serve
from mentor.db import Database
from mentor.errors import ConfigError


def test_serving_taken_port_is_a_config_error(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(ConfigError) as excinfo:
            check_port_free("127.0.0.1", port)
        assert str(port) in excinfo.value.message and "MENTOR_PORT" in excinfo.value.message
        db = Database("sqlite:///" + str(tmp_path / "s.db"))
        try:
            with pytest.raises(ConfigError):
                serve(Components(dataset="ds", stream=[], view_id="text"), Settings(home=tmp_path, port=port), db)
        finally:
            db.close()
