"""Train on growing shares of the data to see whether more annotation would help."""
from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence

from thinc.api import Config

from .specs import main_score
from .train import train_pipeline


@dataclass
class CurveStep:
    fraction: float
    n_train: Dict[str, int]
    scores: Dict[str, Optional[float]] = field(default_factory=dict)  # component -> main score


def fractions(n_samples: int) -> List[float]:
    """``n_samples`` evenly spaced shares ending at 100 %: 4 -> 25, 50, 75, 100 %."""
    if n_samples < 1:
        raise ValueError("n_samples must be at least 1")
    return [(i + 1) / n_samples for i in range(n_samples)]


def train_curve(
    config: Config,
    components: Sequence[str],
    train_counts: Mapping[str, int],
    output_root: Path,
    *,
    n_samples: int = 4,
    overrides: Optional[Mapping[str, Any]] = None,
    use_gpu: int = -1,
) -> Iterator[CurveStep]:
    """Train once per share of the training data, always on the same eval data; lazy.

    The config must read through ``mentor.Corpus.v1``: its ``sample_size`` picks
    the share, a prefix of one seeded shuffle, so each step holds the previous
    step's texts plus new ones. spaCy's table is not printed.
    """
    for fraction in fractions(n_samples):
        cfg = config.copy()
        cfg["corpora"]["train"]["sample_size"] = fraction
        result = train_pipeline(
            cfg,
            Path(output_root) / f"{round(fraction * 100)}",
            overrides=overrides,
            use_gpu=use_gpu,
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
        yield CurveStep(
            fraction,
            {c: max(1, math.ceil(n * fraction)) for c, n in train_counts.items()},
            {c: result.scores.get(main_score(c)) for c in components},
        )
