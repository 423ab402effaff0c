"""mentor's stand-in for ``prodigy``: Prodigy's documented recipe API on mentor.

Only for recipe code written against Prodigy; it is no Prodigy (see
docs/migrating-from-prodigy.md for what differs). It is importable as
``prodigy`` only from the folder ``mentor compat-path`` prints.
"""
from __future__ import annotations

from ._serve import serve
from .about import __version__
from .core import Arg, Controller, get_recipe, recipe
from .util import log, set_hashes

MENTOR_COMPAT = True

__all__ = ["recipe", "get_recipe", "serve", "Arg", "Controller", "log", "set_hashes", "__version__", "MENTOR_COMPAT"]
