"""CoNLL and IOB files: a task per sentence, with its tokens and the entities its tags mark.

Two layouts, as CoNLL-2003 and ``spacy convert`` know them:

* ``conll``: a token a line (``word ... TAG``: the word first, the tag last, so
  ``word POS chunk NER`` and ``word TAG`` both read), blank lines between
  sentences, ``-DOCSTART-`` lines between documents;
* ``iob``: a sentence a line, tokens separated by spaces, each ``word|TAG`` or
  ``word|POS|TAG``.

Tags may be IOB1, IOB2, BILUO or IOBES (:mod:`.tags`). A sentence becomes
``{"text", "tokens", "spans", "meta": {"line"}}``, the text its words joined by
single spaces (the files keep no other whitespace). A bad tag raises InvalidTag
naming file, line and tag, or, with ``on_invalid``, skips that sentence only.
:func:`conll_lines` writes a task back as CoNLL.
"""
from __future__ import annotations

from typing import Any, Dict, Iterator, List, Sequence, Tuple

from ..errors import InvalidTag
from ..tasks import Task
from .lines import OnInvalid, Source, read_lines
from .tags import TagError, TokenSpan, spans_to_iob, tags_to_spans

DOCSTART = "-DOCSTART-"
Token = Tuple[int, str, str]  # line number, word, tag


def sentence_task(words: Sequence[str], spans: Sequence[TokenSpan], line: int) -> Task:
    """A task for one tagged sentence: text, tokens with offsets, spans with characters and tokens."""
    tokens: List[Dict[str, Any]] = []
    offset = 0
    for index, word in enumerate(words):
        tokens.append({"text": word, "start": offset, "end": offset + len(word), "id": index, "ws": index < len(words) - 1})
        offset += len(word) + 1
    return {
        "text": " ".join(words),
        "tokens": tokens,
        "spans": [
            {
                "start": tokens[first]["start"],
                "end": tokens[last]["end"],
                "token_start": first,
                "token_end": last,
                "label": label,
            }
            for first, last, label in spans
        ],
        "meta": {"line": line},
    }


def _task(source: Source, sentence: List[Token]) -> Task:
    try:
        spans = tags_to_spans([tag for _line, _word, tag in sentence])
    except TagError as err:
        raise InvalidTag(source, sentence[err.index][0], str(err)) from None
    return sentence_task([word for _line, word, _tag in sentence], spans, sentence[0][0])


def load_conll(source: Source, *, input_key: str = "text", on_invalid: OnInvalid = None) -> Iterator[Task]:
    """Yield a task per sentence of a token-a-line CoNLL file, lazily."""
    sentence: List[Token] = []
    broken = False  # a bad line was reported: the rest of its sentence is skipped with it
    for number, line in read_lines(source, on_invalid):
        columns = line.split()
        if not columns or columns[0] == DOCSTART:
            if sentence and not broken:
                yield from _checked(source, sentence, on_invalid)
            sentence, broken = [], False
            continue
        if broken:
            continue
        if len(columns) < 2:
            error = InvalidTag(source, number, f"'{line.strip()}' has no tag: a token line is 'word ... TAG'")
            if on_invalid is None:
                raise error
            on_invalid(error)
            broken = True
            continue
        sentence.append((number, columns[0], columns[-1]))
    if sentence and not broken:
        yield from _checked(source, sentence, on_invalid)


def load_iob(source: Source, *, input_key: str = "text", on_invalid: OnInvalid = None) -> Iterator[Task]:
    """Yield a task per line of a sentence-a-line IOB file (``word|TAG`` or ``word|POS|TAG`` tokens)."""
    for number, line in read_lines(source, on_invalid):
        if not line.strip():
            continue
        sentence: List[Token] = []
        for item in line.split():
            word, bar, tag = item.rpartition("|")
            if not bar or not word:
                error = InvalidTag(source, number, f"token '{item}' has no tag: write 'word|TAG' or 'word|POS|TAG'")
                if on_invalid is None:
                    raise error
                on_invalid(error)
                sentence = []
                break
            sentence.append((number, word.split("|")[0], tag))
        if sentence:
            yield from _checked(source, sentence, on_invalid)


def _checked(source: Source, sentence: List[Token], on_invalid: OnInvalid) -> Iterator[Task]:
    try:
        yield _task(source, sentence)
    except InvalidTag as error:
        if on_invalid is None:
            raise
        on_invalid(error)


def conll_lines(task: Task) -> List[str]:
    """A task as CoNLL lines, ``word TAG`` (IOB2), from its tokens (or its text split on whitespace).

    Raises TagError when spans overlap or don't start and end on token
    boundaries: CoNLL can't hold either.
    """
    tokens = task.get("tokens") or _whitespace_tokens(str(task.get("text", "")))
    tokens = [token for token in tokens if str(token.get("text", "")).strip()]
    starts = {int(token["start"]): index for index, token in enumerate(tokens)}
    ends = {int(token["end"]): index for index, token in enumerate(tokens)}
    spans: List[TokenSpan] = []
    for span in task.get("spans") or []:
        first, last = starts.get(int(span["start"])), ends.get(int(span["end"]))
        if first is None or last is None:
            text = str(task.get("text", ""))[int(span["start"]):int(span["end"])]
            raise TagError(0, f"the span '{text}' ({span['start']}-{span['end']}) doesn't start and end on tokens")
        spans.append((first, last, str(span["label"])))
    tags = spans_to_iob(len(tokens), spans)
    return [f"{str(token['text']).replace(' ', '_')} {tag}" for token, tag in zip(tokens, tags)]


def _whitespace_tokens(text: str) -> List[Dict[str, Any]]:
    tokens: List[Dict[str, Any]] = []
    offset = 0
    for word in text.split():
        start = text.index(word, offset)
        offset = start + len(word)
        tokens.append({"text": word, "start": start, "end": offset})
    return tokens
