"""ner/textcat/spans.model-annotate: a pipeline's predictions stored as one more annotator's answers.

Small pipelines are trained here (a few texts, overfitted), the recipes store
into the SQLite database of a fresh mentor home, and the stored answers are
read back: their shape, their hashes beside a person's answer given through
the controller, a rerun, the label filter, and the one-line errors.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Dict, List, Sequence

import pytest
import spacy
from spacy.tokens import Span
from spacy.training import Example
from spacy.util import fix_random_seed

from mentor.config import load_settings
from mentor.core.controller import Controller
from mentor.db import connect
from mentor.models.annotator import LabelsNotInModel, NoEntityRecognizer, NoTextClassifier
from mentor.models.spancat import NoSpanCategorizer
from mentor.preprocess import doc_to_tokens, span_to_dict
from mentor.recipes.model_annotate import ner_model_annotate, spans_model_annotate, textcat_model_annotate
from mentor.recipes.ner_manual import ner_manual
from mentor.recipes.textcat import textcat_manual
from mentor.tasks import get_task_hash, set_hashes

NER_TEXTS = {
    "Alice works at Acme in Paris.": [(0, 5, "PERSON"), (15, 19, "ORG")],
    "Bob joined Globex last year.": [(0, 3, "PERSON"), (11, 17, "ORG")],
    "Carol met Alice at Acme.": [(0, 5, "PERSON"), (10, 15, "PERSON"), (19, 23, "ORG")],
}
CAT_TEXTS = {
    "I love this, wonderful and great.": "POS",
    "Great film, I loved it.": "POS",
    "Awful, I hate this terrible thing.": "NEG",
    "Terrible and awful, hated it.": "NEG",
}
SPAN_TEXTS = {"I like apples and pears.": [(2, 3, "FRUIT"), (4, 5, "FRUIT")], "apples are red": [(0, 1, "FRUIT")]}


def _train(nlp: Any, examples: List[Example], rounds: int = 60) -> Any:
    fix_random_seed(0)
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(rounds):
        nlp.update(examples, sgd=optimizer)
    return nlp


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Path]:
    """Tiny trained pipelines on disk: ner, textcat (exclusive), textcat_multilabel, spancat."""
    root = tmp_path_factory.mktemp("models")
    paths: Dict[str, Path] = {}

    nlp = spacy.blank("en")
    nlp.add_pipe("ner")
    examples = [Example.from_dict(nlp.make_doc(t), {"entities": ents}) for t, ents in NER_TEXTS.items()]
    paths["ner"] = root / "ner"
    _train(nlp, examples).to_disk(paths["ner"])

    for factory in ("textcat", "textcat_multilabel"):
        nlp = spacy.blank("en")
        nlp.add_pipe(factory)
        labels = ["POS", "NEG", "MIXED"] if factory == "textcat" else ["POS", "NEG"]
        examples = [
            Example.from_dict(nlp.make_doc(t), {"cats": {label: float(label == gold) for label in labels}})
            for t, gold in CAT_TEXTS.items()
        ]
        paths[factory] = root / factory
        _train(nlp, examples).to_disk(paths[factory])

    nlp = spacy.blank("en")
    nlp.add_pipe("spancat", config={"spans_key": "fruit", "threshold": 0.4})
    examples = []
    for text, spans in SPAN_TEXTS.items():
        doc = nlp.make_doc(text)
        ref = doc.copy()
        ref.spans["fruit"] = [Span(ref, s, e, label=label) for s, e, label in spans]
        examples.append(Example(doc, ref))
    nlp.get_pipe("spancat").add_label("FRUIT")
    nlp.get_pipe("spancat").add_label("VEG")
    paths["spancat"] = root / "spancat"
    _train(nlp, examples, rounds=80).to_disk(paths["spancat"])
    return paths


def write_jsonl(path: Path, tasks: Sequence[Any]) -> Path:
    path.write_text("".join((t if isinstance(t, str) else json.dumps(t)) + "\n" for t in tasks), encoding="utf8")
    return path


@pytest.fixture
def ner_source(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "news.jsonl", [{"text": t, "meta": {"id": i}} for i, t in enumerate(NER_TEXTS)])


def stored(dataset: str) -> List[Dict[str, Any]]:
    db = connect()
    try:
        return list(db.get_dataset_examples(dataset))
    finally:
        db.close()


def test_issue13_ner_model_annotate_stores_ner_manual_answers_of_the_alias(mentor_home, models, ner_source) -> None:
    ner_model_annotate("news", str(models["ner"]), str(ner_source), "tiny", batch_size=2)
    answers = stored("news")
    assert [a["text"] for a in answers] == list(NER_TEXTS)
    nlp = spacy.load(models["ner"])
    for answer in answers:
        doc = nlp(answer["text"])
        assert answer["answer"] == "accept" and answer["_view_id"] == "ner_manual"
        assert answer["_session_id"] == answer["_annotator_id"] == "news-tiny"
        assert answer["tokens"] == doc_to_tokens(doc)
        assert answer["spans"] == [span_to_dict(ent) for ent in doc.ents]
        assert answer["_input_hash"] == set_hashes({"text": answer["text"]})["_input_hash"]
        assert answer["_task_hash"] == get_task_hash(answer, answer["_input_hash"])
        assert isinstance(answer["_timestamp"], int) and len(answer["_input_digest"]) == 16
        assert list(answer)[-1] == "_input_digest" and "meta" in answer
    # the overfitted model does find the entities it was trained on
    first = answers[0]
    assert [(s["start"], s["end"], s["label"]) for s in first["spans"]] == NER_TEXTS[first["text"]]
    db = connect()
    try:
        assert db.get_session_names("news") == ["news-tiny"]
        assert "news-tiny" in db.sessions and db.count_dataset("news-tiny") == len(NER_TEXTS)
    finally:
        db.close()


def test_issue13_model_answers_group_with_a_persons_answer_on_the_same_text(mentor_home, models, ner_source) -> None:
    components = ner_manual("news", str(models["ner"]), str(ner_source), label="PERSON,ORG")
    db = connect()
    ctrl = Controller(components, db, load_settings())
    task = ctrl.get_questions("alex").tasks[0]
    person = {**task, "answer": "accept", "spans": [{"start": 0, "end": 5, "token_start": 0, "token_end": 0, "label": "PERSON"}]}
    assert ctrl.give_answers([person], "alex").saved == 1
    ctrl.close()
    db.close()

    ner_model_annotate("news", str(models["ner"]), str(ner_source), "tiny")
    answers = [a for a in stored("news") if a["text"] == task["text"]]
    assert sorted(a["_session_id"] for a in answers) == ["news-alex", "news-tiny"]
    assert len({a["_input_hash"] for a in answers}) == 1  # one item for review and the metrics
    assert {a["_view_id"] for a in answers} == {"ner_manual"}
    assert len({a["_input_digest"] for a in answers}) == 1


def test_issue13_textcat_choice_answers_hash_like_textcat_manual(mentor_home, models, tmp_path) -> None:
    texts = list(CAT_TEXTS)
    source = write_jsonl(tmp_path / "cats.jsonl", [{"text": t} for t in texts])
    components = textcat_manual("cats", str(source), label="POS,NEG,MIXED", exclusive=True)
    db = connect()
    ctrl = Controller(components, db, load_settings())
    task = ctrl.get_questions("bea").tasks[0]
    ctrl.give_answers([{**task, "answer": "accept", "accept": ["NEG"]}], "bea")
    ctrl.close()
    db.close()

    textcat_model_annotate("cats", str(models["textcat"]), str(source), "clf")
    model_answers = [a for a in stored("cats") if a["_session_id"] == "cats-clf"]
    nlp = spacy.load(models["textcat"])
    assert len(model_answers) == len(texts)
    for answer in model_answers:
        cats = nlp(answer["text"]).cats
        assert answer["_view_id"] == "choice" and answer["answer"] == "accept"
        assert answer["options"] == [{"id": label, "text": label} for label in ("POS", "NEG", "MIXED")]
        assert answer["accept"] == [max(cats, key=cats.get)]
        assert answer["accept"] == [CAT_TEXTS[answer["text"]]]  # the model learned its four texts
    same_text = [a for a in stored("cats") if a["text"] == task["text"]]
    # same text, same options: the same question, so the same _task_hash as the person's answer
    assert len(same_text) == 2 and len({(a["_input_hash"], a["_task_hash"]) for a in same_text}) == 1


def test_issue13_textcat_multilabel_threshold_and_single_label(mentor_home, models, tmp_path) -> None:
    source = write_jsonl(tmp_path / "cats.jsonl", [{"text": t} for t in CAT_TEXTS])
    path = str(models["textcat_multilabel"])
    textcat_model_annotate("multi", path, str(source), "ml", threshold=0.5)
    nlp = spacy.load(path)
    for answer in stored("multi"):
        cats = nlp(answer["text"]).cats
        assert answer["accept"] == [label for label in ("POS", "NEG") if cats[label] >= 0.5]
        assert answer["accept"] == [CAT_TEXTS[answer["text"]]]
    textcat_model_annotate("single", path, str(source), "ml", labels="NEG")
    single = stored("single")
    assert {a["_view_id"] for a in single} == {"classification"} and all(a["label"] == "NEG" for a in single)
    assert [a["answer"] for a in single] == ["accept" if CAT_TEXTS[a["text"]] == "NEG" else "reject" for a in single]


def test_issue13_spans_model_annotate_reads_the_spans_key(mentor_home, models, tmp_path) -> None:
    source = write_jsonl(tmp_path / "fruit.jsonl", [{"text": t} for t in SPAN_TEXTS])
    spans_model_annotate("fruit", str(models["spancat"]), str(source), "sc")
    nlp = spacy.load(models["spancat"])
    answers = stored("fruit")
    assert len(answers) == 2
    for answer in answers:
        doc = nlp(answer["text"])
        expected = sorted(doc.spans["fruit"], key=lambda s: (s.start, s.end, s.label_))
        assert answer["_view_id"] == "spans_manual" and answer["_session_id"] == "fruit-sc"
        assert answer["spans"] == [span_to_dict(span) for span in expected]
        assert all("score" not in span for span in answer["spans"])
    learned = {(s["token_start"], s["token_end"] + 1, s["label"]) for s in answers[0]["spans"]}
    assert set(SPAN_TEXTS[answers[0]["text"]]) <= learned


def test_issue13_rerun_skips_what_the_alias_annotated(mentor_home, models, ner_source, capsys) -> None:
    ner_model_annotate("news", str(models["ner"]), str(ner_source), "tiny")
    capsys.readouterr()
    ner_model_annotate("news", str(models["ner"]), str(ner_source), "tiny")
    out = capsys.readouterr().out
    assert "Stored 0 answers" in out and f"Skipped {len(NER_TEXTS)} texts" in out
    assert len(stored("news")) == len(NER_TEXTS)
    with ner_source.open("a", encoding="utf8") as file:
        file.write(json.dumps({"text": "Dave left Initech."}) + "\n")
    ner_model_annotate("news", str(models["ner"]), str(ner_source), "tiny")
    assert [a["text"] for a in stored("news")][-1] == "Dave left Initech."
    assert len(stored("news")) == len(NER_TEXTS) + 1
    # the skip is the alias's own: another model annotates every text again
    ner_model_annotate("news", str(models["ner"]), str(ner_source), "other")
    assert sum(a["_session_id"] == "news-other" for a in stored("news")) == len(NER_TEXTS) + 1


def test_issue13_labels_filter_keeps_only_those_labels(mentor_home, models, ner_source) -> None:
    ner_model_annotate("news", str(models["ner"]), str(ner_source), "tiny", labels="ORG")
    answers = stored("news")
    assert all(span["label"] == "ORG" for a in answers for span in a["spans"])
    assert sum(len(a["spans"]) for a in answers) == 3


def test_issue13_model_annotate_errors_before_storing(mentor_home, models, ner_source) -> None:
    with pytest.raises(LabelsNotInModel) as info:
        ner_model_annotate("news", str(models["ner"]), str(ner_source), "tiny", labels="ORG,FRUIT")
    assert info.value.code == "M112" and "FRUIT" in str(info.value)
    with pytest.raises(NoEntityRecognizer):
        ner_model_annotate("news", "blank:en", str(ner_source), "tiny")
    with pytest.raises(NoTextClassifier):
        textcat_model_annotate("news", str(models["ner"]), str(ner_source), "tiny")
    with pytest.raises(NoSpanCategorizer):
        spans_model_annotate("news", str(models["ner"]), str(ner_source), "tiny")
    db = connect()
    try:
        assert "news" not in db and "news-tiny" not in db
    finally:
        db.close()


def test_issue13_bad_lines_are_skipped_and_segmenting_is_opt_in(mentor_home, models, tmp_path, caplog) -> None:
    source = write_jsonl(
        tmp_path / "mixed.jsonl",
        [{"text": "Alice works at Acme in Paris. Bob joined Globex last year."}, "{not json", {"image": "x.png"}],
    )
    with caplog.at_level(logging.WARNING):
        ner_model_annotate("whole", str(models["ner"]), str(source), "tiny")
    assert len(stored("whole")) == 1  # the bad line and the task without text are skipped
    assert any("mixed.jsonl:2" in record.getMessage() for record in caplog.records)
    assert any("without a 'text'" in record.getMessage() for record in caplog.records)
    ner_model_annotate("sents", str(models["ner"]), str(source), "tiny", segment=True)
    assert [a["text"] for a in stored("sents")] == ["Alice works at Acme in Paris.", "Bob joined Globex last year."]


@pytest.mark.parametrize(
    "args, code",
    [
        (["ner.model-annotate", "news", "{ner}", "{src}", "tiny", "--labels", "NOPE"], "[M112]"),
        (["textcat.model-annotate", "news", "{ner}", "{src}", "tiny"], "[M111]"),
    ],
)
def test_issue13_model_annotate_errors_are_one_line_with_a_code(mentor, models, ner_source, args, code) -> None:
    argv = [a.format(ner=models["ner"], src=ner_source) for a in args]
    result = mentor(*argv)
    assert result.code == 1
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1 and code in lines[0], result.err


def test_issue13_model_annotate_cli_stores_and_reports(mentor, models, ner_source) -> None:
    result = mentor("ner.model-annotate", "news", str(models["ner"]), str(ner_source), "tiny", "-l", "PERSON")
    assert result.code == 0, result.err
    assert "Stored 3 answers of 'news-tiny' in 'news'" in result.out
    exported = [json.loads(line) for line in mentor("db-out", "news").out.splitlines()]
    assert len(exported) == 3 and all(s["label"] == "PERSON" for a in exported for s in a["spans"])
