"""LLM feedback on a Pronunciation Practice result, from the configured remote language model only.

``coach_feedback(result)`` returns a few short, kind, specific sentences, or None when no
service is configured or it fails (the page then shows only its built-in tips). The
bundled offline model is not used here: it is too small to give trustworthy advice.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Mapping

from tutor.llm_provider import ChatProvider, LLMError, get_remote_provider

logger = logging.getLogger(__name__)

MAX_WORDS_LISTED = 8
MAX_FEEDBACK_CHARS = 900
COACH_MAX_TOKENS = 220
SYSTEM_PROMPT = (
    "You are a kind, precise English pronunciation coach. You get the result of one reading "
    "exercise: the sentence, what the recognizer heard, a 0-100 score and the words that were "
    "mispronounced or missing, with expected and heard sounds in IPA. Reply in plain text, at most "
    "four short sentences: start with one thing that went well, then give one or two specific tips "
    "for the most important sounds (how to place the tongue or lips), and end with encouragement. "
    "Do not use Markdown, lists, links or HTML. Do not invent problems that are not in the data."
)


def _phones(values: Any) -> str:
    if not isinstance(values, (list, tuple)):
        return ""
    return " ".join(str(v) for v in values)


def summarise_result(result: Mapping[str, Any]) -> str:
    """The facts of a result in a compact text block for the prompt."""
    metrics = result.get("metrics") or {}
    lines = [
        f"Sentence: {result.get('reference_text', '')}",
        f"Heard: {result.get('transcript', '')}",
        f"Score: {result.get('score', '?')}/100",
    ]
    if isinstance(metrics, Mapping):
        parts = [f"{key} {metrics[key]}" for key in ("word_accuracy", "phoneme_error_rate", "completeness")
                 if key in metrics]
        if parts:
            lines.append("Metrics: " + ", ".join(parts))
    problems = []
    for word in result.get("words") or []:
        if not isinstance(word, Mapping) or word.get("status") == "correct":
            continue
        errors = ", ".join(
            f"{e.get('expected') or '-'} heard as {e.get('heard') or 'nothing'}"
            for e in (word.get("phone_errors") or []) if isinstance(e, Mapping)
        )
        problems.append(
            f"- {word.get('word', '')} ({word.get('status', '')}): expected /{_phones(word.get('expected_phonemes'))}/,"
            f" heard /{_phones(word.get('heard_phonemes'))}/" + (f"; {errors}" if errors else "")
        )
        if len(problems) >= MAX_WORDS_LISTED:
            break
    lines.append("Words to work on:" if problems else "Words to work on: none")
    lines.extend(problems)
    extra = result.get("extra_words") or []
    if extra:
        lines.append("Extra words heard: " + ", ".join(str(w) for w in extra[:MAX_WORDS_LISTED]))
    return "\n".join(lines)


def _clean(text: str) -> str | None:
    """Plain short text: Markdown markers, links and HTML removed; None when nothing is left."""
    text = re.sub(r"<[^>]*>", "", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"https?://\S+", "", text)
    text = re.sub(r"[*_#`>]+", "", text)
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        return None
    if len(text) > MAX_FEEDBACK_CHARS:
        cut = text[:MAX_FEEDBACK_CHARS]
        text = cut[: cut.rfind(". ") + 1] if ". " in cut else cut
    return text


def coach_feedback(result: dict, provider: ChatProvider | None = None) -> str | None:
    """Short, kind, specific LLM feedback on one analysis result, or None (no service, or it failed)."""
    provider = provider or get_remote_provider()
    if provider is None or not isinstance(result, Mapping):
        return None
    messages = [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": summarise_result(result)},
    ]
    try:
        answer = provider.chat(messages, max_tokens=COACH_MAX_TOKENS)
    except LLMError as error:
        logger.warning("Coach feedback unavailable: %s", error)
        return None
    return _clean(answer)
