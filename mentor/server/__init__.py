"""The HTTP layer: a FastAPI app around a controller (``app.create_app``). Never imports spaCy."""
