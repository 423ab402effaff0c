"""Serve a list of tasks with a given view and config, for the browser tests.

Run as ``python serve_spec.py SPEC.json``; SPEC holds ``dataset``, ``view_id``,
``tasks``, ``config``, ``port`` and ``db_url``, and optionally ``refuse``: a
string that makes ``validate_answer`` refuse accepting a task whose text has it. It goes through the same
``mentor.core.serving.serve`` the CLI calls, so the browser talks to the real
controller and server, with a view and config no built-in recipe offers.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from mentor.config import load_settings
from mentor.core import Components
from mentor.core.serving import serve
from mentor.tasks import set_hashes


def main(spec_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text(encoding="utf8"))
    tasks = [set_hashes(dict(task)) for task in spec["tasks"]]
    refuse = spec.get("refuse")

    def validate_answer(answer: dict) -> None:
        if refuse and answer.get("answer") == "accept" and refuse in str(answer.get("text", "")):
            raise ValueError(f"Texts with '{refuse}' can't be accepted: reject or ignore them")

    components = Components(
        dataset=spec["dataset"],
        stream=tasks,
        view_id=spec["view_id"],
        config=dict(spec.get("config") or {}),
        validate_answer=validate_answer if refuse else None,
    )
    overrides = {"host": "127.0.0.1", "port": spec["port"], "db_url": spec["db_url"]}
    settings = load_settings(overrides, recipe_config=components.config)
    serve(components, settings)


if __name__ == "__main__":
    main(sys.argv[1])
