"""Issue 13 part 5 in the browser: answering a task stores how long it was on screen, undo included."""
from __future__ import annotations

import httpx

from e2e_support import task_text, wait_no_tasks, wait_task, wait_text_change


def test_answers_store_a_plausible_time_on_screen(serve, open_page) -> None:
    tasks = [{"text": f"Message number {i}", "label": "SPAM"} for i in range(3)]
    server = serve("classification", tasks, dataset="timed")
    page = open_page(server, "alex")
    wait_task(page)
    first = task_text(page)
    page.wait_for_timeout(1500)
    page.keyboard.press("a")
    wait_text_change(page, first)
    second = task_text(page)
    page.wait_for_timeout(200)
    page.keyboard.press("x")
    wait_text_change(page, second)
    third = task_text(page)
    page.keyboard.press("Backspace")  # undo: the second task comes back, its clock runs on
    wait_text_change(page, third)
    assert task_text(page) == second
    page.wait_for_timeout(1000)
    page.keyboard.press("a")
    wait_text_change(page, second)
    page.keyboard.press("a")  # the third, at once
    wait_no_tasks(page)

    stored = {t["text"]: t for t in server.examples()}
    assert len(stored) == 3
    seconds = {text: stored[text]["_time_on_screen"] for text in (first, second, third)}
    assert all(isinstance(s, (int, float)) for s in seconds.values()), seconds
    assert 1.4 <= seconds[first] < 15, seconds
    assert 1.1 <= seconds[second] < 15 and stored[second]["answer"] == "accept", seconds  # 0.2 s, then 1 s after undo
    assert 0 <= seconds[third] < 1.0, seconds

    reply = httpx.get(server.url.rstrip("/") + "/stats.json", timeout=30)
    assert reply.status_code == 200, reply.text
    stats = reply.json()
    (alex,) = stats["annotators"]
    assert alex["name"] == "alex" and alex["timed"] == 3 and alex["seconds_median"] == seconds[second]
    page.goto(server.url.rstrip("/") + "/stats")
    assert page.locator("#annotators td").first.inner_text() == "alex" and page.locator("svg").count() >= 3
