"""Tokenised docs for the models in the loop, cached by text.

The same texts come back again and again (scored, re-scored after each update,
then trained on once answered), and tokenising is a large share of a small
model's loop time, so each model keeps the docs of its recent texts.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, List, Sequence

from spacy.tokens import Doc


class DocCache:
    """Least-recently-used docs by text, or a plain ``nlp.pipe`` when ``size`` is 0.

    A cache only holds when the model's component listens to nothing upstream
    that training changes (a trainable tok2vec would make cached docs stale):
    the owner passes ``size=0`` then, and the docs go through ``nlp.pipe``
    with ``disable`` (the frozen components and the model's own).
    """

    def __init__(self, nlp: Any, size: int, disable: Sequence[str]) -> None:
        self.nlp = nlp
        self.size = size
        self.disable = list(disable)
        self._docs: "OrderedDict[str, Doc]" = OrderedDict()

    def __call__(self, texts: Sequence[str]) -> List[Doc]:
        if not self.size:
            return list(self.nlp.pipe(texts, disable=self.disable))
        docs: List[Doc] = []
        for text in texts:
            doc = self._docs.get(text)
            if doc is None:
                doc = self.nlp.make_doc(text)
                self._docs[text] = doc
                if len(self._docs) > self.size:
                    self._docs.popitem(last=False)
            else:
                self._docs.move_to_end(text)
            docs.append(doc)
        return docs
