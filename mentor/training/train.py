"""Train a pipeline with spaCy's own training loop.

Nothing here re-implements training: the config is written out, loaded with the
user's dotted overrides exactly as ``spacy train`` loads it, initialised with
``spacy.training.initialize.init_nlp`` and trained with
``spacy.training.loop.train``, which prints spaCy's usual score table and
writes ``model-best`` and ``model-last``. The result is what ``python -m spacy
train OUTPUT_DIR/config.cfg`` gives on the same data.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Dict, Mapping, Optional

from thinc.api import Config

from .errors import GpuUnavailable, TrainingConfigError

CONFIG_NAME = "config.cfg"


@dataclass
class TrainResult:
    output_dir: Path
    best_dir: Path
    last_dir: Path
    scores: Dict[str, Any] = field(default_factory=dict)  # model-best's performance
    final_score: Optional[float] = None
    best_round: Optional[int] = None  # silver rounds: the round model-best comes from


def apply_overrides(config: Config, overrides: Mapping[str, Any]) -> Config:
    """The config with spaCy dotted overrides applied, as ``spacy train`` applies them."""
    from spacy.util import load_config_from_str

    if not overrides:
        return config
    try:
        return load_config_from_str(config.to_str(), overrides=dict(overrides), interpolate=False)
    except Exception as err:  # confection raises its own ConfigValidationError
        raise TrainingConfigError(f"Config override not valid: {err}") from None


def write_config(config: Config, output_dir: Path) -> Path:
    output_dir.mkdir(parents=True, exist_ok=True)
    path = output_dir / CONFIG_NAME
    config.to_disk(path)
    return path


def train_pipeline(
    config: Config,
    output_dir: Path,
    *,
    overrides: Optional[Mapping[str, Any]] = None,
    use_gpu: int = -1,
    stdout: Optional[IO[str]] = None,
    stderr: Optional[IO[str]] = None,
) -> TrainResult:
    """Write ``config.cfg`` (overrides applied) to ``output_dir`` and train on it.

    Blocks until training ends; on Ctrl-C spaCy's loop still saves model-last
    before the KeyboardInterrupt propagates. Raises TrainingConfigError when
    the config can't be resolved, GpuUnavailable when ``use_gpu`` names a GPU
    that can't be used.
    """
    from spacy.training.initialize import init_nlp
    from spacy.training.loop import train as train_nlp

    output_dir = Path(output_dir)
    config = apply_overrides(config, overrides or {})
    if use_gpu >= 0:
        use_gpu_or_fail(use_gpu)
    write_config(config, output_dir)
    try:
        nlp = init_nlp(config, use_gpu=use_gpu)
    except (ValueError, KeyError, TypeError) as err:
        if err.__class__.__module__.startswith("mentor"):
            raise
        message = str(err).strip().splitlines()
        raise TrainingConfigError(
            f"Can't initialise the pipeline from {output_dir / CONFIG_NAME}: {' '.join(message[:6])}"
        ) from err
    # sys.stdout is read now, not at import: tests and notebooks swap it
    train_nlp(nlp, output_dir, use_gpu=use_gpu, stdout=stdout or sys.stdout, stderr=stderr or sys.stderr)
    return read_result(output_dir)


def use_gpu_or_fail(gpu_id: int) -> None:
    """Make thinc train on GPU ``gpu_id``, or say in one line why it can't (no traceback)."""
    from thinc.api import require_gpu

    try:
        require_gpu(gpu_id)
    except ValueError as err:  # thinc: "Cannot use GPU, CuPy is not installed", "No GPU devices detected"
        raise GpuUnavailable(
            f"--gpu-id {gpu_id}: {err}. Install the CuPy build for this machine's CUDA "
            "(cupy-cuda12x, cupy-cuda13x), or train on the CPU with --gpu-id -1"
        ) from None


def read_result(output_dir: Path) -> TrainResult:
    """Scores of a finished run, from model-best's meta.json and config.cfg."""
    import srsly

    best, last = output_dir / "model-best", output_dir / "model-last"
    meta_path = best / "meta.json"
    meta = srsly.read_json(meta_path) if meta_path.exists() else {}
    performance = dict(meta.get("performance") or {})
    config_path = best / CONFIG_NAME
    config: Mapping[str, Any] = Config().from_disk(config_path, interpolate=False) if config_path.exists() else {}
    # a pipeline saved by hand may lack the section: it then has no score to compare rounds by
    weights = (config.get("training") or {}).get("score_weights") or {}
    return TrainResult(output_dir, best, last, scores=performance, final_score=weighted_score(performance, weights))


def weighted_score(performance: Mapping[str, Any], weights: Mapping[str, Optional[float]]) -> Optional[float]:
    """The score spaCy's loop chose model-best by: the numeric scores weighed by ``training.score_weights``.

    spaCy keeps that sum out of meta.json (which holds the scores it was made
    of), so it is recomputed here the way its evaluation callback computes it;
    None when no weighted score is there (a run that never evaluated).
    """
    used = {
        key: weight for key, weight in weights.items()
        if weight is not None and isinstance(performance.get(key), (int, float))
    }
    if not used:
        return None
    return float(sum(performance[key] * weight for key, weight in used.items()))
