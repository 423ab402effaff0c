"""Errors a user can cause when training from datasets."""
from __future__ import annotations

from ..errors import ConfigError, InputError


class NoUsableExamples(InputError):
    """Every answer of a component was skipped: nothing to train on."""

    code = "M070"


class NoLabels(InputError):
    """A component has examples but no label to learn."""

    code = "M071"


class NoEvaluationData(InputError):
    """Neither an eval: dataset nor an eval split leaves anything to evaluate on."""

    code = "M072"


class TrainingConfigError(ConfigError):
    """A spaCy config or override can't be used for training."""

    code = "M073"


class ExtraNotInstalled(ConfigError):
    """An optional dependency (spacy-transformers) is needed but missing."""

    code = "M074"


class GpuUnavailable(ConfigError):
    """--gpu-id asks for a GPU that spaCy can't use here (no CuPy, no CUDA device)."""

    code = "M075"
