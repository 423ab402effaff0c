"""Prodigy's recipe argument specs, translated into typer parameters.

Prodigy declares a recipe's command line in its decorator, either as plac
tuples, ``label=("Label(s)", "option", "l", split_string)`` (help, kind,
shortcut, converter), or, since v1.12, as ``Arg("--label", "-l", help=...)``
beside the function's type hints. mentor's command line is the function's
typed signature (typer), so each spec becomes an ``Annotated[type,
Argument|Option]`` parameter of a new signature. typer parses the types it
knows (str, int, float, bool, Path); any other converter (``split_string``,
``Language``, ``List[str]``, a user's function) gets the string and is applied
before the recipe is called, with its refusal reported as RecipeArgumentError.
"""
from __future__ import annotations

import inspect
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Callable, Dict, List, Optional, Sequence, Tuple

import typer

from mentor.errors import RecipeArgumentError, RecipeSpecError
from mentor.tasks import split_string

KINDS = ("positional", "option", "flag")
NATIVE_TYPES = (str, int, float, bool, Path)
EMPTY = inspect.Parameter.empty


@dataclass(frozen=True)
class Arg:
    """Prodigy's (radicli's) argument description: no option name means positional.

    ``Arg(help="Dataset")``, ``Arg("--label", "-l", help="Labels")``; the type
    comes from the function's annotation, or from ``converter``.
    """

    option: Optional[str] = None
    short: Optional[str] = None
    help: Optional[str] = None
    count: bool = False
    converter: Optional[Callable[[str], Any]] = None


@dataclass
class Param:
    """One command-line parameter of a translated recipe."""

    name: str
    kind: str
    help: str
    names: Tuple[str, ...]
    native: type
    convert: Optional[Callable[[Any], Any]]
    default: Any


def _language(value: str) -> Any:
    from mentor.models.loading import load_pipeline

    return load_pipeline(value)


def _unwrap_optional(annotation: Any) -> Any:
    if typing.get_origin(annotation) is typing.Union:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def converter_for_annotation(annotation: Any) -> Tuple[type, Optional[Callable[[Any], Any]]]:
    """The type typer parses and the converter applied after, for a type hint of the v1.12 style."""
    annotation = _unwrap_optional(annotation)
    if annotation is EMPTY or annotation is Any:
        return str, None
    if annotation in NATIVE_TYPES:
        return annotation, None
    if isinstance(annotation, type) and issubclass(annotation, Path):
        return Path, None
    if typing.get_origin(annotation) in (list, List, Sequence, typing.Sequence):
        return str, split_string
    if getattr(annotation, "__name__", "") == "Language":
        return str, _language
    return str, None


def converter_for_type(value: Any) -> Tuple[type, Optional[Callable[[Any], Any]]]:
    """The type typer parses and the converter applied after, for a plac tuple's fourth item."""
    if value is None:
        return str, None
    if value in NATIVE_TYPES:
        return value, None
    if isinstance(value, type) and issubclass(value, Path):
        return Path, value
    if callable(value):
        return str, value
    raise TypeError(f"the type {value!r} is not callable")


def _option_names(name: str, option: Optional[str], short: Optional[str]) -> Tuple[str, ...]:
    names: List[str] = [option or f"--{name.replace('_', '-')}"]
    if option is None and "_" in name:
        names.append(f"--{name}")  # plac's spelling of the long option
    if short:
        names.append(short if short.startswith("-") else f"-{short}")
    return tuple(names)


def _from_tuple(recipe: str, name: str, spec: Sequence[Any], default: Any) -> Param:
    padded = list(spec) + [None] * (4 - len(spec))
    help_text, kind, short, kind_type = padded[:4]
    kind = kind or "positional"
    if kind not in KINDS:
        raise RecipeSpecError(recipe, name, f"kind {kind!r} is none of {', '.join(KINDS)}")
    try:
        native, convert = converter_for_type(bool if kind == "flag" else kind_type)
    except TypeError as err:
        raise RecipeSpecError(recipe, name, str(err)) from None
    names = () if kind == "positional" else _option_names(name, None, short)
    if kind == "flag" and default is EMPTY:
        default = False
    return Param(name, kind, str(help_text or ""), names, native, convert, default)


def _from_arg(name: str, spec: Arg, annotation: Any, default: Any) -> Param:
    if spec.converter is not None:
        native, convert = str, spec.converter
    else:
        native, convert = converter_for_annotation(annotation)
    if spec.option is None:
        kind = "positional"
    elif native is bool:
        kind = "flag"
        default = False if default is EMPTY else default
    else:
        kind = "option"
    names = () if kind == "positional" else _option_names(name, spec.option, spec.short)
    return Param(name, kind, spec.help or "", names, native, convert, default)


def translate(recipe: str, func: Callable, specs: Dict[str, Any]) -> List[Param]:
    """The command-line parameters of a Prodigy recipe function, in signature order."""
    signature = inspect.signature(func)
    unknown = sorted(set(specs) - set(signature.parameters))
    if unknown:
        raise RecipeSpecError(recipe, unknown[0], f"the function {func.__name__}() has no such parameter")
    try:
        hints = typing.get_type_hints(func)
    except Exception:  # a hint naming something the file doesn't import: fall back to strings
        hints = {}
    params: List[Param] = []
    for name, parameter in signature.parameters.items():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        spec = specs.get(name)
        annotation = hints.get(name, EMPTY)
        default = parameter.default
        if isinstance(spec, Arg):
            params.append(_from_arg(name, spec, annotation, default))
        elif isinstance(spec, (tuple, list)):
            params.append(_from_tuple(recipe, name, spec, default))
        elif spec is None or isinstance(spec, str):
            # no spec: required parameters are positional, the others options
            option = None if default is EMPTY else f"--{name.replace('_', '-')}"
            params.append(_from_arg(name, Arg(option, help=spec), annotation, default))
        else:
            raise RecipeSpecError(recipe, name, f"expected a tuple or Arg, got {type(spec).__name__}")
    return params


def typer_parameter(param: Param) -> inspect.Parameter:
    """The ``Annotated[type, Argument|Option]`` parameter typer reads for ``param``."""
    converted = param.convert is not None
    hint: Any = param.native
    default = param.default
    if default is not EMPTY and (converted or default is None):
        # not given, a converted value arrives as None: convert_values puts the recipe's own default back
        hint, default = Optional[param.native], None
    help_text = param.help
    if converted and param.default not in (EMPTY, None):
        help_text = f"{help_text} [default: {param.default}]".strip()
    if param.kind == "positional":
        info: Any = typer.Argument(help=help_text, show_default=not converted)
    else:
        info = typer.Option(*param.names, help=help_text, show_default=not converted)
    return inspect.Parameter(param.name, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Annotated[hint, info], default=default)


def convert_values(params: List[Param], values: Dict[str, Any]) -> Dict[str, Any]:
    """The recipe's keyword arguments from typer's values: defaults restored, converters applied."""
    result: Dict[str, Any] = {}
    for param in params:
        value = values.get(param.name)
        if value is None and param.default is not EMPTY:
            result[param.name] = param.default
        elif param.convert is not None and value is not None:
            try:
                result[param.name] = param.convert(value)
            except (ValueError, TypeError, OSError) as err:
                raise RecipeArgumentError(param.names[0] if param.names else param.name, str(value), str(err)) from None
        else:
            result[param.name] = value
    return result
