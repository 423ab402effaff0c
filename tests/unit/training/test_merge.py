from __future__ import annotations

from mentor.training.merge import is_binary_ner, merge_component

from training_answers import cat_task, choice_task, ner_task, span_of


def test_merge_ner_manual_is_complete_gold(text):
    spans = [span_of(text, "Alice", "PERSON"), span_of(text, "Paris", "GPE")]
    merged, report = merge_component("ner", [("a", ner_task(text, spans))])
    (ann,) = merged.values()
    assert ann.complete is True
    assert ann.spans == sorted(spans)
    assert ann.incorrect_spans == []
    assert report.kinds["manual"] == 1


def test_merge_ner_binary_is_partial_with_incorrect_spans(text):
    accepted = ner_task(text, [span_of(text, "Alice", "PERSON")], view="ner")
    rejected = ner_task(text, [span_of(text, "Paris", "PERSON")], answer="reject", view="ner")
    merged, report = merge_component("ner", [("a", accepted), ("b", rejected)])
    (ann,) = merged.values()
    assert ann.complete is False
    assert ann.spans == [span_of(text, "Alice", "PERSON")]
    assert ann.incorrect_spans == [span_of(text, "Paris", "PERSON")]
    assert ann.datasets == ["a", "b"]
    assert report.kinds["binary"] == 1 and report.used_answers == 2


def test_merge_ner_binary_flag_overrides_view(text):
    task = ner_task(text, [span_of(text, "Alice", "PERSON")], view="ner_manual")
    assert not is_binary_ner(task, False)
    merged, _ = merge_component("ner", [("a", task)], binary=True)
    assert next(iter(merged.values())).complete is False


def test_merge_ner_teach_export_without_view_is_binary(text):
    task = ner_task(text, [], view=None)
    task["spans"] = [{"start": 0, "end": 5, "label": "PERSON", "score": 0.7}]
    assert is_binary_ner(task, False)


def test_merge_ignored_and_rejected_manual_never_train(text):
    spans = [span_of(text, "Alice", "PERSON")]
    answers = [
        ("a", ner_task(text, spans, answer="ignore")),
        ("a", ner_task("Bob left.", [(0, 3, "PERSON")], answer="reject")),
    ]
    merged, report = merge_component("ner", answers)
    assert merged == {}
    assert report.skipped["ignored"] == 1
    assert report.skipped["rejected manual answer"] == 1


def test_merge_ner_conflicting_manual_answers_are_reported(text):
    one = ner_task(text, [span_of(text, "Alice", "PERSON")])
    two = ner_task(text, [span_of(text, "Paris", "GPE")])
    merged, report = merge_component("ner", [("a", one), ("b", two)])
    assert merged == {}
    (conflict,) = report.conflicts
    assert conflict.input_hash == one["_input_hash"]
    assert conflict.datasets == ["a", "b"]
    assert "different accepted manual" in conflict.reason
    assert report.skipped["conflicting answers"] == 2


def test_merge_ner_identical_manual_answers_agree(text):
    spans = [span_of(text, "Alice", "PERSON")]
    merged, report = merge_component("ner", [("a", ner_task(text, spans)), ("b", ner_task(text, spans))])
    assert len(merged) == 1 and not report.conflicts


def test_merge_ner_binary_contradicting_manual_is_conflict(text):
    manual = ner_task(text, [span_of(text, "Alice", "PERSON")])
    binary = ner_task(text, [span_of(text, "Alice", "PERSON")], answer="reject", view="ner")
    merged, report = merge_component("ner", [("a", manual), ("a", binary)])
    assert merged == {} and len(report.conflicts) == 1


def test_merge_ner_same_span_accepted_and_rejected_is_conflict(text):
    span = [span_of(text, "Alice", "PERSON")]
    merged, report = merge_component(
        "ner", [("a", ner_task(text, span, view="ner")), ("a", ner_task(text, span, answer="reject", view="ner"))]
    )
    assert merged == {} and report.conflicts[0].reason == "the same span was accepted and rejected"


def test_merge_textcat_binary_sets_only_that_label():
    merged, report = merge_component(
        "textcat_multilabel", [("a", cat_task("good film", "POSITIVE", "accept")), ("a", cat_task("good film", "SPORTS", "reject"))]
    )
    (ann,) = merged.values()
    assert ann.cats == {"POSITIVE": 1.0, "SPORTS": 0.0}
    assert report.kinds["binary"] == 1


def test_merge_textcat_choice_gives_full_set():
    task = choice_task("rain tomorrow", ["WEATHER", "SPORTS", "POLITICS"], ["WEATHER"])
    merged, _ = merge_component("textcat", [("a", task)])
    assert next(iter(merged.values())).cats == {"WEATHER": 1.0, "SPORTS": 0.0, "POLITICS": 0.0}


def test_merge_textcat_exclusive_refuses_several_labels():
    task = choice_task("x", ["A", "B"], ["A", "B"])
    merged, report = merge_component("textcat", [("a", task)])
    assert merged == {}
    assert report.skipped["several labels accepted (use --textcat-multilabel)"] == 1
    multi, _ = merge_component("textcat_multilabel", [("a", task)])
    assert next(iter(multi.values())).cats == {"A": 1.0, "B": 1.0}


def test_merge_textcat_exclusive_two_accepted_binary_labels_conflict():
    answers = [("a", cat_task("x", "A", "accept")), ("b", cat_task("x", "B", "accept"))]
    merged, report = merge_component("textcat", answers)
    assert merged == {} and len(report.conflicts) == 1
    multi, _ = merge_component("textcat_multilabel", answers)
    assert len(multi) == 1


def test_merge_textcat_flipped_binary_answer_conflicts():
    merged, report = merge_component(
        "textcat_multilabel", [("a", cat_task("x", "A", "accept")), ("b", cat_task("x", "A", "reject"))]
    )
    assert merged == {} and "both accepted and rejected" in report.conflicts[0].reason


def test_merge_textcat_rejected_choice_is_skipped():
    merged, report = merge_component("textcat", [("a", choice_task("x", ["A", "B"], ["A"], answer="reject"))])
    assert merged == {} and report.skipped["rejected choice answer"] == 1


def test_merge_spancat_keeps_overlapping_spans(text):
    spans = [(0, 5, "NAME"), (0, 13, "EVENT")]
    merged, _ = merge_component("spancat", [("a", ner_task(text, spans, view="spans_manual"))])
    assert next(iter(merged.values())).spans == sorted(spans)


def test_merge_counts_invalid_spans(text):
    task = ner_task(text, [span_of(text, "Alice", "PERSON")])
    task["spans"].append({"start": 5, "end": 2, "label": "X"})
    merged, report = merge_component("ner", [("a", task)])
    assert len(merged) == 1 and report.skipped["invalid span (start/end/label)"] == 1


def test_merge_ner_spans_with_their_own_answers(text):
    task = ner_task(text, [], answer="reject", view=None)
    task["spans"] = [
        {"start": 0, "end": 5, "label": "PERSON", "score": 0.7, "answer": "accept"},
        {"start": 14, "end": 19, "label": "PERSON", "score": 0.6, "answer": "reject"},
        {"start": 23, "end": 26, "label": "DATE", "score": 0.2, "answer": "ignore"},
    ]
    merged, _ = merge_component("ner", [("a", task)])
    (ann,) = merged.values()
    assert ann.complete is False
    assert ann.spans == [(0, 5, "PERSON")] and ann.incorrect_spans == [(14, 19, "PERSON")]


def test_merge_textcat_exclusive_two_classes_a_no_is_a_yes_to_the_other():
    answers = [
        ("a", cat_task("win cash now", "SPAM", "accept")),
        ("a", cat_task("see you at 5", "SPAM", "reject")),
        ("a", cat_task("lunch?", "HAM", "accept")),
    ]
    merged, report = merge_component("textcat", answers)
    assert sorted(tuple(sorted(a.cats.items())) for a in merged.values()) == [
        (("HAM", 0.0), ("SPAM", 1.0)), (("HAM", 1.0), ("SPAM", 0.0)), (("HAM", 1.0), ("SPAM", 0.0)),
    ]
    assert report.kinds["completed (two classes)"] == 3
    # not for multilabel (yes/no on each label), nor with a third class (which one is it?)
    multi, _ = merge_component("textcat_multilabel", answers)
    assert {len(a.cats) for a in multi.values()} == {1}
    three, _ = merge_component("textcat", answers + [("a", cat_task("hello", "OTHER", "accept"))])
    assert {len(a.cats) for a in three.values()} == {1}
