"""Inter-annotator agreement on nominal values, and pairwise F1 on span sets.

Pure functions over plain Python values: no database, no command line. The
coefficients take *reliability data by unit*: one sequence per item holding
the values its annotators gave, one value per annotator. An annotator who did
not answer an item is simply absent from it, so missing answers (the normal
case when annotators share a queue or stop halfway) need no padding. Values
are compared for equality only (nominal data): any hashable will do.

Why three figures: percent agreement is what people read first but it rises
with skewed labels by chance alone; Krippendorff's alpha corrects for chance
from the pooled value distribution and is the reference in content analysis;
Gwet's AC1/AC2 corrects too but does not collapse when one label dominates
(the "kappa paradox"), which annotation projects hit often. Reporting all
three, as Prodigy does, lets a team see which situation it is in.

References:

- Krippendorff, K. (2011). *Computing Krippendorff's Alpha-Reliability*.
  Annenberg School for Communication, University of Pennsylvania. Section C,
  nominal data with any number of observers and missing values: the
  coincidence matrix ``o_ck``, ``n_c = sum_k o_ck`` and
  ``alpha = ((n-1) sum_c o_cc - sum_c n_c (n_c-1)) / (n (n-1) - sum_c n_c (n_c-1))``.
  Its 12-unit, 4-observer example gives alpha = 0.743.
- Gwet, K. L. (2014). *Handbook of Inter-Rater Reliability*, 4th ed.
  Advanced Analytics. AC2 for several raters with missing ratings:
  ``p_a = 1/n' sum_i sum_k r_ik (r*_ik - 1) / (r_i (r_i - 1))`` over the n'
  items with two ratings or more, where ``r*_ik = sum_l w_kl r_il``;
  ``p_e = T_w / (q (q-1)) sum_k pi_k (1 - pi_k)`` with
  ``pi_k = 1/n sum_i r_ik / r_i`` over the n items with a rating, q the
  number of categories and ``T_w`` the sum of the weights;
  ``AC2 = (p_a - p_e) / (1 - p_e)``. With identity (nominal) weights AC2 is
  AC1 and ``p_a`` is the plain percent agreement.
- Hripcsak, G. and Rothschild, A. S. (2005). Agreement, the F-measure, and
  reliability in information retrieval. *JAMIA* 12(3). For spans there is no
  fixed set of units to count "both said no" over, so chance-corrected
  coefficients are ill-defined; the F1 of one annotator against another is
  the usual measure, and it is symmetric: ``2 |A & B| / (|A| + |B|)``.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from itertools import combinations
from typing import AbstractSet, Callable, Dict, Hashable, List, Mapping, Optional, Sequence, Tuple

__all__ = [
    "Agreement",
    "PairF1",
    "PairwiseF1",
    "agreement",
    "gwet_ac2",
    "krippendorff_alpha_nominal",
    "pairwise_f1",
    "percent_agreement",
]

Value = Hashable
Items = Sequence[Sequence[Value]]
Weight = Callable[[Value, Value], float]


def _identity(k: Value, l: Value) -> float:
    return 1.0 if k == l else 0.0


def _weight_function(categories: Sequence[Value], weights: Optional[Sequence[Sequence[float]]]) -> Weight:
    if weights is None:
        return _identity
    if len(weights) != len(categories) or any(len(row) != len(categories) for row in weights):
        raise ValueError(f"weights must be a {len(categories)}x{len(categories)} matrix, one row a category")
    index = {category: i for i, category in enumerate(categories)}
    return lambda k, l: float(weights[index[k]][index[l]])


def _categories(counts: Sequence[Counter], categories: Optional[Sequence[Value]]) -> List[Value]:
    seen: Dict[Value, None] = {}
    for item in counts:
        seen.update(dict.fromkeys(item))
    if categories is None:
        return list(seen)
    unknown = [value for value in seen if value not in set(categories)]
    if unknown:
        raise ValueError(f"values {unknown[:5]!r} are not among the categories")
    return list(dict.fromkeys(categories))


def percent_agreement(
    items: Items,
    *,
    categories: Optional[Sequence[Value]] = None,
    weights: Optional[Sequence[Sequence[float]]] = None,
) -> Optional[float]:
    """Return Gwet's ``p_a``: the share of agreeing annotator pairs, averaged over items.

    Each item with two values or more counts once, whatever its number of
    annotators; items with fewer are left out. None when no item has two.
    ``weights`` (rows and columns in ``categories``' order) give partial
    credit; without them this is simple percent agreement.
    """
    counts = [Counter(item) for item in items]
    weight = _weight_function(_categories(counts, categories), weights)
    total, pairable = 0.0, 0
    for item in counts:
        r_i = sum(item.values())
        if r_i < 2:
            continue
        pairable += 1
        agreeing = 0.0
        for k, r_ik in item.items():
            r_star = sum(weight(k, l) * r_il for l, r_il in item.items())
            agreeing += r_ik * (r_star - 1)
        total += agreeing / (r_i * (r_i - 1))
    return total / pairable if pairable else None


def gwet_ac2(
    items: Items,
    *,
    categories: Optional[Sequence[Value]] = None,
    weights: Optional[Sequence[Sequence[float]]] = None,
) -> Optional[float]:
    """Return Gwet's AC2 (AC1 with the default identity weights).

    ``categories`` is every value an annotator could have given: chance
    agreement depends on their number q, so pass the label set, not just the
    labels that happen to occur. Items with one value still count towards the
    category shares ``pi_k``, as in Gwet's formula. None when no item has two
    values, when there are fewer than two categories, or when chance
    agreement is certain (``p_e`` = 1).
    """
    counts = [Counter(item) for item in items]
    cats = _categories(counts, categories)
    q = len(cats)
    pa = percent_agreement(items, categories=cats, weights=weights)
    if pa is None or q < 2:
        return None
    weight = _weight_function(cats, weights)
    rated = [item for item in counts if sum(item.values()) > 0]
    pi = {k: sum(item[k] / sum(item.values()) for item in rated) / len(rated) for k in cats}
    t_w = sum(weight(k, l) for k in cats for l in cats)
    pe = t_w / (q * (q - 1)) * sum(p * (1 - p) for p in pi.values())
    if math.isclose(pe, 1.0):
        return None
    return (pa - pe) / (1 - pe)


def krippendorff_alpha_nominal(items: Items) -> Optional[float]:
    """Return Krippendorff's alpha for nominal values.

    Items with one value are not pairable and drop out, as in Krippendorff
    (2011). None when no item has two values, or when all pairable values
    are the same (no variation: alpha is undefined, not 1).
    """
    coincidences: Counter = Counter()
    for item in map(Counter, items):
        m_u = sum(item.values())
        if m_u < 2:
            continue
        for c, n_uc in item.items():
            for k, n_uk in item.items():
                pairs = n_uc * (n_uc - 1) if c == k else n_uc * n_uk
                coincidences[c, k] += pairs / (m_u - 1)
    n_c: Counter = Counter()
    for (c, _k), o_ck in coincidences.items():
        n_c[c] += o_ck
    n = sum(n_c.values())
    same_by_chance = sum(v * (v - 1) for v in n_c.values())
    denominator = n * (n - 1) - same_by_chance
    if n < 2 or denominator <= 1e-9 * max(n * n, 1.0):
        return None
    observed_same = sum(o for (c, k), o in coincidences.items() if c == k)
    return ((n - 1) * observed_same - same_by_chance) / denominator


@dataclass(frozen=True)
class Agreement:
    """The three coefficients on one set of items, with what they were computed from."""

    items: int  # items with two values or more
    values: int  # values in those items
    percent: Optional[float]
    alpha: Optional[float]
    ac2: Optional[float]


def agreement(items: Items, *, categories: Optional[Sequence[Value]] = None) -> Agreement:
    """Compute percent agreement, Krippendorff's alpha and Gwet's AC1 on nominal values."""
    pairable = [item for item in items if len(item) >= 2]
    return Agreement(
        items=len(pairable),
        values=sum(len(item) for item in pairable),
        percent=percent_agreement(items, categories=categories),
        alpha=krippendorff_alpha_nominal(items),
        ac2=gwet_ac2(items, categories=categories),
    )


@dataclass(frozen=True)
class PairF1:
    """One pair of annotators over the items both answered."""

    a: str
    b: str
    items: int
    both: int  # spans both annotated (exact matches)
    a_spans: int
    b_spans: int
    f1: Optional[float]  # None when neither annotated a span on their shared items


@dataclass(frozen=True)
class PairwiseF1:
    """F1 of each annotator pair, and its mean over the pairs where it is defined."""

    f1: Optional[float]
    pairs: Tuple[PairF1, ...]


def pairwise_f1(items: Sequence[Mapping[str, AbstractSet[Hashable]]]) -> PairwiseF1:
    """Compare every pair of annotators on the items both answered, by exact match.

    Each item maps an annotator to the set of things (spans as
    ``(start, end, label)``) they annotated on it; an empty set is an answer
    with nothing marked and still counts. Counts are summed over a pair's
    shared items before F1 is taken (micro), then F1 is averaged over pairs
    (macro), so a pair that shares many items weighs no more than one that
    shares few: each pair of people is one opinion on the guidelines.
    """
    totals: Dict[Tuple[str, str], List[int]] = {}
    for item in items:
        for a, b in combinations(sorted(item), 2):
            counts = totals.setdefault((a, b), [0, 0, 0, 0])
            counts[0] += 1
            counts[1] += len(item[a] & item[b])
            counts[2] += len(item[a])
            counts[3] += len(item[b])
    pairs = tuple(
        PairF1(a, b, shared, both, a_spans, b_spans, 2 * both / (a_spans + b_spans) if a_spans + b_spans else None)
        for (a, b), (shared, both, a_spans, b_spans) in sorted(totals.items())
    )
    defined = [pair.f1 for pair in pairs if pair.f1 is not None]
    return PairwiseF1(sum(defined) / len(defined) if defined else None, pairs)
