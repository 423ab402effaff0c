"""Run Prodigy recipe code on mentor: the ``prodigy`` package in this folder.

This folder holds one package, ``prodigy``, that maps Prodigy's documented
recipe API onto mentor's own (docs/migrating-from-prodigy.md). It is never
installed as a top-level ``prodigy``, so it can't shadow a real Prodigy in
the environment: ``mentor compat-path`` prints this folder for ``PYTHONPATH``,
and ``mentor RECIPE -F file.py`` puts it on ``sys.path`` only in its own
process, only when the file imports ``prodigy``. Nothing here imports spaCy.
"""
from __future__ import annotations

import ast
import importlib.machinery
import logging
import sys
from pathlib import Path
from typing import Optional

logger = logging.getLogger(__name__)

COMPAT_PATH = Path(__file__).resolve().parent

__all__ = ["COMPAT_PATH", "imports_prodigy", "real_prodigy_origin", "enable_for_file"]


def imports_prodigy(path: Path) -> bool:
    """Whether a Python file imports ``prodigy`` or one of its modules (read, not run)."""
    try:
        tree = ast.parse(Path(path).read_text(encoding="utf8"), filename=str(path))
    except (OSError, SyntaxError, ValueError):
        return False  # the import itself reports the file's error, with its traceback
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        if any(name == "prodigy" or name.startswith("prodigy.") for name in names):
            return True
    return False


def _is_compat(path: str) -> bool:
    try:
        return Path(path or ".").resolve() == COMPAT_PATH
    except OSError:
        return False


def real_prodigy_origin() -> Optional[str]:
    """Where a real Prodigy is installed, when one can be imported (this folder left out)."""
    search = [entry for entry in sys.path if not _is_compat(entry)]
    spec = importlib.machinery.PathFinder.find_spec("prodigy", search)
    if spec is None:
        return None
    return str(spec.origin or (list(spec.submodule_search_locations or []) or ["?"])[0])


def enable_for_file(path: Path) -> bool:
    """Put the compat folder first on ``sys.path`` when a recipe file imports prodigy.

    Returns whether it did. A real Prodigy installed beside mentor is left
    alone on disk: in this process the file's ``import prodigy`` gets the
    compat layer (mentor runs the recipe, so it must register with mentor),
    which a warning says. Raises ProdigyAlreadyImported when another
    ``prodigy`` is imported already.
    """
    from ..errors import ProdigyAlreadyImported

    if not imports_prodigy(path):
        return False
    loaded = sys.modules.get("prodigy")
    if loaded is not None:
        origin = str(getattr(loaded, "__file__", "") or "")
        if origin and Path(origin).resolve().parent.parent == COMPAT_PATH:
            return True
        raise ProdigyAlreadyImported(origin or repr(loaded))
    real = real_prodigy_origin()
    if real is not None:
        logger.warning("%s imports prodigy: it runs on mentor's compatibility layer, not the Prodigy at %s", path, real)
    # first, even when PYTHONPATH has it already: a real Prodigy earlier on the path would win
    sys.path[:] = [str(COMPAT_PATH)] + [entry for entry in sys.path if not _is_compat(entry)]
    return True
