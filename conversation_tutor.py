"""The Conversation Tutor's per-turn loop: transcript in, a structured tutor reply out.

A turn is: (speech ->) transcript -> tutor reply with four parts (correction,
explanation, improved version, follow-up question) plus ``has_errors``, and the words
the recognizer was unsure of as pronunciation hints. The reply comes from the
configured remote language model (JSON output, validated, retried once) or, with no
service or when it fails, from the offline tutor (:mod:`offline_tutor`), so the
conversation always goes on.

CLI (one turn, one JSON object on stdout; ``--batch`` one JSON object per line of FILE)::

    python -m conversation_tutor --topic travel --level B1-B2 --text "Yesterday I go to the beach."
    python -m conversation_tutor --topic food --level A2 --audio answer.wav
    python -m conversation_tutor --topic travel --offline --batch sentences.txt
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable, Iterator, Sequence

from speech.transcription import Transcription
from tutor.grammar_rules import check_grammar
from tutor.llm_provider import (
    ChatProvider,
    LLMError,
    LocalModelProvider,
    get_remote_provider,
    local_model_enabled,
    parse_json_object,
)
from tutor.offline_tutor import ENGINE_NAME as OFFLINE_ENGINE
from tutor.offline_tutor import clean_question, offline_reply
from tutor.report import (
    LevelEstimate,
    PracticeSummary,
    QuotedSentence,
    format_duration,
    level_estimate,
    practice_summary,
    pronunciation_note,
    quote_turns,
    unclear_words,
)
from tutor.topics import (
    DEFAULT_LEVEL,
    LEVEL_DESCRIPTIONS,
    LEVELS,
    MODES,
    TOPICS,
    choose_opening_question,
    resolve_level,
    resolve_topic,
    topic_title,
)
from ui.safe_text import escape_markdown

logger = logging.getLogger(__name__)

REPLY_TEXT_FIELDS = ("correction", "explanation", "improved_version", "follow_up_question")
MAX_FIELD_CHARS = 800
HISTORY_TURNS = 6
# Whisper's word probabilities on the bundled clips: a swapped word ("right" for "light") 0.50, a
# misheard one 0.41; correct content words 0.79-1.0; sentence-initial words 0.57-0.64 and the
# function words below as low as 0.52 even when said well, so those are never named.
HINT_CONFIDENCE = 0.55
HINT_SKIP_WORDS = frozenset({"a", "an", "the", "of", "to", "in", "on", "at", "and", "or", "is", "it"})
MAX_HINTS = 5
REMOTE_MAX_TOKENS = 500
LOCAL_QUESTION_TOKENS = 40
LABEL_PREFIX = re.compile(
    r"^\s*[*_#>\-\s]*(correction|explanation|improved[ _]version|improved|follow[ _-]?up(?:[ _]question)?|"
    r"question|has[ _]errors)\s*[*_]*\s*[:\-\u2013\u2014]\s*",
    re.IGNORECASE,
)
RETRY_INSTRUCTION = (
    "Your last answer could not be used. Reply again with ONLY one JSON object with the keys "
    "correction, explanation, improved_version, follow_up_question (ending with '?') and "
    "has_errors (true or false). No other text."
)
MSG_NO_WORDS = "I couldn't hear any words in that recording. Please try again, a little closer to the microphone."
MSG_EMPTY_TEXT = "Please say or type something first."
MSG_FALLBACK = "The offline tutor answered this turn."
MSG_BAD_REPLY = "The language model's answer could not be used, so the offline tutor answered this turn."

STATS_LEVEL_WORDS = {"A2": 0, "B1-B2": 9, "C1-C2": 16}
ADVANCED_WORDS = {
    "although", "however", "whereas", "therefore", "moreover", "unless", "despite", "whether",
    "which", "whose", "nevertheless", "meanwhile", "otherwise", "furthermore", "since", "though",
}
RULE_LABELS = {
    "third_person": "the -s with he, she and it (\"she works\")",
    "plural_subject": "verb forms with I, you, we and they",
    "be_form": "forms of \"be\" (am, is, are, was, were)",
    "be_agree": "\"I agree\" (not \"I am agree\")",
    "irregular_past": "irregular past forms (went, ate, bought)",
    "past_time": "the past simple for finished events",
    "after_did": "the base verb after did / didn't",
    "after_does": "the base verb after do / does",
    "modal_to": "no \"to\" after can, must, should",
    "modal_form": "the base verb after can, will, must",
    "participle": "past participles after have / has (gone, eaten)",
    "article": "a / an before jobs and countable things",
    "a_an": "\"a\" or \"an\" before a word",
    "double_comparative": "comparatives (better, not \"more better\")",
    "age": "giving your age with \"be\"",
    "since_for": "\"for\" and \"since\" with time",
    "present_perfect": "the present perfect for unfinished periods",
    "verb_pattern": "verb patterns (want to go, enjoy swimming)",
    "people_plural": "\"people\" as a plural",
    "uncountable": "uncountable nouns (advice, information)",
    "much_many": "much and many",
    "noun_number": "singular and plural nouns (several reasons, one of the problems)",
    "agreement": "verbs that agree with their subject (the teacher explains, people think)",
    "verb_form": "the base verb after to, modals and did",
    "passive": "the past participle in the passive (was built)",
    "preposition": "prepositions in fixed phrases (on the other hand, wait for)",
    "comparative": "\"than\" in comparisons",
    "double_negative": "one negative per clause (I don't have anything)",
    "missing_be": "the verb \"be\" before an adjective (she is tired)",
    "missing_subject": "a subject in every clause (because it is late)",
    "there_is_are": "\"there is\" and \"there are\"",
    "its_its": "\"its\" and \"it's\"",
    "there_their": "\"their\" and \"there\"",
    "confused_word": "words that sound alike (too / to, were / where)",
    "split_word": "words written as one (someone, without)",
    "word_order": "word order (I always go; where are you going?)",
    "apostrophe": "apostrophes in contractions (don't, I'm)",
    "repeated_word": "words written twice",
    "good_well": "\"well\" after an action verb (she sings well)",
    "pronoun": "object pronouns after a verb (help them)",
}
GENERIC_PRACTICE = (
    "Answer with longer sentences that give a reason, using \"because\" or \"so\".",
    "Tell a short story about last weekend using the past simple.",
    "Record yourself reading your improved sentences aloud and compare them with the tutor's audio.",
)


class TurnError(ValueError):
    """A turn could not run; ``str(error)`` is a short message for the learner."""


class ReplyValidationError(ValueError):
    """A model's reply did not have the required structure."""


def _now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class TutorReply:
    """The four parts of a tutor reply, whether errors were found, and who wrote it."""

    correction: str
    explanation: str
    improved_version: str
    follow_up_question: str
    has_errors: bool
    engine: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "TutorReply":
        return validate_reply(data, str(data.get("engine") or OFFLINE_ENGINE))


def _clean_field(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise ReplyValidationError(f"{name} is not a string")
    text = LABEL_PREFIX.sub("", value.strip()).strip().strip('"').strip()
    if not text:
        raise ReplyValidationError(f"{name} is empty")
    if len(text) > MAX_FIELD_CHARS:
        raise ReplyValidationError(f"{name} is too long")
    return text


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    raise ReplyValidationError("has_errors is not true or false")


def validate_reply(data: Any, engine: str) -> TutorReply:
    """A :class:`TutorReply` from a parsed JSON object; raises ReplyValidationError.

    ``has_errors`` is read from its own boolean field, never guessed from the text
    (a correction such as "No errors." must not count as an error).
    """
    if not isinstance(data, dict):
        raise ReplyValidationError("the reply is not a JSON object")
    missing = [key for key in (*REPLY_TEXT_FIELDS, "has_errors") if key not in data]
    if missing:
        raise ReplyValidationError(f"missing keys: {', '.join(missing)}")
    parts = {name: _clean_field(data[name], name) for name in REPLY_TEXT_FIELDS}
    question = clean_question(parts["follow_up_question"], max_words=40)
    if question is None:
        raise ReplyValidationError("follow_up_question is not one question ending with '?'")
    parts["follow_up_question"] = question
    return TutorReply(**parts, has_errors=_as_bool(data["has_errors"]), engine=engine)


@dataclass(frozen=True)
class TurnResult:
    """One finished turn: what the learner said and the tutor's reply."""

    index: int
    transcript: str
    reply: TutorReply
    input_kind: str = "text"
    pronunciation_hints: tuple[str, ...] = ()
    asr_engine: str = ""
    asr_ms: float = 0.0
    tutor_ms: float = 0.0
    notice: str | None = None
    created_at: str = field(default_factory=_now_iso)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["reply"] = self.reply.to_dict()
        data["pronunciation_hints"] = list(self.pronunciation_hints)
        data["has_errors"] = self.reply.has_errors
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "TurnResult":
        return cls(
            index=int(data.get("index", 0)),
            transcript=str(data.get("transcript", "")),
            reply=TutorReply.from_dict(dict(data.get("reply") or {})),
            input_kind=str(data.get("input_kind", "text")),
            pronunciation_hints=tuple(str(word) for word in data.get("pronunciation_hints") or ()),
            asr_engine=str(data.get("asr_engine", "")),
            asr_ms=float(data.get("asr_ms") or 0.0),
            tutor_ms=float(data.get("tutor_ms") or 0.0),
            notice=data.get("notice"),
            created_at=str(data.get("created_at") or _now_iso()),
        )


@dataclass
class Conversation:
    """An open conversation: its setup, the opening question (chosen once) and the turns so far."""

    topic: str
    level: str
    mode: str = "practice"
    opening_question: str = ""
    conversation_id: str | None = None
    started_at: str = field(default_factory=_now_iso)
    turns: list[TurnResult] = field(default_factory=list)

    @classmethod
    def start(cls, topic: str, level: str, mode: str = "practice", opening_question: str | None = None,
              conversation_id: str | None = None) -> "Conversation":
        if topic not in TOPICS:
            raise ValueError(f"Unknown topic {topic!r}")
        if level not in LEVELS or mode not in MODES:
            raise ValueError(f"Unknown level or mode: {level!r}, {mode!r}")
        question = opening_question or choose_opening_question(topic, level)
        return cls(topic, level, mode, question, conversation_id)

    @property
    def asked_questions(self) -> list[str]:
        return [self.opening_question] + [turn.reply.follow_up_question for turn in self.turns]

    @property
    def current_question(self) -> str:
        return self.asked_questions[-1]

    @property
    def elapsed_seconds(self) -> float:
        """Seconds from the start to the last answer (0 before the first answer or with unreadable times)."""
        if not self.turns:
            return 0.0
        try:
            start = datetime.fromisoformat(self.started_at)
            end = datetime.fromisoformat(self.turns[-1].created_at)
            return max(0.0, (end - start).total_seconds())
        except (ValueError, TypeError):  # unreadable or mixed naive/aware times
            return 0.0

    def stats(self) -> dict[str, Any]:
        """Turns, turns with errors, minutes since the start and the same time as mm:ss."""
        seconds = self.elapsed_seconds
        return {
            "turns": len(self.turns),
            "errors": sum(1 for turn in self.turns if turn.reply.has_errors),
            "minutes": round(seconds / 60.0, 1),
            "duration": format_duration(seconds),
        }


def build_messages(conversation: Conversation, learner_text: str) -> list[dict[str, str]]:
    """The chat messages for one turn: the setup (topic, level, mode, opening question) and recent history."""
    topic = TOPICS[conversation.topic]
    exam_note = (
        " This is an exam: the learner sees only your follow-up questions until the end, so keep "
        "every question clear and on topic." if conversation.mode == "exam" else ""
    )
    system = (
        "You are a kind, encouraging English conversation tutor.\n"
        f"Topic: {topic.title} ({topic.description}).\n"
        f"Learner level: {conversation.level} ({LEVEL_DESCRIPTIONS[conversation.level]}).\n"
        f"Mode: {conversation.mode}.{exam_note}\n"
        f"You opened the conversation with this question: \"{conversation.opening_question}\"\n"
        "The learner's words come from speech recognition: ignore capital letters and punctuation.\n"
        "For each learner message reply with ONLY one JSON object with these keys:\n"
        "- correction: one kind sentence pointing out the main mistake, or short praise if there is none;\n"
        "- explanation: one or two sentences explaining the grammar or word choice;\n"
        "- improved_version: the learner's message rewritten correctly and naturally;\n"
        "- follow_up_question: one question that continues the conversation on the topic, ending with '?';\n"
        "- has_errors: true if the message has grammar or vocabulary mistakes, otherwise false.\n"
        "Never invent mistakes: if the message is correct, set has_errors to false and say so kindly.\n"
        "Use words suited to the learner's level."
    )
    messages = [{"role": "system", "content": system},
                {"role": "assistant", "content": conversation.opening_question}]
    for turn in conversation.turns[-HISTORY_TURNS:]:
        reply = {key: value for key, value in turn.reply.to_dict().items() if key != "engine"}
        messages.append({"role": "user", "content": turn.transcript})
        messages.append({"role": "assistant", "content": json.dumps(reply, ensure_ascii=False)})
    messages.append({"role": "user", "content": learner_text})
    return messages


def pronunciation_hints(transcription: Transcription | None, threshold: float = HINT_CONFIDENCE) -> list[str]:
    """Words the recognizer was unsure of (confidence below ``threshold``), first ones first.

    Short function words are left out: the recognizer's confidence in them says little about
    how they were pronounced.
    """
    if transcription is None:
        return []
    hints: list[str] = []
    for word in transcription.words:
        text = re.sub(r"[^\w']", "", word.word.lower())
        if text and text not in HINT_SKIP_WORDS and word.confidence < threshold and text not in hints:
            hints.append(text)
    return hints[:MAX_HINTS]


class ConversationTutor:
    """Writes tutor replies: the remote model when configured, else (or on failure) the offline tutor.

    ``provider`` defaults to the configured remote service; pass ``None`` for offline only.
    ``local_model`` phrases offline follow-up questions with the bundled small model
    (default: on when it is installed and ``ACCENT_COACH_OFFLINE_MODEL`` is not ``off``).
    """

    def __init__(self, provider: ChatProvider | None | str = "auto", local_model: ChatProvider | None | str = "auto"):
        self.provider: ChatProvider | None = get_remote_provider() if provider == "auto" else provider  # type: ignore[assignment]
        if local_model == "auto":
            local_model = LocalModelProvider() if local_model_enabled() else None
        self.local_model: ChatProvider | None = local_model  # type: ignore[assignment]

    @property
    def engine_name(self) -> str:
        if self.provider is not None:
            return self.provider.name
        return f"{OFFLINE_ENGINE} + {self.local_model.name}" if self.local_model else OFFLINE_ENGINE

    @property
    def description(self) -> str:
        """Who writes the replies, in plain words for the page's caption."""
        if self.provider is not None:
            return f"Tutor: the language model {self.provider.name} (online)"
        if self.local_model is not None:
            return "Tutor: built-in grammar checker with a small local language model (offline)"
        return "Tutor: built-in grammar checker (offline)"

    def _remote_reply(self, conversation: Conversation, text: str) -> TutorReply:
        assert self.provider is not None
        messages = build_messages(conversation, text)
        last_problem = ""
        for attempt in range(2):
            answer = self.provider.chat(messages, json_mode=True, max_tokens=REMOTE_MAX_TOKENS)
            try:
                return validate_reply(parse_json_object(answer), self.provider.name)
            except ValueError as error:
                last_problem = str(error)
                logger.warning("Tutor reply attempt %d was not usable: %s", attempt + 1, error)
                messages = messages + [{"role": "assistant", "content": answer[:2000]},
                                       {"role": "user", "content": RETRY_INSTRUCTION}]
        raise ReplyValidationError(last_problem)

    def _local_question(self, conversation: Conversation, text: str) -> str | None:
        if self.local_model is None:
            return None
        from tutor.offline_tutor import model_follow_up

        return model_follow_up(self.local_model, topic_title(conversation.topic), conversation.level, text,
                               conversation.asked_questions, max_tokens=LOCAL_QUESTION_TOKENS)

    def offline(self, conversation: Conversation, text: str) -> TutorReply:
        question = self._local_question(conversation, text)
        reply = offline_reply(text, conversation.topic, conversation.level, len(conversation.turns),
                              conversation.asked_questions, follow_up=question)
        engine = OFFLINE_ENGINE if question is None else f"{OFFLINE_ENGINE} + {self.local_model.name}"  # type: ignore[union-attr]
        return TutorReply(reply.correction, reply.explanation, reply.improved_version,
                          reply.follow_up_question, reply.has_errors, engine)

    def reply(self, conversation: Conversation, text: str) -> tuple[TutorReply, str | None]:
        """The tutor's reply to ``text`` and a notice for the learner (None when all went well)."""
        text = text.strip()
        if not text:
            raise TurnError(MSG_EMPTY_TEXT)
        if self.provider is not None:
            try:
                return self._remote_reply(conversation, text), None
            except LLMError as error:
                logger.warning("Remote tutor failed: %s", error)
                return self.offline(conversation, text), f"{error.user_message} {MSG_FALLBACK}"
            except ReplyValidationError:
                return self.offline(conversation, text), MSG_BAD_REPLY
        return self.offline(conversation, text), None


def run_turn(
    conversation: Conversation,
    tutor: ConversationTutor,
    *,
    text: str | None = None,
    audio: Any = None,
    sample_rate: int = 16_000,
    manager: Any = None,
    model_name: str | None = None,
    hf_token: str | None = None,
    append: bool = True,
) -> TurnResult:
    """One turn from typed ``text`` or ``audio`` (transcribed by ``manager`` without a reference text)."""
    hints: list[str] = []
    asr_engine = ""
    asr_ms = 0.0
    input_kind = "text"
    if audio is not None:
        if manager is None:
            raise TurnError("Speech recognition is not available right now. Please type your answer.")
        input_kind = "voice"
        started = time.perf_counter()
        manager.load_model(model_name, hf_token)
        transcription = manager.transcribe(audio, sample_rate)
        asr_ms = (time.perf_counter() - started) * 1000
        text = transcription.text
        asr_engine = f"{transcription.engine}:{transcription.model_name}"
        hints = pronunciation_hints(transcription)
        if not (text or "").strip():
            raise TurnError(MSG_NO_WORDS)
    if not (text or "").strip():
        raise TurnError(MSG_EMPTY_TEXT)
    started = time.perf_counter()
    reply, notice = tutor.reply(conversation, text or "")
    tutor_ms = (time.perf_counter() - started) * 1000
    result = TurnResult(
        index=len(conversation.turns), transcript=(text or "").strip(), reply=reply, input_kind=input_kind,
        pronunciation_hints=tuple(hints), asr_engine=asr_engine, asr_ms=round(asr_ms, 1),
        tutor_ms=round(tutor_ms, 1), notice=notice,
    )
    if append:
        conversation.turns.append(result)
    return result


# -- exam evaluation and transcript -----------------------------------------


@dataclass(frozen=True)
class ExamEvaluation:
    """The end-of-exam report: an estimated level with its evidence, every answer quoted with
    its correction, the main issues and three things to practise."""

    estimated_level: str
    grammar_issues: tuple[str, ...]
    pronunciation_issues: tuple[str, ...]
    practice: tuple[str, ...]
    turns: int
    turns_with_errors: int
    sentences: tuple[QuotedSentence, ...] = ()
    level_evidence: tuple[str, ...] = ()
    spoken_turns: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def estimate_level(texts: Sequence[str], error_turns: int) -> str:
    """A rough CEFR band (see :func:`tutor.report.level_estimate` for the evidence)."""
    return level_estimate(texts, error_turns, ADVANCED_WORDS).level


def rule_label(rule: str) -> str:
    return RULE_LABELS.get(rule, rule.replace("_", " "))


def grammar_focus(turns: Sequence[TurnResult]) -> list[tuple[str, str, int]]:
    """(rule, example "fix (not mistake)", count) for the rules the offline checker finds, most frequent first."""
    rules: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for turn in turns:
        for issue in check_grammar(turn.transcript).issues:
            rules[issue.rule] += 1
            examples.setdefault(issue.rule, f"{issue.correction} (not {issue.original})")
    return [(rule, examples[rule], count) for rule, count in rules.most_common()]


def practice_points(turns: Sequence[TurnResult], limit: int = 3) -> tuple[str, ...]:
    """What to work on next: the commonest grammar points, the unclear words, then general advice."""
    points = [f"Practise {rule_label(rule)}: write three sentences of your own." for rule, _, _ in grammar_focus(turns)[:2]]
    words = unclear_words(turns)
    if words:
        points.append("Practise saying these words on the Pronunciation Practice page: " + ", ".join(words[:3]) + ".")
    for item in GENERIC_PRACTICE:
        if len(points) >= limit:
            break
        points.append(item)
    return tuple(points[:limit])


def summarise_practice(conversation: Conversation) -> PracticeSummary:
    """The end-of-practice summary: the sentences to fix, quoted, and what to work on."""
    turns = conversation.turns
    return practice_summary(turns, conversation.elapsed_seconds, practice_points(turns) if turns else ())


def evaluate_exam(conversation: Conversation) -> ExamEvaluation:
    """Summarise an exam conversation (the offline rules re-check every turn, whoever answered)."""
    turns = conversation.turns
    error_turns = sum(1 for turn in turns if turn.reply.has_errors)
    grammar = tuple(f"{_capitalised(rule_label(rule))}: \u201c{example}\u201d"
                    for rule, example, _ in grammar_focus(turns)[:3])
    estimate: LevelEstimate = level_estimate([turn.transcript for turn in turns], error_turns, ADVANCED_WORDS)
    return ExamEvaluation(estimate.level, grammar, unclear_words(turns), practice_points(turns), len(turns),
                          error_turns, quote_turns(turns), estimate.evidence,
                          sum(1 for turn in turns if turn.input_kind == "voice"))


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def transcript_markdown(conversation: Conversation, evaluation: ExamEvaluation | None = None) -> str:
    """The conversation as a Markdown document for download."""
    stats = conversation.stats()
    lines = [
        f"# Conversation: {escape_markdown(topic_title(conversation.topic))}",
        "",
        f"- Level: {conversation.level}",
        f"- Mode: {conversation.mode}",
        f"- Started: {conversation.started_at}",
        f"- Turns: {stats['turns']}, turns with errors: {stats['errors']}, time: {stats['duration']}",
        "",
        f"**Tutor:** {escape_markdown(conversation.opening_question)}",
        "",
    ]
    for turn in conversation.turns:
        reply = turn.reply
        lines += [f"**You:** {escape_markdown(turn.transcript)}", ""]
        lines += [f"> **Correction:** {escape_markdown(reply.correction)}",
                  f"> **Why:** {escape_markdown(reply.explanation)}",
                  f"> **Better:** {escape_markdown(reply.improved_version)}"]
        if turn.pronunciation_hints:
            lines.append(f"> **Pronunciation:** {escape_markdown(pronunciation_note(turn.pronunciation_hints))}")
        lines += ["", f"**Tutor:** {escape_markdown(reply.follow_up_question)}", ""]
    if evaluation is not None:
        lines += ["## Evaluation", "", f"- Estimated level: {evaluation.estimated_level}"]
        lines += [f"  - {escape_markdown(line)}" for line in evaluation.level_evidence]
        for issue in evaluation.grammar_issues:
            lines.append(f"- Grammar: {escape_markdown(issue)}")
        if evaluation.pronunciation_issues:
            lines.append(f"- Pronunciation: {escape_markdown(', '.join(evaluation.pronunciation_issues))}")
        lines += ["", "### Three things to practise", ""]
        lines += [f"{n}. {escape_markdown(item)}" for n, item in enumerate(evaluation.practice, start=1)]
    return "\n".join(lines) + "\n"


# -- command line -----------------------------------------------------------


class _ArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, no usage dump
        raise TurnError(message)


def _transcribe_file(path: str) -> tuple[Any, Any]:
    """(manager, samples) for an audio file, through the app's audio checks and speech model."""
    from asr_model import DEFAULT_MODEL, MODEL_OPTIONS, ASRModelManager
    from speech import audio as audio_module

    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        raise TurnError(f"Cannot read the audio file {path!r}.") from None
    try:
        prepared = audio_module.prepare_audio(data, audio_module.AudioOptions(), filename=path)
    except audio_module.AudioError as error:
        raise TurnError(str(error)) from None
    return ASRModelManager(DEFAULT_MODEL, dict(MODEL_OPTIONS)), prepared


def turn_output(turn: TurnResult, conversation: Conversation) -> dict[str, Any]:
    """The CLI's JSON object for one turn."""
    return {
        "transcript": turn.transcript,
        "correction": turn.reply.correction,
        "explanation": turn.reply.explanation,
        "improved_version": turn.reply.improved_version,
        "follow_up_question": turn.reply.follow_up_question,
        "has_errors": turn.reply.has_errors,
        "engine": turn.reply.engine,
        "topic": conversation.topic,
        "level": conversation.level,
        "opening_question": conversation.opening_question,
        "pronunciation_hints": list(turn.pronunciation_hints),
        "notice": turn.notice,
    }


def batch_replies(lines: Iterable[str], conversation: Conversation,
                  tutor: ConversationTutor) -> Iterator[dict[str, Any]]:
    """One reply per learner sentence, in order; a line that cannot be judged gives ``{"error": ...}``.

    Lines are judged one by one, as separate answers to the same opening question (they are
    not added to the conversation, so one line never changes another's reply).
    """
    for number, line in enumerate(lines, 1):
        try:
            turn = run_turn(conversation, tutor, text=line.rstrip("\r\n"), append=False)
        except TurnError as error:
            yield {"error": f"line {number}: {error}"}
        except Exception as error:  # one bad line must not stop the batch
            logger.exception("Batch line %d could not be judged", number)
            yield {"error": f"line {number}: could not be judged ({type(error).__name__})"}
        else:
            yield turn_output(turn, conversation)


def _read_batch(path: str) -> list[str]:
    try:
        if path == "-":
            return sys.stdin.read().splitlines()
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read().splitlines()
    except OSError:
        raise TurnError(f"Cannot read the batch file {path!r}.") from None


def main(argv: Sequence[str] | None = None) -> int:
    parser = _ArgumentParser(prog="python -m conversation_tutor",
                             description="Run one conversation turn, or one per line of a batch file.")
    parser.add_argument("--topic", required=True, help=f"one of: {', '.join(TOPICS)}")
    parser.add_argument("--level", default=DEFAULT_LEVEL, help=f"one of: {', '.join(LEVELS)}")
    parser.add_argument("--mode", default="practice", choices=MODES)
    parser.add_argument("--opening", default=None, help="the question the learner is answering")
    parser.add_argument("--model", default=None, help="speech model for --audio (default: the app's default)")
    parser.add_argument("--offline", action="store_true", help="ignore any configured language model service")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--text")
    source.add_argument("--audio")
    source.add_argument("--batch", metavar="FILE",
                        help="one learner sentence per line ('-' for stdin): one JSON reply per line")
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    try:
        args = parser.parse_args(argv)
        topic = resolve_topic(args.topic)
        level = resolve_level(args.level)
        conversation = Conversation.start(topic, level, args.mode, args.opening)
        tutor = ConversationTutor(provider=None if args.offline else "auto")
        if args.batch:
            lines = _read_batch(args.batch)
            for output in batch_replies(lines, conversation, tutor):
                print(json.dumps(output, ensure_ascii=False), flush=True)
            return 0
        if args.audio:
            manager, prepared = _transcribe_file(args.audio)
            turn = run_turn(conversation, tutor, audio=prepared.samples, sample_rate=prepared.sample_rate,
                            manager=manager, model_name=args.model)
        else:
            turn = run_turn(conversation, tutor, text=args.text)
    except (TurnError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    output = turn_output(turn, conversation)
    print(json.dumps(output, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
