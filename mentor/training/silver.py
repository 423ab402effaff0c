"""Binary NER answers to the best annotation consistent with them: the silver-to-gold step.

A ner.teach answer judges one span of a sentence. Trained on as it is (the span
an entity or a negative constraint, every other token *missing*), the model
never sees a token that is *not* an entity, so it learns to find entities
everywhere: on CoNLL-2003 such a model's precision is about 0.2. Marking every
other token "outside" instead teaches that the sentence's other entities are
not entities.

The way between, as Prodigy's ``ner.silver-to-gold`` does it with a person:
train on the answers, then let that model read each answered sentence with beam
search. Any span that some beam parse takes for an entity (probability at least
``uncertain``) might be one: its tokens stay missing. Every token that no parse
takes for an entity is marked outside, because even a model that over-predicts
entities did not consider it. Accepted spans stay entities and rejected spans
stay negative constraints (their tokens missing: "not this span" says nothing
about the tokens). From the second round on, the model has learnt what is not
an entity, and its confident predictions (``confident``) that agree with the
answers are added as entities. Then the model is trained again on these silver
annotations, from scratch. ``bench/ner_binary.py`` measures it.

Two more rules come from measuring where the silver annotation went wrong on
CoNLL-2003: a model with few entities to learn from is sure of itself, and a
later round's model, trained to be precise, leaves a quarter of the real
entity tokens unconsidered, so they were marked outside. A token therefore
stays missing when the model of *any* round considered it. And an accepted
span is an entity wherever the same words occur in another answered sentence,
unless they were rejected with that label somewhere (names recur).
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from spacy.language import Language
from spacy.tokens import Doc, DocBin
from thinc.api import Config

from ..models.silver_annotation import TokenSpan, accepted_lexicon, merge_candidates, silver_doc
from .corpus import Entry, MergedCorpus
from .train import TrainResult, train_pipeline


SILVER_DIR = "silver"


@dataclass
class SilverSettings:
    """How the model's beam parses turn into annotation.

    uncertain: a candidate entity this probable keeps its tokens missing.
    confident: a candidate this probable is added as an entity (from round 2).
    beam_width, beam_density: spaCy's beam search for the candidates.
    """

    uncertain: float = 0.0001
    confident: float = 0.9
    # wide: the model's best parses, picked on the dev score, are too sure of themselves, and an
    # entity no parse considers is marked outside (CoNLL, 1,000 answers: width 16 at 0.01 marked
    # 15 % of the entity tokens outside and silver F1 fell to 0.35; width 64 at 0.0001, 4 %: 0.44)
    beam_width: int = 64
    beam_density: float = 0.0001
    batch_size: int = 64


@dataclass
class SilverStats:
    """What one silver round did to the partial annotations."""

    round: int
    texts: int = 0
    added: int = 0  # confident predictions that became entities
    missing_tokens: int = 0
    outside_tokens: int = 0


def beam_candidates(
    nlp: Language, references: Sequence[Doc], *, component: str, settings: SilverSettings
) -> List[Dict[TokenSpan, float]]:
    """Each reference's entity candidates and their beam probabilities, on its own tokens."""
    pipe: Any = nlp.get_pipe(component)
    names = nlp.pipe_names
    after = names[names.index(component):]  # the recognizer itself and what follows it
    fresh = (Doc(nlp.vocab, words=[t.text for t in ref], spaces=[bool(t.whitespace_) for t in ref]) for ref in references)
    docs = list(nlp.pipe(fresh, disable=after, batch_size=settings.batch_size))
    found: List[Dict[TokenSpan, float]] = []
    for i in range(0, len(docs), settings.batch_size):
        beams = pipe.beam_parse(
            docs[i:i + settings.batch_size], beam_width=settings.beam_width, beam_density=settings.beam_density
        )
        found.extend(dict(scores) for scores in pipe.scored_ents(beams))
    return found


def silver_docs(
    nlp: Language,
    references: Sequence[Doc],
    partial: Sequence[bool],
    *,
    round: int = 1,
    component: str = "ner",
    settings: Optional[SilverSettings] = None,
    earlier: Sequence[List[Dict[TokenSpan, float]]] = (),
) -> Tuple[List[Doc], SilverStats, List[Dict[TokenSpan, float]]]:
    """The training Docs with each partial NER annotation completed by ``nlp``'s beam.

    ``partial[i]`` says whether ``references[i]`` holds binary NER answers;
    the other Docs (manual or no NER annotation) come back as they are. In
    round 1 no prediction is added as an entity (the model was trained without
    a single "outside" token, so its confidence means little); from round 2 the
    confident ones are. ``earlier`` holds the earlier rounds' candidates (as
    returned third, one list per round): their tokens stay missing too.
    """
    settings = settings or SilverSettings()
    stats = SilverStats(round)
    chosen = [i for i, flag in enumerate(partial) if flag and len(references[i])]
    candidates = beam_candidates(nlp, [references[i] for i in chosen], component=component, settings=settings)
    result = list(references)
    confident = settings.confident if round > 1 else None
    lexicon = accepted_lexicon(references[i] for i in chosen)
    for k, (i, found) in enumerate(zip(chosen, candidates)):
        before = len(references[i].ents)
        merged = merge_candidates(found, (past[k] for past in earlier), cap=settings.uncertain)
        doc = silver_doc(references[i], merged, uncertain=settings.uncertain, confident=confident, lexicon=lexicon)
        result[i] = doc
        stats.texts += 1
        stats.added += len(doc.ents) - before
        stats.missing_tokens += sum(1 for t in doc if t.ent_iob == 0)
        stats.outside_tokens += sum(1 for t in doc if t.ent_iob_ == "O")
    return result, stats, candidates


def use_docbin(config: Config, path: Path) -> Config:
    """The config with its training corpus read from a ``.spacy`` file (the dev corpus kept)."""
    config = config.copy()
    config["corpora"]["train"] = {
        "@readers": "spacy.Corpus.v1",
        "path": str(path),
        "max_length": 0,
        "gold_preproc": False,
        "limit": 0,
        "augmenter": None,
    }
    return config


def train_with_silver(
    config: Config,
    output_dir: Path,
    merged: MergedCorpus,
    *,
    rounds: int = 2,
    settings: Optional[SilverSettings] = None,
    overrides: Optional[Mapping[str, Any]] = None,
    use_gpu: int = -1,
    on_round: Optional[Callable[[int, Optional[SilverStats]], None]] = None,
    stdout: Optional[IO[str]] = None,
    stderr: Optional[IO[str]] = None,
) -> TrainResult:
    """Train on the answers, then ``rounds`` times on the silver annotation of the last model.

    ``merged`` holds the training entries (those with binary NER answers are
    completed each round). Round 0
    trains on ``config`` as it is into ``OUTPUT_DIR/silver/round-0``; each next
    round writes ``OUTPUT_DIR/silver/train-N.spacy`` and trains a fresh pipeline
    on it; the last one trains into ``output_dir``, whose ``config.cfg`` then
    reads its training data from that file. ``on_round(n, stats)`` is called
    before each round (stats None for round 0). ``OUTPUT_DIR/model-best`` is the
    best round's (``keep_best_round``); the result's ``best_round`` says which.
    """
    import spacy

    settings = settings or SilverSettings()
    partial = partial_ner(merged.train)
    output_dir = Path(output_dir)
    work = output_dir / SILVER_DIR
    kwargs: Dict[str, Any] = dict(overrides=overrides, use_gpu=use_gpu, stdout=stdout, stderr=stderr)
    if on_round is not None:
        on_round(0, None)
    result = train_pipeline(config, output_dir if rounds < 1 else work / "round-0", **kwargs)
    results = [result]
    earlier: List[List[Dict[TokenSpan, float]]] = []
    for n in range(1, rounds + 1):
        nlp = spacy.load(result.best_dir)
        references = merged.to_docs(nlp, "train")
        docs, stats, found = silver_docs(nlp, references, partial, round=n, settings=settings, earlier=earlier)
        earlier.append(found)
        path = work / f"train-{n}.spacy"
        path.parent.mkdir(parents=True, exist_ok=True)
        DocBin(docs=docs).to_disk(path)
        if on_round is not None:
            on_round(n, stats)
        target = output_dir if n == rounds else work / f"round-{n}"
        result = train_pipeline(use_docbin(config, path), target, **kwargs)
        results.append(result)
    return keep_best_round(results)


def keep_best_round(results: List[TrainResult]) -> TrainResult:
    """The last round's result, its model-best replaced by an earlier round's when that scored higher.

    spaCy keeps the best checkpoint of a run by the eval score; across rounds
    the same rule holds, so a silver round that did worse on the eval data (it
    can, on few answers) never replaces the model the answers alone trained.
    """
    last = results[-1]
    scores = [r.final_score if r.final_score is not None else float("-inf") for r in results]
    best_round = max(range(len(results)), key=lambda i: (scores[i], i))
    last.best_round = best_round
    if best_round == len(results) - 1:
        return last
    shutil.rmtree(last.best_dir, ignore_errors=True)
    shutil.copytree(results[best_round].best_dir, last.best_dir)
    last.scores = dict(results[best_round].scores)
    last.final_score = results[best_round].final_score
    return last


def partial_ner(entries: Iterable[Entry]) -> List[bool]:
    """For each training entry, whether it holds binary (partial) NER answers."""
    return ["ner" in entry and not entry["ner"].complete for entry in entries]
