"""PatternMatcher: pattern matches as scored tasks, and per-pattern precision learning."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import pytest
import spacy

from mentor.errors import ConfigError, InvalidTask
from mentor.models.matcher import PatternMatcher, SpanFinder
from mentor.models.patterns import InvalidPattern, load_patterns
from mentor.models.protocols import RescoringModel

EXAMPLES = Path("/work/shared/data/prodigy-recipes/example-patterns")
DRUGS = EXAMPLES / "patterns_drugs-DRUG.jsonl"
TRICKS = EXAMPLES / "patterns_skateboarding_tricks-TRICK.jsonl"
needs_examples = pytest.mark.skipif(not EXAMPLES.is_dir(), reason="shared example patterns not available")

INLINE = [
    {"label": "DRUG", "pattern": "aspirin", "id": "aspirin"},
    {"label": "DRUG", "pattern": [{"lower": "vitamin"}, {"lower": "c"}], "id": "vitc"},
    {"label": "SYMPTOM", "pattern": [{"lower": {"IN": ["headache", "nausea"]}}], "id": "sym"},
]


@pytest.fixture(scope="module")
def nlp() -> spacy.language.Language:
    return spacy.blank("en")


def run(matcher: PatternMatcher, texts: List[str]) -> List[tuple]:
    return list(matcher([{"text": text} for text in texts]))


def test_matcher_combined_task_has_all_spans(nlp) -> None:
    matcher = PatternMatcher(nlp, INLINE)
    (score, task), = run(matcher, ["Aspirin and vitamin C gave me a headache.", "Nothing here."])
    assert score == pytest.approx(0.5) and task["score"] == score and task["meta"]["score"] == score
    assert [(s["text"], s["label"], s["pattern"]) for s in task["spans"]] == [
        ("Aspirin", "DRUG", "aspirin"), ("vitamin C", "DRUG", "vitc"), ("headache", "SYMPTOM", "sym")
    ]
    vitc = task["spans"][1]
    assert (vitc["start"], vitc["end"], vitc["token_start"], vitc["token_end"]) == (12, 21, 2, 3)
    assert task["meta"]["pattern"] == "aspirin, vitc, sym"
    assert [t["text"] for t in task["tokens"]][:4] == ["Aspirin", "and", "vitamin", "C"]
    assert task["tokens"][0] == {"text": "Aspirin", "start": 0, "end": 7, "id": 0, "ws": True}
    assert "label" not in task
    assert isinstance(task["_input_hash"], int) and isinstance(task["_task_hash"], int)


def test_matcher_one_task_per_match_and_label_task(nlp) -> None:
    matcher = PatternMatcher(nlp, INLINE, combine_matches=False, label_task=True, label_span=False)
    results = run(matcher, ["aspirin for a headache"])
    assert [(t["label"], t["spans"][0]["text"]) for _, t in results] == [("DRUG", "aspirin"), ("SYMPTOM", "headache")]
    assert all("label" not in t["spans"][0] for _, t in results)
    # same input, different question: same input hash, different task hashes
    assert results[0][1]["_input_hash"] == results[1][1]["_input_hash"]
    assert results[0][1]["_task_hash"] != results[1][1]["_task_hash"]


def test_matcher_combined_label_task_gives_one_task_per_label(nlp) -> None:
    matcher = PatternMatcher(nlp, INLINE, label_task=True)
    results = run(matcher, ["aspirin, vitamin c and nausea"])
    assert [(t["label"], len(t["spans"])) for _, t in results] == [("DRUG", 2), ("SYMPTOM", 1)]


def test_matcher_all_examples_yields_unmatched_with_score_zero(nlp) -> None:
    matcher = PatternMatcher(nlp, INLINE, all_examples=True, filter_labels=["DRUG"])
    results = run(matcher, ["no drugs, only a headache", "aspirin"])
    assert [score for score, _ in results] == [0.0, 0.5]
    assert results[0][1]["spans"] == [] and "pattern" not in results[0][1]["meta"]
    assert matcher.labels == ["DRUG"]


def test_matcher_keeps_input_and_its_hash(nlp) -> None:
    matcher = PatternMatcher(nlp, INLINE)
    task: Dict[str, Any] = {"text": "aspirin", "meta": {"source": "x"}, "_input_hash": 42, "_task_hash": 7}
    (_, made), = matcher([task])
    assert made["_input_hash"] == 42 and made["_task_hash"] != 7
    assert made["meta"]["source"] == "x"
    assert task == {"text": "aspirin", "meta": {"source": "x"}, "_input_hash": 42, "_task_hash": 7}


def test_matcher_overlaps_are_dropped_when_combined(nlp) -> None:
    patterns = [{"label": "A", "pattern": "new york"}, {"label": "B", "pattern": "york city"}]
    (_, task), = run(PatternMatcher(nlp, patterns), ["new york city"])
    assert [s["text"] for s in task["spans"]] == ["new york"]
    separate = run(PatternMatcher(nlp, patterns, combine_matches=False), ["new york city"])
    assert [t["spans"][0]["text"] for _, t in separate] == ["new york", "york city"]


def test_matcher_case_sensitive_phrases(nlp) -> None:
    patterns = [{"label": "ORG", "pattern": "Apple"}]
    assert len(run(PatternMatcher(nlp, patterns), ["an apple a day"])) == 1
    matcher = PatternMatcher(nlp, patterns, case_sensitive=True)
    assert run(matcher, ["an apple a day"]) == []
    assert len(run(matcher, ["Apple shares"])) == 1


def test_matcher_update_makes_bad_patterns_fade(nlp) -> None:
    matcher = PatternMatcher(nlp, INLINE, combine_matches=False)
    (_, aspirin), (_, headache) = run(matcher, ["aspirin headache"])
    matcher.update([dict(headache, answer="reject")] * 4 + [dict(aspirin, answer="accept")] * 2)
    matcher.update([dict(aspirin, answer="ignore")] * 10)  # ignores change nothing
    assert matcher.pattern_score("sym") == pytest.approx(5 / 14)
    assert matcher.pattern_score("aspirin") == pytest.approx(7 / 12)
    assert matcher.pattern_score("vitc") == pytest.approx(0.5)
    scores = [score for score, _ in run(matcher, ["aspirin headache"])]
    assert scores == [pytest.approx(7 / 12), pytest.approx(5 / 14)]
    assert matcher.score(headache) == pytest.approx(5 / 14)
    assert matcher.score_tasks([aspirin, headache, {"text": "x"}]) == [
        pytest.approx(7 / 12), pytest.approx(5 / 14), 0.0
    ]
    stats = {row["id"]: row for row in matcher.pattern_stats()}
    assert (stats["sym"]["accept"], stats["sym"]["reject"]) == (0, 4)


def test_matcher_is_a_rescoring_model(nlp) -> None:
    assert isinstance(PatternMatcher(nlp, INLINE), RescoringModel)


def test_matcher_update_ignores_non_pattern_answers(nlp) -> None:
    matcher = PatternMatcher(nlp, INLINE)
    matcher.update([
        {"text": "x", "label": "DRUG", "answer": "accept"},
        {"text": "x", "spans": [{"start": 0, "end": 1, "label": "DRUG"}], "answer": "reject"},
        {"text": "x", "spans": [{"start": 0, "end": 1, "pattern": "not-mine"}], "answer": "reject"},
    ])
    assert all(row["accept"] == row["reject"] == 0 for row in matcher.pattern_stats())


def test_matcher_combined_task_score_follows_its_best_pattern(nlp) -> None:
    matcher = PatternMatcher(nlp, INLINE, prior_correct=1, prior_incorrect=1)
    (_, task), = run(matcher, ["aspirin headache"])
    matcher.update([dict(task, answer="accept")])
    assert matcher.pattern_score("aspirin") == matcher.pattern_score("sym") == pytest.approx(2 / 3)
    (score, _), = run(matcher, ["aspirin headache"])
    assert score == pytest.approx(2 / 3)


@pytest.mark.parametrize("prior_correct,prior_incorrect", [(-1, 5), (0, 0)])
def test_matcher_refuses_bad_priors(nlp, prior_correct: float, prior_incorrect: float) -> None:
    with pytest.raises(ConfigError):
        PatternMatcher(nlp, INLINE, prior_correct=prior_correct, prior_incorrect=prior_incorrect)


def test_matcher_task_without_text(nlp) -> None:
    with pytest.raises(InvalidTask, match="text"):
        list(PatternMatcher(nlp, INLINE)([{"image": "x.png"}]))


def test_matcher_bad_inline_pattern(nlp) -> None:
    with pytest.raises(InvalidPattern, match=r"patterns\[0\]"):
        PatternMatcher(nlp, [{"label": "A", "pattern": [{"nope": 1}]}])


def test_matcher_runs_pipeline_only_for_pipeline_attrs(nlp) -> None:
    matcher = PatternMatcher(nlp, [{"label": "X", "pattern": [{"IS_DIGIT": True}]}])
    assert not matcher.finder.needs_pipeline
    assert [t["spans"][0]["text"] for _, t in run(matcher, ["take 2 pills"])] == ["2"]
    lemma = spacy.blank("en")
    lemma.add_pipe("lemmatizer", config={"mode": "lookup"}).initialize(
        lookups=_lookups({"pills": "pill"})
    )
    matcher = PatternMatcher(lemma, [{"label": "X", "pattern": [{"LEMMA": "pill"}]}])
    assert matcher.finder.needs_pipeline
    assert [t["spans"][0]["text"] for _, t in run(matcher, ["take 2 pills"])] == ["pills"]


def _lookups(table: Dict[str, str]):
    from spacy.lookups import Lookups

    lookups = Lookups()
    lookups.add_table("lemma_lookup", table)
    return lookups


@needs_examples
def test_matcher_with_prodigy_drug_patterns(nlp) -> None:
    matcher = PatternMatcher(nlp, DRUGS, label_task=True, label_span=False, combine_matches=False)
    results = run(matcher, ["He was on methadone after years of Cocaine.", "I like tea."])
    assert [(t["label"], t["spans"][0]["text"]) for _, t in results] == [("DRUG", "methadone"), ("DRUG", "Cocaine")]
    assert all(isinstance(t["spans"][0]["pattern"], int) for _, t in results)


@needs_examples
def test_matcher_with_prodigy_phrase_patterns(nlp) -> None:
    (_, task), = run(PatternMatcher(nlp, TRICKS), ["Then a Forward flip and a shove-it."])
    assert [(s["text"], s["label"]) for s in task["spans"]] == [("Forward flip", "TRICK"), ("shove-it", "TRICK")]


def test_span_finder_literal_token_patterns_match_like_the_matcher(nlp) -> None:
    patterns = load_patterns([
        {"label": "A", "pattern": [{"lower": "new"}, {"lower": "york"}]},
        {"label": "B", "pattern": [{"ORTH": "NY"}]},
        {"label": "C", "pattern": [{"lower": "Mixed"}]},  # never matches in spaCy: lower is compared as is
        {"label": "D", "pattern": [{"lower": "la"}, {"orth": "LA"}]},
    ])
    finder = SpanFinder(nlp, patterns)
    doc = nlp.make_doc("New York, NY, ny, mixed Mixed la LA")
    assert [(p.label, doc[s:e].text) for p, s, e in finder.find(doc)] == [
        ("A", "New York"), ("B", "NY"), ("D", "la LA")
    ]
