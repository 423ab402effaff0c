"""The dataset commands, run as a user runs them: a subprocess and its exit code."""
import json
import subprocess
import sys



def jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_cli_help_lists_recipes_grouped(mentor):
    result = mentor("--help")
    assert result.code == 0
    for name in ("db-in", "db-out", "db-merge", "drop", "stats", "progress", "print-dataset"):
        assert name in result.out
    assert "Datasets and database" in result.out
    sub = mentor("db-in", "--help")
    assert sub.code == 0 and "--answer" in sub.out and "--rehash" in sub.out


def test_cli_prodigy_file_round_trip(mentor, shared_data, tmp_path):
    source = shared_data / "prodigy-recipes/example-datasets/annotated_reddit-INSULT-textcat.jsonl"
    result = mentor("db-in", "x", str(source))
    assert result.code == 0, result.err
    assert "Imported 499" in result.out
    stats = mentor("stats", "x")
    assert stats.code == 0 and "499" in stats.out
    out = mentor("db-out", "x")
    exported = [json.loads(line) for line in out.out.splitlines()]
    original = [json.loads(line) for line in source.read_text().splitlines()]
    first_of_each = {}
    for task in original:
        first_of_each.setdefault(task["_task_hash"], task)
    assert exported == list(first_of_each.values())  # every field, every hash intact
    again = mentor("db-in", "x", str(source))
    assert "Imported 0" in again.out


def test_cli_db_in_broken_line_imports_nothing(mentor, tmp_path):
    rows = [{"text": f"t{i}"} for i in range(100)]
    path = jsonl(tmp_path / "broken.jsonl", rows)
    lines = path.read_text().splitlines()
    lines[56] = '{"text": "oops"'
    path.write_text("\n".join(lines) + "\n")
    result = mentor("db-in", "ds", str(path))
    assert result.code == 1
    assert "broken.jsonl:57" in result.out + result.err
    assert "Traceback" not in result.err
    assert "Nothing was imported" in result.out + result.err
    stats = mentor("stats", "ds")
    assert stats.code == 1 and "doesn't exist" in stats.out + stats.err
    skipped = mentor("db-in", "ds", str(path), "--skip-invalid")
    assert skipped.code == 0 and "Imported 99" in skipped.out and "Skipped 1" in skipped.err


def test_cli_db_in_answer_and_db_out_filter(mentor, tmp_path):
    path = jsonl(tmp_path / "a.jsonl", [{"text": "a"}, {"text": "b", "answer": "reject"}])
    assert mentor("db-in", "ds", str(path), "--answer", "ignore").code == 0
    out = mentor("db-out", "ds", "--answer", "reject")
    assert [json.loads(l)["text"] for l in out.out.splitlines()] == ["b"]
    target = tmp_path / "out" / "export.jsonl"
    assert mentor("db-out", "ds", str(target)).code == 0
    assert [json.loads(l)["answer"] for l in target.read_text().splitlines()] == ["ignore", "reject"]
    assert mentor("db-in", "ds", str(path), "--answer", "maybe").code == 1


def test_cli_unknown_dataset_and_recipe(mentor):
    for args in (("db-out", "nope"), ("stats", "nope"), ("drop", "nope", "--yes"), ("progress", "nope")):
        result = mentor(*args)
        assert result.code == 1, args
        assert "nope" in result.out + result.err and "Traceback" not in result.err
    assert mentor("no-such-recipe").code == 2


def test_cli_drop_refuses_without_terminal(mentor, tmp_path):
    path = jsonl(tmp_path / "a.jsonl", [{"text": "a"}])
    mentor("db-in", "ds", str(path))
    refused = mentor("drop", "ds")
    assert refused.code == 1 and "--yes" in refused.out + refused.err
    assert mentor("drop", "ds", "--yes").code == 0
    assert mentor("stats", "ds").code == 1


def test_cli_db_merge_and_stats_listing(mentor, tmp_path):
    mentor("db-in", "a", str(jsonl(tmp_path / "a.jsonl", [{"text": "1"}, {"text": "2"}])))
    mentor("db-in", "b", str(jsonl(tmp_path / "b.jsonl", [{"text": "2"}, {"text": "3"}])))
    merged = mentor("db-merge", "a,b", "c")
    assert merged.code == 0 and "Merged 3" in merged.out
    listing = mentor("stats", "-l")
    assert listing.code == 0 and all(n in listing.out for n in ("a", "b", "c"))
    assert "sqlite" in listing.out
    assert mentor("db-merge", "a,missing", "d").code == 1


def test_cli_progress_and_print(mentor, tmp_path):
    rows = [{"text": "Apple buys", "spans": [{"start": 0, "end": 5, "label": "ORG"}], "_timestamp": 1700000000, "answer": "accept"}]
    mentor("db-in", "ds", str(jsonl(tmp_path / "a.jsonl", rows)))
    progress = mentor("progress", "ds", "--interval", "week")
    assert progress.code == 0 and "2023-W46" in progress.out
    printed = mentor("print-dataset", "ds")
    assert printed.code == 0 and "Apple" in printed.out and "ORG" in printed.out
    stream = mentor("print-stream", str(tmp_path / "a.jsonl"))
    assert stream.code == 0 and "ORG" in stream.out


def test_cli_progress_stats_and_print_survive_junk_stored_before_answers_were_checked(mentor, mentor_home):
    """Answers stored by older versions (or written straight to the database) are counted and shown, not a traceback."""
    from mentor.config import load_settings
    from mentor.db import connect

    db = connect(settings=load_settings())
    db.add_dataset("old")
    db.add_examples([
        {"text": "far future", "answer": "accept", "_timestamp": 1e300, "_input_hash": 1, "_task_hash": 2},
        {"text": 123, "answer": "accept", "_input_hash": 3, "_task_hash": 4},
        {"answer": ["x"], "_input_hash": 5, "_task_hash": 6},
        {"text": "odd spans", "answer": "reject", "spans": [{"start": "a", "end": 2}, {"start": 0, "end": 3, "label": 5}],
         "options": "x", "accept": [{"a": 1}], "_input_hash": 7, "_task_hash": 8},
    ], datasets=["old"])
    db.close()
    progress = mentor("progress", "old")
    assert progress.code == 0 and "Traceback" not in progress.err, progress.err
    stats = mentor("stats", "old")
    assert stats.code == 0 and "Traceback" not in stats.err, stats.err
    printed = mentor("print-dataset", "old")
    assert printed.code == 0 and "Traceback" not in printed.err, printed.err
    assert "far future" in printed.out and "123" in printed.out and "odd" in printed.out


def test_cli_user_recipe_file(mentor, tmp_path):
    recipe_file = tmp_path / "my_recipes.py"
    recipe_file.write_text(
        "from typing import Annotated\n"
        "from mentor import recipe, Arg\n"
        "@recipe('count-lines', group='utilities')\n"
        "def count_lines(path: Annotated[str, Arg(help='File to count')]) -> None:\n"
        "    '''Count the lines of a file.'''\n"
        "    print('lines:', sum(1 for _ in open(path)))\n"
    )
    assert "count-lines" in mentor("-F", str(recipe_file), "--help").out
    result = mentor("count-lines", str(recipe_file), "-F", str(recipe_file))
    assert result.code == 0 and "lines: 6" in result.out


def test_cli_db_in_from_stdin(mentor):
    result = mentor("db-in", "piped", "-", input='{"text": "from stdin"}\n')
    assert result.code == 0, result.err
    assert json.loads(mentor("db-out", "piped").out)["text"] == "from stdin"


def test_database_commands_start_without_loading_spacy(mentor_home, tmp_path):
    """The recipes load spaCy (and, with the transformers extra, PyTorch) when they run,
    not when the command line starts: `mentor stats` or `db-out` shouldn't wait seconds for it."""
    probe = (
        "import runpy, sys\n"
        "sys.argv = ['mentor'] + sys.argv[1:]\n"
        "try:\n"
        "    runpy.run_module('mentor', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "sys.stderr.write('SPACY LOADED' if 'spacy' in sys.modules else 'SPACY NOT LOADED')\n"
    )
    source = jsonl(tmp_path / "in.jsonl", [{"text": "one"}, {"text": "two"}])
    for args in (["--help"], ["db-in", "lazy", str(source)], ["stats", "lazy"], ["stats"], ["db-out", "lazy"]):
        proc = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=120)
        assert proc.stderr.endswith("SPACY NOT LOADED"), (args, proc.stderr[-500:])
