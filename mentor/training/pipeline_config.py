"""spaCy training configs, generated the way ``spacy init config`` makes them.

mentor invents no training config of its own: a new pipeline's config comes
from spaCy's ``init_config`` (the same template and recommendations as the
``spacy init config`` command), and a base pipeline's from the pipeline itself,
its components sourced. mentor then only points ``[corpora]`` at its data:
either the ``mentor.Corpus.v1`` reader over the database, or ``.spacy`` files.
"""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Union

from thinc.api import Config

from .docs import DEFAULT_INCORRECT_SPANS_KEY, DEFAULT_SPANS_KEY
from .errors import ExtraNotInstalled, TrainingConfigError
from .specs import ComponentSpec, specs_to_config

READER = "mentor.Corpus.v1"
TRANSFORMER_NOT_INSTALLED = (
    "--transformer needs spacy-transformers: pip install 'mentor[transformers]' "
    "(it brings PyTorch; 'pip install torch==2.13.0' first takes the local CPU build)"
)


def has_transformers() -> bool:
    try:
        import spacy_transformers  # noqa: F401
    except ImportError:
        return False
    return True


def base_lang(base_model: Optional[str]) -> Optional[str]:
    """The language of ``blank:xx``, or None when the base is a real pipeline."""
    if base_model is None:
        return "en"
    if base_model.startswith("blank:"):
        return base_model.split(":", 1)[1]
    return None


def generate_config(
    specs: Sequence[ComponentSpec],
    *,
    base_model: Optional[str] = "blank:en",
    transformer: Optional[str] = None,
    optimize: str = "efficiency",
    seed: int = 0,
) -> Config:
    """A filled training config for the components in ``specs`` (corpora not set yet).

    With a blank base, spaCy's ``init_config`` generates it; with ``transformer``
    the GPU template is used and its model name replaced. With a pipeline as
    base, its components are sourced: those being trained keep learning, the
    rest are frozen. Raises ExtraNotInstalled and TrainingConfigError.
    """
    from spacy.cli.init_config import init_config

    components = [spec.component for spec in specs]
    lang = base_lang(base_model)
    if transformer and not has_transformers():
        raise ExtraNotInstalled(TRANSFORMER_NOT_INSTALLED)
    if lang is not None:
        try:
            config = init_config(
                lang=lang, pipeline=components, optimize=optimize, gpu=bool(transformer), silent=True
            )
        except ImportError:
            raise TrainingConfigError(f"Unknown language code '{lang}' in the base model") from None
        if transformer:
            config["components"]["transformer"]["model"]["name"] = transformer
    else:
        if transformer:
            raise TrainingConfigError("Use either --base-model PIPELINE or --transformer, not both")
        config = _sourced_config(str(base_model), components)
    config["system"]["seed"] = seed
    config["training"]["seed"] = seed
    set_spans_keys(config)
    return config


def _sourced_config(base_model: str, components: Sequence[str]) -> Config:
    from spacy.util import load_model_from_config

    from ..models.loading import load_pipeline

    base = load_pipeline(base_model)
    config = base.config.copy()
    pipeline: List[str] = list(config["nlp"]["pipeline"])
    new_components: Dict[str, Any] = {}
    listeners = {
        listener
        for name in pipeline
        if base.get_pipe_meta(name).factory in ("tok2vec", "transformer")
        for listener in getattr(base.get_pipe(name), "listening_components", [])
    }
    for name in pipeline:
        new_components[name] = {"source": base_model}
        if name in listeners:
            # its own copy of the shared embedding layer: frozen and trained parts can't share one
            new_components[name]["replace_listeners"] = ["model.tok2vec"]
    for name in components:
        if name not in pipeline:
            pipeline.append(name)
            # a component's default model has its own embedding layer, so it listens to nothing
            new_components[name] = {"factory": name}
    config["nlp"]["pipeline"] = pipeline
    config["components"] = new_components
    config["training"]["frozen_components"] = [n for n in pipeline if n not in components]
    config["training"]["annotating_components"] = []
    # labels files and hooks of the base's own training don't exist here
    config["initialize"]["components"] = {}
    config["initialize"]["vectors"] = base_model if base.vocab.vectors.shape[0] else None
    config["initialize"]["init_tok2vec"] = None
    config["paths"] = {"train": None, "dev": None, "vectors": None, "init_tok2vec": None}
    config["corpora"] = {}
    try:
        nlp = load_model_from_config(config, auto_fill=True, validate=True)
    except (ValueError, KeyError) as err:
        raise TrainingConfigError(f"Can't build a config on base pipeline '{base_model}': {err}") from None
    filled = nlp.config.copy()
    for name, block in new_components.items():
        if "source" in block:  # nlp.config lists sourced components as built; keep the source
            filled["components"][name] = block
    config = filled
    # score what is trained: weights from frozen components would count in model-best's choice
    weights = config["training"]["score_weights"]
    for key in list(weights):
        if not any(_weight_belongs(key, c) for c in components):
            weights[key] = None
    return config


def _weight_belongs(key: str, component: str) -> bool:
    prefix = {
        "ner": "ents_", "textcat": "cats_", "textcat_multilabel": "cats_", "spancat": "spans_",
        "tagger": "tag_", "parser": "dep_", "senter": "sents_",
    }
    return key.startswith(prefix.get(component, component))


def set_spans_keys(config: Config) -> None:
    """Give ner its negative-span key (for rejected binary answers) and spancat its group."""
    components = config["components"]
    ner = components.get("ner")
    if ner is not None and "source" not in ner:
        ner["incorrect_spans_key"] = DEFAULT_INCORRECT_SPANS_KEY
    spancat = components.get("spancat")
    if spancat is not None and "source" not in spancat:
        spancat["spans_key"] = DEFAULT_SPANS_KEY


def use_reader(
    config: Config,
    specs: Sequence[ComponentSpec],
    *,
    eval_split: float = 0.2,
    seed: int = 0,
    binary: bool = False,
    balance: bool = False,
    db_url: Optional[str] = None,
) -> Config:
    """Point [corpora] at the database through ``mentor.Corpus.v1``.

    ``balance`` weighs each category's yes and no answers the same in training
    (``corpus.category_repeats``); the dev corpus is never balanced.
    """
    config = copy.deepcopy(config) if not isinstance(config, Config) else config.copy()
    datasets = specs_to_config(specs)
    spans_key = (config["components"].get("spancat") or {}).get("spans_key", DEFAULT_SPANS_KEY)
    for part in ("train", "dev"):
        section: Dict[str, Any] = {
            "@readers": READER,
            "part": part,
            "eval_split": eval_split,
            "seed": seed,
            "sample_size": 1.0,
            "binary": binary,
            "balance": balance and part == "train",
            "spans_key": spans_key,
            "incorrect_spans_key": DEFAULT_INCORRECT_SPANS_KEY,
            "db_url": db_url,
            "datasets": dict(datasets),
        }
        config["corpora"][part] = section
    return config


def use_files(config: Config, train_path: Union[str, Path, None], dev_path: Union[str, Path, None]) -> Config:
    """Point [corpora] at ``.spacy`` files through spaCy's own ``spacy.Corpus.v1``."""
    config = config.copy()
    config["paths"]["train"] = str(train_path) if train_path is not None else None
    config["paths"]["dev"] = str(dev_path) if dev_path is not None else None
    for part in ("train", "dev"):
        config["corpora"][part] = {
            "@readers": "spacy.Corpus.v1",
            "path": "${paths.%s}" % part,
            "max_length": 0,
            "gold_preproc": False,
            "limit": 0,
            "augmenter": None,
        }
    return config


def set_schedule(config: Config, *, epochs: Optional[int] = None, batch_size: Optional[int] = None) -> Config:
    """Apply --epochs and --batch-size to the [training] block.

    An epoch is one pass over the training examples: with --epochs the run stops
    after that many passes (or earlier by patience) instead of after max_steps.
    --batch-size replaces spaCy's batcher (counted in words) by a fixed number
    of examples per update.
    """
    config = config.copy()
    training = config["training"]
    if epochs is not None:
        if epochs < 1:
            raise TrainingConfigError(f"--epochs must be at least 1, got {epochs}")
        training["max_epochs"] = epochs
        training["max_steps"] = 0
    if batch_size is not None:
        if batch_size < 1:
            raise TrainingConfigError(f"--batch-size must be at least 1, got {batch_size}")
        training["batcher"] = {
            "@batchers": "spacy.batch_by_sequence.v1",
            "size": batch_size,
            "get_length": None,
        }
    return config


def load_user_config(path: Path) -> Config:
    """Read a user's config.cfg, naming the file when it's missing or broken."""
    from spacy.util import load_config

    path = Path(path)
    if not path.is_file():
        raise TrainingConfigError(f"Can't find config file '{path}'")
    try:
        return load_config(path, interpolate=False)
    except Exception as err:  # confection raises several parser errors
        raise TrainingConfigError(f"{path}: can't read the config: {err}") from None
