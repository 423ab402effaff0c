"""Each main view in a real browser: annotate by keyboard (and mouse where the
view needs it), undo one answer, reload the page and carry on, then check the
database holds exactly the answers given, once each."""
from __future__ import annotations

from typing import Any, Dict

from e2e_support import by_key, click, drag, png_data_uri, press, task_text, tokenize, wait_no_tasks, wait_task


def reload(page: Any) -> None:
    page.reload()
    wait_task(page)


def test_classification_keys_undo_reload(serve, open_page, screenshot) -> None:
    tasks = [{"text": f"Classification task {i}: the service was quick.", "label": "POSITIVE",
              "meta": {"source": "reviews", "row": i}, "score": 0.5 + i / 20} for i in range(6)]
    server = serve("classification", tasks, config={"show_stats": True})
    page = open_page(server, session="alice")
    wait_task(page)
    screenshot(page, "classification")
    assert page.locator(".task-label").inner_text() == "POSITIVE"
    assert "0.50" in page.locator(".task-meta").inner_text() and "reviews" in page.locator(".task-meta").inner_text()
    expected: Dict[str, str] = {}
    expected[press(page, "a")] = "accept"
    expected[press(page, "x")] = "reject"
    undone = press(page, " ")
    page.keyboard.press("Backspace")
    page.wait_for_function("t => document.querySelector('.card .task-text').innerText === t", arg=undone)
    expected[press(page, "a")] = "accept"
    # history entries can be re-answered too: bring back the first one and reject it
    first = tasks[0]["text"]
    page.locator(".history-item").filter(has_text="task 0").click()
    assert task_text(page) == first
    expected[press(page, "x")] = "reject"
    expected[press(page, "x")] = "reject"
    page.keyboard.press("?")
    assert page.locator(".help").is_visible()
    screenshot(page, "help")
    page.keyboard.press("Escape")
    assert not page.locator(".help").is_visible()
    reload(page)
    while page.locator(".card:not(.empty)").count():
        expected[press(page, "a")] = "accept"
    wait_no_tasks(page)
    screenshot(page, "no-tasks")
    stored = by_key(server.examples())
    assert {t: eg["answer"] for t, eg in stored.items()} == expected
    assert len(expected) == len(tasks)
    assert {eg["_session_id"] for eg in stored.values()} == {"e2e-alice"}
    assert all(eg["_view_id"] == "classification" and isinstance(eg["_timestamp"], int) for eg in stored.values())


def test_choice_multiple_keys_undo_reload(serve, open_page, screenshot) -> None:
    options = [{"id": "SPORT", "text": "Sport"}, {"id": "POLITICS", "text": "Politics"}, {"id": "TECH", "text": "Technology"}]
    tasks = [{"text": f"Headline {i}: parliament votes on a new stadium.", "options": options} for i in range(5)]
    server = serve("choice", tasks, config={"choice_style": "multiple", "batch_size": 2, "history_size": 2})
    page = open_page(server)
    wait_task(page)
    expected: Dict[str, Any] = {}
    page.keyboard.press("1")
    page.keyboard.press("2")
    screenshot(page, "choice")
    expected[press(page, "a")] = ("accept", ["SPORT", "POLITICS"])
    page.keyboard.press("3")
    expected[press(page, "x")] = ("reject", ["TECH"])
    page.keyboard.press("2")
    undone = press(page, "a")
    page.keyboard.press("Backspace")
    assert task_text(page) == undone
    assert page.locator(".option.selected").count() == 1  # the edit comes back with the answer
    page.keyboard.press("2")
    page.keyboard.press("3")
    expected[press(page, "a")] = ("accept", ["TECH"])
    reload(page)
    page.locator(".option").nth(0).click()
    expected[press(page, "a")] = ("accept", ["SPORT"])
    expected[press(page, " ")] = ("ignore", [])
    wait_no_tasks(page)
    stored = by_key(server.examples())
    assert {t: (eg["answer"], eg["accept"]) for t, eg in stored.items()} == expected


def test_choice_single_auto_accept(serve, open_page) -> None:
    options = [{"id": 1, "text": "Yes"}, {"id": 2, "text": "No"}]
    tasks = [{"text": f"Is sentence {i} a question?", "options": options} for i in range(3)]
    server = serve("choice", tasks, config={"choice_style": "single", "choice_auto_accept": True})
    page = open_page(server)
    wait_task(page)
    expected = {press(page, "2"): [2], press(page, "1"): [1], press(page, "2"): [2]}
    wait_no_tasks(page)
    stored = by_key(server.examples())
    assert {t: eg["accept"] for t, eg in stored.items()} == expected
    assert {eg["answer"] for eg in stored.values()} == {"accept"}


NER_TEXTS = [
    "Tim Cook runs Apple Inc from Cupertino",
    "Angela Merkel met Emmanuel Macron in Paris",
    "Google opened an office in Zurich last year",
    "Ada Lovelace wrote notes on the Analytical Engine",
    "The weather in Oslo was cold",
]


def tok(i: int) -> str:
    return f".card .tok[data-i='{i}']"


def test_ner_manual_drag_click_undo_reload(serve, open_page, screenshot) -> None:
    tasks = [{"text": t, "tokens": tokenize(t)} for t in NER_TEXTS]
    tasks[3]["spans"] = [{"start": 0, "end": 12, "token_start": 0, "token_end": 1, "label": "PERSON"}]
    server = serve("ner_manual", tasks, config={"labels": ["PERSON", "ORG", "LOC"]})
    page = open_page(server)
    wait_task(page)
    expected: Dict[str, Any] = {}
    drag(page, tok(0), tok(1))  # "Tim Cook", label 1 (PERSON) is picked first
    page.keyboard.press("2")
    drag(page, tok(3), tok(4))  # "Apple Inc" as ORG
    page.keyboard.press("3")
    click(page, tok(6))  # one click: "Cupertino" as LOC
    assert page.locator(".card mark.ent").count() == 3
    screenshot(page, "ner_manual")
    expected[press(page, "a")] = [(0, 8, "PERSON", 0, 1), (14, 23, "ORG", 3, 4), (29, 38, "LOC", 6, 6)]
    page.keyboard.press("3")
    drag(page, tok(6), tok(6))
    expected[press(page, "a")] = [(37, 42, "LOC", 6, 6)]
    undone = press(page, "x")
    page.keyboard.press("Backspace")
    assert task_text(page).startswith("Google")
    page.keyboard.press("2")
    drag(page, tok(0), tok(0))
    drag(page, tok(0), tok(1))  # overlaps "Google": refused, nothing changes
    assert page.locator(".card mark.ent").count() == 1
    expected[undone] = [(0, 6, "ORG", 0, 0)]
    press(page, "a")
    reload(page)
    assert page.locator(".card mark.ent").count() == 1  # the pre-filled span
    page.locator(".card mark.ent").click()  # click a span: removed
    assert page.locator(".card mark.ent").count() == 0
    expected[press(page, "a")] = []
    expected[press(page, "x")] = []
    wait_no_tasks(page)
    stored = by_key(server.examples())
    got = {t: [(s["start"], s["end"], s["label"], s["token_start"], s["token_end"]) for s in eg["spans"]]
           for t, eg in stored.items()}
    assert got == expected
    assert stored[NER_TEXTS[4]]["answer"] == "reject"


def test_ner_manual_highlight_chars(serve, open_page, screenshot) -> None:
    text = "Order #A-1234 shipped"
    labels = ["ID"] + [f"FILLER{i}" for i in range(10)] + ["CODE"]  # 12 labels: the 12th is Shift+2
    server = serve("ner_manual", [{"text": text}], config={"labels": labels, "ner_manual_highlight_chars": True})
    page = open_page(server)
    wait_task(page)
    page.keyboard.press("Shift+2")
    assert page.locator(".label-btn.selected").inner_text().startswith("CODE")
    drag(page, tok(7), tok(12))  # "A-1234", character by character
    screenshot(page, "ner_manual_chars")
    press(page, "a")
    wait_no_tasks(page)
    (eg,) = server.examples()
    assert [(s["start"], s["end"], s["label"]) for s in eg["spans"]] == [(7, 13, "CODE")]
    assert "token_start" not in eg["spans"][0]


def test_spans_manual_overlapping(serve, open_page, screenshot) -> None:
    texts = ["New York City Council approved the budget", "The Bank of England raised rates", "Nothing to see here"]
    tasks = [{"text": t, "tokens": tokenize(t)} for t in texts]
    server = serve("spans_manual", tasks, config={"labels": ["ORG", "GPE"]})
    page = open_page(server)
    wait_task(page)
    drag(page, tok(0), tok(3))  # "New York City Council": ORG
    page.keyboard.press("2")
    drag(page, tok(0), tok(2))  # "New York City": GPE, inside the ORG span
    assert page.locator(".card .bar.first").count() == 2
    screenshot(page, "spans_manual")
    expected = {press(page, "a"): [(0, 21, "ORG"), (0, 13, "GPE")]}
    page.keyboard.press("1")
    drag(page, tok(1), tok(3))
    page.keyboard.press("2")
    drag(page, tok(3), tok(3))
    undone = press(page, "a")
    page.keyboard.press("Backspace")
    assert page.locator(".card .bar.first").count() == 2
    page.locator(".card .bar.first", has_text="GPE").click()  # remove the GPE span
    expected[undone] = [(4, 19, "ORG")]
    press(page, "a")
    reload(page)
    expected[press(page, "x")] = []
    wait_no_tasks(page)
    stored = by_key(server.examples())
    got = {t: sorted((s["start"], s["end"], s["label"]) for s in eg["spans"]) for t, eg in stored.items()}
    assert got == {t: sorted(v) for t, v in expected.items()}


def test_text_input_type_enter_undo_reload(serve, open_page, screenshot) -> None:
    tasks = [{"text": f"Translate sentence {i} into French."} for i in range(4)]
    config = {"field_id": "translation", "field_label": "French", "field_placeholder": "Type here", "field_rows": 1}
    server = serve("text_input", tasks, config=config)
    page = open_page(server)
    wait_task(page)
    assert page.locator("label.field-label").inner_text() == "French"
    page.keyboard.type("premier")
    screenshot(page, "text_input")
    expected = {press(page, "Enter"): ("accept", "premier")}
    page.keyboard.type("second; 'a' and space don't answer")
    undone = press(page, "Enter")
    page.keyboard.press("Escape")  # leave the field, then keys are shortcuts again
    page.keyboard.press("Backspace")
    assert task_text(page) == undone
    field = page.locator(".text-field")
    assert field.input_value() == "second; 'a' and space don't answer"
    field.fill("deuxième")
    expected[press(page, "Enter")] = ("accept", "deuxième")
    reload(page)
    page.keyboard.type("troisième")
    expected[press(page, "Enter")] = ("accept", "troisième")
    page.keyboard.press("Escape")
    expected[press(page, "x")] = ("reject", "")
    wait_no_tasks(page)
    stored = by_key(server.examples())
    assert {t: (eg["answer"], eg["translation"]) for t, eg in stored.items()} == expected


def image_point(page: Any, x: float, y: float) -> tuple:
    """Screen position of image pixel (x, y)."""
    box = page.locator(".annot-layer").bounding_box()
    natural = page.eval_on_selector(".annot-image", "img => [img.naturalWidth, img.naturalHeight]")
    return box["x"] + x * box["width"] / natural[0], box["y"] + y * box["height"] / natural[1]


def draw_rect(page: Any, x1: float, y1: float, x2: float, y2: float) -> None:
    page.mouse.move(*image_point(page, x1, y1))
    page.mouse.down()
    page.mouse.move(*image_point(page, (x1 + x2) / 2, (y1 + y2) / 2), steps=3)
    page.mouse.move(*image_point(page, x2, y2), steps=3)
    page.mouse.up()


def close_to(a: Any, b: Any, tol: float = 2.0) -> bool:
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(close_to(x, y, tol) for x, y in zip(a, b))
    return abs(float(a) - float(b)) <= tol


def test_image_manual_rect_polygon_undo_reload(serve, open_page, screenshot) -> None:
    image = png_data_uri(400, 300)
    tasks = [{"image": image, "text": f"Photo {i}", "meta": {"file": f"photo{i}.png"}} for i in range(4)]
    server = serve("image_manual", tasks, config={"labels": ["CAR", "TREE"]})
    page = open_page(server)
    wait_task(page)
    page.wait_for_function("() => document.querySelector('.annot-image').naturalWidth > 0")
    draw_rect(page, 40, 50, 200, 150)
    page.keyboard.press("2")
    page.keyboard.press("t")  # polygon tool
    for x, y in [(250, 40), (380, 60), (330, 250)]:
        page.mouse.click(*image_point(page, x, y))
    page.mouse.click(*image_point(page, 251, 41))  # on the first point: closes the polygon
    assert page.locator(".annot-layer g.shape").count() == 2
    screenshot(page, "image_manual")
    first = page.locator(".shape-list li").count()
    assert first == 2
    before = task_text(page)
    page.keyboard.press("a")
    page.wait_for_function("() => document.querySelectorAll('.annot-layer g.shape').length === 0")
    # second image: a rectangle, answered, undone, moved, answered again
    page.wait_for_function("() => document.querySelector('.annot-image').naturalWidth > 0")
    draw_rect(page, 10, 10, 60, 60)
    page.keyboard.press("x")
    page.wait_for_function("() => document.querySelectorAll('.annot-layer g.shape').length === 0")
    page.keyboard.press("Backspace")
    page.wait_for_function("() => document.querySelectorAll('.annot-layer g.shape').length === 1")
    page.mouse.click(*image_point(page, 30, 30))  # click the shape: removed
    assert page.locator(".annot-layer g.shape").count() == 0
    draw_rect(page, 100, 100, 300, 200)
    page.keyboard.press("a")
    page.wait_for_function("() => document.querySelectorAll('.annot-layer g.shape').length === 0")
    reload(page)
    page.keyboard.press(" ")
    page.wait_for_function("() => document.querySelector('.card-message.done') || document.querySelectorAll('.annot-layer g.shape').length === 0")
    page.keyboard.press(" ")
    wait_no_tasks(page)
    examples = {eg["meta"]["file"]: eg for eg in server.examples()}
    assert len(examples) == 4 and len(server.examples()) == 4
    shapes0 = examples["photo0.png"]["spans"]
    assert [s["type"] for s in shapes0] == ["rect", "polygon"]
    rect, poly = shapes0
    assert rect["label"] == "CAR" and poly["label"] == "TREE"
    assert close_to([rect["x"], rect["y"], rect["width"], rect["height"]], [40, 50, 160, 100])
    assert close_to(rect["points"], [[40, 50], [200, 50], [200, 150], [40, 150]])
    assert close_to(poly["points"], [[250, 40], [380, 60], [330, 250]])
    assert close_to([poly["x"], poly["y"], poly["width"], poly["height"]], [250, 40, 130, 210])
    (again,) = examples["photo1.png"]["spans"]
    assert examples["photo1.png"]["answer"] == "accept"
    assert close_to([again["x"], again["y"], again["width"], again["height"]], [100, 100, 200, 100])
    assert {examples[f"photo{i}.png"]["answer"] for i in (2, 3)} == {"ignore"}
    assert before == "Photo 0" or before == ""


def test_blocks_ner_choice_text_input(serve, open_page, screenshot) -> None:
    texts = ["Marie Curie worked in Paris", "Alan Turing was born in London", "Rain again today"]
    options = [{"id": "SCIENCE", "text": "Science"}, {"id": "WEATHER", "text": "Weather"}]
    tasks = [{"text": t, "tokens": tokenize(t), "options": options} for t in texts]
    config = {
        "labels": ["PERSON", "LOC"],
        "blocks": [
            {"view_id": "ner_manual"},
            {"view_id": "choice", "text": None},
            {"view_id": "text_input", "field_id": "note", "field_label": "Note", "field_rows": 2},
        ],
    }
    server = serve("blocks", tasks, config=config)
    page = open_page(server)
    wait_task(page)
    assert page.locator(".card .block").count() == 3
    assert page.locator(".card .task-text").count() == 1  # the choice block hides the text
    drag(page, tok(0), tok(1))
    page.locator(".option").nth(0).click()
    page.locator(".text-field").fill("famous physicist")
    page.keyboard.press("Escape")
    screenshot(page, "blocks")
    expected = {press(page, "a"): ("accept", [(0, 11, "PERSON")], ["SCIENCE"], "famous physicist")}
    page.keyboard.press("2")
    click(page, tok(5))
    undone = press(page, "a")
    page.keyboard.press("Backspace")
    assert page.locator(".card mark.ent").count() == 1
    page.locator(".option").nth(0).click()
    expected[undone] = ("accept", [(24, 30, "LOC")], ["SCIENCE"], "")
    press(page, "a")
    reload(page)
    page.locator(".option").nth(1).click()
    expected[press(page, "x")] = ("reject", [], ["WEATHER"], "")
    wait_no_tasks(page)
    stored = by_key(server.examples())
    got = {t: (eg["answer"], [(s["start"], s["end"], s["label"]) for s in eg["spans"]], eg["accept"], eg.get("note"))
           for t, eg in stored.items()}
    assert got == expected


def test_html_view_renders_markup(serve, open_page, screenshot) -> None:
    tasks = [{"html": f"<h3>Invoice {i}</h3><p>Total: <b>{i * 10} EUR</b></p>"} for i in range(4)]
    server = serve("html", tasks)
    page = open_page(server)
    wait_task(page)
    assert page.locator(".card .task-html b").inner_text() == "0 EUR"
    screenshot(page, "html")
    expected = {}
    expected[press(page, "a")] = "accept"
    undone = press(page, "x")
    page.keyboard.press("Backspace")
    assert task_text(page) == undone
    expected[press(page, "a")] = "accept"
    reload(page)
    expected[press(page, " ")] = "ignore"
    expected[press(page, "x")] = "reject"
    wait_no_tasks(page)
    stored = server.examples()
    assert len(stored) == 4
    got = {eg["html"]: eg["answer"] for eg in stored}
    want = {}
    for text, answer in expected.items():
        (html,) = [t["html"] for t in tasks if text.startswith(t["html"][4:13])]
        want[html] = answer
    assert got == want


def test_ner_view_instant_submit_and_refused_answer(serve, open_page, screenshot) -> None:
    tasks = [
        {"text": "Paris is lovely in spring", "spans": [{"start": 0, "end": 5, "label": "GPE", "score": 0.87}]},
        {"text": "The SPAM filter caught it", "spans": [{"start": 4, "end": 8, "label": "PRODUCT", "score": 0.41}]},
        {"text": "Berlin hosts a marathon", "spans": [{"start": 0, "end": 6, "label": "GPE", "score": 0.93}]},
    ]
    server = serve("ner", tasks, config={"instant_submit": True, "labels": ["GPE", "PRODUCT"]}, refuse="SPAM")
    page = open_page(server)
    wait_task(page)
    assert page.locator(".card mark.ent").inner_text().replace("\n", " ").startswith("Paris")
    assert "0.87" in page.locator(".card .ent-score").inner_text()
    screenshot(page, "ner")
    press(page, "a")
    page.wait_for_function("() => !document.querySelector('.save-state.pending')")
    assert [eg["text"] for eg in server.examples()] == [tasks[0]["text"]]  # sent at once
    refused = task_text(page)
    assert refused == tasks[1]["text"]
    page.keyboard.press("a")  # validate_answer refuses this one: it comes back, with the reason
    page.wait_for_selector(".card .refusal")
    assert "can't be accepted" in page.locator(".card .refusal").inner_text()
    assert task_text(page) == refused
    screenshot(page, "refused")
    press(page, "x")
    press(page, "a")
    wait_no_tasks(page)
    stored = by_key(server.examples())
    assert {t: eg["answer"] for t, eg in stored.items()} == {
        tasks[0]["text"]: "accept", tasks[1]["text"]: "reject", tasks[2]["text"]: "accept"}
