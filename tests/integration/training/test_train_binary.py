"""Training from binary answers: silver rounds for NER, ignored answers that never train."""
from __future__ import annotations

import pytest
import spacy
from spacy.tokens import DocBin

from mentor.cli.commands.train import train
from mentor.training.train import read_result
from training_data import add, binary_ner_answers, ner_answers, textcat_answers


def test_train_binary_ner_trains_again_on_silver_annotation(training_db, tmp_path, capsys):
    # manual answers on some texts teach the model of round 0 what is outside
    known = {t["text"] for t in ner_answers(60) + ner_answers(15, seed=1)}
    teach = [t for t in binary_ner_answers(40, seed=3) if t["text"] not in known]
    add(training_db, "ner_teach", teach)
    n_teach = len({t["text"] for t in teach})
    out = tmp_path / "out"
    train(None, out, ner="ner_gold,ner_teach,eval:ner_eval", epochs=5)
    printed = capsys.readouterr().out
    assert "Round 1 of 2" in printed and "Round 2 of 2" in printed and "tokens outside" in printed
    assert (out / "silver" / "round-0" / "model-best").exists()
    silver = list(DocBin().from_disk(out / "silver" / "train-1.spacy").get_docs(spacy.blank("en").vocab))
    binary = [doc for doc in silver if "incorrect_spans" in doc.spans]
    assert len(binary) == n_teach and len(silver) > n_teach
    # round 0's model completed the binary annotation: "flew to ... on day" are outside now
    tokens = [t for doc in binary for t in doc]
    assert sum(t.ent_iob_ == "O" for t in tokens) > len(tokens) / 2
    for doc in binary:  # every accepted answer is still an entity, every rejected one still a constraint
        assert {e.label_ for e in doc.ents} >= {"PERSON", "GPE"}
        assert [s.text for s in doc.spans["incorrect_spans"]] == ["flew"]
    config = (out / "config.cfg").read_text()
    assert (out / "silver" / "round-1" / "model-best").exists()
    assert str(out / "silver" / "train-2.spacy") in config and '@readers = "mentor.Corpus.v1"' in config
    nlp = spacy.load(out / "model-best")
    assert {e.label_ for e in nlp("Carol flew to Oslo on day 99.").ents} <= {"PERSON", "GPE"}
    # model-best is the model of the round that scored best on the eval data (its score read back:
    # spaCy's meta.json holds the scores, not the weighted sum it chose by)
    rounds = [out / "silver" / "round-0", out / "silver" / "round-1", out]
    final = read_result(out)
    assert final.final_score is not None
    assert final.final_score == max(read_result(r).final_score for r in rounds)


def test_train_binary_ner_without_silver_rounds_trains_once(training_db, tmp_path, capsys):
    out = tmp_path / "out"
    train(None, out, ner="ner_binary", epochs=1, silver_rounds=0)
    assert "Round" not in capsys.readouterr().out
    assert not (out / "silver").exists() and (out / "model-best").exists()


def test_train_manual_ner_has_no_silver_rounds(training_db, tmp_path):
    train(None, tmp_path / "out", ner="ner_gold", epochs=1)
    assert not (tmp_path / "out" / "silver").exists()


def _weights(path, component):
    return spacy.load(path).get_pipe(component).model.to_bytes()


def test_train_ignored_answers_never_train(training_db, tmp_path):
    """A dataset with ignore answers trains exactly as the same dataset without them."""
    ignored_ner = [dict(t, answer="ignore") for t in binary_ner_answers(20, seed=5)]
    ignored_cats = [dict(t, answer="ignore") for t in textcat_answers(20, seed=5)]
    mixed_ner = [t for pair in zip(binary_ner_answers(60), ignored_ner * 9) for t in pair]
    mixed_cats = [t for pair in zip(textcat_answers(60), ignored_cats * 3) for t in pair]
    add(training_db, "ner_mixed", mixed_ner)
    add(training_db, "happy_mixed", mixed_cats)
    train(None, tmp_path / "clean", ner="ner_binary,eval:ner_eval", textcat_multilabel="happy", epochs=2)
    train(None, tmp_path / "mixed", ner="ner_mixed,eval:ner_eval", textcat_multilabel="happy_mixed", epochs=2)
    for component in ("ner", "textcat_multilabel"):
        assert _weights(tmp_path / "clean" / "model-last", component) == _weights(tmp_path / "mixed" / "model-last", component)


def _spam_answers(n_spam: int, n_ham: int, label: str = "SPAM"):
    from mentor.tasks import set_hashes

    spam = [("WIN cash prize now, text CLAIM to 8080", True)] * n_spam
    ham = [("see you at lunch tomorrow", False)] * n_ham
    return [
        set_hashes({"text": f"{text} {i}", "label": label, "answer": "accept" if is_spam == (label == "SPAM") else "reject",
                    "_view_id": "classification"})
        for i, (text, is_spam) in enumerate(spam + ham)
    ]


def test_train_binary_textcat_weighs_the_rare_answer_up(training_db, tmp_path, capsys):
    from mentor.training.corpus import create_mentor_corpus

    add(training_db, "spam", _spam_answers(6, 96))
    out = tmp_path / "out"
    train(None, out, textcat_multilabel="spam", epochs=1)
    config = (out / "config.cfg").read_text().split("[corpora.train]")[1]
    assert "balance = true" in config.split("[corpora.train.datasets]")[0]
    nlp = spacy.blank("en")
    corpus = create_mentor_corpus({"textcat_multilabel": ["spam", "eval:happy"]}, balance=True)
    cats = [eg.reference.cats["SPAM"] for eg in corpus(nlp)]
    assert cats.count(1.0) == 6 * 4 and cats.count(0.0) == 96  # sqrt(96 / 6) = 4
    train(None, tmp_path / "plain", textcat_multilabel="spam", epochs=1, balance=False)
    assert "balance = false" in (tmp_path / "plain" / "config.cfg").read_text()


@pytest.mark.parametrize("drawn", ["in random order", "drawn at random by the sorter"])
def test_train_never_rebalances_answers_an_active_learner_chose(training_db, tmp_path, capsys, drawn):
    """textcat.teach's answers carry the sorter's priority: that sample is enriched already.

    The questions the sorter drew at random (``_explored``) are a fair sample, as answers
    given in random order are: those are balanced.
    """
    from mentor.training.corpus import create_mentor_corpus

    taught = [dict(task, priority=0.5, score=0.5) for task in _spam_answers(6, 96, label="SPAM")]
    add(training_db, "spam_taught", taught)
    from mentor.tasks import set_hashes

    other_texts = [set_hashes({**t, "text": "urgent: " + t["text"]}, overwrite=True) for t in _spam_answers(2, 32, label="URGENT")]
    if drawn != "in random order":
        other_texts = [dict(task, priority=0.9, _explored=True) for task in other_texts]
    add(training_db, "spam_random", other_texts)  # a random sample
    nlp = spacy.blank("en")
    corpus = create_mentor_corpus({"textcat_multilabel": ["spam_taught", "spam_random", "eval:happy"]}, balance=True)
    examples = list(corpus(nlp))
    spam = [eg.reference.cats["SPAM"] for eg in examples if "SPAM" in eg.reference.cats]
    urgent = [eg.reference.cats["URGENT"] for eg in examples if "URGENT" in eg.reference.cats]
    assert spam.count(1.0) == 6 and spam.count(0.0) == 96  # the sorter's answers: each once
    assert urgent.count(0.0) == 2 * 4 and urgent.count(1.0) == 32  # 2 no, 32 yes: sqrt(32 / 2) = 4
    train(None, tmp_path / "out", textcat_multilabel="spam_taught,eval:happy", epochs=1)
    assert "102 training texts were chosen by an active learner" in capsys.readouterr().out


def test_train_exclusive_textcat_from_yes_no_on_one_of_two_classes(training_db, tmp_path, capsys):
    add(training_db, "spam_teach", _spam_answers(20, 20) + _spam_answers(1, 1, label="HAM")[:1])
    out = tmp_path / "out"
    train(None, out, textcat="spam_teach", epochs=5)
    assert "completed (two classes)" in capsys.readouterr().out
    nlp = spacy.load(out / "model-best")
    cats = nlp("WIN a cash prize now, text CLAIM to 8080").cats
    assert set(cats) == {"SPAM", "HAM"} and cats["SPAM"] > cats["HAM"]
    cats = nlp("see you at lunch tomorrow 99").cats
    assert cats["HAM"] > cats["SPAM"]
