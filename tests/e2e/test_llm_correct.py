"""ner.llm.correct in a real browser: spans pre-filled by a fake OpenAI-compatible endpoint, corrected, stored."""
from __future__ import annotations

import sys
from pathlib import Path

from e2e_support import by_key, drag, press, wait_no_tasks, wait_task

sys.path.insert(0, str(Path(__file__).parents[1]))  # tests/support, whatever pytest's import mode

from support.fake_llm import FakeLLM, entities_reply  # noqa: E402

TEXTS = ["Tim Cook runs Apple in Cupertino", "Ada Lovelace wrote notes <script>x</script>"]
ENTITIES = {
    TEXTS[0]: [("Tim Cook", "PERSON"), ("Apple", "PERSON")],  # Apple mislabelled: the annotator fixes it
    TEXTS[1]: [("Ada Lovelace", "PERSON")],
}


def tok(i: int) -> str:
    return f".card .tok[data-i='{i}']"


def test_ner_llm_correct_prefills_spans_that_are_corrected_and_stored(serve, open_page, screenshot, tmp_path) -> None:
    source = tmp_path / "texts.txt"
    source.write_text("\n".join(TEXTS) + "\n")
    with FakeLLM(entities_reply(ENTITIES)) as fake:
        env = {"MENTOR_LLM_BASE_URL": fake.url, "MENTOR_LLM_MODEL": "fake-1"}
        server = serve(cli_args=["ner.llm.correct", "e2e", "blank:en", str(source), "--label", "PERSON,ORG,GPE"],
                       env=env)
        page = open_page(server)
        wait_task(page)
        marks = page.locator(".card mark.ent")
        assert marks.count() == 2 and "Tim Cook" in marks.nth(0).inner_text()
        details = page.locator(".card details.view-llm-io")
        assert "fake-1" in details.locator("summary").inner_text()
        details.locator("summary").click()
        assert details.locator(".llm-io-prompt").inner_text().endswith(TEXTS[0])
        assert '"label": "PERSON"' in details.locator(".llm-io-response").inner_text()
        screenshot(page, "ner_llm_correct")
        marks.nth(1).click()  # the wrong PERSON on "Apple": removed
        page.keyboard.press("2")
        drag(page, tok(3), tok(3))  # "Apple" as ORG
        page.keyboard.press("3")
        drag(page, tok(5), tok(5))  # "Cupertino" as GPE
        assert page.locator(".card mark.ent").count() == 3
        press(page, "a")
        # the second text: the model's reply is shown as text, never as markup
        assert page.locator(".card script").count() == 0
        press(page, "a")
        wait_no_tasks(page)
    stored = by_key(server.examples())
    spans = {text: sorted((s["start"], s["end"], s["label"]) for s in eg["spans"]) for text, eg in stored.items()}
    assert spans == {TEXTS[0]: [(0, 8, "PERSON"), (14, 19, "ORG"), (23, 32, "GPE")], TEXTS[1]: [(0, 12, "PERSON")]}
    assert {eg["_view_id"] for eg in stored.values()} == {"ner_manual"}
    assert sorted(fake.texts) == sorted(TEXTS)
