"""Score a trained pipeline on gold Docs: per-label P/R/F, and a confusion matrix for textcat.

Entities and span groups go through spaCy's own scorer (it ignores predictions
on tokens whose gold annotation is missing, as binary answers leave them).
Categories are counted here, over the labels each text was actually answered
on: a binary answer on one label says nothing about the others, and spaCy's
scorer would count those as negatives.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example

NO_LABEL = "(none)"


@dataclass
class LabelScore:
    label: str
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def p(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def r(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f(self) -> float:
        p, r = self.p, self.r
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class ComponentScores:
    component: str
    labels: List[LabelScore] = field(default_factory=list)
    examples: int = 0
    accuracy: Optional[float] = None
    # gold label -> predicted label -> count (textcat); multilabel: label -> {tp, fp, fn, tn}
    confusion: Dict[str, Dict[str, int]] = field(default_factory=dict)
    accuracy_name: str = "Accuracy"

    @property
    def micro(self) -> LabelScore:
        total = LabelScore("micro")
        for score in self.labels:
            total.tp += score.tp
            total.fp += score.fp
            total.fn += score.fn
        return total

    @property
    def macro_f(self) -> float:
        return sum(s.f for s in self.labels) / len(self.labels) if self.labels else 0.0


def _label_scores(per_type: Dict[str, Dict[str, float]], counts: Dict[str, Tuple[int, int, int]]) -> List[LabelScore]:
    return [LabelScore(label, *counts.get(label, (0, 0, 0))) for label in sorted(per_type)]


def score_spans(
    examples: Sequence[Example],
    *,
    component: str,
    attr: str = "ents",
    spans_key: str = "sc",
    incorrect_spans_key: str = "incorrect_spans",
) -> ComponentScores:
    """Per-label counts of predicted vs gold spans, skipping tokens the gold leaves missing."""
    scores: Dict[str, LabelScore] = {}
    result = ComponentScores(component)
    for eg in examples:
        if attr == "ents":
            if not eg.reference.has_annotation("ENT_IOB"):
                continue
            gold = {(e.start_char, e.end_char, e.label_) for e in eg.reference.ents}
            known = {t.idx for t in eg.reference if t.ent_iob != 0}
            predicted = [(e.start_char, e.end_char, e.label_) for e in eg.predicted.ents]
            # a prediction a person rejected is wrong even where the rest is unannotated
            rejected = {(s.start_char, s.end_char, s.label_) for s in eg.reference.spans.get(incorrect_spans_key, [])}
            predicted = [p for p in predicted if p in rejected or _all_known(eg.reference, p, known)]
        else:
            gold = {(s.start_char, s.end_char, s.label_) for s in eg.reference.spans.get(spans_key, [])}
            predicted = [(s.start_char, s.end_char, s.label_) for s in eg.predicted.spans.get(spans_key, [])]
        result.examples += 1
        predicted_set = set(predicted)
        for start, end, label in predicted_set:
            score = scores.setdefault(label, LabelScore(label))
            if (start, end, label) in gold:
                score.tp += 1
            else:
                score.fp += 1
        for start, end, label in gold - predicted_set:
            scores.setdefault(label, LabelScore(label)).fn += 1
    result.labels = [scores[label] for label in sorted(scores)]
    return result


def _all_known(doc: Doc, span: Tuple[int, int, str], known: set) -> bool:
    start, end, _ = span
    return all(t.idx in known for t in doc if start <= t.idx < end)


def score_cats(
    examples: Sequence[Example], *, component: str, exclusive: bool, threshold: float = 0.5
) -> ComponentScores:
    """Per-label counts over the labels each text was answered on, and a confusion matrix.

    Exclusive: the predicted class is the highest-scoring one; the matrix is gold
    class by predicted class over texts with a known positive class. Multilabel:
    a label is predicted when its score reaches ``threshold``; the matrix holds
    tp/fp/fn/tn per label.
    """
    result = ComponentScores(component)
    scores: Dict[str, LabelScore] = {}
    confusion: Dict[str, Dict[str, int]] = {}
    correct = judged = 0
    for eg in examples:
        gold = eg.reference.cats
        if not gold:
            continue
        result.examples += 1
        predicted = eg.predicted.cats
        if exclusive:
            top = max(predicted, key=lambda label: predicted[label]) if predicted else NO_LABEL
            positives = [label for label, value in gold.items() if value >= 0.5]
            if positives:
                row = confusion.setdefault(positives[0], {})
                row[top] = row.get(top, 0) + 1
                judged += 1
                correct += int(top == positives[0])
            for label, value in gold.items():
                score = scores.setdefault(label, LabelScore(label))
                if value >= 0.5 and top == label:
                    score.tp += 1
                elif value >= 0.5:
                    score.fn += 1
                elif top == label:
                    score.fp += 1
        else:
            for label, value in gold.items():
                score = scores.setdefault(label, LabelScore(label))
                hit = predicted.get(label, 0.0) >= threshold
                cell = confusion.setdefault(label, {"tp": 0, "fp": 0, "fn": 0, "tn": 0})
                judged += 1
                if value >= 0.5 and hit:
                    score.tp += 1
                    cell["tp"] += 1
                elif value >= 0.5:
                    score.fn += 1
                    cell["fn"] += 1
                elif hit:
                    score.fp += 1
                    cell["fp"] += 1
                else:
                    cell["tn"] += 1
                correct += int(hit == (value >= 0.5))
    result.labels = [scores[label] for label in sorted(scores)]
    result.confusion = confusion
    result.accuracy = correct / judged if judged else None
    return result


# the score a token-level component's own ``score`` reports, as spaCy's training table shows it
TOKEN_SCORES = {
    "tagger": ("tag_acc", "Accuracy (spaCy's tag_acc)"),
    "parser": ("dep_las", "LAS (spaCy's dep_las, punctuation left out)"),
    "senter": ("sents_f", "Sentence F (spaCy's sents_f)"),
}


def score_tokens(examples: Sequence[Example], *, component: str, scorer: Any = None) -> ComponentScores:
    """Per-label counts for a token-level component, over the gold tokens whose value is known.

    tagger: a token counts for its gold tag (right or missed) and for the predicted
    tag when wrong. parser: the same with the dependency label, right only when the
    head is right too (labelled attachment). senter: the label S, over every token
    but the first (which always starts a sentence). A gold token the tokenizer
    doesn't match one to one counts as missed. The accuracy line is the
    component's own score (``scorer``, its ``score`` method), the figure
    spaCy's training table shows.
    """
    result = ComponentScores(component)
    scores: Dict[str, LabelScore] = {}
    correct = judged = 0
    for eg in examples:
        pairs = list(_token_pairs(eg, component))
        if not pairs:
            continue
        result.examples += 1
        for gold, predicted, right in pairs:
            judged += 1
            correct += int(right)
            if right:
                if gold:
                    scores.setdefault(gold, LabelScore(gold)).tp += 1
                continue
            if gold:
                scores.setdefault(gold, LabelScore(gold)).fn += 1
            if predicted:
                scores.setdefault(predicted, LabelScore(predicted)).fp += 1
    result.labels = [scores[label] for label in sorted(scores)]
    key, result.accuracy_name = TOKEN_SCORES[component]
    own = scorer(list(examples)).get(key) if scorer is not None else None
    result.accuracy = own if own is not None else (correct / judged if judged else None)
    return result


def _token_pairs(eg: Example, component: str) -> Iterable[Tuple[str, str, bool]]:
    """(gold label, predicted label, right?) for each gold token whose value is known.

    A gold token the pipeline's tokenizer doesn't match one to one has no
    prediction: it counts as missed.
    """
    align = eg.alignment
    pred_of: Dict[int, int] = {}
    for i in range(len(eg.predicted)):
        if align.x2y.lengths[i] == 1:
            j = int(align.x2y[i][0])
            if align.y2x.lengths[j] == 1:
                pred_of[j] = i
    for gold in eg.reference:
        i = pred_of.get(gold.i)
        token = eg.predicted[i] if i is not None else None
        if component == "tagger":
            if gold.tag_:
                said = token.tag_ if token is not None else ""
                yield gold.tag_, said, said == gold.tag_
        elif component == "parser":
            if gold.has_dep() and gold.has_head():
                said = token.dep_ if token is not None else ""
                head_right = token is not None and pred_of.get(gold.head.i) == token.head.i
                yield gold.dep_, said, head_right and said == gold.dep_
        elif gold.i > 0 and gold.is_sent_start is not None:  # the first token always starts a sentence
            is_start = bool(gold.is_sent_start)
            said = token is not None and bool(token.is_sent_start)
            yield ("S" if is_start else ""), ("S" if said else ""), said == is_start


def evaluate(
    nlp: Language,
    docs_by_component: Mapping[str, Sequence[Doc]],
    *,
    spans_key: str = "sc",
    batch_size: int = 64,
) -> Dict[str, ComponentScores]:
    """Run the pipeline over each component's gold Docs and score it.

    The caller checks first that the pipeline has each component
    (``pipe_names_missing``), to raise a MentorError naming it.
    """
    results: Dict[str, ComponentScores] = {}
    for component, golds in docs_by_component.items():
        predicted = nlp.pipe((g.text for g in golds), batch_size=batch_size)
        examples = [Example(p, g) for p, g in zip(predicted, golds)]
        if component == "ner":
            results[component] = score_spans(examples, component=component)
        elif component == "spancat":
            results[component] = score_spans(examples, component=component, attr="spans", spans_key=spans_key)
        elif component in ("tagger", "parser", "senter"):
            results[component] = score_tokens(examples, component=component, scorer=nlp.get_pipe(component).score)
        else:
            results[component] = score_cats(examples, component=component, exclusive=component == "textcat")
    return results


def scores_table(result: ComponentScores) -> Tuple[List[str], List[Tuple[Any, ...]]]:
    """Header and rows (label, P, R, F, support) for printing."""
    header = ["Label", "P", "R", "F", "Gold"]
    rows: List[Tuple[Any, ...]] = [
        (s.label, f"{s.p * 100:.2f}", f"{s.r * 100:.2f}", f"{s.f * 100:.2f}", s.tp + s.fn) for s in result.labels
    ]
    micro = result.micro
    rows.append(("(micro)", f"{micro.p * 100:.2f}", f"{micro.r * 100:.2f}", f"{micro.f * 100:.2f}", micro.tp + micro.fn))
    return header, rows


def pipe_names_missing(nlp: Language, components: Iterable[str]) -> List[str]:
    return [c for c in components if c not in nlp.pipe_names]
