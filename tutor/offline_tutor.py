"""The offline tutor: replies built from the rule-based grammar checker, plus curated phrasing.

It needs no network and no key. A tiny language model cannot judge grammar reliably
(``bench/tutor_eval.py`` measures this), so the judgement comes from the explicit rules of
:mod:`tutor.grammar_rules`. Where no rule fires the tutor says it found nothing to fix,
which is honest, rather than guessing.

The small bundled model (see ``tutor.llm_provider.LocalModelProvider``) can optionally phrase
the follow-up question (opt-in: ``ACCENT_COACH_OFFLINE_MODEL=smollm2``); its output is
validated and replaced by a curated question for the topic and level whenever it is not
a short, clean, on-topic question. ``bench/tutor_eval.py`` shows why it is off by default.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass
from typing import Any, Sequence

from tutor.grammar_rules import GrammarIssue, check_grammar, is_word, tokenize
from tutor.topics import curated_follow_up

logger = logging.getLogger(__name__)

ENGINE_NAME = "offline-rules"
MAX_ISSUES_SHOWN = 2
SHORT_ANSWER_WORDS = 3

# ---------------------------------------------------------------------------------------
# the offline reply


@dataclass(frozen=True)
class OfflineReply:
    """The four parts of a tutor reply as the offline engine writes them."""

    correction: str
    explanation: str
    improved_version: str
    follow_up_question: str
    has_errors: bool
    issues: tuple[GrammarIssue, ...] = ()
    engine: str = ENGINE_NAME

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["issues"] = [issue.to_dict() for issue in self.issues]
        return data


def _quote(text: str) -> str:
    return f"\u201c{text}\u201d"


def describe_issues(issues: Sequence[GrammarIssue]) -> tuple[str, str]:
    """(correction, explanation) sentences for the first issues, kind and short."""
    shown = list(issues[:MAX_ISSUES_SHOWN])
    fixes = [f"{_quote(issue.correction)} instead of {_quote(issue.original)}" for issue in shown]
    if len(fixes) == 1:
        correction = f"Good try! One small fix: say {fixes[0]}."
    else:
        correction = f"Good try! Two small fixes: say {fixes[0]}, and {fixes[1]}."
    explanations: list[str] = []
    for issue in shown:
        if issue.explanation not in explanations:
            explanations.append(issue.explanation)
    return correction, " ".join(explanations)


def offline_reply(
    text: str,
    topic: str,
    level: str,
    turn_index: int,
    asked: Sequence[str] = (),
    follow_up: str | None = None,
) -> OfflineReply:
    """The offline tutor's reply to one learner message.

    ``follow_up`` is an already validated question (for example from the small model);
    without it a curated question for the topic and level is used.
    """
    result = check_grammar(text)
    question = follow_up or curated_follow_up(topic, level, turn_index, asked)
    word_count = len([t for t, _ in tokenize(text) if is_word(t.lower())])
    if result.has_errors:
        correction, explanation = describe_issues(result.issues)
        return OfflineReply(correction, explanation, result.corrected, question, True, result.issues)
    if word_count <= SHORT_ANSWER_WORDS:
        explanation = "Short answers are fine in conversation, but a full sentence gives you more practice."
    else:
        explanation = "Your message is clear and easy to follow."
    return OfflineReply(
        correction="Well said! I didn't spot any mistakes.",
        explanation=explanation,
        improved_version=result.corrected,
        follow_up_question=question,
        has_errors=False,
    )


# ---------------------------------------------------------------------------------------
# follow-up questions phrased by a small model (validated, else None -> curated question)

FEW_SHOT_QUESTIONS = (
    ("I like cooking pasta.", "What kind of pasta do you cook most often?"),
    ("We visited my aunt last weekend.", "Where does your aunt live?"),
)
QUESTION_MIN_WORDS = 3
QUESTION_MAX_WORDS = 25
FORBIDDEN_IN_QUESTION = re.compile(r"[{}<>`\[\]|\\]|https?:|www\.|\b(assist|AI|language model|chatbot)\b",
                                   re.IGNORECASE)
STOPWORDS = {
    "about", "after", "again", "also", "because", "been", "before", "being", "could", "does", "doing",
    "from", "have", "having", "here", "into", "just", "like", "more", "most", "much", "only", "other",
    "really", "should", "some", "than", "that", "their", "them", "then", "there", "these", "they",
    "this", "very", "were", "what", "when", "where", "which", "while", "with", "would", "your",
    "you", "yours", "will", "want", "think", "know", "tell", "make", "usually", "always",
}


def clean_question(text: str, max_words: int = QUESTION_MAX_WORDS) -> str | None:
    """The first question in ``text`` if it is one short, clean question ending in "?", else None."""
    text = re.sub(r"\s+", " ", (text or "").strip()).strip("\"'\u201c\u201d ")
    text = re.sub(r"^(follow[ -]?up( question)?|question|tutor|teacher)\s*:\s*", "", text, flags=re.IGNORECASE)
    match = re.search(r"[^.!?]*\?", text)
    if not match:
        return None
    question = match.group(0).strip().strip("\"'\u201c\u201d ")
    words = question.split()
    if not (QUESTION_MIN_WORDS <= len(words) <= max_words) or FORBIDDEN_IN_QUESTION.search(question):
        return None
    if not question[0].isalpha():
        return None
    return question[0].upper() + question[1:]


def _content_words(text: str) -> set[str]:
    return {word for word in re.findall(r"[a-z]{4,}", text.lower()) if word not in STOPWORDS}


def model_follow_up(provider: Any, topic_title: str, level: str, learner_text: str,
                    asked: Sequence[str] = (), max_tokens: int = 40) -> str | None:
    """A follow-up question phrased by ``provider`` (a small model), or None when it is not usable.

    The question must be short, end with "?", not repeat an earlier question and share a
    content word with what the learner said or the topic (so it stays on the subject).
    """
    messages = [{"role": "system", "content": (
        f"You are an English teacher chatting with a student about {topic_title.lower()}. Answer with one "
        "short, friendly question (at most 12 words) that asks for more details about what the student "
        "just said.")}]
    for said, asked_back in FEW_SHOT_QUESTIONS:
        messages += [{"role": "user", "content": said}, {"role": "assistant", "content": asked_back}]
    messages.append({"role": "user", "content": learner_text.strip()})
    try:
        answer = provider.chat(messages, max_tokens=max_tokens)
    except Exception as error:  # the curated question is always there
        logger.warning("The small model gave no follow-up question: %s", error)
        return None
    question = clean_question(answer)
    if question is None:
        logger.info("Small-model question rejected (shape): %r", answer[:200])
        return None
    if question.lower() in {q.strip().lower() for q in asked}:
        return None
    leaked = _content_words(" ".join(q for pair in FEW_SHOT_QUESTIONS for q in pair)) - _content_words(learner_text)
    if _content_words(question) & leaked:
        logger.info("Small-model question rejected (copied the examples): %r", question)
        return None
    if not (_content_words(question) & (_content_words(learner_text) | _content_words(topic_title))):
        logger.info("Small-model question rejected (off topic): %r", question)
        return None
    return question
