"""Pick the text classifier for the teach loop: the strongest the installed packages can run.

``--model-arch`` names one:

| name | model | needs |
|---|---|---|
| ``auto`` (default) | ``minilm`` if installed, else ``vectors`` if the pipeline has word vectors, else ``tfidf`` | |
| ``minilm`` | MiniLM sentence embeddings + TF-IDF n-grams, logistic regression | the ``embeddings`` extra |
| ``vectors`` | the pipeline's mean word vector + TF-IDF n-grams, logistic regression | a pipeline with vectors |
| ``tfidf`` | TF-IDF n-grams, logistic regression | the base install |
| ``bow`` | spaCy's bag-of-words ``textcat_multilabel``, trained online | the base install |
| ``ensemble`` | spaCy's default CNN + bag-of-words, trained online | the base install |

A pipeline that already has a text classifier keeps it (the loop then updates
that component) unless a linear architecture is named explicitly.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable, Optional, Sequence, Tuple, Union

from ..errors import InputError
from .embeddings import CachedEmbedder, SentenceEmbedder, TextEmbedder, VectorsEmbedder, has_sentence_transformers, minilm_path
from .features import FeatureConfig, TextFeaturizer
from .linear_textcat import DEFAULT_L2, LinearTextClassifier

__all__ = ["MODEL_ARCHS", "LINEAR_ARCHS", "resolve_arch", "make_text_classifier", "make_embedder"]

logger = logging.getLogger(__name__)

MODEL_ARCHS: Tuple[str, ...] = ("auto", "minilm", "vectors", "tfidf", "bow", "ensemble")
LINEAR_ARCHS: Tuple[str, ...] = ("minilm", "vectors", "tfidf")

Classifier = Union[LinearTextClassifier, Any]


def has_minilm() -> bool:
    return has_sentence_transformers() and minilm_path() is not None


def _has_vectors(nlp: Any) -> bool:
    return nlp is not None and bool(nlp.vocab.vectors.shape[0]) and nlp.vocab.vectors.shape[1] > 0


def resolve_arch(arch: str, nlp: Any = None) -> Tuple[str, Optional[str]]:
    """The architecture ``auto`` stands for here, and a one-line note when it had to fall back."""
    if arch not in MODEL_ARCHS:
        raise InputError(f"Unknown model architecture '{arch}': use one of {', '.join(MODEL_ARCHS)}")
    if arch == "minilm" and not has_minilm():
        raise InputError("--model-arch minilm needs the embeddings extra: pip install 'mentor[embeddings]'")
    if arch == "vectors" and not _has_vectors(nlp):
        raise InputError("--model-arch vectors needs a pipeline with word vectors (e.g. en_core_web_md)")
    if arch != "auto":
        return arch, None
    if has_minilm():
        return "minilm", None
    if _has_vectors(nlp):
        return "vectors", "MiniLM embeddings are not installed: using the pipeline's word vectors + TF-IDF (pip install 'mentor[embeddings]' for the stronger model)"
    return "tfidf", "MiniLM embeddings are not installed: using TF-IDF + logistic regression (pip install 'mentor[embeddings]' for the stronger model)"


def make_embedder(arch: str, nlp: Any = None, cache_path: Optional[Path] = None) -> Optional[TextEmbedder]:
    """The (disk-cached) sentence encoder a linear architecture uses, or None for ``tfidf``."""
    if arch == "minilm":
        return CachedEmbedder(SentenceEmbedder(), path=cache_path)
    if arch == "vectors":
        return CachedEmbedder(VectorsEmbedder(nlp))
    return None


def make_text_classifier(
    labels: Sequence[str],
    arch: str,
    *,
    exclusive: bool = False,
    nlp: Any = None,
    embedder: Optional[TextEmbedder] = None,
    cache_path: Optional[Path] = None,
    l2: float = DEFAULT_L2,
    spacy_factory: Optional[Callable[..., Any]] = None,
    fit_in_background: bool = False,
    recalibrate: bool = True,
) -> Classifier:
    """Build the classifier ``arch`` names (already resolved, not ``auto``).

    The spaCy architectures are built by ``spacy_factory(architecture)`` so this
    module stays free of spaCy pipelines; the linear ones need only ``labels``.
    """
    if arch in ("bow", "ensemble"):
        if spacy_factory is None:
            raise InputError(f"--model-arch {arch} needs a spaCy pipeline")
        return spacy_factory(arch)
    if arch not in LINEAR_ARCHS:
        raise InputError(f"Unknown model architecture '{arch}': use one of {', '.join(MODEL_ARCHS)}")
    if arch != "tfidf" and embedder is None:
        embedder = make_embedder(arch, nlp, cache_path)
    # the embedding weighs as much as the n-grams: davidson-neither (5 seeds, teach F1 at 250 / 500
    # answers) 0.737 / 0.763 at 1.0, 0.724 / 0.762 at 0.7, 0.724 / 0.748 at 2.0 (docs/active-learning.md)
    config = FeatureConfig(dense_weight=0.0 if arch == "tfidf" else 1.0, sparse_weight=1.0)
    return LinearTextClassifier(
        labels, TextFeaturizer(embedder, config), exclusive=exclusive, l2=l2, fit_in_background=fit_in_background,
        recalibrate=recalibrate,
    )
