"""Serve a list of tasks with a given view and config, for the browser tests.

Run as ``python serve_spec.py SPEC.json``; SPEC holds ``dataset``, ``view_id``,
``tasks``, ``config``, ``port`` and ``db_url``. It goes through the same
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
    components = Components(
        dataset=spec["dataset"],
        stream=tasks,
        view_id=spec["view_id"],
        config=dict(spec.get("config") or {}),
    )
    overrides = {"host": "127.0.0.1", "port": spec["port"], "db_url": spec["db_url"]}
    settings = load_settings(overrides, recipe_config=components.config)
    serve(components, settings)


if __name__ == "__main__":
    main(sys.argv[1])
