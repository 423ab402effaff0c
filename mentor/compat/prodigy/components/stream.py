"""``prodigy.components.stream``: ``get_stream`` and the ``Stream`` it returns.

Prodigy (v1.12+) streams are changed in place, ``stream.apply(add_tokens,
nlp=nlp, stream=stream)``, where mentor's ``Stream.apply`` returns a new
stream. This ``Stream`` keeps a list of transforms and applies them lazily on
each iteration, passing the running iterator wherever the call named the
stream itself; it also returns itself, so ``stream = stream.apply(...)`` works.
It reports the skipped lines and the length of the file under it.
"""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

from mentor.loaders import get_stream as mentor_get_stream
from mentor.loaders import hash_tasks
from mentor.tasks import Task

__all__ = ["Stream", "get_stream"]

DATASET_PREFIX = "dataset:"
# what an answer carries that a new question must not (it would be stored as the new answer's)
ANSWER_KEYS = ("answer", "_session_id", "_annotator_id", "_timestamp", "_view_id")

Transform = Tuple[Callable[..., Iterable[Any]], Tuple[Any, ...], Dict[str, Any]]


class Stream:
    """A re-iterable stream of tasks with Prodigy's in-place ``apply``."""

    def __init__(self, factory: Callable[[], Iterator[Task]], *, source: Any = None, count: Optional[int] = None) -> None:
        self._factory = factory
        self._source = source
        self._count = count
        self._transforms: List[Transform] = []

    def apply(self, func: Callable[..., Iterable[Any]], *args: Any, **kwargs: Any) -> "Stream":
        """Add ``func`` to the transforms: it gets the stream where the call passes it, else first."""
        self._transforms.append((func, args, kwargs))
        return self

    def __iter__(self) -> Iterator[Any]:
        stream: Iterable[Any] = self._factory()
        for func, args, kwargs in self._transforms:
            named = any(a is self for a in args) or any(v is self for v in kwargs.values())
            call_args = [stream if a is self else a for a in args]
            call_kwargs = {k: (stream if v is self else v) for k, v in kwargs.items()}
            stream = func(*call_args, **call_kwargs) if named else func(stream, *call_args, **call_kwargs)
        return iter(stream)

    @property
    def total(self) -> Optional[int]:
        """The number of tasks read when known and no transform may change it (the progress bar's)."""
        if self._transforms:
            return None
        if self._count is not None:
            return self._count
        return getattr(self._source, "total", None)

    @property
    def skipped(self) -> int:
        return int(getattr(self._source, "skipped", 0) or 0)

    @property
    def errors(self) -> Sequence[Exception]:
        return list(getattr(self._source, "errors", []) or [])

    def validate(self) -> None:
        validate = getattr(self._source, "validate", None)
        if validate is not None:
            validate()


def _from_tasks(tasks: Sequence[Task], *, rehash: bool, dedup: bool, input_key: str) -> Stream:
    def copies() -> Iterator[Task]:
        for task in tasks:
            task = copy.deepcopy(task)
            if input_key != "text" and input_key in task and "text" not in task:
                task["text"] = task[input_key]
            yield task

    def factory() -> Iterator[Task]:
        return hash_tasks(copies(), rehash=rehash, dedup=dedup)

    return Stream(factory, count=len(tasks))


def _from_dataset(spec: str, *, rehash: bool, dedup: bool, input_key: str) -> Stream:
    """``dataset:NAME`` or ``dataset:NAME:ANSWER``: a dataset's examples as new questions."""
    from .db import connect

    name, _, answer = spec[len(DATASET_PREFIX):].partition(":")
    db = connect()
    examples = []
    for eg in db.get_dataset_examples(name, answer=answer or None):
        for key in ANSWER_KEYS:
            eg.pop(key, None)
        examples.append(eg)
    return _from_tasks(examples, rehash=rehash, dedup=dedup, input_key=input_key)


def get_stream(
    source: Union[str, Path, Sequence[Task], Iterable[Task]],
    api: Any = None,
    loader: Optional[str] = None,
    rehash: bool = False,
    dedup: bool = False,
    input_key: str = "text",
    is_binary: bool = False,
    **_ignored: Any,
) -> Stream:
    """Open a file, ``-`` (stdin), ``dataset:NAME[:ANSWER]`` or a list of task dicts as a Stream.

    Files go through mentor's loaders: bad lines are skipped with a warning
    naming file and line. Hashes are set (recomputed with ``rehash``), and
    ``dedup`` drops repeats. ``api``, ``is_binary`` and other Prodigy options
    change nothing here.
    """
    if isinstance(source, (str, Path)) and str(source).startswith(DATASET_PREFIX):
        return _from_dataset(str(source), rehash=rehash, dedup=dedup, input_key=input_key)
    if isinstance(source, (str, Path)):
        stream = mentor_get_stream(source, loader=loader, rehash=rehash, dedup=dedup, input_key=input_key)
        return Stream(lambda: iter(stream), source=stream)
    return _from_tasks(list(source), rehash=rehash, dedup=dedup, input_key=input_key)
