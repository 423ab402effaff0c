"""Only Host headers naming this server are answered (DNS rebinding)."""
from __future__ import annotations

from typing import Callable, Sequence

import pytest
from fastapi.testclient import TestClient

from mentor.server.hosts import HostPolicy, split_host

MakeClient = Callable[..., TestClient]


@pytest.mark.parametrize(
    "value, expected",
    [("localhost:8080", ("localhost", 8080)), ("Example.ORG", ("example.org", None)), ("[::1]:80", ("[::1]", 80)),
     ("[::1]", ("[::1]", None)), ("a:b", ("a", -1)), ("[::1]x", ("[::1]", -1))],
)
def test_hosts_split(value: str, expected: tuple) -> None:
    assert split_host(value) == expected


@pytest.mark.parametrize(
    "bind, allowed, host, ok",
    [
        ("127.0.0.1", (), "127.0.0.1:8080", True),
        ("127.0.0.1", (), "localhost:8080", True),
        ("127.0.0.1", (), "[::1]:8080", True),
        ("127.0.0.1", (), "evil.example:8080", False),  # a rebound name
        ("127.0.0.1", (), "localhost:9999", False),
        ("127.0.0.1", (), "localhost", False),  # port 80 implied
        ("127.0.0.1", (), "192.168.1.5:8080", False),
        ("127.0.0.1", ("annotate.example.org",), "annotate.example.org:443", True),
        ("127.0.0.1", ("annotate.example.org:8080",), "annotate.example.org:9", False),
        ("127.0.0.1", ("*",), "anything:1", True),
        ("0.0.0.0", (), "192.168.1.5:8080", True),  # any IP of this machine
        ("0.0.0.0", (), "[fe80::1]:8080", True),
        ("0.0.0.0", (), "evil.example:8080", False),
        ("10.0.0.2", (), "10.0.0.2:8080", True),
        ("10.0.0.2", (), "10.0.0.3:8080", False),
        ("::1", (), "[::1]:8080", True),
    ],
)
def test_issue12_hosts_policy(bind: str, allowed: Sequence[str], host: str, ok: bool) -> None:
    assert HostPolicy.build(bind, 8080, allowed).allows(host) is ok


def test_issue12_hosts_app_refuses_a_rebound_name(make_client: MakeClient) -> None:
    client = make_client(allowed_hosts=[])  # TestClient's own host, 'testserver', is no longer allowed
    reply = client.get("/project", headers={"host": "evil.example:8080"})
    assert reply.status_code == 400 and reply.json()["code"] == "M085"
    assert "evil.example" in reply.json()["detail"]
    assert client.get("/project", headers={"host": "127.0.0.1:8080"}).status_code == 200
    assert client.get("/health", headers={"host": "evil.example"}).status_code == 200  # probes
