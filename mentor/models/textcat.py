"""A spaCy text classifier in the annotation loop.

``TextClassifier`` wraps a ``textcat_multilabel`` (independent labels, what binary
teach questions need) or ``textcat`` (exclusive classes) component. It asks one
question per text and label, and learns from accept/reject answers: an answer
sets only its own label to 1.0 or 0.0 and leaves the other labels *missing*,
which spaCy's textcat loss skips, so "not SPORTS" never means "not POLITICS".
Ignored answers never train.

Default architecture: spaCy's bag-of-words (``TextCatBOW.v3``, unigrams and
bigrams). It is linear, so it updates in a few milliseconds and stays sensible
from the first handful of answers; the loop must keep up with a person. The
``ensemble`` choice (spaCy's default CNN+BOW) learns more from thousands of
examples but is several times slower per update: use it to *train*, not to teach.
"""
from __future__ import annotations

import logging
import random
import threading
from typing import Any, Dict, Iterable, Iterator, List, Literal, Optional, Sequence, Tuple, cast

from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import fix_random_seed

from ..errors import InputError
from ..tasks import Task
from .cats import answers_to_cats, label_question, predict_in_batches
from .doc_cache import DocCache
from .protocols import ScoredTask
from .rehearsal import Reservoir

__all__ = ["TextClassifier", "ARCHITECTURES", "bow_config", "BOW_LEARN_RATE"]

logger = logging.getLogger(__name__)

Architecture = Literal["bow", "ensemble"]
ARCHITECTURES: Tuple[str, ...] = ("bow", "ensemble")
TEXTCAT_FACTORIES = ("textcat_multilabel", "textcat")
# components whose output other components listen to: they must run (and train) with ours
SHARED_FACTORIES = ("tok2vec", "transformer")
# a linear model learning online from batches of 10 needs bigger steps than spaCy's 0.001
# (measured with `mentor simulate` on sms-spam: F1 0.84 -> 0.91 after one pass)
BOW_LEARN_RATE = 0.02


def bow_config(exclusive: bool, ngram_size: int) -> Dict[str, Any]:
    """spaCy's bag-of-words text classifier config, as the teach loop uses it."""
    return {
        "@architectures": "spacy.TextCatBOW.v3",
        "exclusive_classes": exclusive,
        "ngram_size": ngram_size,
        "no_output_layer": False,
        "length": 262144,
    }


class TextClassifier:
    """Score texts per label with a spaCy text classifier and update it from answers.

    nlp: a loaded pipeline (``spacy.blank("en")`` works). If it has no text
        classifier, one is added and initialised; missing labels are added to
        an existing one.
    labels: the labels to ask about.
    component: the component's name (default: the first textcat in the
        pipeline, else ``textcat_multilabel`` / ``textcat``).
    exclusive: for a new component, mutually exclusive classes (``textcat``).
    architecture: ``bow`` (default, fast) or ``ensemble``, for a new component.
    learn_rate: the optimizer's step size (default: 0.02 for a new bag-of-words
        component, else the pipeline's training config).
    rehearse: train each update on this many earlier answers too (0: off).
    seed: fixes the initial weights, for reproducible simulations.

    Raises InputError when the labels are empty, or ``exclusive`` with one label.
    """

    def __init__(
        self,
        nlp: Language,
        labels: Sequence[str],
        *,
        component: Optional[str] = None,
        exclusive: bool = False,
        architecture: Architecture = "bow",
        ngram_size: int = 2,
        batch_size: int = 32,
        cache_size: int = 4096,
        learn_rate: Optional[float] = None,
        rehearse: int = 0,
        memory_size: int = 10_000,
        seed: Optional[int] = None,
    ) -> None:
        if not labels:
            raise InputError("A text classifier needs at least one label (--label)")
        if architecture not in ARCHITECTURES:
            raise InputError(f"Unknown textcat architecture '{architecture}': use one of {ARCHITECTURES}")
        self.nlp = nlp
        self.batch_size = batch_size
        self.rehearse = rehearse
        self._memory: Reservoir[Tuple[str, Dict[str, float]]] = Reservoir(memory_size, rng=random.Random(seed))
        self._lock = threading.RLock()
        if seed is not None:
            fix_random_seed(seed)
        name = component or self.find_component(nlp)
        added = name is None or name not in nlp.pipe_names
        if added:
            factory = "textcat" if exclusive else "textcat_multilabel"
            name = name or factory
            config: Dict[str, Any] = {}
            if architecture == "bow":
                config["model"] = bow_config(exclusive, ngram_size)
            nlp.add_pipe(factory, name=name, config=config)
        assert name is not None
        self.name = name
        self.pipe: Any = cast(Any, nlp.get_pipe(name))
        factory_name = nlp.get_pipe_meta(name).factory
        if factory_name not in TEXTCAT_FACTORIES:
            raise InputError(f"Component '{name}' is a '{factory_name}', not a text classifier")
        self.exclusive = factory_name == "textcat"
        if self.exclusive and len(set(labels) | set(self.pipe.labels)) < 2:
            raise InputError("Exclusive classes need at least two labels: use a multi-label classifier")
        for label in labels:
            self.pipe.add_label(label)
        self.labels: List[str] = list(labels)
        # what runs before our component when scoring: only what it listens to
        self._before = [
            n for n in nlp.pipe_names
            if nlp.get_pipe_meta(n).factory in SHARED_FACTORIES and nlp.pipe_names.index(n) < nlp.pipe_names.index(name)
        ]
        self._frozen = [n for n in nlp.pipe_names if n != name and n not in self._before]
        # docs are cached only when nothing trainable runs before us (their annotations would go stale)
        self._doc_cache = DocCache(nlp, 0 if self._before else cache_size, self._frozen + [name])
        if added:
            self._optimizer = self._initialize(only_new=len(nlp.pipe_names) > 1)
        else:
            self._optimizer = nlp.create_optimizer()
        if learn_rate is None and added and architecture == "bow":
            learn_rate = BOW_LEARN_RATE
        if learn_rate is not None:
            self._optimizer.learn_rate = learn_rate

    @staticmethod
    def find_component(nlp: Language) -> Optional[str]:
        """The name of the pipeline's first text classifier (multi-label first), or None."""
        for factory in TEXTCAT_FACTORIES:
            for name in nlp.pipe_names:
                if nlp.get_pipe_meta(name).factory == factory:
                    return name
        return None

    def _initialize(self, *, only_new: bool) -> Any:
        """Initialise the new component with a sample, leaving trained components as they are."""
        sample = self.nlp.make_doc("sample text")
        cats = {label: 0.0 for label in self.pipe.labels}
        if self.exclusive:
            cats[self.pipe.labels[0]] = 1.0

        def get_examples() -> List[Example]:
            return [Example.from_dict(sample, {"cats": cats})]

        if only_new:
            self.pipe.initialize(get_examples, nlp=self.nlp)
            return self.nlp.create_optimizer()
        return self.nlp.initialize(get_examples)

    # ---- scoring -------------------------------------------------------------------------

    def _docs(self, texts: Sequence[str]) -> List[Doc]:
        """Docs ready for our component: tokenized, and through the layers it listens to."""
        return self._doc_cache(texts)

    def predict(self, texts: Sequence[str]) -> List[Dict[str, float]]:
        """Return the score of every label of the component for each text."""
        if not texts:
            return []
        with self._lock:
            docs = self._docs(texts)
            scores = self.pipe.model.ops.to_numpy(self.pipe.predict(docs))
        labels = self.pipe.labels
        return [{label: float(row[i]) for i, label in enumerate(labels)} for row in scores]

    def predict_tasks(self, stream: Iterable[Task]) -> Iterator[Tuple[Task, Dict[str, float]]]:
        """Yield each task with the scores of all labels, lazily, a batch at a time."""
        return predict_in_batches(self.predict, stream, self.batch_size)

    def __call__(self, stream: Iterable[Task]) -> Iterator[ScoredTask]:
        """Yield one ``(score, question)`` per text and label, lazily, in batches.

        Each question is a copy of the task with ``label``, ``score`` and
        ``meta.score`` set and a new ``_task_hash``.
        """
        for task, cats in self.predict_tasks(stream):
            for label in self.labels:
                yield cats[label], label_question(task, label, cats[label])

    def score_tasks(self, tasks: Sequence[Task]) -> List[float]:
        """Return the current score of each question's ``label`` (for re-scoring a pool)."""
        cats = self.predict([task["text"] for task in tasks])
        return [scores.get(task.get("label", ""), 0.0) for task, scores in zip(tasks, cats)]

    # ---- learning ------------------------------------------------------------------------

    def answers_to_cats(self, answers: Iterable[Task]) -> Dict[str, Dict[str, float]]:
        """Merge a batch of answers into partial ``cats`` per text (see :func:`.answers.answers_to_cats`)."""
        return answers_to_cats(answers, self.pipe.labels, exclusive=self.exclusive)

    def update(self, answers: List[Task]) -> Optional[float]:
        """Train on the accepted and rejected answers; return the loss (None if none trained).

        With ``rehearse`` > 0, that many earlier answers (a uniform sample) are
        trained on again with the new ones, so the model drifts less towards
        whatever the last batches were about.
        """
        by_text = self.answers_to_cats(answers)
        if not by_text:
            return None
        with self._lock:
            batch = list(by_text.items()) + self._memory.sample(self.rehearse)
            if self.rehearse > 0:
                self._memory.add(by_text.items())
            docs = self._docs([text for text, _ in batch])
            examples = [Example.from_dict(doc, {"cats": cats}) for doc, (_, cats) in zip(docs, batch)]
            losses: Dict[str, float] = {}
            if self._before:
                # a shared tok2vec trains with us: spaCy's full update runs it first
                self.nlp.update(examples, sgd=self._optimizer, losses=losses, exclude=self._frozen)
            else:
                # only our component trains: what nlp.update would do for it, minus the
                # deep copy of every example (a third of the update's time on short texts),
                # which exists for components that annotate during training; ours doesn't
                self.pipe.update(examples, drop=0.0, sgd=None, losses=losses)
                self.pipe.finish_update(self._optimizer)
        return float(losses.get(self.name, 0.0))
