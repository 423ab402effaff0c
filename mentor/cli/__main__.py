"""The ``mentor`` executable: the one place errors become exit codes.

0: success. 1: a user's mistake (any MentorError), printed as one line with no
traceback. 2: bad usage (typer's own). Anything else is a bug and keeps its
traceback. ``--traceback`` re-raises user errors too, and ``--verbose`` turns
on debug logging.
"""
from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import List, Optional, Tuple

from wasabi import msg

from ..errors import MentorError


def split_global_flags(argv: List[str]) -> Tuple[List[str], List[Path], bool, bool]:
    """Take -F FILE, --traceback and --verbose out of argv, wherever they stand."""
    rest: List[str] = []
    files: List[Path] = []
    traceback = verbose = False
    args = iter(argv)
    for arg in args:
        if arg == "-F":
            value = next(args, None)
            if value is None:
                msg.fail("-F needs a recipe file path", exits=2)
            files.append(Path(value))  # type: ignore[arg-type]
        elif arg.startswith("-F") and len(arg) > 2:
            files.append(Path(arg[2:]))
        elif arg == "--traceback":
            traceback = True
        elif arg == "--verbose":
            verbose = True
        else:
            rest.append(arg)
    return rest, files, traceback, verbose


def main(argv: Optional[List[str]] = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    argv, recipe_files, traceback, verbose = split_global_flags(argv)
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        from ..registry import load_recipe_file
        from .app import build_app, import_builtin_recipes

        import_builtin_recipes()
        for path in recipe_files:
            load_recipe_file(path)
        app = build_app()
        app(args=argv, prog_name="mentor", standalone_mode=True)
    except MentorError as err:
        if traceback:
            raise
        msg.fail(str(err), exits=1)
    except KeyboardInterrupt:
        msg.warn("Interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
