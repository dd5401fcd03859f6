"""The turn engine: prompt contents, structured replies, retry, fallback, hints, exam evaluation, CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from test_llm_provider import FakeChatServer, completion

from conversation_tutor import (
    MSG_BAD_REPLY,
    Conversation,
    ConversationTutor,
    ReplyValidationError,
    TurnError,
    TurnResult,
    build_messages,
    escape_markdown,
    evaluate_exam,
    main,
    pronunciation_hints,
    run_turn,
    transcript_markdown,
    validate_reply,
)
from speech.transcription import Transcription, WordSegment
from tutor import llm_provider
from tutor.llm_provider import LLMConfig, OpenAICompatibleProvider
from tutor.topics import TOPICS

ROOT = Path(__file__).resolve().parent.parent
GOOD_REPLY = {
    "correction": "Correction: Say \"I went\", not \"I go\".",
    "explanation": "It happened yesterday, so use the past simple.",
    "improved_version": "Improved version: Yesterday I went to the beach.",
    "follow_up_question": "Follow-up question: What did you do at the beach?",
    "has_errors": True,
}


def remote(server: FakeChatServer) -> ConversationTutor:
    provider = OpenAICompatibleProvider(LLMConfig(server.base_url, "remote-model", "k", 5.0))
    return ConversationTutor(provider=provider, local_model=None)


def offline() -> ConversationTutor:
    return ConversationTutor(provider=None, local_model=None)


@pytest.fixture()
def server():
    with FakeChatServer() as running:
        yield running


@pytest.fixture(autouse=True)
def no_llm_settings(monkeypatch):
    for name in (llm_provider.ENV_BASE_URL, llm_provider.ENV_MODEL, llm_provider.ENV_API_KEY):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv(llm_provider.ENV_OFFLINE_MODEL, raising=False)


def test_opening_question_is_chosen_once_and_kept() -> None:
    conversation = Conversation.start("travel", "A2")
    assert conversation.opening_question in TOPICS["travel"].openings["A2"]
    run_turn(conversation, offline(), text="I went to Spain.")
    run_turn(conversation, offline(), text="I go there by plane yesterday.")
    assert conversation.asked_questions[0] == conversation.opening_question
    assert len(conversation.turns) == 2


def test_topic_level_mode_and_opening_question_reach_the_prompt(server: FakeChatServer) -> None:
    server.script = [("json", completion(json.dumps(GOOD_REPLY)))]
    conversation = Conversation.start("food", "C1-C2", "exam", opening_question="What is a typical dish?")
    run_turn(conversation, remote(server), text="yesterday i go to the beach")
    messages = server.requests[0]["body"]["messages"]
    system = messages[0]["content"]
    assert "Topic: Food" in system and "C1-C2" in system and "Mode: exam" in system
    assert "What is a typical dish?" in system
    assert messages[1] == {"role": "assistant", "content": "What is a typical dish?"}
    assert messages[-1] == {"role": "user", "content": "yesterday i go to the beach"}


def test_history_is_sent_on_later_turns() -> None:
    conversation = Conversation.start("work", "B1-B2", opening_question="What do you do?")
    run_turn(conversation, offline(), text="I am teacher.")
    messages = build_messages(conversation, "I teach maths.")
    assert [m["role"] for m in messages] == ["system", "assistant", "user", "assistant", "user"]
    assert messages[2]["content"] == "I am teacher."
    assert json.loads(messages[3]["content"])["has_errors"] is True


def test_structured_reply_is_validated_and_labels_are_stripped(server: FakeChatServer) -> None:
    server.script = [("json", completion("```json\n" + json.dumps(GOOD_REPLY) + "\n```"))]
    turn = run_turn(Conversation.start("travel", "A2"), remote(server), text="yesterday i go to the beach")
    reply = turn.reply
    assert reply.engine == "remote-model"
    assert reply.correction == "Say \"I went\", not \"I go\"."
    assert reply.improved_version == "Yesterday I went to the beach."
    assert reply.follow_up_question == "What did you do at the beach?"
    assert reply.has_errors is True and turn.notice is None


def test_no_errors_text_is_not_counted_as_an_error() -> None:
    data = dict(GOOD_REPLY, correction="No errors.", has_errors=False)
    assert validate_reply(data, "m").has_errors is False
    assert validate_reply(dict(data, has_errors="false"), "m").has_errors is False


@pytest.mark.parametrize("broken", [
    {k: v for k, v in GOOD_REPLY.items() if k != "explanation"},
    dict(GOOD_REPLY, has_errors="maybe"),
    dict(GOOD_REPLY, follow_up_question="Tell me more."),
    dict(GOOD_REPLY, correction="   "),
    dict(GOOD_REPLY, improved_version=["a"]),
    ["not", "an", "object"],
])
def test_invalid_replies_are_rejected(broken) -> None:
    with pytest.raises(ReplyValidationError):
        validate_reply(broken, "m")


def test_an_invalid_reply_is_retried_once(server: FakeChatServer) -> None:
    server.script = [("json", completion("Correction: say I went. Question: what next")),
                     ("json", completion(json.dumps(GOOD_REPLY)))]
    turn = run_turn(Conversation.start("travel", "A2"), remote(server), text="yesterday i go to the beach")
    assert len(server.requests) == 2
    assert "ONLY one JSON object" in server.requests[1]["body"]["messages"][-1]["content"]
    assert turn.reply.engine == "remote-model" and turn.notice is None


def test_two_invalid_replies_fall_back_to_the_offline_tutor(server: FakeChatServer) -> None:
    server.script = [("json", completion("nonsense")), ("json", completion('{"correction": "x"}'))]
    conversation = Conversation.start("travel", "A2")
    turn = run_turn(conversation, remote(server), text="yesterday i go to the beach")
    assert len(server.requests) == 2
    assert turn.notice == MSG_BAD_REPLY
    assert turn.reply.engine == "offline-rules"
    assert turn.reply.has_errors is True
    assert turn.reply.follow_up_question in TOPICS["travel"].follow_ups["A2"]


@pytest.mark.parametrize("behaviour", [("status", 500), ("status", 401), ("raw", b"<html>")])
def test_service_failures_keep_the_conversation_going(server: FakeChatServer, behaviour) -> None:
    server.script = [behaviour]
    conversation = Conversation.start("health", "B1-B2")
    turn = run_turn(conversation, remote(server), text="I walk to work every day.")
    assert len(server.requests) == 1  # a failing service is not asked twice
    assert turn.reply.engine == "offline-rules" and turn.reply.has_errors is False
    assert "offline tutor" in (turn.notice or "")
    assert "k" not in (turn.notice or "").split()  # never the key
    assert len(conversation.turns) == 1


def test_timeout_falls_back_quickly(server: FakeChatServer) -> None:
    server.script = [("hang", None)]
    provider = OpenAICompatibleProvider(LLMConfig(server.base_url, "remote-model", None, 0.3))
    turn = run_turn(Conversation.start("travel", "A2"), ConversationTutor(provider, None), text="I go home.")
    assert "did not answer in time" in (turn.notice or "")
    assert turn.reply.follow_up_question.endswith("?")


class FakeManager:
    def __init__(self, transcription: Transcription) -> None:
        self.transcription = transcription
        self.loads: list[str | None] = []

    def load_model(self, model_name, hf_token=None) -> None:
        self.loads.append(model_name)

    def transcribe(self, audio, sr=16_000) -> Transcription:
        return self.transcription


def test_voice_turn_transcribes_without_a_reference_and_lists_unsure_words() -> None:
    words = [WordSegment("I", 0.0, 0.2, 0.95), WordSegment("think", 0.2, 0.5, 0.3),
             WordSegment("this", 0.5, 0.7, 0.9), WordSegment("three", 0.7, 1.0, 0.4)]
    manager = FakeManager(Transcription("i think this three", words, model_name="tiny", engine="hf"))
    conversation = Conversation.start("free_conversation", "A2")
    turn = run_turn(conversation, offline(), audio=np.zeros(16_000, dtype=np.float32), manager=manager,
                    model_name="tiny")
    assert manager.loads == ["tiny"]
    assert turn.transcript == "i think this three"
    assert turn.pronunciation_hints == ("think", "three")
    assert turn.input_kind == "voice"


def test_silence_gives_a_kind_message() -> None:
    manager = FakeManager(Transcription("", [], model_name="tiny"))
    with pytest.raises(TurnError, match="couldn't hear"):
        run_turn(Conversation.start("food", "A2"), offline(), audio=np.zeros(100), manager=manager)
    with pytest.raises(TurnError):
        run_turn(Conversation.start("food", "A2"), offline(), text="   ")


def test_pronunciation_hints_handle_no_transcription() -> None:
    assert pronunciation_hints(None) == []


def test_turns_round_trip_through_dicts() -> None:
    conversation = Conversation.start("food", "A2")
    turn = run_turn(conversation, offline(), text="I goed to a restaurant.")
    data = json.loads(json.dumps(turn.to_dict()))
    assert data["has_errors"] is True
    assert TurnResult.from_dict(data) == turn


def test_exam_evaluation_and_transcript() -> None:
    conversation = Conversation.start("hobbies", "B1-B2", "exam")
    for text in ("I like play tennis.", "Yesterday I play with my brother and he win.",
                 "I have went to many tournaments.", "It is fun because I meet new people."):
        run_turn(conversation, offline(), text=text)
    evaluation = evaluate_exam(conversation)
    assert evaluation.estimated_level in {"A2", "B1-B2", "C1-C2"}
    assert len(evaluation.practice) == 3
    assert evaluation.grammar_issues and evaluation.turns == 4 and evaluation.turns_with_errors == 3
    markdown = transcript_markdown(conversation, evaluation)
    assert markdown.startswith("# Conversation: Hobbies")
    assert "Estimated level" in markdown and "Three things to practise" in markdown
    assert conversation.stats()["turns"] == 4 and conversation.stats()["errors"] == 3


def test_markdown_escaping_neutralises_links_and_html() -> None:
    assert escape_markdown("[click](http://evil) <b>") == "\\[click\\]\\(http\\://evil\\) &lt;b&gt;"


def test_cli_text_turn_prints_one_json_object() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "conversation_tutor", "--topic", "travel", "--level", "A2", "--text",
         "Yesterday I go to the beach."],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "ACCENT_COACH_OFFLINE_MODEL": "off", "HOME": str(ROOT)},
    )
    assert completed.returncode == 0, completed.stderr
    data = json.loads(completed.stdout)
    assert {"transcript", "correction", "explanation", "improved_version", "follow_up_question", "has_errors",
            "engine"} <= set(data)
    assert data["has_errors"] is True and data["improved_version"] == "Yesterday I went to the beach."
    assert data["follow_up_question"].endswith("?")


@pytest.mark.parametrize("argv", [
    ["--topic", "space", "--text", "hi"],
    ["--topic", "travel", "--level", "Z9", "--text", "hi"],
    ["--topic", "travel"],
    ["--topic", "travel", "--text", "   "],
    ["--topic", "travel", "--audio", "/no/such/file.wav"],
])
def test_cli_bad_input_exits_2_with_one_line(argv, capsys) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: ") and captured.err.count("\n") == 1
    assert "Traceback" not in captured.err


def test_cli_batch_prints_one_reply_per_line_in_order(tmp_path, capsys) -> None:
    batch = tmp_path / "sentences.txt"
    batch.write_text("Yesterday I go to the beach.\n\nI went to the beach yesterday.\nMy sister study law.\n",
                     encoding="utf-8")
    assert main(["--topic", "travel", "--level", "A2", "--offline", "--batch", str(batch)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4
    replies = [json.loads(line) for line in lines]
    assert replies[0]["has_errors"] is True and replies[0]["improved_version"] == "Yesterday I went to the beach."
    assert set(replies[1]) == {"error"} and replies[1]["error"].startswith("line 2:")
    assert replies[2]["has_errors"] is False
    assert replies[3]["improved_version"] == "My sister studies law."
    for reply in (replies[0], replies[2], replies[3]):
        assert {"correction", "explanation", "improved_version", "follow_up_question", "has_errors"} <= set(reply)


def test_cli_batch_line_that_fails_does_not_stop_the_batch(tmp_path, capsys, monkeypatch) -> None:
    import conversation_tutor

    real_run_turn = conversation_tutor.run_turn

    def flaky_run_turn(conversation, tutor, **kwargs):
        if "boom" in (kwargs.get("text") or ""):
            raise RuntimeError("checker crashed")
        return real_run_turn(conversation, tutor, **kwargs)

    monkeypatch.setattr(conversation_tutor, "run_turn", flaky_run_turn)
    batch = tmp_path / "sentences.txt"
    batch.write_text("boom\nShe don't like tea.\n", encoding="utf-8")
    assert main(["--topic", "food", "--offline", "--batch", str(batch)]) == 0
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert first == {"error": "line 1: could not be judged (RuntimeError)"}
    assert second["improved_version"] == "She doesn't like tea."


def test_cli_batch_missing_file_exits_2(capsys) -> None:
    assert main(["--topic", "travel", "--offline", "--batch", "/no/such/batch.txt"]) == 2
    assert capsys.readouterr().err.startswith("error: Cannot read the batch file")
