"""Task data never runs as script: text, meta, labels, options and spans carry
<script> and <img onerror> payloads through every non-html view."""
from __future__ import annotations

from e2e_support import png_data_uri, tokenize, wait_task
from support.media import wav_data_uri

PAYLOAD = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'
NON_HTML_VIEWS = ["text", "classification", "choice", "ner", "ner_manual", "spans_manual", "text_input", "image_manual",
                  "relations", "compare", "diff", "llm_io", "audio", "audio_manual", "pos_manual"]


def hostile_task() -> dict:
    text = f"Hello {PAYLOAD} world"
    return {
        "text": text,
        "html": PAYLOAD,  # present, but only the html view may render it
        "image": png_data_uri(80, 60),
        "label": PAYLOAD,
        "tokens": tokenize(text),
        "spans": [{"start": 6, "end": 6 + len(PAYLOAD), "label": PAYLOAD, "score": 0.9}],
        "options": [{"id": PAYLOAD, "text": PAYLOAD}, {"id": "ok", "text": "ok"}],
        "meta": {PAYLOAD: PAYLOAD, "source": PAYLOAD, "score": 0.5},
        "relations": [{"head": 0, "child": 1, "label": PAYLOAD}],
        # compare/diff: an input and two outputs, all hostile
        "input": {"text": PAYLOAD},
        "left": {"text": f"{PAYLOAD} left", "spans": [{"start": 0, "end": 8, "label": PAYLOAD}]},
        "right": {"text": f"right {PAYLOAD}", PAYLOAD: PAYLOAD},
        "mapping": {"A": "left", "B": "right"},
        # audio, audio_manual: a recording in the task, a region with a hostile label
        "audio": wav_data_uri(tone=0.5, silence=0.5),
        "audio_spans": [{"start": 0.1, "end": 0.4, "label": PAYLOAD}],
        # llm_io: what a model was asked and replied, all hostile
        "llm_io": {"backend": PAYLOAD, "model": PAYLOAD, "prompt": PAYLOAD, "response": PAYLOAD, "dropped": [PAYLOAD]},
    }


def assert_clean(page) -> None:
    page.wait_for_timeout(300)  # a broken <img> fires onerror asynchronously
    assert page.evaluate("window.__pwned") is None
    assert page.locator("script").count() == 1  # the app's own
    assert page.locator('img[src="x"]').count() == 0


def test_payloads_stay_text_in_every_view(serve, open_page, screenshot) -> None:
    config = {
        "labels": [PAYLOAD, "SAFE"],
        "field_label": PAYLOAD,
        "field_placeholder": PAYLOAD,
        "relations_span_labels": [PAYLOAD],
        "llm_io_open": True,
        "blocks": [{"view_id": view} for view in NON_HTML_VIEWS],
    }
    server = serve("blocks", [hostile_task(), {**hostile_task(), "text": f"Second {PAYLOAD}"}], config=config)
    # bypass_csp: the page's Content-Security-Policy would block these payloads anyway;
    # switching it off shows the escaping alone keeps them inert
    page = open_page(server, bypass_csp=True)
    wait_task(page)
    assert page.locator(".card .block").count() == len(NON_HTML_VIEWS)
    page.wait_for_selector(".card .view-audio-manual .waveform[data-state='ready']")
    assert PAYLOAD in page.locator(".card .region-list").inner_text()  # the region's label, as text
    assert page.locator(".card .waveform[data-state='error']").count() == 0
    card = page.locator(".card").inner_text()
    assert card.count(PAYLOAD) >= 5  # shown as text: labels, options, spans, text
    assert PAYLOAD in page.locator(".task-meta").inner_text()
    assert page.locator(".card .task-html").count() == 0
    screenshot(page, "security-blocks")
    assert_clean(page)
    page.keyboard.press("a")  # into the history sidebar
    page.wait_for_selector(".history-item")
    assert PAYLOAD[:40] in page.locator(".history-item").inner_text()  # previews are cut at 70 characters
    page.keyboard.press("Backspace")
    assert_clean(page)


def test_each_view_alone_and_csp(serve, open_page) -> None:
    # a view on a page of its own, CSP on (as users get it; the blocks test above ran
    # every renderer), then the html view, where the recipe asked for markup: it
    # renders, and the CSP still stops the script in it
    for view in ["classification", "html"]:
        server = serve(view, [hostile_task()], config={"labels": [PAYLOAD], "field_label": PAYLOAD}, dataset=f"sec_{view}")
        page = open_page(server)
        wait_task(page)
        csp = page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
        assert "script-src 'sha256-" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        if view == "html":
            assert page.locator(".card .task-html img").count() == 1  # markup rendered, as asked
        else:
            assert page.locator(".card img[src='x']").count() == 0
        page.wait_for_timeout(200)
        assert page.evaluate("window.__pwned") is None, view
        server.stop()
