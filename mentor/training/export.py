"""Write merged data as spaCy ``.spacy`` files, with a config and label files, for ``spacy train``.

This is the reproducible way out of mentor: the files train with plain spaCy,
no mentor installed, and the config is the one ``mentor train`` would use.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import srsly
from spacy.language import Language
from spacy.tokens import DocBin
from thinc.api import Config

from .corpus import MergedCorpus
from .pipeline_config import use_files

TRAIN_FILE = "train.spacy"
DEV_FILE = "dev.spacy"
CONFIG_FILE = "config.cfg"
LABELS_DIR = "labels"


@dataclass
class ExportResult:
    output_dir: Path
    train_path: Path
    dev_path: Path
    config_path: Path
    label_paths: Dict[str, Path] = field(default_factory=dict)
    n_train: int = 0
    n_dev: int = 0

    def command(self, model_dir: Optional[Path] = None) -> List[str]:
        """The ``python -m spacy train`` command that trains on these files, as argv."""
        model_dir = model_dir or self.output_dir / "model"
        return [
            "python", "-m", "spacy", "train", str(self.config_path),
            "--paths.train", str(self.train_path),
            "--paths.dev", str(self.dev_path),
            "--output", str(model_dir),
        ]


def export_corpus(merged: MergedCorpus, nlp: Language, config: Config, output_dir: Path) -> ExportResult:
    """Write train.spacy, dev.spacy, config.cfg and labels/COMPONENT.json into ``output_dir``.

    The config's [corpora] read the two files through spacy.Corpus.v1; the
    paths are left for the command line (``--paths.train``), as spaCy projects do.
    """
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    result = ExportResult(
        output_dir, output_dir / TRAIN_FILE, output_dir / DEV_FILE, output_dir / CONFIG_FILE
    )
    for part, path in (("train", result.train_path), ("dev", result.dev_path)):
        docs = merged.to_docs(nlp, part)
        DocBin(docs=docs, store_user_data=False).to_disk(path)
        if part == "train":
            result.n_train = len(docs)
        else:
            result.n_dev = len(docs)
    labels_dir = output_dir / LABELS_DIR
    labels_dir.mkdir(exist_ok=True)
    for component, labels in merged.labels.items():
        path = labels_dir / f"{component}.json"
        srsly.write_json(path, labels)
        result.label_paths[component] = path
    use_files(config, None, None).to_disk(result.config_path)
    return result
