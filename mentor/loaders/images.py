"""A folder of images: a task per image, embedded as a data URI."""
from __future__ import annotations

import base64
import mimetypes
from pathlib import Path
from typing import Iterator

from ..errors import SourceNotFound
from ..tasks import Task
from .lines import Source

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".svg")


def image_files(folder: Path) -> list:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())


def load_images(source: Source, *, input_key: str = "image") -> Iterator[Task]:
    """Yield ``{"image": data-uri, "path", "meta": {"file"}}`` for each image, sorted by name.

    The image travels inside the task so the app needs no file server and the
    stored answer keeps what was annotated; ``before_db`` may strip it.
    """
    folder = Path(source)
    if not folder.is_dir():
        raise SourceNotFound(source)
    for path in image_files(folder):
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        yield {"image": f"data:{mime};base64,{data}", "path": str(path), "meta": {"file": path.name}}


def count_images(source: Source) -> int:
    return len(image_files(Path(source)))
