"""Text features for a linear model in the loop: sentence embeddings beside TF-IDF n-grams.

Neither kind is enough alone. A frozen sentence embedding generalises from a
handful of answers (paraphrases land close together) but tops out early: it
cannot tell apart texts that differ by one telling word. Sparse word n-grams
with TF-IDF weights learn slowly but keep improving with data. Measured on five
corpora (docs/active-learning.md), one linear model over both, each block
L2-normalised and weighted, scores at least as well as the better of the two
at every data size.

The n-grams are hashed (no vocabulary to grow without bound on a stream of
millions of texts). The IDF weights come from every text the featurizer has
seen so far, which for the teach loop is the stream read ahead into the pool:
the weights settle within the first few hundred texts.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import numpy
from scipy import sparse

from .embeddings import TextEmbedder

__all__ = ["NgramHasher", "FeatureConfig", "TextFeaturizer", "RawFeatures", "FeatureStore", "N_HASH_FEATURES"]

N_HASH_FEATURES = 2 ** 20


class NgramHasher:
    """Counts of word uni- and bigrams per text, hashed into ``n_features`` columns (CSR rows).

    Kept separate from the IDF weighting so stored rows can be re-weighted when
    the document frequencies move.
    """

    def __init__(self, ngram_range: tuple = (1, 2), n_features: int = N_HASH_FEATURES) -> None:
        from sklearn.feature_extraction.text import HashingVectorizer

        self.n_features = n_features
        self._vectorizer = HashingVectorizer(
            n_features=n_features, ngram_range=ngram_range, alternate_sign=False, norm=None,
            lowercase=True, token_pattern=r"(?u)\b\w+\b|[^\w\s]",
        )

    def counts(self, texts: Sequence[str]) -> sparse.csr_matrix:
        matrix = self._vectorizer.transform(list(texts))
        return sparse.csr_matrix(matrix, dtype="float32")


@dataclass
class FeatureConfig:
    """How much each block weighs in the linear model's input (0 leaves a block out)."""

    dense_weight: float = 1.0
    sparse_weight: float = 1.0
    sublinear_tf: bool = True
    idf: bool = True


class TextFeaturizer:
    """Texts in, one CSR row per text out: ``[dense_weight * embedding | sparse_weight * tf-idf]``.

    ``embedder`` may be None (sparse only). Call :meth:`observe` on texts as
    they stream past to update the document frequencies.
    """

    def __init__(self, embedder: Optional[TextEmbedder], config: Optional[FeatureConfig] = None) -> None:
        self.config = config or FeatureConfig()
        self.embedder = embedder if self.config.dense_weight > 0 else None
        self.hasher = NgramHasher() if self.config.sparse_weight > 0 else None
        self._df = numpy.zeros(self.hasher.n_features if self.hasher else 0, dtype="float64")
        self._n_docs = 0
        self._seen: set = set()
        self._lock = threading.Lock()

    @property
    def n_sparse(self) -> int:
        return self.hasher.n_features if self.hasher else 0

    def observe(self, texts: Sequence[str], counts: Optional[sparse.csr_matrix] = None) -> None:
        """Count the texts (once each) towards the document frequencies."""
        if self.hasher is None or not self.config.idf:
            return
        with self._lock:
            # texts are remembered by their hash (a stream of millions must not be kept whole)
            new = [i for i, text in enumerate(texts) if hash(text) not in self._seen]
            if not new:
                return
            self._seen.update(hash(texts[i]) for i in new)
            rows = counts[new] if counts is not None else self.hasher.counts([texts[i] for i in new])
            present = rows.copy()
            present.data[:] = 1.0
            self._df += numpy.asarray(present.sum(axis=0)).ravel()
            self._n_docs += len(new)

    def idf(self) -> numpy.ndarray:
        """Smoothed IDF per hashed column (1.0 everywhere before any text was seen)."""
        return numpy.log((1.0 + self._n_docs) / (1.0 + self._df)) + 1.0

    def weight_counts(self, counts: sparse.csr_matrix) -> sparse.csr_matrix:
        """TF-IDF rows from raw counts, L2-normalised, times the sparse weight."""
        rows = counts.copy()
        if self.config.sublinear_tf:
            rows.data = 1.0 + numpy.log(rows.data)
        if self.config.idf and self._n_docs:
            df = self._df[rows.indices]
            rows.data *= (numpy.log((1.0 + self._n_docs) / (1.0 + df)) + 1.0).astype("float32")
        lengths = numpy.diff(rows.indptr)
        row_of = numpy.repeat(numpy.arange(rows.shape[0]), lengths)
        norms = numpy.sqrt(numpy.bincount(row_of, weights=rows.data * rows.data, minlength=rows.shape[0]))
        norms[norms == 0] = 1.0
        rows.data *= numpy.repeat(self.config.sparse_weight / norms, lengths).astype("float32")
        return rows

    def raw(self, texts: Sequence[str]) -> "RawFeatures":
        """Embeddings and raw n-gram counts; counts the texts towards the IDF. Cheap to keep."""
        dense = self.embedder.embed(texts) if self.embedder is not None else None
        counts = self.hasher.counts(texts) if self.hasher is not None else None
        if counts is not None:
            self.observe(texts, counts)
        return RawFeatures(dense, counts)

    def rows(self, raw: "RawFeatures") -> sparse.csr_matrix:
        """The model's input rows: CSR with the weighted dense block first, then TF-IDF."""
        blocks = []
        if raw.dense is not None:
            blocks.append(sparse.csr_matrix(raw.dense * self.config.dense_weight, dtype="float32"))
        if raw.counts is not None:
            blocks.append(self.weight_counts(raw.counts))
        return sparse.hstack(blocks, format="csr", dtype="float32")

    def __call__(self, texts: Sequence[str]) -> sparse.csr_matrix:
        return self.rows(self.raw(texts))


@dataclass
class RawFeatures:
    """Unweighted features of some texts, in order: embeddings (n, dim) and hashed counts (n, 2**20)."""

    dense: Optional[numpy.ndarray]
    counts: Optional[sparse.csr_matrix]

    def __len__(self) -> int:
        block = self.dense if self.dense is not None else self.counts
        return 0 if block is None else block.shape[0]

    def take(self, index: Sequence[int]) -> "RawFeatures":
        return RawFeatures(
            self.dense[list(index)] if self.dense is not None else None,
            self.counts[list(index)] if self.counts is not None else None,
        )

    @staticmethod
    def stack(parts: Sequence["RawFeatures"]) -> "RawFeatures":
        dense = [p.dense for p in parts if p.dense is not None]
        counts = [p.counts for p in parts if p.counts is not None]
        return RawFeatures(
            numpy.vstack(dense) if dense else None,
            sparse.vstack(counts, format="csr") if counts else None,
        )


class FeatureStore:
    """Raw features of recently seen texts, so re-scoring a pool never re-computes them.

    The teach loop scores the same pooled texts after every update; hashing and
    looking up embeddings again each time would cost more than the model. New
    texts are kept as a block of their own (copying everything on each batch of
    a long stream would cost more than the features) and the blocks are merged
    once there are ``max_blocks`` of them. Past ``capacity`` texts the store
    starts afresh (a stream of millions of texts must not grow it without bound).
    """

    def __init__(self, featurizer: TextFeaturizer, capacity: int = 100_000, max_blocks: int = 32) -> None:
        self.featurizer = featurizer
        self.capacity = capacity
        self.max_blocks = max_blocks
        self._lock = threading.RLock()
        self._clear()

    def _clear(self) -> None:
        self._index: Dict[str, Tuple[int, int]] = {}  # text -> (block, row in it)
        self._blocks: List[RawFeatures] = []

    def __len__(self) -> int:
        return len(self._index)

    def get(self, texts: Sequence[str]) -> RawFeatures:
        with self._lock:
            missing = [text for text in dict.fromkeys(texts) if text not in self._index]
            if len(self._index) + len(missing) > self.capacity:
                self._clear()
                missing = list(dict.fromkeys(texts))
            if missing:
                if len(self._blocks) >= self.max_blocks:
                    self._merge()
                block = len(self._blocks)
                self._blocks.append(self.featurizer.raw(missing))
                self._index.update((text, (block, row)) for row, text in enumerate(missing))
            where = [self._index[text] for text in texts]
            blocks = sorted({block for block, _ in where})
            if len(blocks) == 1:
                return self._blocks[blocks[0]].take([row for _, row in where])
            # gather block by block, then put the rows back in the order asked for
            order = sorted(range(len(where)), key=lambda i: where[i])
            parts = [
                self._blocks[b].take([where[i][1] for i in order if where[i][0] == b]) for b in blocks
            ]
            back = [0] * len(order)
            for position, i in enumerate(order):
                back[i] = position
            return RawFeatures.stack(parts).take(back)

    def _merge(self) -> None:
        offsets, total = [], 0
        for block in self._blocks:
            offsets.append(total)
            total += len(block)
        merged = RawFeatures.stack(self._blocks)
        self._index = {text: (0, offsets[block] + row) for text, (block, row) in self._index.items()}
        self._blocks = [merged]
