"""The agreement math against published values and an independent implementation.

Published values: Krippendorff (2011) for alpha; Gwet (2014), as reproduced in
the irrCAC package's documentation, for AC1/AC2. Independent implementation:
the ``krippendorff`` package (test extra) for alpha on made-up data, and
scikit-learn's ``f1_score`` for pairwise span F1.
"""
from __future__ import annotations

import random
from typing import List, Optional, Sequence

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import f1_score

from mentor.metrics.agreement import (
    agreement,
    gwet_ac2,
    krippendorff_alpha_nominal,
    pairwise_f1,
    percent_agreement,
)

# Krippendorff (2011), section C: 4 observers, 12 units, values 1-5, None = no value.
# Unit 12 has one value and drops out of alpha; Gwet's AC1 still counts it in pi_k.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],  # observer A
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],  # B
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],  # C
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],  # D
]

# Gwet (2014): two abstractors classify 100 pregnancies as Ectopic, AIU or NIU (rows: abstractor 1).
GWET_3X3 = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]
GWET_3X3_CATEGORIES = ["Ectopic", "AIU", "NIU"]
QUADRATIC_3 = [[1.0, 0.75, 0.0], [0.75, 1.0, 0.75], [0.0, 0.75, 1.0]]


def by_unit(observers: Sequence[Sequence[Optional[object]]]) -> List[List[object]]:
    """Reliability data as the functions take it: one list of values per unit."""
    return [[value for value in unit if value is not None] for unit in zip(*observers)]


def as_matrix(observers: Sequence[Sequence[Optional[object]]], categories: Sequence[object]) -> np.ndarray:
    """The krippendorff package's input: observers x units, NaN where missing."""
    code = {category: i for i, category in enumerate(categories)}
    return np.array([[np.nan if v is None else code[v] for v in row] for row in observers], dtype=float)


def from_table(table: Sequence[Sequence[int]], categories: Sequence[str]) -> List[List[str]]:
    return [[categories[i], categories[j]] for i, row in enumerate(table) for j, count in enumerate(row) for _ in range(count)]


def test_agreement_krippendorff_2011_example_alpha_is_0743() -> None:
    alpha = krippendorff_alpha_nominal(by_unit(KRIPPENDORFF_2011))
    assert alpha == pytest.approx(0.743, abs=0.001)
    reference = krippendorff.alpha(reliability_data=as_matrix(KRIPPENDORFF_2011, [1, 2, 3, 4, 5]), level_of_measurement="nominal")
    assert alpha == pytest.approx(reference, abs=1e-9)


def test_agreement_gwet_ac1_on_four_raters_with_missing_ratings() -> None:
    # Gwet's 4-rater example (the same 12 units as Krippendorff's): pa 0.81818, AC1 0.77544
    units = by_unit(KRIPPENDORFF_2011)
    assert percent_agreement(units) == pytest.approx(0.81818, abs=1e-5)
    assert gwet_ac2(units, categories=[1, 2, 3, 4, 5]) == pytest.approx(0.77544, abs=1e-5)


def test_agreement_gwet_two_raters_ac1_and_quadratic_ac2() -> None:
    units = from_table(GWET_3X3, GWET_3X3_CATEGORIES)
    assert percent_agreement(units) == pytest.approx(0.89)
    assert gwet_ac2(units, categories=GWET_3X3_CATEGORIES) == pytest.approx(0.84933, abs=1e-5)
    # weighted: pa 0.9725, AC2 0.94024
    weighted = dict(categories=GWET_3X3_CATEGORIES, weights=QUADRATIC_3)
    assert percent_agreement(units, **weighted) == pytest.approx(0.9725)
    assert gwet_ac2(units, **weighted) == pytest.approx(0.94024, abs=1e-5)


def test_agreement_gwet_counts_every_possible_category() -> None:
    # chance agreement falls as categories are added, even ones nobody used
    units = [["a", "a"], ["a", "b"], ["b", "b"], ["a", "a"]]
    two, four = gwet_ac2(units, categories=["a", "b"]), gwet_ac2(units, categories=["a", "b", "c", "d"])
    assert two is not None and four is not None and four > two
    assert gwet_ac2(units) == pytest.approx(two)  # default: the categories that occur


@pytest.mark.parametrize("seed", range(25))
def test_agreement_alpha_matches_krippendorff_package_on_made_up_data(seed: int) -> None:
    rng = random.Random(seed)
    categories = list("abcde")[: rng.randint(2, 5)]
    observers, units = rng.randint(2, 6), rng.randint(5, 60)
    skew = [rng.random() for _ in categories]
    data: List[List[Optional[str]]] = []
    truth = [rng.choices(categories, weights=skew)[0] for _ in range(units)]
    for _ in range(observers):
        noise = rng.random() * 0.6
        row = [
            None if rng.random() < 0.25 else (t if rng.random() > noise else rng.choice(categories))
            for t in truth
        ]
        data.append(row)
    units_data = by_unit(data)
    ours = krippendorff_alpha_nominal(units_data)
    matrix = as_matrix(data, categories)
    if len({v for unit in units_data if len(unit) > 1 for v in unit}) < 2:
        assert ours is None  # no variation: undefined
        return
    reference = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
    assert ours == pytest.approx(reference, abs=0.01)
    assert ours == pytest.approx(reference, abs=1e-9)


def test_agreement_percent_by_hand() -> None:
    # three annotators: 1 agreeing pair of 3, then 3 of 3; two annotators: 0 of 1
    units = [["x", "x", "y"], ["y", "y", "y"], ["x", "y"], ["z"]]
    assert percent_agreement(units) == pytest.approx((1 / 3 + 1 + 0) / 3)


def test_agreement_undefined_cases_are_none() -> None:
    assert agreement([["a"], ["b"]]).percent is None  # nobody overlaps
    unanimous = agreement([["a", "a"], ["a", "a", "a"]], categories=["a", "b"])
    assert unanimous.percent == 1.0 and unanimous.alpha is None  # no variation: alpha undefined
    assert unanimous.ac2 == 1.0
    assert gwet_ac2([["a", "a"]], categories=["a"]) is None  # one category: nothing to choose
    with pytest.raises(ValueError):
        gwet_ac2([["a", "z"]], categories=["a", "b"])


def test_agreement_summary_counts_pairable_items() -> None:
    result = agreement(by_unit(KRIPPENDORFF_2011), categories=[1, 2, 3, 4, 5])
    assert (result.items, result.values) == (11, 40)
    assert result.alpha == pytest.approx(0.743, abs=0.001)


def test_agreement_pairwise_f1_by_hand() -> None:
    items = [
        {"alex": {(0, 4, "ORG"), (10, 14, "PER")}, "bea": {(0, 4, "ORG")}, "cai": set()},
        {"alex": {(5, 9, "PER")}, "bea": {(5, 9, "PER"), (11, 12, "ORG")}},
    ]
    result = pairwise_f1(items)
    f1 = {(p.a, p.b): p.f1 for p in result.pairs}
    assert f1[("alex", "bea")] == pytest.approx(2 * 2 / (3 + 3))
    assert f1[("alex", "cai")] == pytest.approx(0.0)  # alex marked 2 spans, cai none
    assert f1[("bea", "cai")] == pytest.approx(0.0)
    assert result.f1 == pytest.approx((2 / 3) / 3)
    assert pairwise_f1([{"a": set(), "b": set()}]).f1 is None  # nothing marked by either: undefined


@pytest.mark.parametrize("seed", range(10))
def test_agreement_pairwise_f1_matches_sklearn(seed: int) -> None:
    rng = random.Random(seed)
    candidates = [(start, start + rng.randint(1, 5), rng.choice("AB")) for start in range(0, 200, 7)]
    people = ["p1", "p2", "p3"]
    items = []
    for _ in range(15):
        gold = set(rng.sample(candidates, 4))
        item = {}
        for who in rng.sample(people, rng.randint(2, 3)):
            kept = {span for span in gold if rng.random() < 0.8}
            item[who] = kept | set(rng.sample(candidates, rng.randint(0, 2)))
        items.append(item)
    result = pairwise_f1(items)
    expected = []
    for pair in result.pairs:
        shared = [item for item in items if pair.a in item and pair.b in item]
        # one binary decision per (item, candidate span): did each annotator mark it?
        y_a = [span in item[pair.a] for item in shared for span in candidates]
        y_b = [span in item[pair.b] for item in shared for span in candidates]
        reference = f1_score(y_a, y_b)
        assert pair.f1 == pytest.approx(reference, abs=1e-9)
        expected.append(reference)
    assert result.f1 == pytest.approx(sum(expected) / len(expected), abs=0.01)
