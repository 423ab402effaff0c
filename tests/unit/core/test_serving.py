"""serve()'s checks before it starts: a taken port is a ConfigError, not a traceback."""
from __future__ import annotations

import socket
from pathlib import Path

import pytest

from mentor.config import Settings
from mentor.core.components import Components
from mentor.core.serving import check_port_free, exposure_warning, serve
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


@pytest.mark.parametrize(
    "host, auth, warned",
    [("127.0.0.1", None, False), ("localhost", None, False), ("::1", None, False), ("0.0.0.0", None, True),
     ("192.168.1.5", None, True), ("myhost", None, True), ("0.0.0.0", {"alex": "pw"}, False)],
)
def test_issue12_serving_warns_when_reachable_without_auth(tmp_path: Path, host: str, auth, warned: bool) -> None:
    assert (exposure_warning(Settings(home=tmp_path, host=host, basic_auth=auth)) is not None) is warned


def test_issue12_serving_prints_the_warning_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    with socket.socket() as sock:
        sock.bind(("0.0.0.0", 0))
        sock.listen()
        port = sock.getsockname()[1]
        db = Database("sqlite:///" + str(tmp_path / "s.db"))
        try:
            with pytest.raises(ConfigError):  # the port is taken: it stops right after the warning
                serve(Components(dataset="ds", stream=[], view_id="text"), Settings(home=tmp_path, host="0.0.0.0", port=port), db)
        finally:
            db.close()
    captured = capsys.readouterr()
    assert "without basic auth" in captured.err and "without basic auth" not in captured.out
