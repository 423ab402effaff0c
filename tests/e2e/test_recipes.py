"""The built-in manual recipes through the real CLI (`python -m mentor RECIPE ...`),
as a new user runs them: annotate, close the tab, reopen it, carry on."""
from __future__ import annotations

import json
from pathlib import Path

from e2e_support import by_key, click, drag, press, wait_no_tasks, wait_task


def write_jsonl(path: Path, texts: list) -> Path:
    path.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts), encoding="utf8")
    return path


def test_textcat_manual_close_tab_and_reopen(serve, open_page, tmp_path) -> None:
    texts = [f"Message {i}: {'WIN a FREE prize now' if i % 3 == 0 else 'see you at lunch'}" for i in range(8)]
    source = write_jsonl(tmp_path / "messages.jsonl", texts)
    server = serve(cli_args=["textcat.manual", "news", str(source), "--label", "SPAM,HAM", "--exclusive"], dataset="news")
    page = open_page(server)
    wait_task(page)
    assert page.locator(".option").count() == 2
    expected = {}
    for _ in range(3):
        key = "1" if "FREE" in page.locator(".card .task-text").inner_text() else "2"
        page.keyboard.press(key)
        expected[press(page, "a")] = ["SPAM" if key == "1" else "HAM"]
    context = page.context
    page.close()  # close the tab with answers still kept for undo
    page = context.new_page()
    page.goto(server.url)
    wait_task(page)
    while page.locator(".card:not(.empty)").count():
        key = "1" if "FREE" in page.locator(".card .task-text").inner_text() else "2"
        page.keyboard.press(key)
        expected[press(page, "a")] = ["SPAM" if key == "1" else "HAM"]
    wait_no_tasks(page)
    stored = by_key(server.examples())
    assert {t: eg["accept"] for t, eg in stored.items()} == expected
    assert sorted(expected) == sorted(texts)


def test_ner_manual_blank_model_mouse_spans(serve, open_page, tmp_path, screenshot) -> None:
    texts = ["Grace Hopper visited Boston.", "Nothing here."]
    source = write_jsonl(tmp_path / "ner.jsonl", texts)
    server = serve(cli_args=["ner.manual", "people", "blank:en", str(source), "--label", "PERSON,GPE"], dataset="people")
    page = open_page(server)
    wait_task(page)
    drag(page, ".card .tok[data-i='0']", ".card .tok[data-i='1']")
    page.keyboard.press("2")
    click(page, ".card .tok[data-i='3']")
    screenshot(page, "ner_manual_cli")
    press(page, "a")
    press(page, "a")
    wait_no_tasks(page)
    stored = by_key(server.examples())
    spans = [(s["start"], s["end"], s["label"]) for s in stored[texts[0]]["spans"]]
    assert spans == [(0, 12, "PERSON"), (21, 27, "GPE")]
    assert stored[texts[1]]["spans"] == []
