"""pos.correct / dep.correct / sent.correct answers into per-token values, merged, and set on the gold Doc."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

import pytest
import spacy

from mentor.tasks import set_hashes
from mentor.training.docs import make_reference_doc
from mentor.training.merge import merge_component
from mentor.training.syntax import Unusable, arcs_of, sent_starts_of, tags_of
from support.syntax_pipeline import token_dicts

WORDS = ["Alice", "likes", "green", "apples", "."]
TEXT = "Alice likes green apples."


def tokens() -> List[Dict[str, Any]]:
    return token_dicts(WORDS, [True, True, True, False, False])


def one(i: int, label: str) -> Dict[str, Any]:
    t = tokens()[i]
    return {"start": t["start"], "end": t["end"], "token_start": i, "token_end": i, "label": label}


def arc(head: int, child: int, label: str) -> Dict[str, Any]:
    return {"head": head, "child": child, "label": label}


def task(answer: str = "accept", view: str = "pos_manual", spans: Optional[list] = None, relations: Optional[list] = None) -> Dict[str, Any]:
    t: Dict[str, Any] = {"text": TEXT, "tokens": tokens(), "answer": answer, "_view_id": view}
    if spans is not None:
        t["spans"] = spans
    if relations is not None:
        t["relations"] = relations
    return set_hashes(t)


FULL_TREE = [arc(1, 0, "nsubj"), arc(3, 2, "amod"), arc(1, 3, "dobj"), arc(1, 4, "punct")]


def test_tags_leave_untagged_tokens_missing() -> None:
    assert tags_of(task(spans=[one(0, "NNP"), one(3, "NNS")])) == ["NNP", "", "", "NNS", ""]
    # a span found by its characters alone (no token indices) tags the tokens it covers
    assert tags_of(task(spans=[{"start": 6, "end": 11, "label": "VBZ"}]))[1] == "VBZ"
    with pytest.raises(Unusable, match="two tags"):
        tags_of(task(spans=[one(0, "NNP"), one(0, "NN")]))
    with pytest.raises(Unusable, match="several tokens"):  # an entity, not a tag
        tags_of(task(spans=[{"start": 0, "end": 11, "label": "PERSON"}]))
    with pytest.raises(Unusable, match="no tokens"):
        tags_of({"text": TEXT, "spans": []})


def test_a_complete_tree_gets_its_root_a_partial_one_leaves_it_missing() -> None:
    heads, deps = arcs_of(task(relations=FULL_TREE))
    assert heads == [1, 1, 3, 1, 1] and deps == ["nsubj", "ROOT", "amod", "dobj", "punct"]
    # --label hid the punct arc: "likes" may have a head the answer doesn't show
    heads, deps = arcs_of(task(relations=FULL_TREE[:3]))
    assert heads == [1, None, 3, 1, None] and deps == ["nsubj", None, "amod", "dobj", None]


@pytest.mark.parametrize("relations, reason", [
    ([arc(1, 0, "nsubj"), arc(2, 0, "dep")], "two heads"),
    ([arc(1, 0, "dep"), arc(0, 1, "dep")], "cycle"),
    ([arc(1, 9, "dep")], "outside"),
    ([{"head": 1, "child": 0}], "without a label"),
])
def test_arcs_that_make_no_tree_are_refused(relations: list, reason: str) -> None:
    with pytest.raises(Unusable, match=reason):
        arcs_of(task(relations=relations))


def test_sentence_starts_are_complete() -> None:
    assert sent_starts_of(task(spans=[one(3, "S")])) == [True, False, False, True, False]
    with pytest.raises(Unusable, match="not labelled S"):  # a pos.correct answer given to --senter
        sent_starts_of(task(spans=[one(3, "NNS")]))


def test_merge_keeps_one_accepted_version_and_reports_conflicts() -> None:
    same = task(spans=[one(0, "NNP")])
    merged, report = merge_component("tagger", [("a", same), ("b", dict(same)), ("a", task("reject", spans=[one(0, "NN")]))])
    (ann,) = merged.values()
    assert ann.tags == ["NNP", "", "", "", ""] and ann.labels == {"NNP"}
    assert report.used_answers == 2 and report.skipped["rejected manual answer"] == 1
    merged, report = merge_component("tagger", [("a", same), ("b", task(spans=[one(0, "NN")]))])
    assert not merged and report.conflicts[0].reason == "2 different accepted annotations"
    merged, report = merge_component("parser", [("a", task(view="relations", relations=[arc(1, 0, "x"), arc(0, 1, "y")]))])
    assert not merged and report.skipped["the relations form a cycle"] == 1


def test_reference_doc_carries_tags_arcs_and_sentence_starts() -> None:
    nlp = spacy.blank("en")
    answers = {
        "tagger": task(spans=[one(0, "NNP"), one(2, "JJ")]),
        "parser": task(view="relations", relations=FULL_TREE[:3]),
        "ner": task(view="ner_manual", spans=[{"start": 0, "end": 5, "label": "PERSON"}]),
    }
    anns, reports = {}, {}
    for component, answer in answers.items():
        merged, reports[component] = merge_component(component, [("d", answer)])
        anns[component] = next(iter(merged.values()))
    doc = make_reference_doc(nlp, anns, reports)
    assert [t.text for t in doc] == WORDS
    assert [t.tag_ for t in doc] == ["NNP", "", "JJ", "", ""]
    assert [t.dep_ for t in doc] == ["nsubj", "", "amod", "dobj", ""]
    assert [t.has_head() for t in doc] == [True, False, True, True, False]
    assert [e.label_ for e in doc.ents] == ["PERSON"]
    merged, report = merge_component("senter", [("d", task(spans=[one(3, "S")]))])
    doc = make_reference_doc(nlp, {"senter": next(iter(merged.values()))}, {"senter": report})
    assert [t.is_sent_start for t in doc] == [True, False, False, True, False]
