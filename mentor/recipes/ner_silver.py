"""``ner.silver-to-gold``: binary NER answers turned into complete annotations to correct.

Yes/no answers from ``ner.teach`` say little about the rest of a sentence.
The recognizer's beam fills it in: each text gets its accepted entities and
the most probable parse that agrees with all its answers
(:meth:`~mentor.models.ner.EntityRecognizer.make_best`), shown in the manual
view to be corrected into gold.
"""
from __future__ import annotations

from typing import Annotated, Iterator, Optional

from ..core import Components
from ..db import connect
from ..errors import DatasetNotFound, InputError
from ..models.loading import load_pipeline
from ..registry import Arg, Opt, recipe
from ..tasks import Task, split_string


@recipe("ner.silver-to-gold", group="annotation")
def ner_silver_to_gold(
    silver_sets: Annotated[str, Arg(help="Comma-separated datasets with binary NER answers (ner.teach's)")],
    dataset: Annotated[str, Arg(help="Dataset to save the corrected, complete annotations to")],
    spacy_model: Annotated[str, Arg(help="Pipeline whose entity recognizer completes the answers")],
    label: Annotated[Optional[str], Opt("--label", "-l", help="Comma-separated labels (default: the model's)")] = None,
    component: Annotated[Optional[str], Opt("--component", "-c", help="Entity recognizer component to use")] = None,
) -> Components:
    """Correct the best analysis consistent with binary answers into gold annotations.

    Every text answered in the silver datasets is shown once, with its
    accepted entities and the model's most probable parse that contains no
    rejected one; fix it and accept. Texts already in DATASET are skipped.
    """
    from ..models.ner import EntityRecognizer

    names = split_string(silver_sets)
    if not names:
        raise InputError("Name at least one silver dataset: mentor ner.silver-to-gold news_teach news_gold en_core_web_sm")
    if dataset in names:
        raise InputError(f"The gold dataset '{dataset}' can't also be a silver one: name a new one")
    db = connect()
    for name in names:
        if name not in db:
            raise DatasetNotFound(name)
    nlp = load_pipeline(spacy_model)
    model = EntityRecognizer(nlp, split_string(label) or None, component=component)

    def answers() -> Iterator[Task]:
        for name in names:
            yield from db.get_dataset_examples(name)

    return Components(
        dataset=dataset,
        view_id="ner_manual",
        stream=model.make_best(answers()),
        config={"labels": model.labels, "exclude_by": "input"},
    )
