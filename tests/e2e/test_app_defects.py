"""The web app's rough edges of issue 15, each as a new annotator meets it, in a real browser."""
from __future__ import annotations

from typing import Any, List

from e2e_support import by_key, center, press, task_text, tokenize, wait_no_tasks, wait_task

NER_LABELS = ["PERSON", "LOC"]


def tok(i: int) -> str:
    return f".card .tok[data-i='{i}']"


def test_validate_answer_refuses_before_the_next_task(serve, open_page) -> None:
    texts = ["A fine text", "A BAD text", "Another fine text", "The last text"]
    server = serve("classification", [{"text": t, "label": "OK"} for t in texts], refuse="BAD")
    page = open_page(server)
    wait_task(page)
    press(page, "a")
    assert task_text(page) == "A BAD text"
    page.keyboard.press("a")
    # refused at once, on the task it is about: the next task doesn't show
    page.wait_for_selector(".card .refusal", timeout=5000)
    assert "can't be accepted" in page.locator(".card .refusal").inner_text()
    assert task_text(page) == "A BAD text"
    assert page.locator(".history-item").count() == 1
    press(page, "x")
    press(page, "a")
    press(page, "a")
    wait_no_tasks(page)
    assert {t: eg["answer"] for t, eg in by_key(server.examples()).items()} == {
        "A fine text": "accept", "A BAD text": "reject", "Another fine text": "accept", "The last text": "accept"}


def test_double_click_on_a_word_leaves_its_span(serve, open_page) -> None:
    text = "Grace Hopper visited Boston"
    server = serve("ner_manual", [{"text": text, "tokens": tokenize(text)}], config={"labels": NER_LABELS})
    page = open_page(server)
    wait_task(page)
    x, y = center(page, tok(3))
    page.mouse.dblclick(x, y)
    page.wait_for_timeout(200)
    assert page.locator(".card mark.ent").count() == 1
    press(page, "a")
    wait_no_tasks(page)
    (eg,) = server.examples()
    assert [(s["start"], s["end"], s["label"]) for s in eg["spans"]] == [(21, 27, "PERSON")]


def test_blocks_choice_keys_follow_the_label_keys(serve, open_page) -> None:
    text = "Marie Curie worked in Paris"
    options = [{"id": "SCIENCE", "text": "Science"}, {"id": "ART", "text": "Art"}, {"id": "SPORT", "text": "Sport"}]
    config = {"labels": NER_LABELS, "blocks": [{"view_id": "ner_manual"}, {"view_id": "choice", "text": None}]}
    server = serve("blocks", [{"text": text, "tokens": tokenize(text), "options": options}], config=config)
    page = open_page(server)
    wait_task(page)
    assert page.locator(".label-btn kbd").all_inner_texts() == ["1", "2"]
    assert page.locator(".option kbd").all_inner_texts() == ["3", "4", "5"]
    page.keyboard.press("2")  # a label key picks a label only
    assert page.locator(".option.selected").count() == 0
    page.keyboard.press("3")  # the first option, label LOC still picked
    assert page.locator(".option.selected").inner_text().endswith("Science")
    assert page.locator(".label-btn.selected").get_attribute("data-label") == "LOC"
    press(page, "a")
    wait_no_tasks(page)
    assert server.examples()[0]["accept"] == ["SCIENCE"]


def test_answer_buttons_fit_a_phone(serve, open_page) -> None:
    server = serve("classification", [{"text": f"Text {i}", "label": "OK"} for i in range(3)])
    page = open_page(server, viewport={"width": 390, "height": 844})
    wait_task(page)
    press(page, "a")  # Undo enabled
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for kind in ("reject", "ignore", "accept", "undo"):
        box = page.locator(f".answer-btn.{kind}").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (kind, box, width)
    page.locator(".answer-btn.undo").click()
    assert task_text(page) == "Text 0"
    page.locator(".answer-btn.reject").click()
    page.wait_for_function("() => document.querySelector('.history-item.reject') !== null")


def label_fill(page: Any, label: str) -> str:
    return page.locator(f".label-btn[data-label='{label}']").evaluate("el => el.style.getPropertyValue('--label-fill')")


def test_a_label_keeps_its_colour_across_recipes(serve, open_page) -> None:
    text = "Ada Lovelace met Charles Babbage in London"
    task = {"text": text, "tokens": tokenize(text)}
    one = serve("ner_manual", [task], config={"labels": ["ORG", "PERSON"]})
    other = serve("ner_manual", [task], config={"labels": ["GPE", "LOC", "PERSON", "ORG"]})
    first, second = open_page(one), open_page(other)
    wait_task(first)
    wait_task(second)
    for label in ("ORG", "PERSON"):
        assert label_fill(first, label) == label_fill(second, label)
    assert label_fill(first, "ORG") != label_fill(first, "PERSON")


def test_history_says_which_span_was_answered(serve, open_page) -> None:
    tasks = [{"text": "Barack Obama spoke", "spans": [{"start": 0, "end": 12, "label": "PERSON"}]},
             {"text": "He visited Paris", "spans": [{"start": 11, "end": 16, "label": "GPE"}]},
             {"text": "A third one", "spans": []}]  # so the history isn't sent off at the end
    server = serve("ner", tasks)
    page = open_page(server)
    wait_task(page)
    page.keyboard.press("a")
    page.wait_for_function("() => document.querySelectorAll('.history-item').length === 1")
    page.keyboard.press("x")
    page.wait_for_function("() => document.querySelectorAll('.history-item').length === 2")
    items = page.locator(".history-item").all_inner_texts()
    assert "Paris (GPE)" in items[0] and "Barack Obama (PERSON)" in items[1]


def test_history_of_ner_manual_lists_the_spans(serve, open_page) -> None:
    text = "Tim Cook runs Apple"
    server = serve("ner_manual", [{"text": text, "tokens": tokenize(text)}, {"text": "Nothing"}, {"text": "Nor here"}],
                   config={"labels": NER_LABELS})
    page = open_page(server)
    wait_task(page)
    x, y = center(page, tok(0))
    x2, y2 = center(page, tok(1))
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x2, y2, steps=4)
    page.mouse.up()
    press(page, "a")
    assert "Tim Cook (PERSON)" in page.locator(".history-item").inner_text()


def test_a_session_that_is_not_allowed_stops(serve, open_page) -> None:
    server = serve("classification", [{"text": "One", "label": "OK"}], env={"MENTOR_ALLOWED_SESSIONS": "alice"})
    requests: List[str] = []
    page = open_page(server, session="bob", on_page=lambda p: p.on("request", lambda r: requests.append(r.url)))
    page.wait_for_selector(".banner:not([hidden])")
    assert "not allowed" in page.locator(".banner").inner_text()
    assert page.locator(".banner-retry").is_hidden()
    assert page.locator(".answer-btn.undo").is_disabled() and page.locator(".answer-btn.accept").is_disabled()
    seen = len(requests)
    page.wait_for_timeout(2500)
    assert len(requests) == seen  # asks nothing again


def test_a_session_refused_later_stops_and_keeps_its_answers(serve, open_page) -> None:
    server = serve("classification", [{"text": f"Text {i}", "label": "OK"} for i in range(4)],
                   env={"MENTOR_ALLOWED_SESSIONS": "alice"})
    page = open_page(server, session="alice")
    wait_task(page)
    press(page, "a")
    server.stop()
    server.extra_env["MENTOR_ALLOWED_SESSIONS"] = "carol"
    server.start()
    page.keyboard.press("Control+s")
    page.wait_for_function("() => document.querySelector('.banner').innerText.includes('not allowed')", timeout=10000)
    assert "Retrying" not in page.locator(".banner").inner_text() and page.locator(".banner-retry").is_hidden()
    assert page.locator(".answer-btn.undo").is_disabled() and page.locator(".answer-btn.accept").is_disabled()
    page.keyboard.press("a")
    assert page.evaluate("Object.keys(localStorage).some(k => localStorage.getItem(k).includes('Text 0'))")


def test_no_request_fails_on_load(serve, open_page) -> None:
    server = serve("text", [{"text": "One"}])
    failed: List[str] = []

    def watch(page: Any) -> None:
        page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.on("console", lambda m: failed.append(m.text) if m.type == "error" else None)

    page = open_page(server, on_page=watch)
    wait_task(page)
    page.wait_for_timeout(500)
    assert failed == []
    assert page.locator("link[rel='icon']").get_attribute("href").startswith("data:image/svg+xml,")


def test_pattern_highlights_carry_no_empty_label(serve, open_page) -> None:
    task = {"text": "I love this phone", "label": "POSITIVE", "spans": [{"start": 2, "end": 6, "pattern": 0}]}
    server = serve("classification", [task])
    page = open_page(server)
    wait_task(page)
    assert page.locator(".card mark.ent").inner_text() == "love"
    assert page.locator(".card .ent-label").count() == 0
