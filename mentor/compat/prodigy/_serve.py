"""``prodigy.serve("RECIPE ARGS...", **config)``: run a recipe from Python, as its command line would.

The command string is read as ``mentor RECIPE ARGS`` reads it (``-F`` files
included); ``config`` holds ``prodigy.json`` keys and means what
``PRODIGY_CONFIG_OVERRIDES`` means (mentor.config): it wins over the files and
the recipe's own config, and a ``MENTOR_*`` variable wins over it. Like
Prodigy's, the call blocks while the server runs and returns once it is
stopped (Ctrl-C, SIGTERM); a command that serves nothing (``db-out``) just runs.
"""
from __future__ import annotations

import functools
import json
import os
import shlex
from typing import Any, Dict, List, Mapping, Sequence

import typer
from typer.exceptions import TyperException

from mentor.core.components import Components
from mentor.errors import ServeCommandError

from ._components import to_components
from ._recipes import find_recipe, load_file

OVERRIDES_VARIABLE = "PRODIGY_CONFIG_OVERRIDES"


def serve(command: str, *recipe_args: Any, **config: Any) -> None:
    """Start ``command`` (``"ner.manual my_set blank:en data.jsonl --label PERSON"``) with ``config`` overrides.

    Raises ServeCommandError (M270) for an empty command, Prodigy v1.9's
    separate recipe arguments, or usage its command line refuses; the recipe's
    own errors as they come.
    """
    from mentor.cli.__main__ import split_global_flags

    if recipe_args:
        raise ServeCommandError(
            command, "pass the recipe and its arguments as one command string, as on the command line "
            "(Prodigy v1.9's separate recipe arguments are not supported)"
        )
    argv, files, _traceback, _verbose = split_global_flags(shlex.split(command))
    for path in files:
        load_file(path)
    if not argv:
        raise ServeCommandError(command, "no recipe named")
    result = run_command(command, argv[0], argv[1:])
    components = to_components(result)
    if isinstance(components, Components):
        serve_components(components, config)


def run_command(command: str, name: str, args: Sequence[str]) -> Any:
    """What the recipe returns for ``args``, parsed by its own command line."""
    from mentor.cli.labels import with_label_files

    entry = find_recipe(name)
    result: List[Any] = []

    @functools.wraps(entry.func)
    def run(*values: Any, **options: Any) -> None:
        result.append(entry.func(*values, **with_label_files(options)))

    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    app.command(name, context_settings=getattr(entry.func, "context_settings", None))(run)
    try:
        typer.main.get_command(app).main(args=list(args), prog_name=f"prodigy {name}", standalone_mode=False)
    except TyperException as err:  # typer's own click: a usage error of the command line
        raise ServeCommandError(command, getattr(err, "format_message", err.__str__)()) from None
    return result[0] if result else None


def with_overrides(environ: Mapping[str, str], config: Dict[str, Any]) -> Dict[str, str]:
    """The environment with ``config`` over any ``PRODIGY_CONFIG_OVERRIDES`` already set."""
    from mentor.prodigy_settings import parse_overrides

    if not config:
        return dict(environ)
    earlier = parse_overrides(environ[OVERRIDES_VARIABLE]) if environ.get(OVERRIDES_VARIABLE) else {}
    return {**environ, OVERRIDES_VARIABLE: json.dumps({**earlier, **config}, default=str)}


def serve_components(components: Components, config: Dict[str, Any]) -> None:
    """Serve until stopped, with the settings the command line would use plus ``config``."""
    from mentor.config import load_settings
    from mentor.core.serving import serve as serve_forever

    settings = load_settings(recipe_config=components.config, environ=with_overrides(os.environ, config))
    serve_forever(components, settings)
