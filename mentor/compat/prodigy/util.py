"""``prodigy.util``: the helpers recipes import, on mentor's implementations.

``combine_models`` returns ``(predict, update)`` as Prodigy's does (mentor's
returns one object with both); ``get_labels`` reads a comma-separated string
or a file with one label a line; ``log`` writes to the ``prodigy`` logger
(shown with ``mentor --verbose``); ``msg`` is wasabi's printer.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

import srsly
from wasabi import msg

from mentor.errors import InputError
from mentor.tasks import INPUT_HASH_KEYS, TASK_HASH_KEYS, Task
from mentor.tasks import set_hashes as _set_hashes
from mentor.tasks import split_string as _split_string

__all__ = [
    "split_string", "set_hashes", "combine_models", "get_labels", "write_jsonl", "read_jsonl",
    "INPUT_HASH_ATTR", "TASK_HASH_ATTR", "log", "msg",
]

INPUT_HASH_ATTR = "_input_hash"
TASK_HASH_ATTR = "_task_hash"
SESSION_ID_ATTR = "_session_id"
VIEW_ID_ATTR = "_view_id"

logger = logging.getLogger("prodigy")


def split_string(text: Optional[str]) -> List[str]:
    """``"A, B,"`` -> ``["A", "B"]``; an empty value gives ``[]``."""
    return _split_string(text)


def set_hashes(
    task: Task,
    input_keys: Sequence[str] = INPUT_HASH_KEYS,
    task_keys: Sequence[str] = TASK_HASH_KEYS,
    ignore: Sequence[str] = (),
    overwrite: bool = False,
) -> Task:
    """Add ``_input_hash``/``_task_hash`` (kept unless ``overwrite``); ``ignore`` drops keys from both lists."""
    drop = set(ignore)
    return _set_hashes(
        task, input_keys=[k for k in input_keys if k not in drop], task_keys=[k for k in task_keys if k not in drop],
        overwrite=overwrite,
    )


def combine_models(one: Any, two: Any, batch_size: int = 16) -> Tuple[Callable[..., Iterator[Any]], Callable[..., Any]]:
    """``(predict, update)`` over two models: predict interleaves their ``(score, task)`` pairs, update trains both."""
    from mentor.models.combine import combine_models as _combine

    combined = _combine(one, two, batch_size=batch_size)
    return combined, combined.update


def get_labels(labels: Union[str, Path, Sequence[str], None]) -> List[str]:
    """Labels from a list, a comma-separated string, or a text file with one label a line."""
    if labels is None:
        return []
    if not isinstance(labels, (str, Path)):
        return [str(label) for label in labels]
    path = Path(labels)
    try:
        is_file = path.is_file()
    except OSError:  # a long comma-separated string is no path
        is_file = False
    if is_file:
        try:
            lines = path.read_text(encoding="utf8").splitlines()
        except (OSError, UnicodeDecodeError) as err:
            raise InputError(f"Can't read the labels file '{path}': {err}") from None
        return [line.strip() for line in lines if line.strip()]
    return _split_string(str(labels))


def read_jsonl(path: Union[str, Path]) -> Iterator[Any]:
    """Each line's JSON value (srsly's reader)."""
    return srsly.read_jsonl(path)


def write_jsonl(path: Union[str, Path], lines: Iterable[Any]) -> None:
    """Write one JSON value a line (``-`` for stdout)."""
    srsly.write_jsonl(path, lines)


def log(message: str, details: Any = None) -> None:
    """Log a recipe's message (Prodigy's ``PRODIGY_LOGGING``; here ``mentor --verbose``)."""
    if details is not None:
        logger.debug("%s: %s", message, details)
    else:
        logger.debug("%s", message)
