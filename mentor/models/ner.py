"""A spaCy entity recognizer in the annotation loop.

For ``ner.teach`` the recognizer proposes spans with beam search: each sentence
is parsed ``beam_width`` ways (16 by default), the parses' probabilities are
normalised, and a candidate ``(start, end, label)`` scores the summed
probability of the parses that contain it (spaCy's ``scored_ents``), so a span
every parse agrees on scores 1.0. Each candidate becomes one yes/no question.

Binary answers train with partial annotation: an accepted span is a gold
entity, a rejected span goes to the ``incorrect_spans`` span group (spaCy's
negative examples, ``incorrect_spans_key``). The rest of the sentence is
completed by the model itself, as ``mentor train``'s silver rounds do: its
confident parses that agree with the answers are entities, and every other
token stays *missing* (a "no" to one span says nothing about the rest).
Trained on the answers alone, mostly "no", the recognizer learnt to propose
nothing. A recognizer that was already trained updates with a smaller
learning rate (``TRAINED_LEARN_RATE``).

For ``ner.correct`` the model's ``doc.ents`` pre-fill the manual view, and
corrected answers train as complete annotation (tokens outside the spans are
"outside") when the task's labels cover all the component's labels.
"""
from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from contextlib import contextmanager
from itertools import islice
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, cast

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.util import filter_spans, fix_random_seed

from ..errors import InputError
from ..preprocess import doc_to_tokens, rehash_task, span_to_dict
from ..tasks import Task, set_hashes
from .doc_cache import DocCache
from .protocols import ScoredTask
from .rehearsal import Rehearsal
from .silver_annotation import silver_doc

__all__ = ["EntityRecognizer", "NER_FACTORIES", "INCORRECT_SPANS_KEY", "DEFAULT_REHEARSE"]

logger = logging.getLogger(__name__)

NER_FACTORIES = ("beam_ner", "ner")
SHARED_FACTORIES = ("tok2vec", "transformer")
INCORRECT_SPANS_KEY = "incorrect_spans"
SpanKey = Tuple[int, int, str]  # token start, token end (exclusive), label
# Adam's first steps move every weight by about the learning rate: spaCy's 0.001 took a trained
# recognizer from F1 0.52 to 0.36 in ten updates of ten answers; at 0.0001 it rose to 0.55.
TRAINED_LEARN_RATE = 0.0001
# earlier answered sentences trained again with each update of binary answers. Without them the
# recognizer drifted as the answers came (`mentor simulate --ner`, CoNLL-2003, 200 gold sentences
# first, F1 0.520, teach, 2 seeds: 0.555 at 400 answers, 0.471 at 1,000); rehearsing 10 / 20 / 40
# earlier ones: 0.569 / 0.581 / 0.578 at 400, 0.550 / 0.574 / 0.528 at 1,000; random order 0.348
# -> 0.424 at 1,000 with 20 (3 seeds, later: teach 0.519 without, 0.539 with 20, at 1,000). They
# train in the background after the update (models/rehearsal.py)
DEFAULT_REHEARSE = 20


class EntityRecognizer:
    """Propose entity candidates with beam search and learn from the answers.

    nlp: a loaded pipeline. If it has no ``ner``/``beam_ner`` component, a
        ``beam_ner`` is added (``labels`` are then required) and initialised.
    labels: the labels to ask about (default: the component's).
    component: the component's name (default: the first entity recognizer).
    beam_width / beam_density: the beam search behind the candidates.
    uncertain / confident: how the beam completes answered sentences before they train
        (a parse this probable keeps its tokens missing / becomes an entity).
    min_score: candidates scoring below this are not asked about.
    seed: fixes the initial weights of a new component.
    rehearse: after each update of binary answers, train this many earlier answered
        sentences again (a uniform sample of them, as completed then; 0: off), so the
        model does not drift with the latest batches (:data:`DEFAULT_REHEARSE`).
    background_rehearsal: train them in a background thread, between the annotator's
        batches (the default), or before ``update`` returns (replays, tests).

    Raises InputError when there are no labels to ask about, or ``component``
    names a component that is no entity recognizer.
    """

    def __init__(
        self,
        nlp: Language,
        labels: Optional[Sequence[str]] = None,
        *,
        component: Optional[str] = None,
        beam_width: int = 16,
        beam_density: float = 0.0001,
        min_score: float = 0.0,
        batch_size: int = 32,
        cache_size: int = 4096,
        learn_rate: Optional[float] = None,
        seed: Optional[int] = None,
        uncertain: float = 0.0001,
        confident: float = 0.9,
        rehearse: int = DEFAULT_REHEARSE,
        background_rehearsal: bool = True,
    ) -> None:
        self.nlp = nlp
        self.rehearsal: Rehearsal[Example] = Rehearsal(
            self._train, rehearse, background=background_rehearsal, seed=seed,
        )
        self.uncertain = uncertain
        self.confident = confident
        self.beam_width = beam_width
        self.beam_density = beam_density
        self.min_score = min_score
        self.batch_size = batch_size
        self._lock = threading.RLock()
        if seed is not None:
            fix_random_seed(seed)
        name = component or self.find_component(nlp)
        added = name is None or name not in nlp.pipe_names
        if added:
            if not labels:
                raise InputError("The pipeline has no entity recognizer: pass --label to start a new one")
            name = name or "ner"
            nlp.add_pipe("beam_ner", name=name, config={
                "beam_width": beam_width, "beam_density": beam_density,
                "incorrect_spans_key": INCORRECT_SPANS_KEY,
            })
        assert name is not None
        factory = nlp.get_pipe_meta(name).factory
        if factory not in NER_FACTORIES:
            raise InputError(f"Component '{name}' is a '{factory}', not an entity recognizer")
        self.name = name
        self.pipe: Any = cast(Any, nlp.get_pipe(name))
        self.neg_key = self.pipe.cfg.get("incorrect_spans_key") or INCORRECT_SPANS_KEY
        if not self.pipe.cfg.get("incorrect_spans_key"):
            # a pipeline trained without negative examples learns from rejections from now on
            self.pipe.cfg["incorrect_spans_key"] = self.neg_key
            self.pipe.moves.cfg["neg_key"] = self.neg_key
        new_labels = [label for label in labels or [] if label not in self.pipe.labels]
        for label in new_labels:
            self.pipe.add_label(label)
        self.labels: List[str] = list(labels) if labels else list(self.pipe.labels)
        if not self.labels:
            raise InputError(f"Component '{name}' has no labels: pass --label")
        names = nlp.pipe_names
        self._before = [
            n for n in names[: names.index(name)] if nlp.get_pipe_meta(n).factory in SHARED_FACTORIES
        ]
        self._frozen = [n for n in names if n != name and n not in self._before]
        self._doc_cache = DocCache(nlp, 0 if self._before else cache_size, self._frozen + [name])
        # each text's candidates when the model last parsed it: an answer's sentence was parsed
        # to ask the question, so completing the answer costs no second beam parse
        self._last_scores: "OrderedDict[str, Dict[SpanKey, float]]" = OrderedDict()
        self._last_scores_size = cache_size
        if added:
            self._optimizer = self._initialize(only_new=len(names) > 1)
        else:
            self._optimizer = nlp.create_optimizer()
        if learn_rate is not None:
            self._optimizer.learn_rate = learn_rate
        elif not added and not new_labels:
            self.settle()

    def settle(self) -> None:
        """Take small steps from now on: the component holds a trained model (a new one learns at spaCy's rate)."""
        self._optimizer.learn_rate = TRAINED_LEARN_RATE

    @staticmethod
    def find_component(nlp: Language) -> Optional[str]:
        """The name of the pipeline's first entity recognizer, or None."""
        for name in nlp.pipe_names:
            if nlp.get_pipe_meta(name).factory in NER_FACTORIES:
                return name
        return None

    def _initialize(self, *, only_new: bool) -> Any:
        sample = self.nlp.make_doc("sample text")

        def get_examples() -> List[Example]:
            return [Example(sample, sample.copy())]

        if only_new:
            self.pipe.initialize(get_examples, nlp=self.nlp)
            return self.nlp.create_optimizer()
        return self.nlp.initialize(get_examples)

    # ---- docs ----------------------------------------------------------------------------

    def _docs(self, texts: Sequence[str]) -> List[Doc]:
        """Docs ready for our component: tokenized, and through the layers it listens to."""
        return self._doc_cache(texts)

    def beam_scores(self, texts: Sequence[str]) -> List[Dict[SpanKey, float]]:
        """For each text, every candidate entity in the beam with its summed probability."""
        if not texts:
            return []
        with self._lock:
            return self._beam_scores(self._docs(texts))

    @contextmanager
    def _serving(self) -> Iterator[None]:
        """The model's lock, for work the annotator waits on: the background rehearsal holds back."""
        self.rehearsal.touch()
        with self._lock:
            yield

    def _beam_scores(self, docs: List[Doc]) -> List[Dict[SpanKey, float]]:
        with self._serving():
            beams = self.pipe.beam_parse(docs, beam_width=self.beam_width, beam_density=self.beam_density)
            found = [dict(scores) for scores in self.pipe.scored_ents(beams)]
            for doc, scores in zip(docs, found):
                self._last_scores[doc.text] = scores
                self._last_scores.move_to_end(doc.text)
            while len(self._last_scores) > self._last_scores_size:
                self._last_scores.popitem(last=False)
            return found

    def _latest_scores(self, docs: List[Doc]) -> List[Dict[SpanKey, float]]:
        """Each doc's candidates from the model's last parse of it, parsing those it never saw."""
        with self._lock:
            unseen = [doc for doc in docs if doc.text not in self._last_scores]
            if unseen:
                self._beam_scores(unseen)
            return [self._last_scores.get(doc.text, {}) for doc in docs]

    # ---- teach: candidates -----------------------------------------------------------------

    def __call__(self, stream: Iterable[Task]) -> Iterator[ScoredTask]:
        """Yield one ``(score, question)`` per candidate span, lazily, a batch of texts at a time.

        Each question is a copy of the task with ``tokens``, one span (with its
        score), ``meta.score`` and a new ``_task_hash``.
        """
        wanted = set(self.labels)
        tasks = iter(stream)
        while True:
            batch = list(islice(tasks, self.batch_size))
            if not batch:
                return
            docs = self._docs([task["text"] for task in batch])
            all_scores = self._beam_scores(docs)
            for task, doc, scores in zip(batch, docs, all_scores):
                tokens = doc_to_tokens(doc)
                for (start, end, label), score in sorted(scores.items()):
                    if label not in wanted or score < self.min_score:
                        continue
                    question = dict(task)
                    question["tokens"] = tokens
                    question["spans"] = [span_to_dict(Span(doc, start, end, label=label), score=score)]
                    question["score"] = score
                    question["meta"] = {**(task.get("meta") or {}), "score": round(score, 3)}
                    yield score, rehash_task(question)

    def score_tasks(self, tasks: Sequence[Task]) -> List[float]:
        """The current probability of each question's span (0 if the beam dropped it)."""
        texts = list(dict.fromkeys(task["text"] for task in tasks))
        by_text = dict(zip(texts, self.beam_scores(texts)))
        result = []
        for task in tasks:
            spans = task.get("spans") or []
            scores = by_text[task["text"]]
            keys = [(s.get("token_start"), (s.get("token_end") or 0) + 1, s.get("label")) for s in spans]
            result.append(max((scores.get(key, 0.0) for key in keys), default=0.0))  # type: ignore[arg-type]
        return result

    # ---- pre-annotation (ner.correct) -------------------------------------------------------

    def annotate(self, stream: Iterable[Task]) -> Iterator[Task]:
        """Yield each task with ``tokens`` and the model's entities as ``spans``, rehashed."""
        wanted = set(self.labels)
        tasks = iter(stream)
        disable = list(self._frozen)
        while True:
            batch = list(islice(tasks, self.batch_size))
            if not batch:
                return
            with self._serving():
                docs = list(self.nlp.pipe([task["text"] for task in batch], disable=disable))
            for task, doc in zip(batch, docs):
                made = dict(task)
                made["tokens"] = doc_to_tokens(doc)
                made["spans"] = [span_to_dict(ent) for ent in doc.ents if ent.label_ in wanted]
                yield rehash_task(made)

    # ---- the best analysis consistent with answers (ner.silver-to-gold) ---------------------

    def make_best(self, answers: Iterable[Task]) -> Iterator[Task]:
        """One task a text: its accepted spans and the most probable beam parse that agrees with its answers.

        Answers are grouped by text; a span's own ``answer`` (as merged spans
        carry) wins over its task's. Of the beam's parses, the most probable
        one with no rejected span and none crossing an accepted span gives the
        other entities (of ``labels``). Yields ``text``, ``tokens``, ``spans``
        and the first answer's ``meta``, freshly hashed, for manual correction.
        """
        grouped: "OrderedDict[str, Tuple[Task, List[Dict[str, Any]], List[Dict[str, Any]]]]" = OrderedDict()
        for answer in answers:
            text = answer.get("text")
            if not isinstance(text, str):
                continue
            _first, good, bad = grouped.setdefault(text, (answer, [], []))
            for span in answer.get("spans") or []:
                decision = span.get("answer", answer.get("answer")) if isinstance(span, dict) else None
                if decision == "accept":
                    good.append(span)
                elif decision == "reject":
                    bad.append(span)
        texts = list(grouped)
        for start in range(0, len(texts), self.batch_size):
            batch = texts[start : start + self.batch_size]
            with self._serving():
                docs = self._docs(batch)
                beams = self.pipe.beam_parse(docs, beam_width=self.beam_width, beam_density=self.beam_density)
                parses = [sorted(self.pipe.moves.get_beam_parses(beam), key=lambda p: -p[0]) for beam in beams]
            for text, doc, doc_parses in zip(batch, docs, parses):
                first, good, bad = grouped[text]
                yield self._best_task(first, doc, good, bad, doc_parses)

    def _best_task(
        self, first: Task, doc: Doc, good: List[Dict[str, Any]], bad: List[Dict[str, Any]],
        parses: List[Tuple[float, List[SpanKey]]],
    ) -> Task:
        accepted = filter_spans([s for s in (self._span(doc, d) for d in good) if s is not None])
        rejected = {(s.start, s.end, s.label_) for s in (self._span(doc, d) for d in bad) if s is not None}
        taken = {i for s in accepted for i in range(s.start, s.end)}
        wanted = set(self.labels)
        entities = list(accepted)
        for _prob, parse in parses:
            if any((s, e, label) in rejected for s, e, label in parse):
                continue
            if any(any(i in taken for i in range(s, e)) and not any(
                (a.start, a.end) == (s, e) for a in accepted) for s, e, _label in parse):
                continue
            entities += [Span(doc, s, e, label=label) for s, e, label in parse
                         if label in wanted and not any(i in taken for i in range(s, e))]
            break
        task: Task = {"text": doc.text, "tokens": doc_to_tokens(doc),
                      "spans": [span_to_dict(span) for span in sorted(entities, key=lambda s: s.start)]}
        if first.get("meta"):
            task["meta"] = first["meta"]
        return set_hashes(task, overwrite=True)

    # ---- learning ----------------------------------------------------------------------------

    def _span(self, doc: Doc, span: Dict[str, Any]) -> Optional[Span]:
        label = span.get("label")
        if not isinstance(label, str):
            return None
        start, end = span.get("token_start"), span.get("token_end")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start <= end < len(doc):
            return Span(doc, start, end + 1, label=label)
        if isinstance(span.get("start"), int) and isinstance(span.get("end"), int):
            return doc.char_span(span["start"], span["end"], label=label)
        return None

    def _examples(self, answers: Iterable[Task], *, complete: bool) -> List[Example]:
        """One Example per text, merging every answer about it.

        complete=False (binary answers): accepted spans are entities, rejected
        single spans are negative examples, all else missing. complete=True
        (manual answers): the accepted spans are all the entities.
        """
        merged: "OrderedDict[str, Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]]" = OrderedDict()
        for answer in answers:
            decision, text = answer.get("answer"), answer.get("text")
            if decision not in ("accept", "reject") or not isinstance(text, str):
                continue
            spans = [s for s in answer.get("spans") or [] if isinstance(s, dict)]
            good, bad = merged.setdefault(text, ([], []))
            if decision == "accept":
                good.extend(spans)
            elif not complete and len(spans) == 1:
                bad.extend(spans)  # a "no" to several spans at once doesn't say which is wrong
        if not merged:
            return []
        texts = list(merged)
        examples = []
        for text, predicted in zip(texts, self._docs(texts)):
            good, bad = merged[text]
            if complete and not good and not self._covers_all_labels():
                continue
            reference = self.nlp.make_doc(text)
            entities = filter_spans([s for s in (self._span(reference, d) for d in good) if s is not None])
            default = "outside" if complete and self._covers_all_labels() else "missing"
            reference.set_ents(entities, default=default)
            accepted = {(s.start, s.end, s.label_) for s in entities}
            negatives = [
                s for s in (self._span(reference, d) for d in bad)
                if s is not None and (s.start, s.end, s.label_) not in accepted
            ]
            if negatives:
                reference.spans[self.neg_key] = negatives
            if not entities and not negatives and default == "missing":
                continue
            examples.append(Example(predicted, reference))
        return examples

    def _covers_all_labels(self) -> bool:
        return set(self.pipe.labels) <= set(self.labels)

    def _train(self, examples: List[Example]) -> Optional[float]:
        if not examples:
            return None
        losses: Dict[str, float] = {}
        with self._lock:
            try:
                self.nlp.update(examples, sgd=self._optimizer, losses=losses, exclude=self._frozen)
            except AssertionError:
                # thinc's Beam.advance refuses some batches (an accepted span and a rejected one
                # ending on the same token); one example at a time, the others still train
                self._train_one_by_one(examples, losses)
        return float(losses.get(self.name, 0.0))

    def _train_one_by_one(self, examples: List[Example], losses: Dict[str, float]) -> None:
        dropped = 0
        for example in examples:
            try:
                self.nlp.update([example], sgd=self._optimizer, losses=losses, exclude=self._frozen)
            except AssertionError:
                dropped += 1
        if dropped:
            logger.warning("spaCy's beam update refused %d of %d answered texts; the others trained", dropped, len(examples))

    def update(self, answers: List[Task]) -> Optional[float]:
        """Train on binary answers, completed by the model's own beam (``_complete``).

        Then earlier answers are rehearsed (``rehearsal``), in the background
        unless ``background_rehearsal`` is off. Returns the loss on these answers,
        or None when no answer could train (ignores only).
        """
        self.rehearsal.touch()
        examples = self._complete(self._examples(answers, complete=False))
        loss = self._train(examples)
        self.rehearsal.after(examples)
        return loss

    def _complete(self, examples: List[Example]) -> List[Example]:
        """Each answered sentence with the model's own confident entities that agree with its answers.

        Accepted spans are entities and rejected ones negative examples, as
        answered; the model's parses with probability >= ``confident`` that
        agree with the answers (not rejected, not overlapping an accepted span)
        become entities too, and every other token stays missing
        (models/silver_annotation.py). Trained on the answers alone, most of
        them "no", the recognizer learnt to propose nothing (`mentor simulate
        --ner`, CoNLL after 200 gold sentences: F1 0.52 fell to 0.19 over 1,000
        answers). Marking the tokens no parse considers "outside" as well, as
        ``mentor train``'s silver rounds do offline, made it worse online: the
        entities the model missed were taught as outside, over and over.
        """
        if not examples:
            return examples
        candidates = self._latest_scores([eg.predicted for eg in examples])
        return [
            Example(eg.predicted, silver_doc(
                eg.reference, found, uncertain=self.uncertain, confident=self.confident, outside=False,
                incorrect_spans_key=self.neg_key,
            ))
            for eg, found in zip(examples, candidates)
        ]

    def update_corrections(self, answers: List[Task]) -> Optional[float]:
        """Train on accepted manual answers, their spans being all the entities."""
        self.rehearsal.touch()
        return self._train(self._examples(answers, complete=True))
