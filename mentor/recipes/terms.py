"""``terms.teach`` and ``terms.to-patterns``: grow a word list from a few seeds.

``terms.teach`` suggests the words whose vectors are closest to the terms you
accepted and furthest from those you rejected; ``terms.to-patterns`` turns the
accepted terms into a patterns file for ``--patterns`` in the teach recipes,
``match`` or ``gate-model``. The similarity model lives here rather than in
``mentor.models`` because nothing but ``terms.teach`` uses it.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Dict, Iterable, Iterator, List, Optional, Set

import numpy
import srsly
from wasabi import msg

from ..core import Components
from ..db import connect
from ..errors import InputError
from ..models.loading import load_pipeline
from ..registry import Arg, Opt, recipe
from ..tasks import Task, set_hashes, split_string

if TYPE_CHECKING:  # spaCy loads when a recipe runs, not when the command line starts
    from spacy.language import Language

logger = logging.getLogger(__name__)

# the constant of Prodigy's terms.teach: keeps the score low while both similarities are small
SCORE_SMOOTHING = 0.2
DEFAULT_CANDIDATES = 100_000


class NoVectors(InputError):
    """The pipeline given to terms.teach has no word vectors to compare terms with."""

    code = "M027"


class TermSimilarity:
    """Score candidate terms by vector similarity to the accepted and rejected terms.

    ``score = accept_sim / (accept_sim + reject_sim + 0.2)``, where ``accept_sim``
    and ``reject_sim`` are the cosine similarities (floored at 0) of a term to the
    mean vector of the accepted and of the rejected terms. Candidates are the
    lower-case alphabetic words of the vectors table, the first ``max_candidates``
    rows (tables list frequent words first). Raises :class:`NoVectors` when the
    pipeline has no vectors table with a word list.
    """

    def __init__(self, nlp: Language, *, max_candidates: int = DEFAULT_CANDIDATES) -> None:
        vectors = nlp.vocab.vectors
        if vectors.mode == "floret":
            raise NoVectors("terms.teach needs a vectors table with a word list; floret vectors have none")
        if vectors.size == 0 or not len(vectors.key2row):
            raise NoVectors(
                "The pipeline has no word vectors, so terms.teach can't find similar terms: use a pipeline "
                "with vectors (e.g. one made with 'spacy init vectors', or en_core_web_lg)"
            )
        self.nlp = nlp
        strings = nlp.vocab.strings
        rows: Dict[int, str] = {}
        for key, row in vectors.key2row.items():
            if key not in strings:
                continue
            text = strings[key]
            if text.isalpha() and text.islower() and row not in rows:
                rows[row] = text
        chosen = sorted(rows)[:max_candidates]
        self.terms: List[str] = [rows[row] for row in chosen]
        self._index = {term: i for i, term in enumerate(self.terms)}
        matrix = numpy.asarray(vectors.data[chosen], dtype="float32")
        norms = numpy.linalg.norm(matrix, axis=1, keepdims=True)
        self._matrix = matrix / numpy.where(norms == 0, 1.0, norms)
        self.accepted: Dict[str, numpy.ndarray] = {}
        self.rejected: Dict[str, numpy.ndarray] = {}
        self.seen: Set[str] = set()
        self.version = 0

    def vector(self, term: str) -> Optional[numpy.ndarray]:
        """The term's vector (the mean of its tokens' for a phrase), or None if it has none."""
        vocab = self.nlp.vocab
        if vocab.has_vector(term):
            vector: numpy.ndarray = numpy.asarray(vocab.get_vector(term), dtype="float32")
            return vector
        tokens = [t for t in self.nlp.make_doc(term) if t.has_vector]
        if not tokens:
            return None
        mean: numpy.ndarray = numpy.mean([numpy.asarray(t.vector, dtype="float32") for t in tokens], axis=0)
        return mean

    def add(self, term: str, accept: bool) -> bool:
        """Count an accepted or rejected term; False if it has no vector (it is still never asked)."""
        self.seen.add(term)
        vector = self.vector(term)
        if vector is None:
            return False
        (self.accepted if accept else self.rejected)[term] = vector
        self.version += 1
        return True

    def scores(self) -> numpy.ndarray:
        """The current score of every candidate, in the order of :attr:`terms`."""
        accept = self._similarity(self.accepted)
        reject = self._similarity(self.rejected)
        scores: numpy.ndarray = accept / (accept + reject + SCORE_SMOOTHING)
        return scores

    def _similarity(self, terms: Dict[str, numpy.ndarray]) -> numpy.ndarray:
        if not terms:
            return numpy.zeros(len(self.terms), dtype="float32")
        mean = numpy.mean(list(terms.values()), axis=0)
        norm = numpy.linalg.norm(mean)
        if norm == 0:
            return numpy.zeros(len(self.terms), dtype="float32")
        similarity: numpy.ndarray = numpy.maximum(self._matrix @ (mean / norm), 0.0)
        return similarity

    def __call__(self) -> Iterator[Task]:
        """Yield the best unseen candidate, lazily, re-scoring whenever the term sets changed."""
        asked = numpy.zeros(len(self.terms), dtype=bool)
        scores: Optional[numpy.ndarray] = None
        version = -1
        while True:
            if version != self.version or scores is None:
                version = self.version
                scores = self.scores()
                for term in self.seen:
                    if term in self._index:
                        asked[self._index[term]] = True
            masked = numpy.where(asked, -1.0, scores)
            best = int(numpy.argmax(masked)) if len(masked) else -1
            if best < 0 or masked[best] < 0:
                return
            asked[best] = True
            term = self.terms[best]
            self.seen.add(term)
            score = float(scores[best])
            yield set_hashes({"text": term, "score": score, "meta": {"score": round(score, 3)}})

    def update(self, answers: Iterable[Task]) -> None:
        """Add accepted and rejected terms; ignored answers change nothing."""
        for answer in answers:
            if answer.get("answer") in ("accept", "reject") and isinstance(answer.get("text"), str):
                self.add(answer["text"], answer["answer"] == "accept")


@recipe("terms.teach", group="annotation")
def terms_teach(
    dataset: Annotated[str, Arg(help="Dataset to save the accepted and rejected terms to")],
    vectors: Annotated[str, Arg(help="Pipeline with word vectors (name or path)")],
    seeds: Annotated[str, Opt("--seeds", "-o", help="Comma-separated seed terms")],
    candidates: Annotated[int, Opt("--candidates", "-n", help="Most frequent words of the vectors table to consider")] = DEFAULT_CANDIDATES,
) -> Components:
    """Accept or reject words similar to your seed terms, to build a terminology list.

    Each answer moves the suggestions: accepted terms pull similar words up,
    rejected ones push them down, and the candidates are re-scored after every
    batch. The seeds are stored as accepted; terms already in the dataset count
    when you restart. Turn the result into patterns with terms.to-patterns.
    """
    seed_terms = split_string(seeds)
    if not seed_terms:
        raise InputError("terms.teach needs seed terms: --seeds aspirin,ibuprofen")
    if candidates < 1:
        raise InputError(f"--candidates must be at least 1, got {candidates}")
    model = TermSimilarity(load_pipeline(vectors), max_candidates=candidates)
    without_vector = [term for term in seed_terms if not model.add(term, accept=True)]
    if len(without_vector) == len(seed_terms):
        raise NoVectors(f"None of the seed terms has a vector in '{vectors}': {', '.join(seed_terms)}")
    if without_vector:
        logger.warning("Seed terms without a vector don't steer the suggestions: %s", ", ".join(without_vector))
    seed_tasks = [set_hashes({"text": term, "answer": "accept", "meta": {"seed": True}}) for term in seed_terms]

    def on_load(controller: object) -> None:
        """Store the seeds as accepted terms, and count the terms answered in earlier sessions."""
        db = getattr(controller, "db", None)
        if db is None:
            return
        if dataset in db:
            model.update(db.get_dataset_examples(dataset))
        db.add_dataset(dataset)
        db.add_examples(seed_tasks, datasets=[dataset])

    def update(answers: List[Task]) -> None:
        model.update(answers)

    return Components(
        dataset=dataset,
        view_id="text",
        stream=model(),
        update=update,
        on_load=on_load,
        config={"exclude_by": "input"},
    )


@recipe("terms.to-patterns", group="utilities")
def terms_to_patterns(
    dataset: Annotated[str, Arg(help="Dataset of terms (from terms.teach)")],
    output: Annotated[Path, Arg(help="Patterns JSONL file to write")],
    label: Annotated[str, Opt("--label", "-l", help="Label of the patterns")],
    spacy_model: Annotated[str, Opt("--spacy-model", "-m", help="Pipeline whose tokenizer splits the terms")] = "blank:en",
    case_sensitive: Annotated[bool, Opt("--case-sensitive", "-CS", help="Match the terms' exact case")] = False,
) -> None:
    """Turn the accepted terms of a dataset into match patterns (JSONL)."""
    if not label.strip():
        raise InputError("terms.to-patterns needs a label: --label DRUG")
    nlp = load_pipeline(spacy_model)
    accepted = connect().get_dataset_examples(dataset, answer="accept")  # raises DatasetNotFound at once
    count = write_patterns(term_patterns(nlp, accepted, label, case_sensitive=case_sensitive), output)
    msg.good(f"Wrote {count} '{label}' patterns from '{dataset}' to {output}")


def term_patterns(
    nlp: Language, answers: Iterable[Task], label: str, *, case_sensitive: bool = False
) -> Iterator[Dict[str, object]]:
    """Lazily make one token pattern per distinct accepted term (``lower`` or, case-sensitive, ``orth``).

    Terms are split with ``nlp``'s tokenizer, so "vitamin c" matches the two
    tokens the texts will have. Empty terms are skipped.
    """
    attr = "orth" if case_sensitive else "lower"
    seen: Set[str] = set()
    for answer in answers:
        text = answer.get("text")
        if not isinstance(text, str) or not text.strip():
            continue
        key = text.strip() if case_sensitive else text.strip().lower()
        if key in seen:
            continue
        seen.add(key)
        words = [t.text if case_sensitive else t.lower_ for t in nlp.make_doc(text.strip()) if not t.is_space]
        yield {"label": label, "pattern": [{attr: word} for word in words]}


def write_patterns(patterns: Iterable[Dict[str, object]], output: Path) -> int:
    """Write patterns to JSONL as they come; the file appears whole or not at all. Return the count."""
    output.parent.mkdir(parents=True, exist_ok=True)
    part = output.with_name(output.name + ".part")
    count = 0
    with part.open("w", encoding="utf8") as handle:
        for pattern in patterns:
            handle.write(srsly.json_dumps(pattern) + "\n")
            count += 1
    part.replace(output)
    return count
