"""The pool sorters: never drop, best first, re-score after an update."""
from __future__ import annotations

import random
from typing import List, Sequence

import pytest

from mentor.sorters import ScoredPool, prefer_high_scores, prefer_low_scores, prefer_uncertain, uncertainty
from mentor.tasks import EXPLORED_KEY


def _scored(scores: Sequence[float]):
    return ((score, {"text": f"t{i}", "id": i}) for i, score in enumerate(scores))


def _counted(pulled: List[int], score=lambda i: 0.5, n: int = 10_000):
    """A long stream that notes in ``pulled`` every question taken from it."""
    for i in range(n):
        pulled.append(i)
        yield score(i), {"id": i}


@pytest.mark.parametrize("sorter", [prefer_uncertain, prefer_high_scores, prefer_low_scores])
@pytest.mark.parametrize("pool_size", [1, 7, 1000])
def test_sorters_never_drop_a_task(sorter, pool_size):
    rng = random.Random(0)
    scores = [rng.random() for _ in range(500)]
    served = [task["id"] for task in sorter(_scored(scores), pool_size=pool_size)]
    assert sorted(served) == list(range(500))


def test_prefer_uncertain_serves_uncertain_first_and_sets_priority():
    scores = [0.01, 0.99, 0.5, 0.9, 0.45, 0.2]
    tasks = list(prefer_uncertain(_scored(scores), pool_size=10))
    assert [t["id"] for t in tasks] == [2, 4, 5, 3, 0, 1]
    assert tasks[0]["priority"] == pytest.approx(1.0)
    assert tasks[1]["priority"] == pytest.approx(uncertainty(0.45))
    assert tasks[0]["meta"]["score"] == 0.5 and tasks[0]["score"] == 0.5


def test_prefer_high_and_low_scores_order():
    scores = [0.3, 0.9, 0.1]
    assert [t["id"] for t in prefer_high_scores(_scored(scores))] == [1, 0, 2]
    assert [t["id"] for t in prefer_low_scores(_scored(scores))] == [2, 0, 1]


def test_uncertainty_bias_moves_centre():
    assert uncertainty(0.5) == 1.0
    assert uncertainty(0.0) == 0.0 and uncertainty(1.0) == 0.0
    assert uncertainty(0.7, bias=0.2) == pytest.approx(1.0)


def test_pool_is_bounded_and_lazy():
    pulled: List[int] = []
    pool = prefer_uncertain(_counted(pulled), pool_size=20)
    first = next(pool)
    assert first["id"] == 0  # ties keep arrival order
    assert len(pulled) == 20 and pool.size == 19
    next(pool)
    assert len(pulled) == 20 and pool.size == 18  # topped up a batch at a time (an eighth of the pool)...
    next(pool)
    assert len(pulled) == 22 and pool.size == 19  # ...once it lacks that many, never beyond pool_size
    for _ in range(100):
        next(pool)
        assert pool.size < 20 and len(pulled) - pool.n_served <= 20


def test_pool_tops_up_in_one_rescore_call_after_an_update():
    calls: List[int] = []

    def rescorer(tasks):
        calls.append(len(tasks))
        return [0.5] * len(tasks)

    pool = prefer_uncertain(((0.5, {"id": i}) for i in range(1000)), pool_size=512, rescorer=rescorer, rescore_limit=0)
    next(pool)  # fills the pool: nothing to re-score before the first update
    for _ in range(5):
        pool.rescore()
        for _ in range(10):
            next(pool)
    # sixteen pulled questions re-scored in one call when the pool lacks them, not one call for
    # each question served (rescore_limit=0: nothing pooled is re-scored)
    assert [n for n in calls if n] == [16, 16, 16]


def test_pool_rescore_reorders_after_update():
    # a model whose scores are a dict we can change between batches
    current = {i: 0.0 for i in range(10)}

    def rescorer(tasks):
        return [current[t["id"]] for t in tasks]

    pool = prefer_uncertain(((current[i], {"id": i}) for i in range(10)), pool_size=10, rescorer=rescorer)
    assert next(pool)["id"] == 0
    current[7] = 0.5  # the "model" now finds task 7 uncertain
    pool.rescore()
    task = next(pool)
    assert task["id"] == 7 and task["meta"]["score"] == 0.5 and task["priority"] == 1.0
    assert pool.n_rescored == 9
    rest = [t["id"] for t in pool]
    assert sorted(rest + [0, 7]) == list(range(10))


def test_pool_rescore_limit_refreshes_the_best_and_a_rotating_window():
    calls: List[List[int]] = []

    def rescorer(tasks):
        calls.append([t["id"] for t in tasks])
        return [t["score"] for t in tasks]

    # ids 0..49; lower id = more uncertain, so the best are 0, 1, ...
    scored = ((0.5 - i / 100, {"id": i}) for i in range(50))
    pool = prefer_uncertain(scored, pool_size=50, rescorer=rescorer, rescore_limit=6)
    next(pool)  # serves 0
    refreshed = set()
    for _ in range(20):
        pool.rescore()
        next(pool)
        refreshed.update(calls[-1])
    assert all(len(ids) == 6 for ids in calls)
    assert calls[0][:3] == [1, 2, 3]  # the next to be served are always refreshed
    # the window walks through the rest: every question left in the pool was refreshed
    assert {t["id"] for t in pool.pooled()} <= refreshed


def test_pool_serves_current_scores_before_stale_ones():
    # a cold model scores everything 0.5; after an update only part of the pool is re-scored
    model = {"trained": False}

    def score(i: int) -> float:
        return 0.5 if not model["trained"] else (0.45 if i % 2 else 0.05)

    pool = prefer_uncertain(((score(i), {"id": i}) for i in range(40)), pool_size=40,
                            rescorer=lambda tasks: [score(t["id"]) for t in tasks], rescore_limit=8)
    next(pool)
    model["trained"] = True
    pool.rescore()
    served = [next(pool) for _ in range(4)]
    # the re-scored uncertain ones (0.45), not the stale 0.5s that would look the most uncertain
    assert [t["meta"]["score"] for t in served] == [0.45] * 4
    rest = [t["id"] for t in pool]
    assert sorted(rest + [t["id"] for t in served] + [0]) == list(range(40))  # still nothing dropped


def test_pool_without_rescorer_ignores_rescore():
    pool = prefer_uncertain(_scored([0.2, 0.4]))
    pool.rescore()
    assert [t["id"] for t in pool] == [1, 0]


def test_pool_rejects_bad_rescorer_and_size():
    with pytest.raises(ValueError):
        ScoredPool(_scored([0.1]), lambda s: s, pool_size=0)
    pool = prefer_uncertain(_scored([0.1, 0.2]), rescorer=lambda tasks: [])
    next(pool)
    pool.rescore()
    with pytest.raises(ValueError):
        next(pool)


def test_pool_explore_still_never_drops_and_mixes_order():
    scores = [i / 1000 for i in range(300)]
    plain = [t["id"] for t in prefer_high_scores(_scored(scores), pool_size=300)]
    served = list(ScoredPool(_scored(scores), lambda s: s, pool_size=300, explore=0.3, seed=1))
    mixed = [t["id"] for t in served]
    assert sorted(mixed) == list(range(300))
    assert mixed != plain
    # the questions drawn at random say so (a model calibrates on them); the rest don't
    drawn = [t for t in served if t.get(EXPLORED_KEY)]
    assert 60 <= len(drawn) <= 120 and all(t[EXPLORED_KEY] is True for t in drawn)
    assert not any(EXPLORED_KEY in t for t in prefer_high_scores(_scored(scores), pool_size=300))
    with pytest.raises(ValueError):
        ScoredPool(_scored(scores), lambda s: s, explore=2.0)


def test_pool_has_no_length_so_the_controller_does_not_take_it_for_the_total():
    pool = prefer_uncertain(_scored([0.1, 0.2, 0.3]))
    next(pool)
    assert not hasattr(pool, "__len__") and getattr(pool, "total", None) is None


def test_pool_warmup_serves_at_random_then_by_priority():
    scores = [i / 100 for i in range(100)]
    pool = ScoredPool(_scored(scores), lambda s: s, pool_size=100, warmup=10, seed=3)
    first = [next(pool)["id"] for _ in range(10)]
    assert first != list(range(99, 89, -1))  # not the ten best
    rest = [t["id"] for t in pool]
    assert rest == sorted(rest, reverse=True) and sorted(first + rest) == list(range(100))


def _slow_scored(n: int, delay: float = 0.0, fail_at: int = -1):
    import time

    for i in range(n):
        if i == fail_at:
            raise RuntimeError("the model broke")
        if delay:
            time.sleep(delay)
        yield 0.5 - i / (4 * n), {"text": f"t{i}", "id": i}


@pytest.mark.parametrize("pool_size", [1, 7, 64])
def test_background_pool_never_drops_a_task(pool_size):
    pool = ScoredPool(_slow_scored(200), uncertainty, pool_size=pool_size, background=True, first_wait=0.5)
    served = [task["id"] for task in pool]
    assert sorted(served) == list(range(200))


def test_background_pool_serves_without_waiting_for_the_whole_pool():
    import time

    # 512 texts at 20 ms each would take 10 s to pool; the first question must not wait for that
    pool = ScoredPool(_slow_scored(512, delay=0.02), uncertainty, pool_size=512, background=True,
                      first_ready=8, first_wait=5.0)
    started = time.perf_counter()
    first = next(pool)
    assert time.perf_counter() - started < 2.0
    assert first["id"] < 64  # served from what was pooled, best first
    assert pool.size < 512


def test_background_pool_hands_a_scoring_error_to_the_reader():
    pool = ScoredPool(_slow_scored(50, fail_at=10), uncertainty, pool_size=100, background=True, first_wait=0.5)
    with pytest.raises(RuntimeError, match="the model broke"):
        list(pool)


def test_background_pool_rescores_after_an_update():
    scores = {f"t{i}": 0.5 for i in range(20)}

    def rescorer(tasks):
        return [scores[task["text"]] for task in tasks]

    pool = ScoredPool(((0.1, {"text": f"t{i}", "id": i}) for i in range(20)), uncertainty, pool_size=20,
                      rescorer=rescorer, background=True, first_ready=20)
    assert next(pool)["id"] == 0
    scores["t13"] = 0.5
    for i in range(20):
        scores[f"t{i}"] = 0.0 if i != 13 else 0.5
    pool.rescore()
    assert next(pool)["id"] == 13


def _unit(x: float, y: float) -> List[float]:
    norm = (x * x + y * y) ** 0.5
    return [x / norm, y / norm]


def test_density_weight_asks_about_a_typical_text_before_an_equally_uncertain_outlier():
    # ten texts close together, one far away; the outlier is a little less confident
    vectors = {f"common {i}": _unit(1.0, 0.01 * i) for i in range(10)}
    vectors["outlier"] = _unit(-1.0, 1.0)
    scores = {text: 0.40 for text in vectors}
    scores["outlier"] = 0.35
    scored = [(scores[text], {"text": text}) for text in vectors]

    def vectorizer(tasks: Sequence[dict]) -> List[List[float]]:
        return [vectors[task["text"]] for task in tasks]

    plain = ScoredPool(list(scored), lambda s: 1.0 - s, vectorizer=vectorizer, density=0.0)
    assert next(plain)["text"] == "outlier"  # least confident first
    weighted = list(ScoredPool(list(scored), lambda s: 1.0 - s, vectorizer=vectorizer, density=1.0))
    assert weighted[0]["text"] != "outlier" and weighted[-1]["text"] == "outlier"
    assert len(weighted) == 11  # weighing never drops a question


def test_density_weights_new_questions_once_a_tenth_of_the_pool_is_new():
    vectors = {f"t{i}": _unit(1.0, 0.1 * (i % 7)) for i in range(40)}
    calls: List[int] = []

    def vectorizer(tasks: Sequence[dict]) -> List[List[float]]:
        calls.append(len(tasks))
        return [vectors[task["text"]] for task in tasks]

    pool = ScoredPool(((0.5, {"text": t}) for t in vectors), uncertainty, pool_size=20, vectorizer=vectorizer, density=1.0)
    served = [next(pool) for _ in range(7)]
    # the full pool at first, then whenever more than a tenth of it is new (topped up two at a
    # time: 2 of 19 new at every other question)
    assert calls == [20, 19, 19]
    assert len({task["text"] for task in served}) == 7


def test_power_sampling_draws_in_proportion_to_priority_and_never_drops():
    # two questions of priority 0.9 among 98 of 0.1: drawn first with odds 2 * 0.81 / (1.62 + 98 * 0.01) = 0.62 at power 2
    scores = [0.9 if i in (3, 7) else 0.1 for i in range(100)]
    firsts = []
    for seed in range(200):
        pool = ScoredPool(_scored(scores), lambda s: s, pool_size=100, power=2.0, seed=seed)
        order = [t["id"] for t in pool]
        assert sorted(order) == list(range(100))
        firsts.append(order[0])
    share = sum(first in (3, 7) for first in firsts) / len(firsts)
    assert 0.5 < share < 0.75
    plain = [t["id"] for t in ScoredPool(_scored(scores), lambda s: s, pool_size=100)]
    assert plain[:2] == [3, 7]  # without power: strictly best first


def test_power_sampling_prefers_current_scores_over_stale_ones():
    pool = ScoredPool(_scored([0.5] * 20), lambda s: 1.0 - abs(s - 0.5) * 2, pool_size=20, power=2.0, seed=0,
                      rescorer=lambda tasks: [0.9 if task["id"] < 5 else 0.5 for task in tasks], rescore_limit=4)
    next(pool)
    pool.rescore()
    # four re-scored questions are current, the rest stale: the next four come from the current ones
    current = {t["id"] for t in pool.pooled()[:4]}
    assert {next(pool)["id"] for _ in range(4)} == current


def test_a_question_priority_ranks_by_question_and_score():
    # questions about "rare" rank by their score (likeliest first), the rest by 1 - score
    scored = [(0.1, {"id": 0, "label": "rare"}), (0.9, {"id": 1, "label": "rare"}),
              (0.2, {"id": 2, "label": "common"}), (0.7, {"id": 3, "label": "common"})]

    def by_question(task, score):
        return score if task["label"] == "rare" else 1.0 - score

    served = list(ScoredPool(iter(scored), lambda s: 1.0 - s, pool_size=10, question_priority=by_question))
    assert [t["id"] for t in served] == [1, 2, 3, 0]
    assert served[0]["priority"] == pytest.approx(0.9) and served[1]["priority"] == pytest.approx(0.8)
    plain = [t["id"] for t in ScoredPool(iter(scored), lambda s: 1.0 - s, pool_size=10)]
    assert plain == [0, 2, 3, 1]


class _FakeModel:
    """What teach_sorter reads off a model in the loop: its re-scorer and question style."""

    has_vectors = False
    vectors = None

    def __init__(self, least_confident_first: bool) -> None:
        self.least_confident_first = least_confident_first

    def score_tasks(self, tasks):
        return [task["score"] for task in tasks]

    def question_priority(self, task, score):
        return 0.25


def test_teach_sorter_takes_the_models_question_priority_for_exclusive_classes_only():
    from mentor.sorters import teach_sorter

    exclusive = teach_sorter(_scored([0.5]), _FakeModel(True))
    assert next(exclusive)["priority"] == 0.25
    binary = teach_sorter(_scored([0.5]), _FakeModel(False), explore=0.0)
    assert next(binary)["priority"] == 1.0  # uncertainty of 0.5


@pytest.mark.parametrize("exclusive", [True, False])
def test_teach_sorter_draws_by_power_for_exclusive_classes_and_takes_the_best_for_binary(exclusive):
    from mentor.sorters import DEFAULT_EXPLORE, DEFAULT_POWER_EXCLUSIVE, teach_sorter

    pool = teach_sorter(_scored([0.5]), _FakeModel(exclusive))
    assert pool.power == (DEFAULT_POWER_EXCLUSIVE if exclusive else 0.0) and (pool.power > 0) == exclusive
    assert pool.explore == (0.0 if exclusive else DEFAULT_EXPLORE)
    assert teach_sorter(_scored([0.5]), _FakeModel(exclusive), power=0.0, explore=0.1).explore == 0.1


@pytest.mark.parametrize("background", [False, True])
@pytest.mark.parametrize("pool_size", [1, 7, 64])
def test_scanning_pool_never_drops_a_task_of_a_finite_stream(background, pool_size):
    rng = random.Random(1)
    scores = [rng.random() for _ in range(300)]
    pool = ScoredPool(_scored(scores), uncertainty, pool_size=pool_size, scan=4, background=background,
                      first_wait=0.5, lookahead_pause=0.0)
    served = [task["id"] for task in pool]
    assert sorted(served) == list(range(300))
    assert pool.n_set_aside > 0


def test_scanning_pool_looks_at_more_of_the_stream_than_it_serves():
    # one uncertain text in ten: a pool that only replaces what it serves asks, after its first
    # fill, whatever arrives; one that pulls four texts a question asks the uncertain ones
    scores = [0.5 if i % 10 == 0 else 0.01 for i in range(4000)]

    def uncertain_share(scan: float) -> float:
        pool = ScoredPool(_scored(scores), uncertainty, pool_size=16, scan=scan)
        asked = [next(pool) for _ in range(200)]
        return sum(task["score"] == 0.5 for task in asked) / len(asked)

    assert uncertain_share(1.0) < 0.2
    assert uncertain_share(4.0) > 0.3


def test_scanning_pool_pulls_scan_texts_a_question_and_sets_the_worst_aside():
    pulled: List[int] = []
    pool = ScoredPool(_counted(pulled, lambda i: 0.5 if i % 2 else 0.0), uncertainty, pool_size=32, scan=3)
    for _ in range(100):
        task = next(pool)
        assert task["score"] == 0.5  # the set-aside are the worst: the pool holds uncertain ones
        assert pool.size <= 32
    assert 32 + 3 * 100 - 20 <= len(pulled) <= 32 + 3 * 100 + 20
    assert pool.n_set_aside == len(pulled) - pool.size - pool.n_served


def test_scanning_pool_lets_the_oldest_set_aside_go_beyond_its_reserve():
    pool = ScoredPool(_scored([0.0] * 500), uncertainty, pool_size=8, scan=5, reserve_size=10)
    served = [task["id"] for task in pool]
    assert len(served) == len(set(served)) < 500
    assert pool.n_set_aside > 10
    with pytest.raises(ValueError):
        ScoredPool(_scored([0.5]), uncertainty, scan=0.5)


def test_exploring_a_scanning_pool_draws_from_the_set_aside_too():
    # uncertain texts stay pooled and dull ones are set aside: exploring the pool alone would
    # only ever serve uncertain ones, exploring everything that waits serves dull ones too
    scores = [0.5 if i % 10 == 0 else 0.01 for i in range(3000)]

    def dull_share(set_aside: bool) -> float:
        pool = ScoredPool(_scored(scores), uncertainty, pool_size=16, scan=4, explore=1.0,
                          explore_set_aside=set_aside, seed=3)
        asked = [next(pool) for _ in range(300)]
        return sum(task["score"] == 0.01 for task in asked) / len(asked)

    assert dull_share(True) > 0.6
    assert dull_share(False) < dull_share(True) - 0.2


def test_scanning_pool_looks_ahead_as_far_as_the_label_is_rare():
    pool = ScoredPool(_scored([0.9] * 50), uncertainty, scan=4, scan_by_rarity=True)
    assert pool.scan_now == 1.0  # nothing known yet
    pool.positive_share = 0.5
    assert pool.scan_now == 1.0
    pool.positive_share = 0.25
    assert pool.scan_now == pytest.approx(2.0)
    pool.positive_share = 0.95  # a label nearly everything has is as rare a "no"
    assert pool.scan_now == 4.0
    pool.positive_share = 0.5
    pool.rescore()
    list(pool)
    assert pool.positive_share > 0.6  # new texts the updated model scored 0.9


def test_background_pool_looks_ahead_only_while_the_reader_pauses():
    import time

    pulled: List[int] = []
    pool = ScoredPool(_counted(pulled), uncertainty, pool_size=16, scan=4, background=True, lookahead_pause=0.3)
    for _ in range(8):
        next(pool)
    time.sleep(0.1)
    assert len(pulled) <= 16 + 8 + 1  # reading fast: only what was served is replaced
    time.sleep(0.5)
    assert len(pulled) >= 16 + 8 * 4 - 1  # paused: three more looked at for each served
    assert pool.size <= 16
