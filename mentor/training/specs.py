"""Which datasets train and evaluate which pipeline component.

The training commands take one flag a component, each a comma-separated list
of datasets where an ``eval:`` prefix marks a dataset held out for evaluation,
as Prodigy users write them: ``--ner news,eval:news_eval --textcat topics``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Sequence

from ..errors import InputError
from ..tasks import split_string

# component name in the pipeline -> the spaCy factory that builds it
COMPONENTS: Dict[str, str] = {
    "ner": "ner",
    "textcat": "textcat",
    "textcat_multilabel": "textcat_multilabel",
    "spancat": "spancat",
    "tagger": "tagger",
    "parser": "parser",
    "senter": "senter",
}

# the score spaCy reports for each component, used by train-curve and the summary
MAIN_SCORES: Dict[str, str] = {
    "ner": "ents_f",
    "textcat": "cats_score",
    "textcat_multilabel": "cats_score",
    "spancat": "spans_{key}_f",
    "tagger": "tag_acc",
    "parser": "dep_las",
    "senter": "sents_f",
}

EVAL_PREFIX = "eval:"


@dataclass
class ComponentSpec:
    """The datasets one component trains on and is evaluated on."""

    component: str
    train: List[str] = field(default_factory=list)
    eval: List[str] = field(default_factory=list)

    @property
    def datasets(self) -> List[str]:
        return self.train + self.eval


def parse_specs(values: Mapping[str, Optional[str | Sequence[str]]]) -> List[ComponentSpec]:
    """Turn ``{"ner": "a,eval:b"}`` (or lists of names) into component specs.

    Components given no datasets are left out. Raises InputError for an unknown
    component, an empty ``eval:`` entry, or when no component has datasets.
    """
    specs: List[ComponentSpec] = []
    for component, value in values.items():
        if component not in COMPONENTS:
            raise InputError(
                f"Unknown component '{component}': expected one of {', '.join(COMPONENTS)}"
            )
        names = split_string(value) if isinstance(value, str) or value is None else list(value)
        if not names:
            continue
        spec = ComponentSpec(component)
        for name in names:
            if name.startswith(EVAL_PREFIX):
                eval_name = name[len(EVAL_PREFIX):].strip()
                if not eval_name:
                    raise InputError(f"--{component.replace('_', '-')}: 'eval:' needs a dataset name")
                spec.eval.append(eval_name)
            else:
                spec.train.append(name)
        if not spec.train:
            raise InputError(
                f"--{component.replace('_', '-')}: only evaluation datasets given; "
                "name at least one dataset to train on"
            )
        specs.append(spec)
    if not specs:
        raise InputError(
            "Nothing to train: give at least one component and its datasets, "
            "e.g. --ner my_dataset or --textcat my_dataset,eval:my_eval_set"
        )
    return specs


def specs_to_config(specs: Sequence[ComponentSpec]) -> Dict[str, List[str]]:
    """The ``datasets`` block of the ``mentor.Corpus.v1`` reader (eval sets keep their prefix)."""
    return {
        spec.component: spec.train + [EVAL_PREFIX + name for name in spec.eval] for spec in specs
    }


def main_score(component: str, spans_key: str = "sc") -> str:
    return MAIN_SCORES[component].format(key=spans_key)
