"""Print the mentor server's OpenAPI schema (input of gen_api_types.mjs).

Builds the app around an empty, storage-less controller: the schema depends
on the routes and models only, not on a recipe or a database.
"""
from __future__ import annotations

import json

from mentor.config import Settings
from mentor.core.components import Components
from mentor.core.controller import Controller
from mentor.server.app import create_app


def main() -> None:
    settings = Settings()
    controller = Controller(Components(dataset=False, stream=[], view_id="text"), None, settings)
    app = create_app(controller, settings)
    print(json.dumps(app.openapi(), indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
