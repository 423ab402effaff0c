"""Build the ``mentor`` command line from the recipe catalogue.

Every registered recipe or command becomes one typer command whose options are
read from the function's typed signature, as alembic builds its commands from
``command.py``. A recipe that returns :class:`Components` is served; a command
that returns None has done its work.
"""
from __future__ import annotations

import functools
import importlib
import logging
import pkgutil
from typing import Any, Callable

import typer

from ..core.components import Components
from ..registry import RecipeEntry, get_recipes
from .labels import with_label_files

logger = logging.getLogger(__name__)

BUILTIN_PACKAGES = ("mentor.recipes", "mentor.cli.commands")

PANELS = {
    "annotation": "Annotation recipes",
    "training": "Training and evaluation",
    "database": "Datasets and database",
    "utilities": "Utilities",
}


def import_builtin_recipes() -> None:
    """Import every module of the built-in recipe and command packages so they register."""
    for package_name in BUILTIN_PACKAGES:
        package = importlib.import_module(package_name)
        for module in pkgutil.iter_modules(package.__path__):
            if not module.name.startswith("_"):
                importlib.import_module(f"{package_name}.{module.name}")


def run_components(result: Any, *, recipe_name: str) -> None:
    """Serve what an annotation recipe returned."""
    if isinstance(result, dict):
        result = Components.from_dict(result)
    if not isinstance(result, Components):
        return
    from ..config import load_settings
    from ..core.serving import serve

    settings = load_settings(recipe_config=result.config)
    logger.info("Serving recipe %s", recipe_name)
    serve(result, settings)


def make_command(entry: RecipeEntry) -> Callable[..., None]:
    func = entry.func

    @functools.wraps(func)
    def command(*args: Any, **kwargs: Any) -> None:
        run_components(func(*args, **with_label_files(kwargs)), recipe_name=entry.name)

    return command


def build_app() -> typer.Typer:
    """A typer app with one command per registered recipe, grouped in help panels."""
    app = typer.Typer(
        name="mentor",
        help="mentor: annotation for machine teaching, built on spaCy.\n\n"
        "Run 'mentor RECIPE --help' for a recipe's arguments; load your own recipes with -F file.py.",
        no_args_is_help=True,
        add_completion=False,
        rich_markup_mode="rich",
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["--help", "-h"]},
    )
    for entry in get_recipes():
        app.command(
            entry.name,
            help=entry.func.__doc__,
            rich_help_panel=PANELS.get(entry.group, entry.group),
            # commands that pass extra flags through (spaCy's --training.max_epochs 5) set this
            context_settings=getattr(entry.func, "context_settings", None),
        )(make_command(entry))
    return app
