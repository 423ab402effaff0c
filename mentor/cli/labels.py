"""``--label labels.txt``: a file with one label a line wherever a recipe takes labels, as in Prodigy.

A team keeps its label scheme in a file; typing fifty labels comma-separated is
where typos come from. The command line turns a label option that names an
existing file into the comma-separated labels it holds, before the recipe sees
it, so every recipe (and ``-F`` recipes) takes either form with no code of its
own. Blank lines and surrounding whitespace are ignored; a label with a comma
is refused, since the recipes split on commas.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

from ..errors import InvalidLabelFile

# the parameters that take labels (--label, --labels, --span-label, --gate-labels)
LABEL_PARAMETERS = ("label", "labels", "span_label", "gate_labels")


def read_label_file(path: Path) -> List[str]:
    """The labels of a file, one a line; raises InvalidLabelFile for an empty file or a label with a comma."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise InvalidLabelFile(path, f"can't be read as UTF-8 text ({err})") from None
    labels: List[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        label = line.strip()
        if not label:
            continue
        if "," in label:
            raise InvalidLabelFile(path, f"the label '{label}' holds a comma: write one label a line", number)
        if label not in labels:
            labels.append(label)
    if not labels:
        raise InvalidLabelFile(path, "holds no labels: write one label a line")
    return labels


def with_label_files(kwargs: Dict[str, Any]) -> Dict[str, Any]:
    """The recipe's arguments with each label option that names a file replaced by its labels, comma-separated."""
    for name in LABEL_PARAMETERS:
        value = kwargs.get(name)
        if isinstance(value, str) and value and "," not in value and Path(value).is_file():
            kwargs[name] = ",".join(read_label_file(Path(value)))
    return kwargs
