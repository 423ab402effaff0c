"""Prompts for the LLM suggesters and the reading of their replies: forgiving, but never inventing spans."""
from __future__ import annotations

import json

import pytest
import spacy

from mentor.errors import InvalidLabelDescription, LlmBadResponse
from mentor.models.llm_cache import ResponseCache, cache_key
from mentor.models.llm_prompt import build_messages, extract_json, parse_response
from mentor.models.suggestions import SuggestRequest, find_mentions, parse_descriptions, snap_spans

NER = SuggestRequest(kind="ner", labels=["PERSON", "ORG"], descriptions={"ORG": "a company"})
CATS = SuggestRequest(kind="textcat", labels=["POS", "NEG"], exclusive=True)
TEXT = "Tim Cook said Apple and apple pie differ; Tim Cook agreed."


def test_prompt_names_labels_descriptions_json_form_and_ends_with_the_text() -> None:
    system, user = build_messages(NER, TEXT)
    assert system["role"] == "system" and "JSON" in system["content"]
    assert "- PERSON\n- ORG: a company" in user["content"]
    assert '{"spans": [' in user["content"] and user["content"].endswith("Text:\n" + TEXT)
    exclusive = build_messages(CATS, "fine")[1]["content"]
    assert "one label" in exclusive and '{"categories": [' in exclusive
    assert "every label" in build_messages(SuggestRequest(kind="textcat", labels=["A"]), "x")[1]["content"]


@pytest.mark.parametrize("reply", [
    '{"spans": []}',
    'Sure!\n```json\n{"spans": []}\n```\nAnything else?',
    'The answer is {"spans": []} as requested',
    '```\n[]\n```',
])
def test_extract_json_from_fences_and_chatter(reply: str) -> None:
    assert extract_json(reply) in ({"spans": []}, [])


@pytest.mark.parametrize("reply", ["I can't help with that.", "", '{"spans": [', "```json\n{oops}\n```"])
def test_no_json_is_a_bad_response(reply: str) -> None:
    with pytest.raises(LlmBadResponse) as err:
        parse_response(reply, NER, TEXT)
    assert err.value.code == "M204"


def test_spans_found_by_text_every_occurrence_labels_recased_unknown_dropped() -> None:
    reply = json.dumps({"spans": [
        {"text": "Tim Cook", "label": "person", "score": 0.8},
        {"text": "Apple", "label": "ORG"},              # no score: None, the exact "Apple", not "apple"
        {"text": "Google", "label": "ORG"},             # not in the text
        {"text": "pie", "label": "FOOD"},               # a label nobody asked for
        "junk",
    ]})
    suggestion, dropped = parse_response(reply, NER, TEXT)
    got = [(s["start"], s["end"], s["label"], s["score"], s["text"]) for s in suggestion.spans]
    assert got == [(0, 8, "PERSON", 0.8, "Tim Cook"), (42, 50, "PERSON", 0.8, "Tim Cook"), (14, 19, "ORG", None, "Apple")]
    assert len(dropped) == 3 and any("'Google' is not in the text" in d for d in dropped)


def test_a_wrong_shape_is_a_bad_response() -> None:
    with pytest.raises(LlmBadResponse, match="'spans' list"):
        parse_response('{"answer": "Tim Cook is a PERSON"}', NER, TEXT)


def test_mentions_whole_words_then_case_and_whitespace_insensitive() -> None:
    assert find_mentions("Also Al came", "Al") == [(5, 7)]  # not inside "Also"
    assert find_mentions("the New\nYork office", "new york") == [(4, 12)]
    assert find_mentions("x", "  ") == [] and find_mentions("abc", "zzz") == []
    assert find_mentions("U.S. and U.S.", "U.S.") == [(0, 4), (9, 13)]


def test_categories_lists_dicts_strings_and_percent_scores() -> None:
    for reply, expected in [
        ('{"categories": [{"label": "pos", "score": 0.9}]}', {"POS": 0.9, "NEG": 0.0}),
        ('{"POS": 0.2, "NEG": 0.7}', {"POS": 0.2, "NEG": 0.7}),
        ('["NEG"]', {"POS": 0.0, "NEG": 1.0}),
        ('{"categories": [{"label": "POS", "score": 85}]}', {"POS": 0.85, "NEG": 0.0}),
        ('{"categories": [{"label": "POS", "score": "high"}, {"label": "MAYBE"}]}', {"POS": 1.0, "NEG": 0.0}),
    ]:
        suggestion, _ = parse_response(reply, CATS, "text")
        assert suggestion.cats == expected, reply


def test_descriptions_parsed_and_checked_against_labels() -> None:
    assert parse_descriptions(["ORG = a company = or club"], ["ORG"]) == {"ORG": "a company = or club"}
    for bad in (["ORG"], ["=x"], ["PLACE=a place"]):
        with pytest.raises(InvalidLabelDescription) as err:
            parse_descriptions(bad, ["ORG"])
        assert err.value.code == "M207"


def test_snap_spans_expands_to_tokens_and_removes_ner_overlaps_by_score() -> None:
    doc = spacy.blank("en")("New York City is big")
    spans = [
        {"start": 0, "end": 8, "label": "GPE", "score": 0.6},
        {"start": 4, "end": 13, "label": "LOC", "score": 0.9},   # overlaps: wins on score
        {"start": 18, "end": 19, "label": "ADJ", "score": 0.5},  # "i" of "big": expanded to the token
        {"start": 18, "end": 20, "label": "ADJ", "score": 0.7},  # the same span again: merged, best score
    ]
    ner = snap_spans(doc, spans, overlapping=False)
    assert [(s["start"], s["end"], s["label"], s["token_start"], s["token_end"], s["score"]) for s in ner] == [
        (4, 13, "LOC", 1, 2, 0.9), (17, 20, "ADJ", 4, 4, 0.7)]
    assert len(snap_spans(doc, spans, overlapping=True)) == 3


def test_cache_keys_differ_by_model_and_prompt_and_survive_reopening(tmp_path) -> None:
    messages = build_messages(NER, TEXT)
    key = cache_key("openai:1", "http://x/v1/chat/completions", "m1", messages)
    assert key != cache_key("openai:1", "http://x/v1/chat/completions", "m2", messages)
    assert key != cache_key("openai:1", "http://x/v1/chat/completions", "m1", build_messages(NER, TEXT + "!"))
    ResponseCache(tmp_path / "c.sqlite").put(key, "m1", '{"spans": []}')
    cache = ResponseCache(tmp_path / "c.sqlite")
    assert cache.get(key) == '{"spans": []}' and cache.get("other") is None and len(cache) == 1
