"""Prodigy's UI settings in the app (issue 15): instructions, flag, themes, dark mode, buttons,
the operator's own CSS and script under the page's Content-Security-Policy."""
from __future__ import annotations

import re
import urllib.request

from e2e_support import by_key, press, task_text, wait_no_tasks, wait_task


def tasks(n: int) -> list:
    return [{"text": f"Text {i}", "label": "OK"} for i in range(n)]


def test_instructions_open_with_h(serve, open_page) -> None:
    instructions = "<h3>Guidelines</h3><p>Accept <b>only</b> reviews.</p><script>document.title = 'pwned'</script>"
    server = serve("classification", tasks(2), config={"instructions": instructions})
    page = open_page(server)
    wait_task(page)
    assert page.locator(".instructions").is_hidden()
    page.keyboard.press("h")
    assert page.locator(".instructions").is_visible()
    assert "Accept only reviews." in page.locator(".instructions-body").inner_text()
    assert page.locator(".instructions-body script").count() == 0  # sanitized on the server
    page.keyboard.press("a")  # keys don't answer behind the panel
    assert task_text(page) == "Text 0"
    page.keyboard.press("Escape")
    assert page.locator(".instructions").is_hidden()
    page.locator(".side-btn", has_text="Instructions").click()
    assert page.locator(".instructions").is_visible()
    page.keyboard.press("h")
    assert page.locator(".instructions").is_hidden()
    assert "pwned" not in page.title()


def test_flag_is_stored(serve, open_page) -> None:
    server = serve("classification", tasks(3), config={"show_flag": True})
    page = open_page(server)
    wait_task(page)
    page.keyboard.press("f")
    assert page.locator(".answer-btn.flag.on").count() == 1
    press(page, "a")
    assert page.locator(".answer-btn.flag.on").count() == 0
    page.locator(".answer-btn.flag").click()
    page.locator(".answer-btn.flag").click()  # and off again
    press(page, "x")
    press(page, "a")
    wait_no_tasks(page)
    stored = by_key(server.examples())
    assert stored["Text 0"]["flagged"] is True
    assert "flagged" not in stored["Text 1"] and "flagged" not in stored["Text 2"]


def test_no_flag_button_unless_asked(serve, open_page) -> None:
    server = serve("classification", tasks(1))
    page = open_page(server)
    wait_task(page)
    assert page.locator(".answer-btn.flag").is_hidden()
    assert page.locator(".side-btn", has_text="Instructions").is_hidden()


def test_theme_card_css_and_label_colours(serve, open_page) -> None:
    text = "Ada Lovelace"
    config = {
        "labels": ["PERSON"],
        "custom_theme": {"bgCard": "#123456", "colorAccept": "rgb(1, 120, 2)", "cardMaxWidth": 600,
                         "labels": {"PERSON": "#ff00aa"}},
        "card_css": {"borderTop": "4px solid rgb(200, 0, 0)"},
    }
    server = serve("ner_manual", [{"text": text, "spans": [{"start": 0, "end": 12, "label": "PERSON"}]}], config=config)
    page = open_page(server)
    wait_task(page)
    card = page.locator(".card")
    assert card.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(18, 52, 86)"
    assert card.evaluate("el => getComputedStyle(el).borderTopColor") == "rgb(200, 0, 0)"
    assert page.locator(".card-wrap").evaluate("el => getComputedStyle(el).maxWidth") == "600px"
    assert page.locator(".answer-btn.accept").evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(1, 120, 2)"
    assert page.locator(".card mark.ent").evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(255, 0, 170)"


def test_dark_mode_follows_the_system(serve, open_page) -> None:
    server = serve("classification", tasks(1))
    dark, light = open_page(server, color_scheme="dark"), open_page(server, color_scheme="light")
    for page in (dark, light):
        page.wait_for_selector(".card")
    background = "el => getComputedStyle(el).backgroundColor"
    assert dark.locator("body").evaluate(background) == "rgb(16, 20, 27)"
    assert light.locator("body").evaluate(background) == "rgb(238, 241, 245)"
    assert dark.locator(".card").evaluate(background) != light.locator(".card").evaluate(background)


def test_buttons_show_only_those_asked_for(serve, open_page) -> None:
    server = serve("classification", tasks(3), config={"buttons": ["accept", "undo"]})
    page = open_page(server)
    wait_task(page)
    assert page.locator(".answer-btn.reject").is_hidden() and page.locator(".answer-btn.ignore").is_hidden()
    page.keyboard.press("x")  # no reject in this recipe
    page.wait_for_timeout(200)
    assert task_text(page) == "Text 0"
    press(page, "a")
    page.keyboard.press("Backspace")
    assert task_text(page) == "Text 0"


def test_global_css_and_javascript_run_under_the_policy(serve, open_page) -> None:
    config = {
        "global_css": ".card { outline: 5px solid rgb(9, 8, 7); } /* </style><script>alert(1)</script> */",
        "javascript": "document.documentElement.dataset.custom = 'ran'; // </script><b>not markup</b>",
    }
    payload = "<img src=x onerror=\"document.documentElement.dataset.xss='1'\"><script>document.documentElement.dataset.xss='2'</script>"
    server = serve("html", [{"html": payload}, {"html": "<p>fine</p>"}], config=config)
    with urllib.request.urlopen(server.url) as res:
        policy = res.headers["Content-Security-Policy"]
        page_html = res.read().decode("utf8")
    script_src = re.search(r"script-src ([^;]*)", policy).group(1).split()
    assert len(script_src) == 2 and all(s.startswith("'sha256-") for s in script_src)  # the app's and the operator's
    assert "frame-ancestors 'none'" in policy
    assert page_html.count('<script id="mentor-custom-js">') == 1
    dialogs = []
    page = open_page(server, on_page=lambda p: p.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss())))
    wait_task(page)
    assert page.evaluate("document.documentElement.dataset.custom") == "ran"
    assert page.locator(".card").evaluate("el => getComputedStyle(el).outlineColor") == "rgb(9, 8, 7)"
    page.wait_for_timeout(300)
    assert page.evaluate("document.documentElement.dataset.xss") is None  # task data still runs nothing
    assert page.locator("b", has_text="not markup").count() == 0
    assert dialogs == []  # the "script" in the CSS comment stays CSS


def test_no_custom_script_unless_set(serve, open_page) -> None:
    server = serve("classification", tasks(1), config={"javascript": ""})
    with urllib.request.urlopen(server.url) as res:
        page_html = res.read().decode("utf8")
    assert page_html.count("<script") == 1 and "mentor-custom-js" not in page_html
