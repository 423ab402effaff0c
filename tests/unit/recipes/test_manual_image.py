"""image.manual, called as a function."""
from __future__ import annotations

import base64
from pathlib import Path

import pytest

from mentor.errors import InputError
from mentor.recipes.image import image_manual

# a 1x1 transparent PNG
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    images = tmp_path / "images"
    images.mkdir()
    for name in ("b.png", "a.png"):
        (images / name).write_bytes(PNG)
    (images / "notes.txt").write_text("not an image")
    return images


def test_manual_image_streams_images_as_data_uris(folder: Path) -> None:
    comps = image_manual("ds", str(folder), label="CAT,DOG")
    assert comps.view_id == "image_manual" and comps.config["labels"] == ["CAT", "DOG"]
    assert comps.config["darken_image"] == 0
    tasks = list(comps.stream)
    assert [t["meta"]["file"] for t in tasks] == ["a.png"]  # same bytes: the second image is a repeat
    assert tasks[0]["image"].startswith("data:image/png;base64,")


def test_manual_image_darken_and_labels(folder: Path) -> None:
    assert image_manual("ds", str(folder), label="CAT", darken=True).config["darken_image"] == 0.3
    with pytest.raises(InputError):
        image_manual("ds", str(folder))
