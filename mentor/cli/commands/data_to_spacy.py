"""``mentor data-to-spacy``: export datasets as .spacy files and a config for ``spacy train``."""
from __future__ import annotations

import shlex
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
    load_merged,
    pipeline_config,
    print_data_summary,
)


@recipe("data-to-spacy", group="training")
def data_to_spacy(
    output_dir: Annotated[Path, Arg(help="Folder for train.spacy, dev.spacy, config.cfg and labels/")],
    ner: NerOpt = None,
    textcat: TextcatOpt = None,
    textcat_multilabel: TextcatMultiOpt = None,
    spancat: SpancatOpt = None,
    tagger: TaggerOpt = None,
    parser: ParserOpt = None,
    senter: SenterOpt = None,
    eval_split: EvalSplitOpt = 0.2,
    base_model: BaseModelOpt = "blank:en",
    config: Annotated[Optional[Path], Opt("--config", "-c", help="Your own spaCy config.cfg to write out instead of a generated one")] = None,
    seed: SeedOpt = 0,
    binary: BinaryOpt = False,
) -> None:
    """Merge datasets into .spacy files and a config that plain 'spacy train' uses.

    The same merging and eval split as 'mentor train'; prints the exact command
    that trains on the files.
    """
    from ...models.loading import load_pipeline
    from ...training.export import export_corpus

    specs = component_specs(ner, textcat, textcat_multilabel, spancat, tagger=tagger, parser=parser, senter=senter)
    merged = load_merged(specs, eval_split=eval_split, seed=seed, binary=binary)
    print_data_summary(merged)
    cfg = pipeline_config(specs, merged, config=config, base_model=base_model, seed=seed)
    nlp = load_pipeline(base_model)
    result = export_corpus(merged, nlp, cfg, output_dir)
    msg.good(f"Wrote {result.n_train} training and {result.n_dev} evaluation docs to {output_dir}")
    for path in (result.train_path, result.dev_path, result.config_path):
        msg.text(f"  {path}")
    for component, path in result.label_paths.items():
        msg.text(f"  {path}  (labels of {component})")
    msg.info("Train with spaCy:")
    print(shlex.join(result.command()))
