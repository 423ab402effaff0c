"""`mentor review` in a real browser: three annotators disagree three ways on one text, and a reviewer
settles it by keyboard; the gold answer, with the versions, lands in the review dataset."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Tuple

from e2e_support import tokenize, wait_no_tasks, wait_task

from mentor.db import Database
from mentor.tasks import set_hashes

CONFLICT = "Grace Hopper met Alan Turing in London"
AGREED = "Ada Lovelace wrote to Charles Babbage"
SECOND = "Linus Torvalds lives in Portland"
# what three sessions of ner.manual stored for CONFLICT: three different annotations
VERSIONS = {
    "alex": [(0, 12, "PERSON", 0, 1), (17, 28, "PERSON", 3, 4)],
    "bea": [(0, 12, "PERSON", 0, 1)],
    "carl": [(0, 12, "PERSON", 0, 1), (32, 38, "GPE", 6, 6)],
}


def ner_manual_answer(text: str, session: str, spans: List[Tuple[int, int, str, int, int]]) -> Dict[str, Any]:
    task = set_hashes({"text": text, "tokens": tokenize(text), "spans": []})
    task["spans"] = [{"start": s, "end": e, "label": label, "token_start": ts, "token_end": te}
                     for s, e, label, ts, te in spans]
    task.update(answer="accept", _session_id=f"news-{session}", _view_id="ner_manual", _timestamp=1_700_000_000)
    return task


def spans_of(task: Dict[str, Any]) -> List[Tuple[int, int, str]]:
    return [(s["start"], s["end"], s["label"]) for s in task.get("spans", [])]


def test_review_resolves_three_way_conflict_by_keyboard(serve, open_page, tmp_path: Path, screenshot) -> None:
    db_url = f"sqlite:///{tmp_path / 'team.db'}"
    db = Database(db_url)
    db.add_dataset("news")
    answers = [ner_manual_answer(CONFLICT, name, spans) for name, spans in VERSIONS.items()]
    answers += [ner_manual_answer(AGREED, name, [(0, 12, "PERSON", 0, 1)]) for name in VERSIONS]
    answers += [ner_manual_answer(SECOND, "alex", [(0, 14, "PERSON", 0, 1)]),
                ner_manual_answer(SECOND, "bea", [(0, 14, "PERSON", 0, 1), (24, 32, "GPE", 4, 4)])]
    db.add_examples(answers, datasets=["news"])
    db.close()
    server = serve(cli_args=["review", "gold", "news", "--auto-accept"], dataset="gold", env={"MENTOR_DB_URL": db_url})
    page = open_page(server, session="boss")
    wait_task(page)
    versions = page.locator(".card .review-version")
    assert versions.count() == 3
    assert page.locator(".card .review-version.selected").get_attribute("data-version") == "0"  # the default
    assert versions.nth(0).locator(".review-sessions").inner_text() == "news-alex"
    assert page.locator(".card .review-editor mark.ent").count() == 2  # alex's spans, loaded
    # the labels' own keys moved to Shift: 1-9 pick versions
    assert page.locator(".card .label-btn[data-label='PERSON'] kbd").inner_text() == "⇧1"

    page.keyboard.press("2")
    assert page.locator(".card .review-version.selected").get_attribute("data-version") == "1"
    assert page.locator(".card .review-editor mark.ent").count() == 1
    page.keyboard.press("3")
    assert page.locator(".card .review-version.selected").get_attribute("data-version") == "2"
    marks = page.locator(".card .review-editor mark.ent .ent-label")
    assert [marks.nth(i).inner_text() for i in range(marks.count())] == ["PERSON", "GPE"]
    page.keyboard.press("Shift+2")  # a label key, not a version
    assert page.locator(".card .label-btn.selected").get_attribute("data-label") == "GPE"
    assert page.locator(".card .review-version.selected").get_attribute("data-version") == "2"
    screenshot(page, "review_ner_manual")
    page.keyboard.press("a")
    page.wait_for_function("() => document.querySelector('.card .task-text')?.textContent.startsWith('Linus')")
    page.keyboard.press("Backspace")  # undo: the task comes back holding carl's version
    page.wait_for_function("() => document.querySelector('.card .task-text')?.textContent.startsWith('Grace')")
    assert page.locator(".card .review-version.selected").get_attribute("data-version") == "2"
    page.keyboard.press("a")
    page.wait_for_function("() => document.querySelector('.card .task-text')?.textContent.startsWith('Linus')")
    assert page.locator(".card .review-version").count() == 2
    page.keyboard.press("2")
    page.keyboard.press("a")
    wait_no_tasks(page)

    db = Database(db_url)
    try:
            stored = {eg["text"]: eg for eg in db.get_dataset_examples("gold")}
    finally:
        db.close()
    assert sorted(stored) == sorted([CONFLICT, AGREED, SECOND])
    # the agreed text was never asked
    assert stored[AGREED]["_session_id"] == "gold-auto" and stored[AGREED]["meta"]["auto"] is True
    assert stored[SECOND]["_session_id"] == "gold-boss"
    assert spans_of(stored[SECOND]) == [(0, 14, "PERSON"), (24, 32, "GPE")]
    gold = stored[CONFLICT]
    assert gold["_session_id"] == "gold-boss"
    assert gold["text"] == CONFLICT and gold["answer"] == "accept" and gold["_view_id"] == "ner_manual"
    assert spans_of(gold) == [(0, 12, "PERSON"), (32, 38, "GPE")]
    assert [(v["sessions"], v["default"], spans_of(v)) for v in gold["versions"]] == [
        (["news-alex"], True, [(s, e, label) for s, e, label, _, _ in VERSIONS["alex"]]),
        (["news-bea"], False, [(s, e, label) for s, e, label, _, _ in VERSIONS["bea"]]),
        (["news-carl"], False, [(s, e, label) for s, e, label, _, _ in VERSIONS["carl"]]),
    ]
