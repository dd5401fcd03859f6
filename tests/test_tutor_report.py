"""The tutor's session reports in plain words: mm:ss, the end-of-practice summary, the exam
report that quotes the learner and explains its level, kind pronunciation notes, the setup kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from conversation_tutor import (
    ADVANCED_WORDS,
    Conversation,
    ConversationTutor,
    evaluate_exam,
    practice_points,
    run_turn,
)
from tutor.report import (
    format_duration,
    level_estimate,
    practice_summary,
    pronunciation_note,
)

ROOT = Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "pages" / "conversation.py")
TIMEOUT = 60


@pytest.fixture(autouse=True)
def isolated(isolated_tutor):
    yield


def _conversation(mode: str, *answers: str) -> Conversation:
    conversation = Conversation.start("food", "B1-B2", mode)
    tutor = ConversationTutor(provider=None, local_model=None)
    for answer in answers:
        run_turn(conversation, tutor, text=answer)
    return conversation


def _start(topic: str = "work", level: str = "A2", mode: str = "practice") -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT).run()
    at.selectbox(key="tutor_topic").set_value(topic)
    at.radio(key="tutor_level").set_value(level)
    at.radio(key="tutor_mode").set_value(mode)
    at.button[0].click().run()
    assert not at.exception
    return at


def _say(at: AppTest, text: str) -> None:
    at.chat_input(key="tutor-chat-input").set_value(text).run()
    assert not at.exception


def _text(at: AppTest) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption]
                     + [s.value for s in at.success])


@pytest.mark.parametrize(("seconds", "shown"), [(0, "00:00"), (18, "00:18"), (75.4, "01:15"),
                                                 (3723, "1:02:03")])
def test_times_are_minutes_and_seconds(seconds: float, shown: str) -> None:
    assert format_duration(seconds) == shown


def test_practice_summary_quotes_the_mistakes_and_says_what_to_work_on() -> None:
    conversation = _conversation("practice", "Yesterday I go to the market.", "I like fresh bread.",
                                 "He don't eat fish.")
    summary = practice_summary(conversation.turns, 80, practice_points(conversation.turns))
    assert summary.turns == 3 and summary.clean_answers == 1 and summary.duration == "01:20"
    assert [s.said for s in summary.corrected] == ["Yesterday I go to the market.", "He don't eat fish."]
    assert "went" in summary.corrected[0].better
    assert summary.headline == "1 of your 3 answers was correct; 2 had something to fix."
    assert len(summary.work_on) == 3 and summary.work_on[0].startswith("Practise ")


def test_a_clean_practice_is_praised() -> None:
    summary = practice_summary(_conversation("practice", "I like fresh bread.").turns, 10, ())
    assert summary.corrected == () and summary.headline.startswith("Well done")


def test_the_exam_report_quotes_every_answer_and_explains_the_level() -> None:
    conversation = _conversation("exam", "I goed to a restaurant yesterday.", "The soup was delicious.")
    evaluation = evaluate_exam(conversation)
    said = [s.said for s in evaluation.sentences]
    assert said == ["I goed to a restaurant yesterday.", "The soup was delicious."]
    assert evaluation.sentences[0].has_errors and "went" in evaluation.sentences[0].better
    assert not evaluation.sentences[1].has_errors
    evidence = " ".join(evaluation.level_evidence)
    assert "1 of your 2 answers" in evidence and "words per answer" in evidence
    assert "only 2 answers" in evidence
    assert evaluation.to_dict()["sentences"][0]["said"] == said[0]


def test_longer_varied_correct_answers_raise_the_level() -> None:
    short = level_estimate(["I like it.", "It is good."], error_turns=1, linking_words=ADVANCED_WORDS)
    rich = level_estimate(["Although the restaurant was expensive, the food was wonderful and the staff "
                           "were friendly, which made the evening memorable for everyone."], error_turns=0,
                          linking_words=ADVANCED_WORDS)
    assert short.level == "A2" and rich.level == "C1-C2"
    assert rich.points > short.points


def test_pronunciation_notes_name_the_words_kindly() -> None:
    assert pronunciation_note([]) == "Every word came through clearly."
    note = pronunciation_note(["think", "three"])
    assert "\u201cthink\u201d and \u201cthree\u201d" in note and note.startswith("Good effort")


def test_page_caption_is_plain_and_time_is_mm_ss() -> None:
    at = _start("work", "A2")
    _say(at, "I am engineer.")
    caption = at.caption[0].value
    assert caption == "Work and study · A2 (Elementary) · Practice · Tutor: built-in grammar checker (offline)"
    assert "offline-rules" not in _text(at)
    time_metric = next(m for m in at.metric if m.label == "Time")
    assert len(time_metric.value) == 5 and time_metric.value[2] == ":"


def test_ending_practice_shows_a_summary_and_keeps_the_setup() -> None:
    at = _start("work", "C1-C2", "practice")
    _say(at, "I am engineer in a big company.")
    _say(at, "I like my colleagues.")
    next(b for b in at.button if b.label == "End session").click().run()
    assert not at.exception
    text = _text(at)
    assert any(s.value == "Your practice summary" for s in at.subheader)
    assert "\u201cI am engineer in a big company\\.\u201d" in text
    assert "an engineer" in text
    assert "What to work on next" in text
    assert "(mm:ss)" in at.success[0].value
    # the setup form comes back with the learner's choices
    assert at.selectbox(key="tutor_topic").value == "work"
    assert at.radio(key="tutor_level").value == "C1-C2"
    assert at.radio(key="tutor_mode").value == "practice"


def test_the_exam_report_on_the_page_quotes_the_learner() -> None:
    at = _start("food", "B1-B2", "exam")
    _say(at, "I goed to a restaurant yesterday.")
    next(b for b in at.button if b.label == "Finish the exam and see my evaluation").click().run()
    assert not at.exception
    text = _text(at)
    assert "Why this level" in text and "Your answers" in text
    assert "\u201cI goed to a restaurant yesterday\\.\u201d" in text
    assert "not an official test result" in text
    assert "You typed your answers, so your pronunciation was not checked" in text
    assert at.radio(key="tutor_mode").value == "exam"


def test_hints_name_unsure_content_words_not_function_words() -> None:
    from conversation_tutor import pronunciation_hints
    from speech.transcription import Transcription, WordSegment

    # Whisper's probabilities on the bundled "light / right" clip
    words = [WordSegment(" Please", 0, 0.3, 0.64), WordSegment(" turn", 0.3, 0.5, 0.99),
             WordSegment(" on", 0.5, 0.6, 1.0), WordSegment(" the", 0.6, 0.7, 0.52),
             WordSegment(" right", 0.7, 1.0, 0.5), WordSegment(" kitchen.", 1.0, 1.4, 1.0)]
    assert pronunciation_hints(Transcription("Please turn on the right kitchen.", words)) == ["right"]
