from __future__ import annotations

import spacy
from spacy.tokens import Span

from mentor.training.docs import DEFAULT_INCORRECT_SPANS_KEY
from mentor.models.silver_annotation import accepted_lexicon, lexicon_entities, merge_candidates, silver_doc
from mentor.training.silver import partial_ner, silver_docs
from mentor.training.merge import Annotation


def _binary_doc(words, accepted=(), rejected=()):
    nlp = spacy.blank("en")
    doc = spacy.tokens.Doc(nlp.vocab, words=words)
    doc.set_ents([Span(doc, s, e, label=l) for s, e, l in accepted], default="missing")
    if rejected:
        doc.spans[DEFAULT_INCORRECT_SPANS_KEY] = [Span(doc, s, e, label=l) for s, e, l in rejected]
    doc.cats = {"NEWS": 1.0}
    return doc


WORDS = ["Alice", "met", "Bob", "in", "New", "York", "today"]


def test_silver_doc_unlikely_tokens_become_outside_and_candidates_stay_missing():
    ref = _binary_doc(WORDS, accepted=[(0, 1, "PER")])
    doc = silver_doc(ref, {(2, 3, "PER"): 0.3, (6, 7, "DATE"): 0.001}, uncertain=0.01, confident=None)
    assert [t.ent_iob_ for t in doc] == ["B", "O", "", "O", "O", "O", "O"]
    assert doc.cats == {"NEWS": 1.0}
    assert [t.ent_iob_ for t in ref] == ["B", "", "", "", "", "", ""]  # the reference is untouched


def test_silver_doc_adds_confident_predictions_consistent_with_the_answers():
    ref = _binary_doc(WORDS, accepted=[(0, 1, "PER")], rejected=[(4, 6, "ORG")])
    candidates = {
        (0, 2, "ORG"): 0.99,  # overlaps the accepted entity
        (4, 6, "ORG"): 0.95,  # rejected by a person
        (4, 6, "GPE"): 0.92,
        (2, 3, "PER"): 0.5,
    }
    doc = silver_doc(ref, candidates, uncertain=0.01, confident=0.9)
    assert [(e.text, e.label_) for e in doc.ents] == [("Alice", "PER"), ("New York", "GPE")]
    assert [t.ent_iob_ for t in doc] == ["B", "O", "", "O", "B", "I", "O"]
    assert [(s.text, s.label_) for s in doc.spans[DEFAULT_INCORRECT_SPANS_KEY]] == [("New York", "ORG")]


def test_silver_doc_rejected_span_tokens_stay_missing():
    ref = _binary_doc(WORDS, rejected=[(2, 3, "ORG")])
    doc = silver_doc(ref, {}, uncertain=0.01, confident=0.9)
    assert [t.ent_iob_ for t in doc] == ["O", "O", "", "O", "O", "O", "O"]


def test_silver_docs_leave_complete_annotations_alone():
    nlp = spacy.blank("en")
    ner = nlp.add_pipe("ner")
    ner.add_label("PER")
    nlp.initialize()
    manual = _binary_doc(WORDS, accepted=[(0, 1, "PER")])
    manual.set_ents([Span(manual, 0, 1, label="PER")], default="outside")
    binary = _binary_doc(WORDS, accepted=[(2, 3, "PER")])
    docs, stats, _ = silver_docs(nlp, [manual, binary], [False, True], round=1)
    assert docs[0] is manual
    assert stats.texts == 1 and stats.added == 0  # round 1 never adds predictions
    assert docs[1].ents[0].text == "Bob"
    assert all(t.ent_iob != 0 or t.i != 2 for t in docs[1])


def test_partial_ner_flags_binary_entries_only():
    binary = Annotation(1, "x", complete=False)
    manual = Annotation(2, "y", complete=True)
    entries = [{"ner": binary}, {"ner": manual}, {"textcat": manual}]
    assert partial_ner(entries) == [True, False, False]


def test_keep_best_round_never_keeps_a_worse_silver_round(tmp_path):
    from mentor.training.silver import keep_best_round
    from mentor.training.train import TrainResult

    results = []
    for i, score in enumerate([0.5, 0.4]):
        best = tmp_path / f"round-{i}" / "model-best"
        best.mkdir(parents=True)
        (best / "which").write_text(str(i))
        results.append(TrainResult(tmp_path / f"round-{i}", best, best.parent / "model-last", {"score": score}, score))
    kept = keep_best_round(results)
    assert kept.best_round == 0 and kept.final_score == 0.5
    assert (kept.best_dir / "which").read_text() == "0" and kept.best_dir == results[1].best_dir
    results[1].final_score = 0.6
    assert keep_best_round(results).best_round == 1


def test_an_accepted_entity_recurs_where_its_words_do_unless_taken():
    first = _binary_doc(["New", "York", "is", "big"], accepted=[(0, 2, "GPE")])
    second = _binary_doc(["From", "New", "York", "to", "York"], rejected=[(4, 5, "GPE")])
    third = _binary_doc(["New", "York", "Times", "and", "New", "York"], accepted=[(0, 3, "ORG")])
    lexicon = accepted_lexicon([first, second, third])
    assert lexicon_entities(second, lexicon) == [(1, 3, "GPE")]
    assert lexicon_entities(third, lexicon) == [(4, 6, "GPE")]  # 0-3 is taken by its own answer
    assert lexicon_entities(first, lexicon) == []


def test_words_rejected_with_a_label_anywhere_never_spread_it():
    accepted = _binary_doc(["Paris", "Hilton"], accepted=[(0, 1, "GPE")])
    rejected = _binary_doc(["Paris", "Hilton", "sings"], rejected=[(0, 1, "GPE")])
    other = _binary_doc(["Paris", "again"])
    lexicon = accepted_lexicon([accepted, rejected, other])
    assert lexicon_entities(other, lexicon) == []


def test_silver_doc_adds_the_lexicon_entities_and_keeps_their_tokens():
    ref = _binary_doc(WORDS, accepted=[(0, 1, "PER")])
    lexicon = accepted_lexicon([_binary_doc(["to", "New", "York"], accepted=[(1, 3, "GPE")])])
    doc = silver_doc(ref, {(4, 5, "ORG"): 0.99}, uncertain=0.01, confident=0.9, lexicon=lexicon)
    assert [(e.text, e.label_) for e in doc.ents] == [("Alice", "PER"), ("New York", "GPE")]


def test_earlier_rounds_candidates_keep_tokens_missing_but_are_never_added():
    current = {(2, 3, "PER"): 0.95}
    earlier = [{(4, 6, "GPE"): 0.99, (2, 3, "PER"): 0.2}]
    merged = merge_candidates(current, earlier, cap=0.01)
    assert merged == {(2, 3, "PER"): 0.95, (4, 6, "GPE"): 0.01}
    doc = silver_doc(_binary_doc(WORDS), merged, uncertain=0.01, confident=0.9)
    assert [t.ent_iob_ for t in doc] == ["O", "O", "B", "O", "", "", "O"]
