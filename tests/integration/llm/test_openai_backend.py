"""The openai suggester against a fake OpenAI-compatible server on 127.0.0.1 (never the internet)."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from mentor.config import load_settings
from mentor.errors import LlmAuthFailed, LlmNotConfigured, LlmRequestFailed, LlmUnreachable, UnknownSuggester
from mentor.models.llm_cache import ResponseCache
from mentor.models.llm_openai import OpenAISuggester, completions_url
from mentor.models.suggestions import SuggestRequest, load_suggester
from support.fake_llm import FakeLLM, entities_reply, free_port

NER = SuggestRequest(kind="ner", labels=["PERSON", "ORG"])
ENTITIES = {
    "Tim Cook runs Apple.": [("Tim Cook", "PERSON"), ("Apple", "ORG")],
    "Satya leads Microsoft.": [("Satya", "PERSON"), ("Microsoft", "ORG")],
}


def _suggester(fake: FakeLLM, tmp_path: Path, **kwargs) -> OpenAISuggester:
    options = {"model": "fake-1", "api_key": "sk-test", "retries": 2, "backoff": 0.01, "timeout": 5.0,
               "cache": ResponseCache(tmp_path / "llm.sqlite"), **kwargs}
    return OpenAISuggester(NER, base_url=fake.url, **options)


def test_spans_from_a_fenced_reply_with_the_prompt_and_reply_kept(tmp_path: Path) -> None:
    with FakeLLM(entities_reply(ENTITIES)) as fake:
        (suggestion,) = _suggester(fake, tmp_path).suggest(["Tim Cook runs Apple."])
    assert [(s["start"], s["end"], s["label"]) for s in suggestion.spans] == [(0, 8, "PERSON"), (14, 19, "ORG")]
    (request,) = fake.requests
    assert request["auth"] == "Bearer sk-test" and request["body"]["model"] == "fake-1"
    assert request["body"]["response_format"] == {"type": "json_object"} and request["body"]["temperature"] == 0
    io = suggestion.llm_io
    assert io["prompt"].endswith("Tim Cook runs Apple.") and "```json" in io["response"] and io["cached"] is False
    assert "sk-test" not in json.dumps(io)


def test_cache_no_text_is_sent_twice_even_by_a_new_suggester(tmp_path: Path) -> None:
    with FakeLLM(entities_reply(ENTITIES)) as fake:
        first = _suggester(fake, tmp_path).suggest(list(ENTITIES))
        again = _suggester(fake, tmp_path).suggest(list(ENTITIES) + ["Tim Cook runs Apple."])
        other_model = _suggester(fake, tmp_path, model="fake-2").suggest(["Tim Cook runs Apple."])
    assert sorted(fake.texts) == sorted(list(ENTITIES) + ["Tim Cook runs Apple."])  # 2 texts + 1 for fake-2
    assert [s.spans for s in again[:2]] == [s.spans for s in first]
    assert all(s.llm_io["cached"] for s in again) and other_model[0].llm_io["cached"] is False


def test_retries_with_backoff_after_503_then_succeeds(tmp_path: Path) -> None:
    with FakeLLM(entities_reply(ENTITIES), fail_first=2) as fake:
        (suggestion,) = _suggester(fake, tmp_path).suggest(["Satya leads Microsoft."])
    assert len(fake.requests) == 3 and len(suggestion.spans) == 2


def test_still_failing_after_the_retries_is_one_error(tmp_path: Path) -> None:
    with FakeLLM(entities_reply(ENTITIES), fail_first=99, fail_status=500) as fake:
        with pytest.raises(LlmRequestFailed, match="HTTP 500.*after 3 attempts") as err:
            _suggester(fake, tmp_path).suggest(["Satya leads Microsoft."])
    assert err.value.code == "M203" and len(fake.requests) == 3


def test_bad_key_is_401_at_once_without_retries(tmp_path: Path) -> None:
    with FakeLLM(entities_reply(ENTITIES), api_key="sk-right") as fake:
        with pytest.raises(LlmAuthFailed) as err:
            _suggester(fake, tmp_path, api_key="sk-wrong").suggest(["Tim Cook runs Apple."])
    assert err.value.code == "M202" and "HTTP 401" in str(err.value) and len(fake.requests) == 1
    assert "sk-wrong" not in str(err.value)


def test_wrong_path_is_a_404_with_the_endpoint_message(tmp_path: Path) -> None:
    with FakeLLM(entities_reply(ENTITIES)) as fake:
        suggester = OpenAISuggester(NER, base_url=fake.url.replace("/v1", "/v2"), model="m", retries=2, backoff=0.01)
        with pytest.raises(LlmRequestFailed, match="HTTP 404: no route /v2/chat/completions"):
            suggester.suggest(["x"])


def test_unreachable_endpoint_after_retries(tmp_path: Path) -> None:
    suggester = OpenAISuggester(NER, base_url=f"http://127.0.0.1:{free_port()}/v1", model="m", retries=1, backoff=0.01)
    with pytest.raises(LlmUnreachable, match=r"Can't reach the LLM endpoint .*ConnectError.*2 attempts") as err:
        suggester.suggest(["x"])
    assert err.value.code == "M201" and "\n" not in str(err.value)


def test_a_malformed_reply_costs_only_its_text_and_is_not_cached(tmp_path: Path) -> None:
    def reply(text: str, prompt: str) -> str:
        return "Sorry, I cannot do JSON" if "Satya" in text else json.dumps({"spans": [{"text": "Tim Cook", "label": "PERSON"}]})

    with FakeLLM(reply) as fake:
        good, bad = _suggester(fake, tmp_path).suggest(["Tim Cook runs Apple.", "Satya leads Microsoft."])
        _suggester(fake, tmp_path).suggest(["Tim Cook runs Apple.", "Satya leads Microsoft."])
    assert good.error is None and len(good.spans) == 1
    assert bad.error is not None and "no JSON" in bad.error and bad.llm_io["response"].startswith("Sorry")
    assert fake.texts.count("Satya leads Microsoft.") == 2 and fake.texts.count("Tim Cook runs Apple.") == 1


def test_concurrency_is_limited(tmp_path: Path) -> None:
    texts = [f"Text number {i}." for i in range(12)]
    with FakeLLM(lambda text, prompt: '{"spans": []}', delay=0.15) as fake:
        started = time.monotonic()
        _suggester(fake, tmp_path, concurrency=3, cache=None).suggest(texts)
        elapsed = time.monotonic() - started
    # never more than 3 at once; at least 2 (exactly 3 on an idle machine, fewer threads may overlap on a busy one)
    assert 2 <= fake.max_in_flight <= 3 and len(fake.requests) == 12
    assert elapsed >= 4 * 0.15  # 12 requests, 3 at a time: 4 rounds at least


def test_backend_from_settings_and_registry(tmp_path: Path) -> None:
    settings = load_settings(environ={"MENTOR_HOME": str(tmp_path)}, cwd=tmp_path)
    with pytest.raises(LlmNotConfigured, match="llm_base_url .*MENTOR_LLM_BASE_URL.*llm_model") as err:
        load_suggester("openai", NER, settings)
    assert err.value.code == "M205"
    with pytest.raises(UnknownSuggester, match="'gpt'.*openai, zero-shot"):
        load_suggester("gpt", NER, settings)
    env = {"MENTOR_HOME": str(tmp_path), "MENTOR_LLM_BASE_URL": "http://127.0.0.1:1/v1/", "MENTOR_LLM_MODEL": "m",
           "MENTOR_LLM_API_KEY": "k", "MENTOR_LLM_CONCURRENCY": "2"}
    built = load_suggester("openai", NER, load_settings(environ=env, cwd=tmp_path))
    assert built.url == "http://127.0.0.1:1/v1/chat/completions" and built.concurrency == 2
    assert built.cache is not None and built.cache.path == tmp_path / "cache" / "llm.sqlite"
    assert completions_url("http://h/v1/chat/completions") == "http://h/v1/chat/completions"
