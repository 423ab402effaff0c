"""Issue 14: every Prodigy export in shared/data imports, and its work is never served again.

Prodigy's hashes depend on its version and recipe; mentor reproduces some files'
and not others' (the counts below say which). db-in keeps a file's hashes and
stores mentor's beside them, so a recipe excludes the imported tasks whether
its stream carries the file's hashes or mentor's.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
import srsly

from mentor.config import Settings
from mentor.core.components import Components
from mentor.core.controller import Controller
from mentor.core.importing import import_file
from mentor.core.keys import OWN_HASHES_FIELD
from mentor.db import Database
from mentor.loaders import get_stream
from mentor.tasks import get_input_hash, get_task_hash

EXPORTS = "prodigy-recipes/example-datasets"

# file -> (records with hashes, input hashes mentor reproduces, task hashes it reproduces)
REPRODUCED: Dict[str, Tuple[int, int, int]] = {
    # textcat.teach (Prodigy 1.x, 2017-18): JSON of the text; the task hash adds the label and empty spans
    "annotated_reddit-INSULT-textcat.jsonl": (500, 500, 500),
    # ner.teach: same input hash; the task hash covered span scores the export rounds to 10 digits
    "annotated_reddit-PRODUCT-ner.jsonl": (1800, 1800, 0),
    # NYT loader: hashed the API record, not the headline
    "annotated_news_headlines-ORG-PERSON-LOCATION-ner.jsonl": (373, 0, 0),
    # News API loader: identical texts carry different task hashes (939 for 93 texts)
    "raw_shares-newsapi.jsonl": (1000, 0, 0),
    # Prodigy 1.13 (2023), a custom recipe: hashes of inputs not in the export
    "pydata-ams-2023.jsonl": (3372, 0, 0),
}
WITHOUT_HASHES = [
    "bio_events.jsonl",
    "news_headlines.jsonl",
    "plot_summaries.jsonl",
    "raw_github-issue-titles.jsonl",
    "raw_news-headlines-nyt.jsonl",
]


def read(path: Path) -> List[Dict[str, Any]]:
    """The records as mentor's loaders read them (srsly: floats as ujson parses them)."""
    return [srsly.json_loads(line) for line in path.read_text(encoding="utf8").splitlines() if line.strip()]


def serve_all(db: Database, home: Path, stream: Any, exclude: List[str], by: str) -> List[Dict[str, Any]]:
    """Everything a fresh controller would serve from ``stream`` with ``--exclude``."""
    components = Components(dataset="served", stream=stream, view_id="classification", exclude=exclude)
    controller = Controller(components, db, Settings(home=home, batch_size=10_000, exclude_by=by))
    return controller.get_questions("alex").tasks


def as_mentor_stream(records: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The same questions as a recipe would build them from the raw text: no hashes, no answer."""
    keys = ("text", "label", "spans", "options", "meta")
    return [{key: record[key] for key in keys if key in record} for record in records]


@pytest.fixture
def sqlite(tmp_path: Path):
    database = Database(f"sqlite:///{tmp_path / 'exports.db'}")
    yield database
    database.close()


@pytest.mark.parametrize("name", list(REPRODUCED))
def test_hash_reproduction_counts(shared_data: Path, name: str) -> None:
    records = read(shared_data / EXPORTS / name)
    inputs = sum(get_input_hash(r) == r["_input_hash"] for r in records)
    tasks = sum(get_task_hash(r, r["_input_hash"]) == r["_task_hash"] for r in records)
    assert (len(records), inputs, tasks) == REPRODUCED[name]


@pytest.mark.parametrize("name", list(REPRODUCED) + WITHOUT_HASHES)
@pytest.mark.parametrize("by", ["task", "input"])
def test_imported_export_is_never_served_again(sqlite: Database, tmp_path: Path, shared_data: Path, name: str, by: str) -> None:
    path = shared_data / EXPORTS / name
    records = read(path)
    result = import_file(sqlite, "imported", str(path))
    expected_foreign = REPRODUCED[name][0] - min(REPRODUCED[name][1:]) if name in REPRODUCED else 0
    assert result.foreign == expected_foreign
    # the file's own hashes are kept as they were
    stored = list(sqlite.get_dataset_examples("imported"))
    if name in REPRODUCED:
        held = {(r["_input_hash"], r["_task_hash"]) for r in records}
        assert {(t["_input_hash"], t["_task_hash"]) for t in stored} <= held
    # a stream with the file's hashes, and one a recipe hashed from the text: nothing served again
    assert serve_all(sqlite, tmp_path, get_stream(str(path)), ["imported"], by) == []
    assert serve_all(sqlite, tmp_path, as_mentor_stream(records), ["imported"], by) == []


def test_news_headlines_excluded_by_ner_manual_input(sqlite: Database, tmp_path: Path, shared_data: Path) -> None:
    """The issue's case: ner.manual on the raw headlines with --exclude news_ner served all 178 again."""
    folder = shared_data / EXPORTS
    import_file(sqlite, "news_ner", str(folder / "annotated_news_headlines-ORG-PERSON-LOCATION-ner.jsonl"))
    raw = get_stream(str(folder / "raw_news-headlines-nyt.jsonl"))
    assert serve_all(sqlite, tmp_path, raw, ["news_ner"], "input") == []
    # the control: the same answers stored without mentor's hashes are served again, all 178
    plain = [
        {k: v for k, v in record.items() if k != OWN_HASHES_FIELD}
        for record in sqlite.get_dataset_examples("news_ner")
    ]
    sqlite.import_examples("news_ner_plain", plain)
    assert len(serve_all(sqlite, tmp_path, raw, ["news_ner_plain"], "input")) == 178


def test_imported_answers_not_served_into_their_own_dataset(sqlite: Database, tmp_path: Path, shared_data: Path) -> None:
    """De-duplication against the dataset itself (auto_exclude_current), one annotator and several."""
    path = shared_data / EXPORTS / "pydata-ams-2023.jsonl"
    import_file(sqlite, "pydata", str(path))
    stream = as_mentor_stream(read(path))
    for per_task in (1, 2):
        components = Components(dataset="pydata", stream=stream, view_id="classification")
        settings = Settings(home=tmp_path, batch_size=10_000, annotations_per_task=per_task)
        assert Controller(components, sqlite, settings).get_questions("alex").tasks == []


def test_rehash_replaces_the_file_hashes(sqlite: Database, shared_data: Path) -> None:
    path = shared_data / EXPORTS / "pydata-ams-2023.jsonl"
    result = import_file(sqlite, "rehashed", str(path), rehash=True)
    assert result.foreign == 0
    for task in sqlite.get_dataset_examples("rehashed"):
        assert OWN_HASHES_FIELD not in task
        assert task["_input_hash"] == get_input_hash(task)
