"""Key -> paint latency of the web app's ner_manual view on long texts (issue 15).

A real mentor server (tests/e2e/serve_spec.py) serves --tasks texts of --words
words each, with tokens, in ``ner_manual``; headless Chromium (Debian's, as in
the browser tests) opens the app and presses keys. Each measurement runs from
the key's ``keydown`` event to the first moment after the next frame was
painted (requestAnimationFrame, then a task queued from it), so it covers the
app's handler, style, layout and paint. Two keys are timed:

- ``answer``: ``a`` accepts the task on screen and paints the next long text;
- ``label``: ``1``/``2`` switch the label picker on a long text on screen.

Prints p50/p95 of each. ``--bundle PATH`` serves another build of the app
(e.g. the one before a change, ``git show REV:mentor/server/static/index.html
> /tmp/old.html``) beside the current one, so both come out of one run:

    python bench/web_paint.py                        # current bundle
    python bench/web_paint.py --bundle /tmp/old.html # old and current side by side
    python bench/web_paint.py --pause-ms 300         # keys at a fast reader's pace

Run by hand; never part of the test suite.
"""
from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from e2e_support import MentorServer, tokenize, wait_task  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
WORDS = ("the committee met in Berlin on Monday to discuss the report from Acme Corporation and its chief "
         "executive Maria Lopez said revenue rose sharply while analysts in London expected more").split()

# the keydown time, and the time after the next painted frame, of every key press
TIMER_JS = """
window.__paint = [];
document.addEventListener('keydown', (e) => {
  const t0 = e.timeStamp;
  requestAnimationFrame(() => setTimeout(() => window.__paint.push(performance.now() - t0), 0));
}, true);
"""


def make_tasks(count: int, words: int, seed: int = 0) -> List[Dict[str, Any]]:
    rng = random.Random(seed)
    tasks = []
    for i in range(count):
        text = f"Text {i}. " + " ".join(rng.choice(WORDS) for _ in range(words))
        tasks.append({"text": text, "tokens": tokenize(text), "spans": []})
    return tasks


def pct(values: List[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def measure(browser: Any, server: MentorServer, label_presses: int, bundle: Optional[Path],
            pause_ms: int) -> Dict[str, List[float]]:
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    context.add_init_script(TIMER_JS)
    if bundle is not None:
        # the page itself from the given build (its meta CSP allows its own script); the API from the server
        html = bundle.read_text(encoding="utf8")
        context.route(server.url, lambda route: route.fulfill(status=200, content_type="text/html", body=html))
    page = context.new_page()
    page.goto(server.url)
    wait_task(page)
    page.wait_for_timeout(300)
    results: Dict[str, List[float]] = {"label": [], "answer": []}
    for i in range(label_presses):
        page.keyboard.press("2" if i % 2 else "1")
        page.wait_for_function("n => window.__paint.length >= n", arg=i + 1)
        page.wait_for_timeout(pause_ms)
    results["label"] = page.evaluate("window.__paint.splice(0)")
    answered = 0
    while page.locator(".card:not(.empty)").count():
        before = page.evaluate("document.querySelector('.card .task-text').textContent.slice(0, 12)")
        page.keyboard.press("a")
        answered += 1
        page.wait_for_function("n => window.__paint.length >= n", arg=answered)
        page.wait_for_function(
            "b => { const el = document.querySelector('.card .task-text'); return !el || el.textContent.slice(0, 12) !== b; }",
            arg=before)
        page.wait_for_timeout(pause_ms)  # an annotator reads before the next key
    # the first answers' paints include the app's start-up work: drop them
    results["answer"] = page.evaluate("window.__paint.splice(0)")[3:]
    context.close()
    return results


def run(bundle: Optional[Path], args: argparse.Namespace, browser: Any) -> Dict[str, List[float]]:
    workdir = Path(tempfile.mkdtemp(prefix="web-paint-"))
    try:
        spec = {"view_id": "ner_manual", "tasks": make_tasks(args.tasks, args.words),
                "config": {"labels": ["PERSON", "ORG", "GPE"], "batch_size": 10}}
        server = MentorServer(workdir, dataset="bench", spec=spec)
        server.start(timeout=60)
        try:
            return measure(browser, server, args.label_presses, bundle, args.pause_ms)
        finally:
            server.stop()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--words", type=int, default=1000)
    parser.add_argument("--tasks", type=int, default=40)
    parser.add_argument("--label-presses", type=int, default=40)
    parser.add_argument("--pause-ms", type=int, default=0,
                        help="wait between keys (0: the next key as soon as the last one painted; 300: a fast reader)")
    parser.add_argument("--bundle", type=Path, default=None, help="another built index.html to time beside the current one")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    builds = ([("given", args.bundle)] if args.bundle else []) + [("current", None)]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-gpu"])
        rows = [(name, run(path, args, browser)) for name, path in builds]
        browser.close()
    print(f"ner_manual, {args.words}-word texts with tokens, key -> next frame painted (ms), {args.pause_ms} ms between keys")
    print(f"{'bundle':<10}{'key':<8}{'n':>5}{'p50':>9}{'p95':>9}")
    for name, results in rows:
        for key, values in results.items():
            print(f"{name:<10}{key:<8}{len(values):>5}{statistics.median(values):>9.1f}{pct(values, 0.95):>9.1f}")


if __name__ == "__main__":
    main()
