"""Every response carries a CSP (the page's own, plus no framing), X-Frame-Options and nosniff."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from fastapi.testclient import TestClient

from mentor.server.app import STATIC_DIR
from mentor.server.headers import page_policy

MakeClient = Callable[..., TestClient]


def test_issue12_headers_on_page_and_api(make_client: MakeClient) -> None:
    client = make_client()
    for path in ("/", "/project", "/openapi.json", "/nope"):
        headers = client.get(path).headers
        assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff", path
        csp = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "script-src 'sha256-" in client.get("/").headers["content-security-policy"]


def test_headers_policy_comes_from_the_built_page(tmp_path: Path) -> None:
    built = page_policy(STATIC_DIR / "index.html")
    assert built.startswith("default-src 'self'; script-src 'sha256-")
    assert page_policy(tmp_path / "missing.html").startswith("default-src 'none'")
