"""A Prodigy-style active-learning recipe file (model + patterns + sorter), written for mentor's tests."""
import prodigy
from prodigy.components.loaders import JSONL
from prodigy.components.preprocess import split_sentences
from prodigy.components.sorters import prefer_uncertain
from prodigy.models.matcher import PatternMatcher
from prodigy.models.ner import EntityRecognizer
from prodigy.util import combine_models, split_string
import spacy


@prodigy.recipe(
    "teach-entities",
    dataset=("Dataset to save answers to", "positional", None, str),
    spacy_model=("Pipeline or blank:LANG", "positional", None, str),
    source=("JSONL texts", "positional", None, str),
    label=("Comma-separated labels", "option", "l", split_string),
    patterns=("Patterns JSONL", "option", "pt", str),
)
def teach_entities(dataset, spacy_model, source, label=None, patterns=None):
    """Accept or reject entity suggestions; the model learns from each batch."""
    nlp = spacy.blank(spacy_model.split(":", 1)[1]) if spacy_model.startswith("blank:") else spacy.load(spacy_model)
    model = EntityRecognizer(nlp, label=label)
    if patterns is None:
        predict, update = model, model.update
    else:
        matcher = PatternMatcher(nlp, label_span=True, label_task=False).from_disk(patterns)
        predict, update = combine_models(model, matcher)
    stream = split_sentences(nlp, JSONL(source))
    return {
        "dataset": dataset,
        "view_id": "ner",
        "stream": prefer_uncertain(predict(stream)),
        "update": update,
        "config": {"labels": label, "batch_size": 4},
    }
