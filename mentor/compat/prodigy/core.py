"""``prodigy.core``: the recipe decorator, ``Arg``, ``get_recipe`` and the ``Controller``.

``recipe`` registers the function in mentor's catalogue under its Prodigy
argument specs (translated in ``_specs``), so ``mentor NAME ... -F file.py``
runs it, and returns the function unchanged, so Python code and tests can
call it and inspect the components dict it returns, as with Prodigy.
"""
from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, TypeVar

from mentor.registry import recipe as register_recipe

from ._components import to_components
from ._controller import Controller
from ._recipes import PRODIGY_FUNCTION, get_recipe
from ._specs import Arg, convert_values, translate, typer_parameter

__all__ = ["recipe", "get_recipe", "Arg", "Controller"]

F = TypeVar("F", bound=Callable[..., Any])


def recipe(name: str, **specs: Any) -> Callable[[F], F]:
    """Register a Prodigy recipe: ``@recipe("name", dataset=("Dataset", "positional", None, str), ...)``.

    Raises RecipeSpecError (when the file is loaded) for a spec mentor can't
    turn into a command-line argument.
    """

    def decorate(func: F) -> F:
        params = translate(name, func, specs)

        @functools.wraps(func)
        def command(**values: Any) -> Any:
            return to_components(func(**convert_values(params, values)))

        signature = inspect.Signature([typer_parameter(param) for param in params])
        # typer reads the signature; the original's hints (Language, List[str]) are no typer types
        del command.__wrapped__
        command.__signature__ = signature  # type: ignore[attr-defined]
        command.__annotations__ = {p.name: p.annotation for p in signature.parameters.values()}
        setattr(command, PRODIGY_FUNCTION, func)  # what prodigy.get_recipe(name) returns
        register_recipe(name)(command)
        return func

    return decorate
