"""``mentor spacy-config``: a spaCy config whose corpora read straight from the mentor database."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

from wasabi import msg

from ...registry import Arg, Opt, recipe
from .train import (
    BaseModelOpt,
    BinaryOpt,
    EvalSplitOpt,
    NerOpt,
    ParserOpt,
    SeedOpt,
    SenterOpt,
    SpancatOpt,
    TaggerOpt,
    TextcatMultiOpt,
    TextcatOpt,
    component_specs,
)


@recipe("spacy-config", group="training")
def spacy_config(
    output_file: Annotated[Path, Arg(help="Config file to write, e.g. config.cfg ('-' for stdout)")],
    ner: NerOpt = None,
    textcat: TextcatOpt = None,
    textcat_multilabel: TextcatMultiOpt = None,
    spancat: SpancatOpt = None,
    tagger: TaggerOpt = None,
    parser: ParserOpt = None,
    senter: SenterOpt = None,
    eval_split: EvalSplitOpt = 0.2,
    base_model: BaseModelOpt = "blank:en",
    transformer: Annotated[Optional[str], Opt("--transformer", "-t", help="Hugging Face model name or local folder for a transformer pipeline")] = None,
    seed: SeedOpt = 0,
    binary: BinaryOpt = False,
    db_url: Annotated[Optional[str], Opt("--db-url", help="Database the config reads from; default: mentor's settings when training runs")] = None,
) -> None:
    """Write a spaCy config that reads its data from mentor datasets (mentor.Corpus.v1).

    Train it with 'python -m spacy train CONFIG --output DIR': spaCy reads the
    answers from the database through mentor's registered reader, merged as
    'mentor train' merges them.
    """
    from ...training.pipeline_config import generate_config, use_reader

    specs = component_specs(ner, textcat, textcat_multilabel, spancat, tagger=tagger, parser=parser, senter=senter)
    config = generate_config(specs, base_model=base_model, transformer=transformer, seed=seed)
    config = use_reader(config, specs, eval_split=eval_split, seed=seed, binary=binary, db_url=db_url)
    if str(output_file) == "-":
        print(config.to_str())
        return
    output_file.parent.mkdir(parents=True, exist_ok=True)
    config.to_disk(output_file)
    msg.good(f"Saved config to {output_file}")
    msg.info("Train with spaCy (it reads the datasets through mentor.Corpus.v1):")
    print(f"python -m spacy train {output_file} --output ./model")
