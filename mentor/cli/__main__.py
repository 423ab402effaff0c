"""The ``mentor`` executable: the one place errors become exit codes.

0: success. 1: a user's mistake (any MentorError), printed as one line on
stderr with no traceback. 2: bad usage (typer's own). Anything else is a bug and keeps its
traceback. ``--traceback`` re-raises user errors too, and ``--verbose`` turns
on debug logging.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional, Tuple

from ..errors import MentorError
from . import messages


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
                messages.fail("-F needs a recipe file path")
                sys.exit(2)
            files.append(Path(value))
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
    messages.configure_logging(verbose)
    try:
        from ..compat import enable_for_file
        from ..registry import load_recipe_file
        from .app import build_app, import_builtin_recipes

        import_builtin_recipes()
        for path in recipe_files:
            enable_for_file(path)  # a Prodigy recipe file imports prodigy: mentor's compat layer
            load_recipe_file(path)
        app = build_app()
        app(args=argv, prog_name="mentor", standalone_mode=True)
    except MentorError as err:
        if traceback:
            raise
        messages.fail(str(err))
        sys.exit(1)
    except KeyboardInterrupt:
        messages.warn("Interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
