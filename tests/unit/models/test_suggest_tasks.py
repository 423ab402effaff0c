"""Suggestions into tasks: batching, a bad reply skipped with a warning, fetched tasks passed through, pre-selection."""
from __future__ import annotations

import logging
from typing import List, Sequence

import spacy

from mentor.models.suggest_tasks import SuggestReport, suggest_tasks
from mentor.models.suggestions import Suggestion
from mentor.tasks import set_hashes


class Scripted:
    """A suggester that answers from a dict and records the batches it was asked."""

    name = "scripted"

    def __init__(self, answers: dict) -> None:
        self.answers = answers
        self.batches: List[List[str]] = []

    def suggest(self, texts: Sequence[str]) -> List[Suggestion]:
        self.batches.append(list(texts))
        return [self.answers[text] for text in texts]


def test_textcat_batches_thresholds_bad_replies_and_prefetched_tasks(caplog) -> None:
    answers = {
        "a": Suggestion(cats={"X": 0.7, "Y": 0.5, "Z": 0.1}, llm_io={"prompt": "p", "response": "r"}),
        "b": Suggestion(error="the reply holds no JSON", llm_io={"prompt": "p", "response": "??"}),
        "c": Suggestion(cats={"X": 0.0, "Y": 0.0, "Z": 0.0}),
        "d": Suggestion(cats={"X": 0.2, "Y": 0.9, "Z": 0.0}),
    }
    fetched = set_hashes({"text": "old", "accept": ["Z"], "llm_io": {"response": "earlier"}})
    stream = [set_hashes({"text": t}) for t in "abc"] + [fetched, {"text": "   "}, set_hashes({"text": "d"})]
    suggester, report = Scripted(answers), SuggestReport()
    with caplog.at_level(logging.WARNING):
        tasks = list(suggest_tasks(stream, suggester, kind="textcat", nlp=None, labels=["X", "Y", "Z"], batch_size=3,
                                   threshold=0.5, report=report))
    assert suggester.batches == [["a", "b", "c"], ["d"]]  # the fetched task and the blank one are never sent
    assert [(t["text"], t["accept"]) for t in tasks] == [("a", ["X", "Y"]), ("c", []), ("old", ["Z"]), ("d", ["Y"])]
    assert tasks[0]["meta"]["scores"] == "X 0.70, Y 0.50, Z 0.10" and tasks[0]["llm_io"]["response"] == "r"
    assert (report.suggested, report.failed, report.prefetched) == (3, 1, 1)
    assert any("[M204]" in r.getMessage() and "'b'" in r.getMessage() for r in caplog.records)
    assert any("without text" in r.getMessage() for r in caplog.records)


def test_exclusive_takes_the_top_label_and_spans_get_tokens() -> None:
    exclusive = list(suggest_tasks([set_hashes({"text": "a"})], Scripted({"a": Suggestion(cats={"X": 0.3, "Y": 0.6})}),
                                   kind="textcat", nlp=None, labels=["X", "Y"], batch_size=8, exclusive=True))
    assert exclusive[0]["accept"] == ["Y"]
    text = "Ada Lovelace met Babbage"
    spans = [{"start": 0, "end": 12, "label": "PERSON", "score": 0.9}, {"start": 17, "end": 20, "label": "PERSON"}]
    (task,) = suggest_tasks([set_hashes({"text": text})], Scripted({text: Suggestion(spans=spans)}), kind="ner",
                            nlp=spacy.blank("en"), labels=["PERSON"], batch_size=8)
    assert [(s["start"], s["end"], s["token_start"], s["token_end"]) for s in task["spans"]] == [(0, 12, 0, 1), (17, 24, 3, 3)]
    assert [t["text"] for t in task["tokens"]] == ["Ada", "Lovelace", "met", "Babbage"]
    assert task["_task_hash"] != set_hashes({"text": text})["_task_hash"]  # the spans are in the task hash


def test_known_inputs_pass_through_unasked() -> None:
    tasks = [set_hashes({"text": t}) for t in "ab"]
    suggester, report = Scripted({"b": Suggestion(cats={"X": 1.0})}), SuggestReport()
    out = list(suggest_tasks(tasks, suggester, kind="textcat", nlp=None, labels=["X"], batch_size=8, report=report,
                             known={tasks[0]["_input_hash"]}))
    assert suggester.batches == [["b"]] and [t.get("accept") for t in out] == [None, ["X"]] and report.known == 1
