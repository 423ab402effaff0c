"""``mentor stats DATASET --sessions`` (issue 13 part 5) on a real SQLite database."""
from __future__ import annotations

import json
from typing import Any, Dict, List

from mentor.config import load_settings
from mentor.core.review import group_answers
from mentor.db import connect
from mentor.tasks import set_hashes

LABEL = "SPORTS"


def store(dataset: str, answers: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    db = connect(settings=load_settings())
    db.add_dataset(dataset)
    hashed = [set_hashes(dict(answer)) for answer in answers]
    db.add_examples(hashed, [dataset])
    db.close()
    return hashed


def teach_answers() -> List[Dict[str, Any]]:
    """alex answers texts 0-9, bea 0-5 (disagreeing on 4 and 5), cai 0-3; on-screen times and model scores."""
    answers = []
    plan = {"alex": range(10), "bea": range(6), "cai": range(4)}
    for who, texts in plan.items():
        for i in texts:
            kind = "accept" if i % 2 == 0 else "reject"
            if who == "bea" and i in (4, 5):
                kind = "reject" if kind == "accept" else "accept"
            if who == "alex" and i == 9:
                kind = "ignore"
            answers.append({
                "text": f"Match report {i}", "label": LABEL, "answer": kind, "_view_id": "classification",
                "_session_id": f"news-{who}", "_time_on_screen": {"alex": 2.0, "bea": 5.0, "cai": 9.0}[who] + i,
                "meta": {"score": round(0.5 + 0.04 * i, 2)},
            })
    return answers


def test_cli_stats_sessions_table_and_json(mentor) -> None:
    stored = store("news", teach_answers())
    # the gold as `mentor review gold news` stores it: each group's task with its versions, and a decision
    groups = group_answers((("news", a) for a in stored), manual=False)
    gold = []
    for group in groups:
        decision = group.task("classification")
        decision["answer"] = group.versions[0].answer["answer"]
        decision["_session_id"] = "gold-reviewer"
        gold.append(decision)
    store("gold", gold)

    result = mentor("stats", "news", "--sessions", "--gold", "gold", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    people = {a["name"]: a for a in data["annotators"]}
    assert data["answers"] == 20 and data["by"] == "task" and data["gold"] == "gold"
    alex, bea, cai = people["alex"], people["bea"], people["cai"]
    assert (alex["answers"], alex["accept"], alex["reject"], alex["ignore"]) == (10, 5, 4, 1)
    assert alex["seconds_median"] == 6.5 and abs(alex["seconds_p90"] - 10.1) < 1e-9  # 2..11
    assert cai["seconds_median"] == 10.5  # 9..12
    # texts 0-3: everyone agrees; 4, 5: alex vs bea alone -> each disagrees with the other
    assert (alex["agreement"], alex["agreement_items"]) == (4 / 6, 6)
    assert (bea["agreement"], cai["agreement"]) == (4 / 6, 1.0)
    # the gold picked the most common version (ties: the first seen, alex's): bea loses texts 4 and 5
    assert (alex["gold_agreement"], alex["gold_items"]) == (1.0, 9) and (bea["gold_agreement"], bea["gold_items"]) == (4 / 6, 6)
    assert [round(b["mean"], 4) for b in cai["scores"]] == [0.5, 0.54, 0.58, 0.62]
    assert alex["scores"][0]["first"] == 1 and alex["scores"][-1]["last"] == 10

    table = mentor("stats", "news", "--sessions", "--gold", "gold")
    assert table.code == 0, table.err
    assert "s/task median" in table.out and "Agree (gold)" in table.out and "67% of 6" in table.out
    assert "Model score over time" in table.out
    line = next(line for line in table.out.splitlines() if line.strip().startswith("alex"))
    assert "10" in line and "6.5" in line and "10.1" in line


def test_cli_stats_sessions_errors(mentor) -> None:
    store("news", teach_answers())
    for args, code in [(("stats", "nope", "--sessions"), "M031"), (("stats", "news", "--sessions", "--gold", "nope"), "M031"),
                       (("stats", "--sessions"), "M010"), (("stats", "news", "--json"), "M010")]:
        result = mentor(*args)
        lines = result.err.strip().splitlines()
        assert result.code == 1 and len(lines) == 1 and lines[0].endswith(f"[{code}]"), (args, result.err)
        assert result.out == ""
    plain = mentor("stats", "news")  # without --sessions: as before
    assert plain.code == 0 and "Annotations" in plain.out
