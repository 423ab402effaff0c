"""The prodigy compatibility layer: specs, components and modules, without a server."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Iterator

import pytest
import spacy

from mentor.compat import COMPAT_PATH, enable_for_file, imports_prodigy
from mentor.core import Components
from mentor.db import Database
from mentor.errors import InputError, RecipeArgumentError, RecipeSpecError, UnsupportedComponent
from mentor.registry import get_recipe


@pytest.fixture(scope="module")
def prodigy() -> Iterator[object]:
    sys.path.insert(0, str(COMPAT_PATH))
    import prodigy

    yield prodigy
    sys.path.remove(str(COMPAT_PATH))


def test_imports_prodigy_reads_the_file_without_running_it(tmp_path: Path) -> None:
    uses = tmp_path / "a.py"
    uses.write_text("raise SystemExit\nfrom prodigy.components.loaders import JSONL\n")
    plain = tmp_path / "b.py"
    plain.write_text("import prodigyish\nimport mentor\n")
    assert imports_prodigy(uses) and not imports_prodigy(plain)
    assert enable_for_file(plain) is False


def test_plac_specs_become_typer_parameters_and_converters_run(prodigy) -> None:
    from prodigy.util import split_string

    @prodigy.recipe("compat-test-plac", dataset=("Dataset", "positional", None, str),
                    label=("Labels", "option", "l", split_string), n=("Count", "option", "n", int),
                    dry=("Dry run", "flag", "D", bool))
    def plac_recipe(dataset, label=None, n=3, dry=False):
        return {"dataset": dataset, "stream": [{"text": "x"}], "view_id": "text", "config": {"labels": label, "n": n}}

    command = get_recipe("compat-test-plac").func
    result = command(dataset="ds", label="A, B", n=None, dry=False)
    assert isinstance(result, Components)
    assert result.config == {"labels": ["A", "B"], "n": 3}
    assert plac_recipe("ds")["dataset"] == "ds"  # the decorated function itself is unchanged


def test_bad_specs_and_values_are_refused(prodigy) -> None:
    with pytest.raises(RecipeSpecError, match="'label'.*kind 'opt'"):
        prodigy.recipe("compat-bad", label=("Labels", "opt", "l", str))(lambda label=None: None)
    with pytest.raises(RecipeSpecError, match="no such parameter"):
        prodigy.recipe("compat-bad", other=("x", "option", None, str))(lambda label=None: None)

    def number(value: str) -> int:
        return int(value)

    prodigy.recipe("compat-conv", n=("Count", "option", "n", number))(lambda n=1: None)
    with pytest.raises(RecipeArgumentError, match="'--n'.*'ten'"):
        get_recipe("compat-conv").func(n="ten")


def test_components_db_false_session_id_and_unsupported_keys() -> None:
    from mentor.compat.prodigy._components import to_components

    made = to_components({"dataset": "ds", "stream": [], "view_id": "text", "db": False, "get_session_id": lambda: "me"})
    assert made.dataset is False and made.get_session_id() == "me"
    with pytest.raises(UnsupportedComponent, match="task_router"):
        to_components({"dataset": "ds", "stream": [], "view_id": "text", "task_router": lambda *a: []})
    with pytest.raises(InputError, match="custom 'db'"):
        to_components({"dataset": "ds", "stream": [], "view_id": "text", "db": object()})


def test_jsonl_reads_without_checking_and_skips_only_bad_json(prodigy, tmp_path: Path, caplog) -> None:
    from prodigy.components.loaders import JSONL

    path = tmp_path / "p.jsonl"
    path.write_text('{"label": "X", "pattern": "y"}\n{oops\n[1, 2]\n')
    assert list(JSONL(path)) == [{"label": "X", "pattern": "y"}, [1, 2]]
    assert "p.jsonl:2: not valid JSON" in caplog.text


def test_get_stream_lists_and_datasets(prodigy, mentor_home: Path) -> None:
    from prodigy.components.db import connect
    from prodigy.components.stream import get_stream

    stream = get_stream([{"text": "a"}, {"text": "a"}, {"text": "b"}], dedup=True)
    assert [t["text"] for t in stream] == ["a", "b"] and all("_task_hash" in t for t in stream)
    db = connect()
    db.add_dataset("old")
    db.add_examples([{"text": "kept", "answer": "accept", "_session_id": "old-x"},
                     {"text": "no", "answer": "reject"}], datasets=["old"])
    assert [t["text"] for t in get_stream("dataset:old")] == ["kept", "no"]
    assert [t["text"] for t in get_stream("dataset:old:accept")] == ["kept"]
    assert "answer" not in next(iter(get_stream("dataset:old")))
    assert db.get_dataset("missing") is None and db.drop_dataset("old") is True and "old" not in db
    assert isinstance(db, Database)
    other = connect("sqlite", {"name": "team.db"})  # prodigy.json's meaning: a file in the home folder
    assert other.url == f"sqlite:///{mentor_home / 'team.db'}"
    other.close()


def test_util_and_models(prodigy, tmp_path: Path) -> None:
    from prodigy.models.matcher import PatternMatcher
    from prodigy.models.ner import EntityRecognizer, merge_spans
    from prodigy.util import INPUT_HASH_ATTR, combine_models, get_labels, set_hashes

    labels = tmp_path / "labels.txt"
    labels.write_text("ORG\n\nPERSON\n")
    assert get_labels(str(labels)) == ["ORG", "PERSON"] and get_labels("A,B") == ["A", "B"]
    nlp = spacy.blank("en")
    patterns = tmp_path / "patterns.jsonl"
    patterns.write_text(json.dumps({"label": "ORG", "pattern": "acme"}) + "\n")
    matcher = PatternMatcher(nlp).from_disk(patterns)
    found = list(matcher([{"text": "Acme is here"}]))
    assert found and found[0][1]["spans"][0]["label"] == "ORG"
    model = EntityRecognizer(nlp, label=["ORG"], seed=0)
    predict, update = combine_models(model, matcher)
    assert callable(predict) and callable(update)
    answers = [set_hashes({"text": "Acme hired Bo", "spans": [{"start": 0, "end": 4, "label": "ORG"}], "answer": "accept"}),
               set_hashes({"text": "Acme hired Bo", "spans": [{"start": 11, "end": 13, "label": "ORG"}], "answer": "reject"})]
    merged = merge_spans(answers)
    assert len(merged) == 1 and [s["answer"] for s in merged[0]["spans"]] == ["accept", "reject"]
    assert INPUT_HASH_ATTR in merged[0]
    best = list(model.make_best(merged))
    assert len(best) == 1
    spans = {(s["start"], s["end"], s["label"]) for s in best[0]["spans"]}
    assert (0, 4, "ORG") in spans and (11, 13, "ORG") not in spans


def test_a_real_prodigy_is_named_never_shadowed_unasked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, caplog) -> None:
    import types

    from mentor.cli.commands.compat_path import compat_path
    from mentor.compat import real_prodigy_origin
    from mentor.errors import ProdigyAlreadyImported

    real = tmp_path / "site" / "prodigy"
    real.mkdir(parents=True)
    (real / "__init__.py").write_text("")
    monkeypatch.setattr(sys, "path", [str(tmp_path / "site"), str(COMPAT_PATH), *sys.path])
    assert real_prodigy_origin() == str(real / "__init__.py")  # the compat folder on the path is not "real"
    compat_path()
    out, err = capsys.readouterr()
    assert out.strip() == str(COMPAT_PATH) and "real Prodigy is installed" in err and str(real) in err

    recipe_file = tmp_path / "r.py"
    recipe_file.write_text("import prodigy\n")
    monkeypatch.delitem(sys.modules, "prodigy", raising=False)
    assert enable_for_file(recipe_file) is True
    assert sys.path[0] == str(COMPAT_PATH) and sys.path.count(str(COMPAT_PATH)) == 1
    assert "runs on mentor's compatibility layer" in caplog.text
    monkeypatch.setitem(sys.modules, "prodigy", types.ModuleType("prodigy"))
    with pytest.raises(ProdigyAlreadyImported):
        enable_for_file(recipe_file)
