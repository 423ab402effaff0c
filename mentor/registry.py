"""The recipe catalogue and the ``@recipe`` decorator.

A recipe is a plain function whose typed signature *is* its command line:
``Arg``/``Opt`` are typer's ``Argument``/``Option``, kept here (as spaCy keeps
them in ``spacy/cli/_util.py``) so recipes declare arguments one way and nothing
has to import ``mentor.cli``. Annotation recipes return a
:class:`mentor.core.components.Components`; commands (``db-in``, ``train``, ...)
do their work and return ``None``. Both live in the same catalogue so that
``mentor --help`` lists them together, grouped.
"""
from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterator, List, TypeVar

from typer import Argument as Arg
from typer import Option as Opt

from .errors import InputError, RecipeNotFound, UnknownSuggester

__all__ = [
    "Arg", "Opt", "recipe", "RecipeEntry", "get_recipe", "get_recipes", "load_recipe_file",
    "suggester", "get_suggester", "suggester_names",
]

GROUPS = ("annotation", "training", "database", "utilities")

F = TypeVar("F", bound=Callable)


@dataclass(frozen=True)
class RecipeEntry:
    name: str
    func: Callable
    group: str
    help: str


_recipes: Dict[str, RecipeEntry] = {}


def recipe(name: str, *, group: str = "annotation") -> Callable[[F], F]:
    """Register a function as the recipe or command ``name``.

    Registering a name again replaces the earlier function: a user's ``-F``
    file may override a built-in recipe on purpose.
    """
    if group not in GROUPS:
        raise ValueError(f"Unknown recipe group '{group}', expected one of {GROUPS}")

    def register(func: F) -> F:
        doc = (func.__doc__ or "").strip()
        _recipes[name] = RecipeEntry(name, func, group, doc.splitlines()[0] if doc else "")
        return func

    return register


def get_recipe(name: str) -> RecipeEntry:
    try:
        return _recipes[name]
    except KeyError:
        raise RecipeNotFound(name) from None


def get_recipes() -> List[RecipeEntry]:
    return sorted(_recipes.values(), key=lambda entry: (GROUPS.index(entry.group), entry.name))


def iter_recipe_names() -> Iterator[str]:
    return iter(sorted(_recipes))


_suggesters: Dict[str, Callable] = {}


def suggester(name: str) -> Callable[[F], F]:
    """Register a pre-annotator backend for the ``*.llm.*`` recipes under ``--backend name``.

    The function is a factory: ``factory(request, settings)`` gets a
    :class:`mentor.models.suggestions.SuggestRequest` (task kind, labels, their
    descriptions) and the settings, and returns an object whose
    ``suggest(texts)`` gives one ``Suggestion`` (spans or categories, with
    scores) per text. A ``-F`` file may register its own or replace a built-in.
    """

    def register(func: F) -> F:
        _suggesters[name] = func
        return func

    return register


def get_suggester(name: str) -> Callable:
    try:
        return _suggesters[name]
    except KeyError:
        raise UnknownSuggester(name, suggester_names()) from None


def suggester_names() -> List[str]:
    return sorted(_suggesters)


def load_recipe_file(path: Path) -> None:
    """Import a user's recipe file so the recipes it decorates are registered."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"Can't find recipe file '{path}'")
    module_name = f"mentor_user_recipes_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise InputError(f"Can't import recipe file '{path}': not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    # the module's own errors (a typo, an import) keep their traceback: they are bugs to see
    spec.loader.exec_module(module)
