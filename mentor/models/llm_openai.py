"""The ``openai`` suggester: any OpenAI-compatible chat-completions endpoint.

OpenAI itself, vLLM, llama.cpp's server, Ollama, LiteLLM and most hosted
models speak ``POST {base_url}/chat/completions``. One request a text, at most
``llm_concurrency`` in flight (a thread pool; httpx's client is thread-safe and
keeps the connections), each retried with exponential backoff after a timeout,
a refused connection, 429 or 5xx (``Retry-After`` honoured, up to 30 s).
What no retry fixes stops the run with one line: a refused key (401/403,
M202), a wrong model or path (400/404/422, M203), an endpoint still down after
the retries (M201). A reply that can't be read costs only its text (M204, a
warning). Every reply that could be read is cached on disk (:mod:`llm_cache`).
The API key is sent as a Bearer token and never written anywhere.
"""
from __future__ import annotations

import logging
import random
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Optional, Sequence

import httpx

from ..config import Settings
from ..errors import LlmAuthFailed, LlmBadResponse, LlmNotConfigured, LlmRequestFailed, LlmUnreachable
from ..registry import suggester
from .llm_cache import ResponseCache, cache_key
from .llm_prompt import PROMPT_VERSION, build_messages, parse_response
from .suggestions import SuggestRequest, Suggestion

__all__ = ["OpenAISuggester", "make_openai_suggester", "completions_url"]

logger = logging.getLogger(__name__)

RETRY_STATUS = frozenset((408, 409, 425, 429, 500, 502, 503, 504))
MAX_RETRY_AFTER = 30.0


def completions_url(base_url: str) -> str:
    """``…/v1`` -> ``…/v1/chat/completions``; a full completions URL is kept as it is."""
    base = base_url.rstrip("/")
    return base if base.endswith("/chat/completions") else f"{base}/chat/completions"


def _detail(response: httpx.Response) -> str:
    """The endpoint's own error message (OpenAI's ``{"error": {"message": ...}}``), else the body's start."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:200] or response.reason_phrase
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and error.get("message"):
        return str(error["message"])
    if isinstance(error, str):
        return error
    return str(body)[:200]


def _content(response: httpx.Response) -> str:
    """The assistant's text of a chat completion; LlmBadResponse when the body isn't one."""
    try:
        content = response.json()["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise LlmBadResponse(f"the endpoint's reply is not a chat completion: {response.text[:80]!r}") from None
    if not isinstance(content, str) or not content.strip():
        raise LlmBadResponse("the endpoint's reply has an empty message")
    return content


class OpenAISuggester:
    """Suggestions from a chat model behind an OpenAI-compatible endpoint."""

    name = "openai"

    def __init__(
        self,
        request: SuggestRequest,
        *,
        base_url: str,
        model: str,
        api_key: Optional[str] = None,
        concurrency: int = 4,
        timeout: float = 60.0,
        retries: int = 3,
        json_mode: bool = True,
        cache: Optional[ResponseCache] = None,
        backoff: float = 0.5,
    ) -> None:
        self.request = request
        self.url = completions_url(base_url)
        self.model = model
        self.concurrency = concurrency
        self.retries = retries
        self.json_mode = json_mode
        self.cache = cache
        self.backoff = backoff
        self.n_sent = 0
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        self._client = httpx.Client(headers=headers, timeout=timeout, limits=limits, trust_env=False)

    def close(self) -> None:
        self._client.close()

    def suggest(self, texts: Sequence[str]) -> List[Suggestion]:
        """One suggestion a text, in order; up to ``concurrency`` requests at once."""
        if len(texts) <= 1 or self.concurrency == 1:
            return [self._suggest_one(text) for text in texts]
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(texts))) as pool:
            return list(pool.map(self._suggest_one, texts))

    def _suggest_one(self, text: str) -> Suggestion:
        messages = build_messages(self.request, text)
        key = cache_key(f"openai:{PROMPT_VERSION}", self.url, self.model, messages)
        content = self.cache.get(key) if self.cache is not None else None
        cached = content is not None
        io: Dict[str, Any] = {"backend": self.name, "model": self.model, "prompt": messages[-1]["content"],
                              "cached": cached}
        try:
            if content is None:
                content = self._complete(messages)
            io["response"] = content
            suggestion, dropped = parse_response(content, self.request, text)
        except LlmBadResponse as err:
            io.setdefault("response", "")
            return Suggestion(llm_io=io, error=err.problem)
        if dropped:
            io["dropped"] = dropped
        if not cached and self.cache is not None:
            self.cache.put(key, self.model, content)
        suggestion.llm_io = io
        return suggestion

    def _body(self, messages: List[Dict[str, str]]) -> Dict[str, Any]:
        body: Dict[str, Any] = {"model": self.model, "messages": messages, "temperature": 0}
        if self.json_mode:
            body["response_format"] = {"type": "json_object"}
        return body

    def _wait(self, attempt: int, response: Optional[httpx.Response]) -> None:
        delay = self.backoff * (2 ** attempt) * (1 + random.random() / 4)
        if response is not None and response.headers.get("retry-after"):
            try:
                delay = max(delay, min(MAX_RETRY_AFTER, float(response.headers["retry-after"])))
            except ValueError:
                pass
        time.sleep(delay)

    def _complete(self, messages: List[Dict[str, str]]) -> str:
        """POST one chat completion, retrying what a retry can fix; the reply's text."""
        body = self._body(messages)
        problem = ""
        status: Optional[int] = None
        for attempt in range(self.retries + 1):
            if attempt:
                logger.info("Retrying %s (attempt %d): %s", self.url, attempt + 1, problem)
            try:
                response = self._client.post(self.url, json=body)
            except httpx.TransportError as err:  # refused, DNS, timeouts, a dropped connection
                problem, status = type(err).__name__ + (f": {err}" if str(err) else ""), None
                if attempt < self.retries:
                    self._wait(attempt, None)
                continue
            self.n_sent += 1
            if response.status_code in (401, 403):
                raise LlmAuthFailed(self.url, response.status_code)
            if response.status_code in RETRY_STATUS:
                problem, status = f"HTTP {response.status_code}: {_detail(response)}", response.status_code
                if attempt < self.retries:
                    self._wait(attempt, response)
                continue
            if response.status_code >= 400:
                raise LlmRequestFailed(self.url, response.status_code, _detail(response))
            return _content(response)
        if status is None:
            raise LlmUnreachable(self.url, problem, self.retries + 1)
        raise LlmRequestFailed(self.url, status, f"{problem} (still failing after {self.retries + 1} attempts)")


@suggester("openai")
def make_openai_suggester(request: SuggestRequest, settings: Settings) -> OpenAISuggester:
    """The ``openai`` backend from the ``llm_*`` settings (mentor.json, MENTOR_LLM_*, --model)."""
    missing = [key for key in ("llm_base_url", "llm_model") if not getattr(settings, key)]
    if missing:
        raise LlmNotConfigured(missing)
    assert settings.llm_base_url is not None and settings.llm_model is not None
    return OpenAISuggester(
        request,
        base_url=settings.llm_base_url,
        model=settings.llm_model,
        api_key=settings.llm_api_key,
        concurrency=settings.llm_concurrency,
        timeout=settings.llm_timeout,
        retries=settings.llm_retries,
        json_mode=settings.llm_json_mode,
        cache=ResponseCache(settings.llm_cache),
    )
