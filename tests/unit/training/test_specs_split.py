from __future__ import annotations

import pytest

from mentor.errors import InputError
from mentor.training.corpus import sample_hashes, split_hashes
from mentor.training.specs import parse_specs, specs_to_config


def test_specs_parse_eval_prefix():
    (ner, tc) = parse_specs({"ner": "a, b,eval:c", "textcat": "d", "spancat": None})
    assert (ner.component, ner.train, ner.eval) == ("ner", ["a", "b"], ["c"])
    assert tc.train == ["d"] and tc.eval == []
    assert specs_to_config([ner]) == {"ner": ["a", "b", "eval:c"]}


@pytest.mark.parametrize("values", [{}, {"ner": ""}, {"ner": "eval:x"}, {"coref": "x"}, {"ner": "a,eval:"}])
def test_specs_refuse_bad_flags(values):
    with pytest.raises(InputError):
        parse_specs(values)


def test_split_is_seeded_and_order_independent():
    hashes = list(range(100))
    dev = split_hashes(hashes, 0.2, seed=0)
    assert len(dev) == 20
    assert dev == split_hashes(reversed(hashes), 0.2, seed=0)
    assert dev != split_hashes(hashes, 0.2, seed=1)
    assert split_hashes(hashes, 0.0, seed=0) == set()
    assert len(split_hashes([1, 2], 0.2, seed=0)) == 1


def test_sample_fractions_are_nested():
    hashes = list(range(40))
    quarter, half = sample_hashes(hashes, 0.25, 0), sample_hashes(hashes, 0.5, 0)
    assert len(quarter) == 10 and len(half) == 20 and quarter <= half


def test_category_repeats_weigh_yes_and_no_the_same():
    import spacy

    from mentor.training.corpus import category_repeats

    nlp = spacy.blank("en")
    docs = []
    for cats in [{"SPAM": 1.0}] * 2 + [{"SPAM": 0.0}] * 17 + [{}] + [{"SPAM": 0.0, "URGENT": 1.0}]:
        doc = nlp.make_doc("x")
        doc.cats = cats
        docs.append(doc)
    # SPAM: 2 yes, 18 no -> each yes shown sqrt(9) = 3 times; URGENT: 1 yes and no no -> nothing to balance
    assert category_repeats(docs) == [3, 3] + [1] * 17 + [1, 1]
    assert category_repeats(docs, most=2)[:2] == [2, 2]


def test_category_repeats_leave_an_active_learners_answers_alone():
    import spacy

    from mentor.training.corpus import category_repeats

    nlp = spacy.blank("en")
    docs = []
    for cats in [{"SPAM": 1.0}] * 4 + [{"SPAM": 0.0}] * 36:
        doc = nlp.make_doc("x")
        doc.cats = cats
        docs.append(doc)
    # the first two yes and 20 no were chosen by a sorter: uncounted, never repeated;
    # the rest (2 yes, 16 no) is a random sample: each yes sqrt(16 / 2) = 3 times
    chosen = [{"SPAM"}] * 2 + [set()] * 2 + [{"SPAM"}] * 20 + [set()] * 16
    assert category_repeats(docs, chosen=chosen) == [1, 1, 3, 3] + [1] * 36
    assert category_repeats(docs, chosen=[{"SPAM"}] * 40) == [1] * 40
