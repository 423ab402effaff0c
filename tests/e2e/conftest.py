"""Browser tests: a real headless Chromium against a real mentor server.

Chromium comes from Debian (/usr/bin/chromium), never from `playwright
install` (no browser downloads here). When it is missing it is installed with
apt-get, except under CI=true, where a missing browser fails the run loudly.
One browser serves the whole session; each test gets a fresh context (its own
localStorage) and its own server with a temporary home and SQLite database.
MENTOR_E2E_PAGE=FILE serves another build of the page (an older one, say) to the tests.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlparse
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence

import sys

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # e2e_support, whatever pytest's import mode

from e2e_support import MentorServer  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: List[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


def _fail_or_skip(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def ensure_chromium() -> None:
    """Install Debian's chromium when it is missing (fail under CI=true)."""
    if CHROMIUM.exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} is missing: install it with 'apt-get install -y chromium' before the e2e tests",
                    pytrace=False)
    apt = shutil.which("apt-get")
    if apt is None:
        pytest.fail(f"{CHROMIUM} is missing and apt-get isn't available to install it", pytrace=False)
    command = [apt, "install", "-y", "--no-install-recommends", "chromium"]
    if os.geteuid() != 0:
        command = ["sudo", "-n", *command]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        subprocess.run(["sudo", "-n", apt, "update"] if os.geteuid() else [apt, "update"], env=env, capture_output=True)
        result = subprocess.run(command, env=env, capture_output=True, text=True)
    if not CHROMIUM.exists():
        pytest.fail(f"Could not install chromium with apt-get:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}",
                    pytrace=False)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _fail_or_skip("playwright (Python) is not installed: pip install -e '.[test]'")
    ensure_chromium()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where every view's screenshot goes (MENTOR_E2E_SCREENSHOTS, else a pytest tmp folder)."""
    wanted = os.environ.get("MENTOR_E2E_SCREENSHOTS")
    folder = Path(wanted) if wanted else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def screenshot(screenshot_dir: Path) -> Callable[[Any, str], Path]:
    def take(page: Any, name: str) -> Path:
        path = screenshot_dir / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., MentorServer]]:
    """Start a mentor server: serve(view_id, tasks, config=..., dataset=...) or serve(cli_args=[...])."""
    servers: List[MentorServer] = []

    def start(view_id: Optional[str] = None, tasks: Optional[List[Dict[str, Any]]] = None, *,
              config: Optional[Dict[str, Any]] = None, dataset: str = "e2e",
              cli_args: Optional[Sequence[str]] = None, refuse: Optional[str] = None,
              env: Optional[Dict[str, str]] = None, start_timeout: float = 60.0) -> MentorServer:
        workdir = tmp_path / f"server{len(servers)}"
        workdir.mkdir()
        spec = None if cli_args is not None else {"view_id": view_id, "tasks": tasks or [], "config": config or {},
                                                  "refuse": refuse}
        server = MentorServer(workdir, dataset=dataset, spec=spec, cli_args=cli_args, env=env)
        servers.append(server)
        return server.start(timeout=start_timeout)

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """open_page(server, session=None, bypass_csp=False, viewport=..., color_scheme=..., on_page=...) -> a Page
    on the app, with page errors collected."""
    contexts: List[Any] = []
    errors: List[str] = []

    def open_(server: MentorServer, session: Optional[str] = None, *, bypass_csp: bool = False,
              init_script: Optional[str] = None, viewport: Optional[Dict[str, int]] = None,
              color_scheme: str = "light", on_page: Optional[Callable[[Any], None]] = None) -> Any:
        context = browser.new_context(viewport=viewport or {"width": 1280, "height": 860}, bypass_csp=bypass_csp,
                                      color_scheme=color_scheme)
        contexts.append(context)
        if init_script:
            context.add_init_script(init_script)
        other_build = os.environ.get("MENTOR_E2E_PAGE")
        if other_build:
            # another build of the app (`git show REV:mentor/server/static/index.html > old.html`) against
            # this server: does a test fail on the app as it was?
            page_html = Path(other_build).read_text(encoding="utf8")
            context.route(lambda url: urlparse(url).path == "/",
                          lambda route: route.fulfill(status=200, content_type="text/html", body=page_html))
        page = context.new_page()
        page.on("pageerror", lambda err: errors.append(f"{err}"))
        if on_page is not None:
            on_page(page)  # listeners that must see the page load
        page.goto(server.url + (f"?session={session}" if session else ""))
        return page

    yield open_
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"
