from __future__ import annotations

import pytest

from mentor.core.keys import KeySet, read_stored_keys
from mentor.errors import InputError
from mentor.tasks import set_hashes, task_key
from mentor.training.uptrain import Router


def _scored(scores):
    return [(s, set_hashes({"text": f"text {i}", "label": "A", "score": s})) for i, s in enumerate(scores)]


def test_router_routes_by_threshold():
    stored = []
    router = Router(stored.extend, dataset="ds", view_id="classification", accept_above=0.9, skip_below=0.1, flush_every=2)
    shown = list(router(_scored([0.95, 0.5, 0.05, 0.9, 0.99, 0.1])))
    assert [t["score"] for t in shown] == [0.5, 0.1]
    assert sorted(t["score"] for t in stored) == [0.9, 0.95, 0.99]
    assert all(t["answer"] == "accept" and t["meta"]["auto"] is True for t in stored)
    assert {t["_session_id"] for t in stored} == {"ds-auto"} and stored[0]["_view_id"] == "classification"
    c = router.counts
    assert (c.auto_accepted, c.to_person, c.skipped) == (3, 2, 1)


def test_router_skips_known_tasks_and_flushes_on_demand():
    stored = []
    scored = _scored([0.95, 0.5])
    router = Router(stored.extend, dataset="ds", view_id="classification", accept_above=0.9, skip_below=0.1,
                    known=KeySet([task_key(scored[1][1])]), flush_every=100)
    stream = router(iter(scored))
    assert next(stream, None) is None  # the 0.5 task is already stored; the stream ends
    assert router.counts.already_stored == 1 and len(stored) == 1


@pytest.mark.parametrize("accept,skip", [(0.5, 0.6), (1.2, 0.1), (0.9, -0.1)])
def test_router_refuses_bad_thresholds(accept, skip):
    with pytest.raises(InputError):
        Router(list.append, dataset="ds", view_id="x", accept_above=accept, skip_below=skip)


def test_router_tells_apart_texts_whose_32_bit_hashes_collide():
    """"collision probe 43663" and "... 237330" share both hashes (tests/unit/core/test_collisions.py)."""
    import srsly

    first, second = (set_hashes({"text": f"collision probe {n}", "label": "A"}) for n in (43663, 237330))
    assert first["_task_hash"] == second["_task_hash"]
    stored = []
    router = Router(stored.extend, dataset="ds", view_id="classification", accept_above=0.9, skip_below=0.1)
    router.flush_every = 1
    list(router(iter([(0.95, first)])))
    # a restart reads the stored answer back, as the recipe does, and the other text is still asked
    rows = [(t["_input_hash"], t["_task_hash"], srsly.json_dumps(t)) for t in stored]
    again = Router(list.append, dataset="ds", view_id="classification", accept_above=0.9, skip_below=0.1,
                   known=read_stored_keys(rows, "task"))
    assert [t["text"] for t in again(iter([(0.5, first), (0.5, second)]))] == ["collision probe 237330"]
    assert again.counts.already_stored == 1
