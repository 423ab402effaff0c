"""rel.manual (relations view) and compare (compare and diff views) through the real CLI in a real browser:
spans and relations made by keys and by mouse, A/B preferences stored with the sides' mapping, the
results table printed when the server stops."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

from e2e_support import by_key, drag, press, task_text, tokenize, wait_no_tasks, wait_task

BIO = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "prodigy-recipes" / "example-datasets" / "bio_events.jsonl"


def first_lines(path: Path, n: int, out: Path) -> Path:
    out.write_text("".join(path.read_text(encoding="utf8").splitlines(keepends=True)[:n]), encoding="utf8")
    return out


def span_tokens(page: Any) -> List[int]:
    """The first token index of each span on screen, in text order."""
    return [int(m.locator(".tok").first.get_attribute("data-i")) for m in page.locator(".card mark.rel-span").all()]


def test_rel_manual_relations_by_keys_and_by_mouse(serve, open_page, tmp_path, screenshot) -> None:
    source = first_lines(BIO, 2, tmp_path / "bio.jsonl")  # texts from ../shared/data, spans pre-filled
    server = serve(cli_args=["rel.manual", "bio", "blank:en", str(source), "--label", "REGULATES,PART_OF",
                             "--span-label", "GGP,EVENT"], dataset="bio")
    page = open_page(server)
    wait_task(page)
    texts = [json.loads(line)["text"] for line in source.read_text().splitlines()]
    assert task_text(page).startswith(texts[0][:40])
    assert page.locator(".rel-picker").count() == 2
    ggp = span_tokens(page)
    assert len(ggp) == 4

    # keys: 4 picks span label EVENT (relation labels take 1-2, span labels 3-4); the cursor starts on
    # token 0: Shift+→ and Enter mark tokens 0-1; Enter on the span picks it as head; → to the first
    # GGP span, 2 picks PART_OF, Enter makes the arc
    page.keyboard.press("4")
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Enter")
    assert page.locator(".card mark.rel-span").count() == 5
    page.keyboard.press("Enter")
    assert page.locator(".card .rel-head").count() == 1
    for _ in range(ggp[0] - 1):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("2")
    page.keyboard.press("Enter")
    assert page.locator(".card .rel-item").count() == 1 and page.locator(".card .rel-arc").count() == 1
    assert "PART_OF" in page.locator(".card .rel-arc-label").text_content()
    # back to the EVENT span; 1 picks REGULATES; Enter, → to the second GGP, Enter makes the arc,
    # and making it again removes it
    for _ in range(ggp[0]):
        page.keyboard.press("ArrowLeft")
    page.keyboard.press("1")
    for made in (2, 1):
        page.keyboard.press("Enter")
        for _ in range(ggp[1]):
            page.keyboard.press("ArrowRight")
        page.keyboard.press("Enter")
        assert page.locator(".card .rel-item").count() == made
        for _ in range(ggp[1]):
            page.keyboard.press("ArrowLeft")
    assert page.locator(".card .rel-item").count() == 1
    screenshot(page, "relations")
    press(page, "a")

    # mouse: pick GGP with its key's button, drag over tokens 0-2 to mark a span, click it (head),
    # click the first GGP span (child); then a second arc, removed by clicking its label
    page.locator(".card .label-btn[data-label='EVENT']").click()
    drag(page, ".card .tok[data-i='0']", ".card .tok[data-i='2']")
    spans = page.locator(".card mark.rel-span")
    assert spans.count() >= 2
    page.locator(".card .label-btn[data-label='REGULATES']").click()
    spans.nth(0).locator(".tok").first.click()
    spans.nth(1).locator(".tok").first.click()
    spans.nth(0).locator(".tok").first.click()
    spans.nth(2).locator(".tok").first.click()
    assert page.locator(".card .rel-arc").count() == 2
    page.locator(".card .rel-arc-label").nth(1).click()
    assert page.locator(".card .rel-item").count() == 1
    screenshot(page, "relations-mouse")
    second = [int(m.locator(".tok").first.get_attribute("data-i")) for m in spans.all()[:2]]
    press(page, "a")
    wait_no_tasks(page)

    stored = by_key(server.examples())
    first = stored[texts[0]]
    assert [(r["label"], r["head_span"]["label"], r["child_span"]["label"]) for r in first["relations"]] == [
        ("PART_OF", "EVENT", "GGP")]
    rel = first["relations"][0]
    assert rel["head"] == rel["head_span"]["token_end"] == 1 and rel["head_span"]["token_start"] == 0
    assert rel["child"] == rel["child_span"]["token_end"] and rel["child_span"]["token_start"] == ggp[0]
    assert first["text"][rel["head_span"]["start"]:rel["head_span"]["end"]] == " ".join(texts[0].split()[:2])
    assert {"label": "EVENT", "token_start": 0, "token_end": 1} in [
        {k: s[k] for k in ("label", "token_start", "token_end")} for s in first["spans"]]
    assert first["tokens"] and first["_view_id"] == "relations"
    rel2 = stored[texts[1]]["relations"]
    assert [(r["label"], r["head_span"]["token_start"], r["child_span"]["token_start"]) for r in rel2] == [
        ("REGULATES", second[0], second[1])]
    assert rel2[0]["head_span"] == {**rel2[0]["head_span"], "label": "EVENT", "token_start": 0, "token_end": 2}


def write_outputs(path: Path, system: str, ids: range) -> Path:
    rows = [{"id": i, "input": {"text": f"Question {i}?"}, "output": {"text": f"Answer {i} from {system}: the cat sat"}} for i in ids]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf8")
    return path


def test_compare_answers_keep_the_mapping_and_print_results(serve, open_page, tmp_path, screenshot) -> None:
    a = write_outputs(tmp_path / "sys_a.jsonl", "alpha", range(6))
    b = write_outputs(tmp_path / "sys_b.jsonl", "beta", range(6))
    server = serve(cli_args=["compare", "ab", str(a), str(b), "--seed", "1"], dataset="ab")
    page = open_page(server)
    wait_task(page)
    screenshot(page, "compare")
    chosen: Dict[str, str] = {}  # question -> system preferred ("alpha" / "beta" / none)
    n = 0
    while page.locator(".card:not(.empty)").count():
        left = page.locator(".card .compare-side.left").inner_text()
        right = page.locator(".card .compare-side.right").inner_text()
        question = task_text(page)
        assert {("alpha" in left), ("alpha" in right)} == {True, False}  # one side each
        if n % 3 == 0:
            chosen[press(page, "a")] = "alpha" if "alpha" in left else "beta"
        elif n % 3 == 1:
            chosen[press(page, "x")] = "alpha" if "alpha" in right else "beta"
        else:  # a click on the right card prefers it too
            page.locator(".card .compare-side.right").click()
            page.wait_for_function("q => !document.querySelector('.card .task-text') || document.querySelector('.card .task-text').textContent !== q", arg=question)
            chosen[question] = "alpha" if "alpha" in right else "beta"
        n += 1
    wait_no_tasks(page)
    stored = by_key(server.examples())
    assert len(stored) == 6
    sides = set()
    for text, eg in stored.items():
        preferred = {"accept": "left", "reject": "right"}[eg["answer"]]
        winner = next(system for system, side in eg["mapping"].items() if side == preferred)
        assert eg[preferred]["text"].endswith(("alpha" if winner == "A" else "beta") + ": the cat sat")
        assert chosen[text] == ("alpha" if winner == "A" else "beta")
        sides.add(eg["mapping"]["A"])
    assert sides == {"left", "right"}  # the order was random
    wins_a = sum(v == "alpha" for v in chosen.values())
    server.stop()  # on_exit prints the table from the dataset
    log = server.log()
    assert "A/B results in 'ab'" in log and "sys_a.jsonl" in log and "sys_b.jsonl" in log
    if wins_a == 3:
        assert "A and B were preferred equally often" in log
    else:
        assert f"{'A' if wins_a > 3 else 'B'} ({'sys_a' if wins_a > 3 else 'sys_b'}.jsonl) was preferred in {max(wins_a, 6 - wins_a)} of 6" in log


def test_diff_view_marks_the_changed_words(serve, open_page, tmp_path, screenshot) -> None:
    a = tmp_path / "a.jsonl"
    b = tmp_path / "b.jsonl"
    a.write_text(json.dumps({"id": 1, "input": {"text": "Fix me"}, "output": {"text": "The quick brown fox jumps"}}) + "\n")
    b.write_text(json.dumps({"id": 1, "input": {"text": "Fix me"}, "output": {"text": "The quick red fox jumps"}}) + "\n")
    server = serve(cli_args=["compare", "diff", str(a), str(b), "--diff", "--no-random"], dataset="diff")
    page = open_page(server)
    wait_task(page)
    assert page.locator(".card .compare-side.left del.diff-removed").inner_text() == "brown"
    assert page.locator(".card .compare-side.right ins.diff-added").inner_text() == "red"
    assert page.locator(".card .compare-side.left").inner_text().count("quick") == 1
    screenshot(page, "diff")
    press(page, "x")
    wait_no_tasks(page)
    (eg,) = server.examples()
    assert eg["answer"] == "reject" and eg["mapping"] == {"A": "left", "B": "right"} and eg["_view_id"] == "diff"


def test_relations_between_tokens_wrapped_without_arrows(serve, open_page, screenshot) -> None:
    # no span labels: the ends are single tokens; pre-filled relations are drawn; --wrap, --hide-arrow-heads
    text = "The committee approved the plan and the mayor signed it after a long debate in the city hall today"
    tokens = tokenize(text)
    filled = [{"head": 2, "child": 4, "label": "OBJ"}, {"head": 2, "child": 1, "label": "SUBJ"}]
    config = {"labels": ["SUBJ", "OBJ"], "relations_span_labels": [], "wrap_relations": True, "hide_relation_arrow": True}
    server = serve("relations", [{"text": text, "tokens": tokens, "relations": filled}], config=config)
    page = open_page(server)
    page.set_viewport_size({"width": 700, "height": 800})  # the text wraps onto several lines
    wait_task(page)
    assert page.locator(".card .rel-stage.wrap").count() == 1
    assert page.locator(".card .rel-arc").count() == 2
    assert page.locator(".card .rel-arc[marker-end]").count() == 0
    assert page.locator(".card .label-picker").count() == 1  # relation labels only
    page.keyboard.press("1")
    page.locator(".card .tok[data-i='8']").click()  # signed
    page.locator(".card .tok[data-i='7']").click()  # mayor
    page.locator(".card .rel-item").nth(0).locator(".rel-remove").click()  # the pre-filled OBJ arc goes
    assert [t.strip() for t in page.locator(".card .rel-item").all_inner_texts()] == ["approved SUBJ → committee×", "signed SUBJ → mayor×"]
    screenshot(page, "relations-wrap")
    press(page, "a")
    wait_no_tasks(page)
    (eg,) = server.examples()
    assert [(r["head"], r["child"], r["label"]) for r in eg["relations"]] == [(2, 1, "SUBJ"), (8, 7, "SUBJ")]
    assert eg["relations"][1]["head_span"] == {"start": 46, "end": 52, "token_start": 8, "token_end": 8, "label": None}


def test_compare_shows_spans_of_both_analyses(serve, open_page) -> None:
    # what ner.eval-ab serves (its recipe is tested in tests/unit/recipes): the same text, two sets of entities
    text = "Alice works at Acme."
    before = {"text": text, "spans": [{"start": 15, "end": 19, "label": "ORG"}]}
    after = {"text": text, "spans": [{"start": 0, "end": 5, "label": "PERSON"}, {"start": 15, "end": 19, "label": "ORG"}]}
    task = {"id": 1, "text": text, "input": {"text": text}, "left": after, "right": before, "mapping": {"A": "right", "B": "left"}}
    server = serve("compare", [task], config={"labels": ["PERSON", "ORG"]})
    page = open_page(server)
    wait_task(page)
    assert page.locator(".card .compare-side.left mark.ent").all_inner_texts() == ["AlicePERSON", "AcmeORG"]
    assert page.locator(".card .compare-side.right mark.ent").all_inner_texts() == ["AcmeORG"]
    assert page.locator(".card .compare-input mark").count() == 0
    press(page, "a")
    wait_no_tasks(page)
    (eg,) = server.examples()
    assert eg["answer"] == "accept" and eg["mapping"] == {"A": "right", "B": "left"} and eg["left"] == after
