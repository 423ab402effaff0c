"""``mentor compat-path``: the folder that makes ``import prodigy`` run on mentor."""
from __future__ import annotations

from ...compat import COMPAT_PATH, real_prodigy_origin
from ...registry import recipe
from .. import messages


@recipe("compat-path", group="utilities")
def compat_path() -> None:
    """Print the folder holding mentor's prodigy compatibility package, for PYTHONPATH.

    PYTHONPATH=$(mentor compat-path) python -m pytest  runs tests of Prodigy
    recipe code on mentor. Nothing is installed: a real Prodigy in this
    environment stays as it is, and is named on stderr, since the folder on
    PYTHONPATH hides it from that process.
    """
    real = real_prodigy_origin()
    if real is not None:
        messages.warn(f"A real Prodigy is installed ({real}): with this folder on PYTHONPATH, import prodigy gets mentor's compatibility layer instead")
    print(COMPAT_PATH)
