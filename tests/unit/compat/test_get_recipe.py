"""``prodigy.get_recipe(name)``: recipes as functions called the Prodigy way."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

import pytest
import spacy

from mentor.compat import COMPAT_PATH
from mentor.errors import RecipeCallError, RecipeNotFound

RECIPES = Path(__file__).parents[2] / "integration" / "compat" / "recipes"


@pytest.fixture
def prodigy(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    monkeypatch.setattr(sys, "path", [str(COMPAT_PATH), *sys.path])
    import prodigy

    yield prodigy


def test_a_builtin_recipe_takes_prodigys_arguments_and_returns_a_dict(prodigy, mentor_home: Path) -> None:
    ner_manual = prodigy.get_recipe("ner.manual")
    components = ner_manual("names", spacy.blank("en"), [{"text": "Ada met Bob"}], label=["PERSON", "ORG"])
    assert isinstance(components, dict)
    assert components["view_id"] == "ner_manual" and components["dataset"] == "names"
    assert components["config"]["labels"] == ["PERSON", "ORG"]
    tasks = list(components["stream"])
    assert [t["text"] for t in tasks[0]["tokens"]] == ["Ada", "met", "Bob"]
    # the same under mentor's own names and values, and with a file as the source
    source = mentor_home / "in.jsonl"
    source.write_text('{"text": "one two"}\n')
    again = ner_manual(dataset="names", spacy_model="blank:en", source=source, label="PERSON")
    assert [t["text"] for t in again["stream"]] == ["one two"]
    from prodigy.core import get_recipe

    assert get_recipe is prodigy.get_recipe


def test_builtin_recipe_refuses_what_it_cant_take(prodigy) -> None:
    ner_manual = prodigy.get_recipe("ner.manual")
    with pytest.raises(RecipeCallError, match="pass options by name"):
        ner_manual("names", "blank:en", "in.jsonl", None, ["PERSON"])
    with pytest.raises(RecipeCallError, match="no argument 'colour'"):
        ner_manual("names", "blank:en", "in.jsonl", colour="red")
    with pytest.raises(RecipeCallError, match="missing source"):
        ner_manual("names", "blank:en")
    with pytest.raises(RecipeNotFound):
        prodigy.get_recipe("no.such-recipe")


def test_a_file_recipe_comes_back_as_the_function_it_wrote(prodigy, tmp_path: Path) -> None:
    check_label = prodigy.get_recipe("check-label", path=RECIPES / "classify_plac.py")
    assert check_label.__name__ == "check_label"
    source = tmp_path / "s.jsonl"
    source.write_text('{"text": "a"}\n')
    components = check_label("ds", str(source), label=["X"])
    assert isinstance(components, dict) and next(iter(components["stream"]))["label"] == "X"


def test_about(prodigy) -> None:
    from prodigy import about

    assert about.__version__ == prodigy.__version__ and about.__title__ == "prodigy"
