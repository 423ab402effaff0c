"""A fake OpenAI-compatible chat-completions server on 127.0.0.1, for the LLM recipe tests.

It answers ``POST /v1/chat/completions`` as OpenAI does, from a ``reply``
function of the user prompt's text (the part after "Text:\\n"), and records
every request. ``fail_first`` makes the first N requests answer a status
(503, say) to exercise retries; ``api_key`` makes any other key get 401;
``raw`` replies return a body that is not a chat completion. Never the internet.
"""
from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional

Reply = Callable[[str, str], str]  # (text, prompt) -> the assistant message


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def text_of(prompt: str) -> str:
    """The text a mentor prompt asks about (it comes last, after 'Text:')."""
    return prompt.rsplit("Text:\n", 1)[-1]


def entities_reply(entities: Dict[str, List[tuple]]) -> Reply:
    """Reply with the given (words, label) pairs for each text, as JSON in a code fence (as models do)."""

    def reply(text: str, prompt: str) -> str:
        spans = [{"text": words, "label": label, "score": 0.9} for words, label in entities.get(text, [])]
        return "Here you go:\n```json\n" + json.dumps({"spans": spans}) + "\n```"

    return reply


class FakeLLM:
    """A threaded HTTP server speaking the chat-completions API; ``url`` is its base URL (…/v1)."""

    def __init__(self, reply: Reply, *, api_key: Optional[str] = None, fail_first: int = 0,
                 fail_status: int = 503, delay: float = 0.0) -> None:
        self.reply = reply
        self.api_key = api_key
        self.fail_first = fail_first
        self.fail_status = fail_status
        self.delay = delay
        self.requests: List[Dict[str, Any]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "FakeLLM":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def texts(self) -> List[str]:
        """The texts asked about, in the order the requests came."""
        return [text_of(r["body"]["messages"][-1]["content"]) for r in self.requests if "body" in r]

    def _handler(self) -> type:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: Any, headers: Optional[Dict[str, str]] = None) -> None:
                data = (body if isinstance(body, str) else json.dumps(body)).encode("utf8")
                self._done()  # before the client can read the reply and send its next request
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client went away (a test's Ctrl-C)
                    pass

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with fake._lock:
                    number = len(fake.requests)
                    fake.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
                    fake.in_flight += 1
                    fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
                self._counted = True
                try:
                    self._answer(number, body)
                finally:
                    self._done()

            def _done(self) -> None:
                if getattr(self, "_counted", False):
                    self._counted = False
                    with fake._lock:
                        fake.in_flight -= 1

            def _answer(self, number: int, body: Dict[str, Any]) -> None:
                if fake.delay:
                    import time

                    time.sleep(fake.delay)
                if self.path != "/v1/chat/completions":
                    return self._send(404, {"error": {"message": f"no route {self.path}"}})
                if fake.api_key is not None and self.headers.get("Authorization") != f"Bearer {fake.api_key}":
                    return self._send(401, {"error": {"message": "Incorrect API key provided"}})
                if number < fake.fail_first:
                    return self._send(fake.fail_status, {"error": {"message": "overloaded"}}, {"Retry-After": "0"})
                prompt = body["messages"][-1]["content"]
                content = fake.reply(text_of(prompt), prompt)
                self._send(200, {
                    "id": f"chatcmpl-{number}", "object": "chat.completion", "model": body.get("model"),
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": content}}],
                })

        return Handler
