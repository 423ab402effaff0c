"""The app's page with the operator's ``global_css`` and ``javascript`` in it.

The built page allows one script, its own, by hash (``headers.py``). A
recipe or config that sets ``javascript`` gets that script added to the page
and its sha256 added to ``script-src``, in the page's meta policy and in the
header alike: that exact text runs, and nothing a task carries can (no
``'unsafe-inline'``, no ``'self'`` script source, no nonce a task could
echo). ``global_css`` goes in a ``<style>`` (styles are allowed inline
already). Without either setting the page is served byte for byte as built.
"""
from __future__ import annotations

import base64
import hashlib
import re
from typing import Optional, Tuple

from .headers import META_CSP

SCRIPT_SRC = re.compile(r"(script-src [^;]*)")


def script_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def allow_script(policy: str, script: str) -> str:
    """``policy`` with ``script`` (exactly that text) allowed to run inline."""
    allowed = script_hash(script)
    if SCRIPT_SRC.search(policy):
        return SCRIPT_SRC.sub(lambda m: f"{m.group(1)} {allowed}", policy, count=1)
    return f"{policy.rstrip('; ')}; script-src {allowed}"


def customise(page: str, policy: str, css: Optional[str], script: Optional[str]) -> Tuple[str, str]:
    """The page and its header policy with ``css`` and ``script`` in them (either may be None)."""
    if css:
        # "</style" would end the element early: the rest would be markup
        style = "<style id=\"mentor-global-css\">" + re.sub(r"</(style)", r"<\\/\1", css, flags=re.I) + "</style>"
        page = page.replace("</head>", f"{style}\n</head>", 1)
    if script:
        script = re.sub(r"</(script)", r"<\\/\1", script, flags=re.I)
        page = page.replace("</body>", f"<script id=\"mentor-custom-js\">{script}</script>\n</body>", 1)
        policy = allow_script(policy, script)
        page = META_CSP.sub(
            lambda m: m.group(0).replace(m.group(1), allow_script(m.group(1), script)), page, count=1
        )
    return page, policy
