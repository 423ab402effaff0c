"""pos.correct, dep.correct and sent.correct through the real CLI in a real browser: the pipeline's tags, arcs
and sentence starts come pre-filled, one is changed with the keyboard, and the stored answer holds the change.
The pipeline is a tiny tagger + parser trained here (no packaged model is installed)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

import pytest

from e2e_support import press, task_text, wait_no_tasks, wait_task
from support.syntax_pipeline import build_pipeline

PAYLOAD = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'
TEXT = "Alice likes green apples."
HOSTILE = f"Bob runs {PAYLOAD}."


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_pipeline(tmp_path_factory.mktemp("syntax") / "model")


def sentencizer(path: Path) -> Path:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.to_disk(path)
    return path


def source(tmp_path: Path, *texts: str) -> Path:
    path = tmp_path / "texts.jsonl"
    path.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts), encoding="utf8")
    return path


def tags_on_screen(page: Any) -> List[str]:
    return [t.strip() for t in page.locator(".card .pos-tokens .tok .pos-tag").all_text_contents()]


def by_token(spans: List[Dict[str, Any]]) -> Dict[int, str]:
    return {s["token_start"]: s["label"] for s in spans}


def assert_inert(page: Any) -> None:
    page.wait_for_timeout(300)  # a broken <img> would fire onerror asynchronously
    assert "<script>" in task_text(page)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("script").count() == 1  # the app's own
    assert page.locator('img[src="x"]').count() == 0


def test_pos_correct_changes_a_tag_by_keys(serve, open_page, tmp_path, pipeline, screenshot) -> None:
    server = serve(cli_args=["pos.correct", "pos", str(pipeline), str(source(tmp_path, TEXT, HOSTILE)), "-U"], dataset="pos")
    page = open_page(server, bypass_csp=True)  # the escaping alone keeps the payload inert
    wait_task(page)
    assert task_text(page).startswith("Alice")
    assert tags_on_screen(page) == ["NNP", "VBZ", "JJ", "NNS", "."]
    page.keyboard.press("?")  # the key list names this view's keys
    assert "Give the token the picked label" in page.locator(".help").inner_text()
    page.keyboard.press("Escape")
    labels = page.locator(".card .label-btn").evaluate_all("els => els.map(e => e.dataset.label)")
    # ↓ steps to the next label and ↑ back, then → → puts the cursor on "green"; the number key of NNS picks it; Enter sets it
    page.keyboard.press("ArrowDown")
    assert page.locator(".card .label-btn.selected").get_attribute("data-label") == labels[1]
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press(str(labels.index("NNS") + 1))
    page.keyboard.press("Enter")
    assert tags_on_screen(page)[2] == "NNS"
    screenshot(page, "pos_manual")
    press(page, "a")

    assert_inert(page)
    page.keyboard.press("d")  # clears the tag of the first token
    assert tags_on_screen(page)[0] == ""
    page.keyboard.press("a")
    wait_no_tasks(page)
    answers = {a["text"]: a for a in server.examples()}
    first = answers[TEXT]
    assert first["answer"] == "accept" and first["_view_id"] == "pos_manual"
    assert by_token(first["spans"]) == {0: "NNP", 1: "VBZ", 2: "NNS", 3: "NNS", 4: "."}
    assert all(s["token_start"] == s["token_end"] for s in first["spans"])
    assert 0 not in by_token(answers[HOSTILE]["spans"])


def test_dep_correct_replaces_an_arc_by_keys(serve, open_page, tmp_path, pipeline, screenshot) -> None:
    server = serve(cli_args=["dep.correct", "dep", str(pipeline), str(source(tmp_path, TEXT, HOSTILE)), "-U"], dataset="dep")
    page = open_page(server, bypass_csp=True)
    wait_task(page)
    assert page.locator(".card .rel-arc").count() == 4  # nsubj, amod, dobj, punct: the root has no arc
    labels = page.locator(".card .label-btn").evaluate_all("els => els.map(e => e.dataset.label)")
    # the arc apples -amod-> green made again is removed; then apples -dep-> green is made
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.keyboard.press(str(labels.index("amod") + 1))
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Enter")
    assert page.locator(".card .rel-arc").count() == 3
    page.keyboard.press(str(labels.index("dep") + 1))
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Enter")
    assert page.locator(".card .rel-arc").count() == 4
    screenshot(page, "dep")
    press(page, "a")
    assert_inert(page)
    page.keyboard.press("a")
    wait_no_tasks(page)
    answer = next(a for a in server.examples() if a["text"] == TEXT)
    arcs = {(r["head"], r["child"], r["label"]) for r in answer["relations"]}
    assert arcs == {(1, 0, "nsubj"), (3, 2, "dep"), (1, 3, "dobj"), (1, 4, "punct")}
    assert answer["_view_id"] == "relations" and len(answer["tokens"]) == 5


def test_sent_correct_toggles_sentence_starts_by_keys(serve, open_page, tmp_path, screenshot) -> None:
    text = "Alice likes green apples. Bob runs."
    rules = sentencizer(tmp_path / "rules")  # where it splits doesn't depend on training
    server = serve(cli_args=["sent.correct", "sent", str(rules), str(source(tmp_path, text, HOSTILE))], dataset="sent")
    page = open_page(server, bypass_csp=True)
    wait_task(page)
    starts = lambda: [i for i, t in enumerate(tags_on_screen(page)) if t == "S"]  # noqa: E731
    assert starts() == [0, 5]
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")  # "Bob" no longer starts a sentence
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    page.keyboard.press("Enter")  # "green" does
    assert starts() == [0, 2]
    page.locator(".card .tok[data-i='3']").click()  # a click toggles as Enter does
    assert starts() == [0, 2, 3]
    page.locator(".card .tok[data-i='3']").click()
    assert starts() == [0, 2]
    screenshot(page, "sent")
    press(page, "a")
    assert_inert(page)
    page.keyboard.press("a")
    wait_no_tasks(page)
    answer = next(a for a in server.examples() if a["text"] == text)
    assert by_token(answer["spans"]) == {0: "S", 2: "S"}
