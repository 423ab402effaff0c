"""``prodigy.types``: the type aliases recipes annotate with."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Dict, Iterable, Iterator, List, Tuple

__all__ = [
    "TaskType", "StreamType", "ScoredStreamType", "RecipeSettingsType", "ExistingFilePath",
    "ExistingDirPath", "LabelsType", "UpdateReturnType",
]

TaskType = Dict[str, Any]
StreamType = Iterator[TaskType]
ScoredStreamType = Iterable[Tuple[float, TaskType]]
RecipeSettingsType = Dict[str, Any]
ComponentsType = Dict[str, Any]
LabelsType = List[str]
UpdateReturnType = Any
PredictFunc = Callable[[Iterable[TaskType]], ScoredStreamType]


class ExistingFilePath(type(Path())):  # type: ignore[misc]
    """A path to a file that exists (the command line reads it as a path)."""


class ExistingDirPath(type(Path())):  # type: ignore[misc]
    """A path to a folder that exists."""
