"""Routing a team can trust, in a real browser (issue 13 part 3, one process): two tabs of one
session never see the same task, and a tab that ran out waits for, then gets, the tasks a
closed session left instead of saying it is done."""
from __future__ import annotations

from typing import Any, Dict, List

from e2e_support import by_key, press, task_text, wait_no_tasks, wait_task

CARD = ".card:not(.empty)"


def annotate_one(page: Any, seen: List[str]) -> bool:
    """Answer the task on screen, if there is one; note its text."""
    if not page.locator(CARD).count():
        return False
    seen.append(press(page, "a"))
    return True


def test_issue13_two_tabs_of_one_session_never_see_the_same_task(serve, browser, screenshot) -> None:
    tasks = [{"text": f"Tab task {i:02d}"} for i in range(14)]
    server = serve("text", tasks, config={"batch_size": 3, "history_size": 1})
    context = browser.new_context(viewport={"width": 1280, "height": 860})  # one browser: tabs share localStorage
    errors: List[str] = []
    try:
        pages = [context.new_page() for _ in range(2)]
        for page in pages:
            page.on("pageerror", lambda err: errors.append(str(err)))
            page.goto(server.url + "?session=alex")
            wait_task(page)
        seen: Dict[int, List[str]] = {0: [], 1: []}
        first = [task_text(page) for page in pages]
        assert first[0] != first[1]
        for _ in range(40):
            moved = [annotate_one(page, seen[i]) for i, page in enumerate(pages)]
            if not any(moved):
                break
        for page in pages:
            wait_no_tasks(page)
        screenshot(pages[0], "two-tabs-done")
        assert not set(seen[0]) & set(seen[1]), "a task was served to both tabs"
        assert sorted(seen[0] + seen[1]) == sorted(t["text"] for t in tasks)
        stored = by_key(server.examples())  # fails on a task stored twice
        assert len(stored) == len(tasks)
        assert {eg["_session_id"] for eg in stored.values()} == {"e2e-alex"}
        title = pages[0].title()
        assert "alex" in title
    finally:
        context.close()
    assert not errors, errors


def test_issue13_a_tab_that_ran_out_gets_the_tasks_a_closed_session_left(serve, open_page, screenshot) -> None:
    tasks = [{"text": f"Shared task {i:02d}"} for i in range(12)]
    server = serve("text", tasks, config={"batch_size": 3, "history_size": 0, "session_hold_seconds": 3})
    bea = open_page(server, session="bea")
    wait_task(bea)
    bea.wait_for_timeout(500)  # her app prefetches its next batch: she holds six
    alex = open_page(server, session="alex")
    wait_task(alex)
    mine: List[str] = []
    while annotate_one(alex, mine):
        pass
    waiting = alex.locator(".card-message.waiting")
    waiting.wait_for(state="visible", timeout=5000)  # not "No tasks available": bea still holds some
    assert "Waiting for 6 tasks held by other annotators" in waiting.inner_text()
    assert alex.locator(".card-message.done").count() == 0
    screenshot(alex, "waiting-for-held-tasks")
    alex.wait_for_timeout(4000)  # bea keeps her tasks while her tab is open (it pings)
    assert alex.locator(CARD).count() == 0 and waiting.count() == 1
    bea.context.close()  # bea closes her tab halfway
    wait_task(alex, timeout=15000)  # within the hold (3 s) and a poll or two: no reload needed
    while annotate_one(alex, mine):
        pass
    wait_no_tasks(alex)
    assert sorted(mine) == sorted(t["text"] for t in tasks)
    stored = by_key(server.examples())
    assert len(stored) == len(tasks)


def test_issue13_unsent_answers_are_kept_under_the_server_s_session_id(serve, open_page) -> None:
    server = serve("text", [{"text": f"Kept {i}"} for i in range(6)], config={"batch_size": 3, "history_size": 5})
    page = open_page(server)  # no ?session=: the server's default session
    wait_task(page)
    press(page, "a")
    page.wait_for_function("() => Object.keys(localStorage).some(k => k.startsWith('mentor:unsent:'))")
    keys = page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('mentor:unsent:'))")
    assert keys == ["mentor:unsent:e2e:e2e-default"]
    assert "default" in page.title()


def test_issue13_a_refused_session_is_not_asked_for_again(serve, open_page) -> None:
    server = serve("text", [{"text": "Only for alice"}], env={"MENTOR_ALLOWED_SESSIONS": "alice"})
    page = open_page(server, session="mallory")
    requests: List[str] = []
    page.on("request", lambda r: requests.append(r.url) if "/project" in r.url else None)
    banner = page.locator(".banner")
    banner.wait_for(state="visible", timeout=5000)
    page.wait_for_timeout(3000)  # the old app asked again after 1 s, 2 s, 4 s...
    assert requests == []
    assert "Retrying" not in banner.inner_text()
