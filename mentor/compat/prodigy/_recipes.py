"""``prodigy.get_recipe(name)``: a recipe as a function Python code can call the Prodigy way.

A recipe a ``@prodigy.recipe`` file registered comes back as the function the
file wrote, as in Prodigy. mentor's built-in recipes take what their command
line gives (a pipeline's name, comma-separated labels, a file path) and return
:class:`Components`; the adapter here takes what Prodigy's take instead: a
loaded ``Language`` for ``nlp``, lists of labels, a list of task dicts as the
source, and it returns the components as a dict.
"""
from __future__ import annotations

import atexit
import functools
import inspect
import shutil
import tempfile
import typing
from dataclasses import fields
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Union

import srsly

from mentor.core.components import Components
from mentor.errors import RecipeCallError, RecipeNotFound
from mentor.registry import RecipeEntry
from mentor.registry import get_recipe as registry_recipe

# set on the command a @prodigy.recipe registers: the function the file wrote
PRODIGY_FUNCTION = "__prodigy_recipe__"
# Prodigy's names of arguments that mentor's built-in recipes call otherwise
ALIASES = {"nlp": "spacy_model"}

_temporary: List[str] = []


@atexit.register
def _remove_temporary() -> None:
    for folder in _temporary:
        shutil.rmtree(folder, ignore_errors=True)


def _temporary_folder() -> Path:
    folder = tempfile.mkdtemp(prefix="mentor-prodigy-")
    _temporary.append(folder)
    return Path(folder)


def find_recipe(name: str) -> RecipeEntry:
    """A registered recipe; the built-ins are imported first when the name isn't registered yet.

    Only then: importing them could replace a recipe of the same name that a
    user's file registered on purpose.
    """
    try:
        return registry_recipe(name)
    except RecipeNotFound:
        from mentor.cli.app import import_builtin_recipes

        import_builtin_recipes()
        return registry_recipe(name)


def load_file(path: Union[str, Path]) -> None:
    """Import a recipe file as ``-F`` does."""
    from mentor.compat import enable_for_file
    from mentor.registry import load_recipe_file

    enable_for_file(Path(path))
    load_recipe_file(Path(path))


def get_recipe(name: str, path: Optional[Union[str, Path]] = None) -> Callable[..., Any]:
    """The recipe ``name`` as a function (``path``: a recipe file to import first).

    Raises RecipeNotFound (M032) for a name no recipe has.
    """
    if path is not None:
        load_file(path)
    entry = find_recipe(name)
    original = getattr(entry.func, PRODIGY_FUNCTION, None)
    if original is not None:
        return original
    return builtin_recipe(entry)


def components_dict(components: Components) -> Dict[str, Any]:
    """A Prodigy components dict for mentor's Components (it goes back through ``Components.from_dict``)."""
    result = {f.name: getattr(components, f.name) for f in fields(Components)}
    if components.dataset is False:
        result["db"] = False
    return result


def _is_argument(annotation: Any) -> bool:
    """A positional command-line argument (typer's ``Arg``) rather than an option."""
    from typer.models import ArgumentInfo

    extras = getattr(annotation, "__metadata__", ())
    return any(isinstance(extra, ArgumentInfo) for extra in extras)


def _wants_text(annotation: Any) -> bool:
    base = typing.get_args(annotation)[0] if getattr(annotation, "__metadata__", None) else annotation
    options = typing.get_args(base) if typing.get_origin(base) is Union else (base,)
    return str in options


def command_value(recipe: str, name: str, value: Any, annotation: Any) -> Any:
    """What mentor's command line would have given for a value Prodigy's recipe takes."""
    if value is None or not _wants_text(annotation):
        return value
    if hasattr(value, "pipe_names") and hasattr(value, "to_disk"):  # a loaded spaCy Language
        folder = _temporary_folder() / "pipeline"
        value.to_disk(folder)
        return str(folder)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (list, tuple)) and all(isinstance(item, dict) for item in value) and value:
        source = _temporary_folder() / "source.jsonl"
        srsly.write_jsonl(source, value)
        return str(source)
    if isinstance(value, (list, tuple, set)):
        labels = [str(item) for item in value]
        if any("," in label for label in labels):
            raise RecipeCallError(recipe, f"'{name}' holds a value with a comma: {labels!r}")
        return ",".join(labels)
    if not isinstance(value, (str, int, float, bool)):
        raise RecipeCallError(recipe, f"'{name}' takes text, got {type(value).__name__}")
    return value


def builtin_recipe(entry: RecipeEntry) -> Callable[..., Any]:
    """mentor's built-in recipe called with Prodigy's arguments, returning a components dict.

    Positional values go to the recipe's positional arguments only (the order
    of the options differs between the two), options go by name.
    """
    parameters = inspect.signature(entry.func).parameters
    hints = typing.get_type_hints(entry.func, include_extras=True)
    positional = [name for name in parameters if _is_argument(hints.get(name))]

    @functools.wraps(entry.func)
    def call(*args: Any, **kwargs: Any) -> Any:
        from mentor.cli.labels import with_label_files

        if len(args) > len(positional):
            raise RecipeCallError(
                entry.name, f"takes {len(positional)} positional argument(s) ({', '.join(positional)}); pass options by name"
            )
        values = dict(zip(positional, args))
        for key, value in kwargs.items():
            name = ALIASES.get(key, key) if key not in parameters else key
            if name not in parameters:
                raise RecipeCallError(entry.name, f"no argument '{key}' (it takes {', '.join(parameters)})")
            if name in values:
                raise RecipeCallError(entry.name, f"'{key}' given twice")
            values[name] = value
        missing = [name for name in positional if name not in values]
        if missing:
            raise RecipeCallError(entry.name, f"missing {', '.join(missing)}")
        converted = {name: command_value(entry.name, name, value, hints.get(name)) for name, value in values.items()}
        result = entry.func(**with_label_files(converted))
        return components_dict(result) if isinstance(result, Components) else result

    del call.__wrapped__  # its signature is Prodigy's free one, not the command line's
    return call
