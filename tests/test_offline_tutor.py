"""The offline tutor: it catches plain learner errors, leaves correct sentences alone, always asks on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tutor.grammar_rules import check_grammar, past_simple, third_person, tidy_sentence
from tutor.offline_tutor import clean_question, model_follow_up, offline_reply
from tutor.topics import LEVELS, TOPICS, curated_follow_up

SENTENCES = json.loads((Path(__file__).resolve().parent.parent / "bench" / "tutor_sentences.json").read_text())

CORRECT = [
    "I went to the beach with my friends yesterday.",
    "He goes to work by bus every day.",
    "She doesn't like coffee, but she loves tea.",
    "I suggest that he go to the doctor.",
    "Let it go.",
    "Does he like football?",
    "When I was a child, I played football every day.",
    "Yesterday I realised that I like cooking.",
    "I have car insurance.",
    "I read a book yesterday.",
    "an hour ago i met an old friend",
    "She has a university degree.",
    "I would like a coffee.",
    "Last year I moved to Berlin and now I live there.",
    "I need help.",
    "My friends like pizza.",
]

INCORRECT = [
    ("Yesterday I go to the beach with my friends.", "Yesterday I went to the beach with my friends."),
    ("He go to work by bus every day.", "He goes to work by bus every day."),
    ("I goed to the cinema last night.", "I went to the cinema last night."),
    ("She don't like coffee.", "She doesn't like coffee."),
    ("I am agree with you.", "I agree with you."),
    ("This phone is more better than my old one.", "This phone is better than my old one."),
    ("I am teacher.", "I am a teacher."),
    ("I am engineer.", "I am an engineer."),
    ("I have 25 years.", "I am 25 years old."),
    ("I didn't went to school.", "I didn't go to school."),
    ("They goes to the gym on Mondays.", "They go to the gym on Mondays."),
    ("I can to swim.", "I can swim."),
    ("I have went to Paris twice.", "I have gone to Paris twice."),
    ("We was very tired.", "We were very tired."),
    ("I live here since two years.", "I have lived here for two years."),
    ("I want go home.", "I want to go home."),
    ("people is very friendly here", "People are very friendly here."),
    ("i have a informations", "I have some information."),
]


@pytest.mark.parametrize("text", CORRECT)
def test_correct_sentences_are_not_corrected(text: str) -> None:
    result = check_grammar(text)
    assert not result.has_errors, result.issues
    reply = offline_reply(text, "free_conversation", "B1-B2", 0)
    assert reply.has_errors is False
    assert "mistake" in reply.correction.lower()  # "I didn't spot any mistakes" is praise, not an error


@pytest.mark.parametrize(("text", "fixed"), INCORRECT)
def test_plain_errors_are_caught_and_fixed(text: str, fixed: str) -> None:
    result = check_grammar(text)
    assert result.has_errors
    assert result.corrected == fixed


def test_reply_names_the_fix_kindly_with_all_four_parts() -> None:
    reply = offline_reply("yesterday i go to the beach and i eated ice cream", "travel", "A2", 0)
    assert reply.has_errors is True
    assert "“I went” instead of “I go”" in reply.correction
    assert "“ate” instead of “eated”" in reply.correction
    assert "past" in reply.explanation
    assert reply.improved_version == "Yesterday I went to the beach and I ate ice cream."
    assert reply.follow_up_question.endswith("?")
    assert reply.follow_up_question in TOPICS["travel"].follow_ups["A2"]


def test_done_criteria_on_the_bench_sentence_set() -> None:
    correct = SENTENCES["correct"]
    incorrect = SENTENCES["incorrect"]
    left_alone = sum(1 for item in correct if not offline_reply(item["text"], item["topic"], item["level"], 0).has_errors)
    caught = sum(1 for item in incorrect if offline_reply(item["text"], item["topic"], item["level"], 0).has_errors)
    assert left_alone * 3 >= len(correct) * 2
    assert caught * 3 >= len(incorrect) * 2
    for item in correct + incorrect:
        reply = offline_reply(item["text"], item["topic"], item["level"], 1)
        assert all([reply.correction, reply.explanation, reply.improved_version])
        assert reply.follow_up_question.endswith("?")


def test_word_forms() -> None:
    assert [third_person(v) for v in ("go", "study", "have", "play", "watch")] == [
        "goes", "studies", "has", "plays", "watches"]
    assert [past_simple(v) for v in ("go", "play", "study", "stop", "live", "read")] == [
        "went", "played", "studied", "stopped", "lived", "read"]


def test_tidy_sentence_capitalises_and_punctuates_asr_text() -> None:
    assert tidy_sentence("i think i'm ready") == "I think I'm ready."
    assert tidy_sentence("do you like it") == "Do you like it?"


def test_curated_follow_up_avoids_questions_already_asked_and_is_stable() -> None:
    for topic in TOPICS:
        for level in LEVELS:
            first = curated_follow_up(topic, level, 0)
            assert first == curated_follow_up(topic, level, 0)
            assert curated_follow_up(topic, level, 0, avoid=[first]) != first
            assert first.endswith("?")


def test_clean_question_keeps_one_short_question_only() -> None:
    assert clean_question("Follow-up question: what did you eat there? I love pasta.") == "What did you eat there?"
    assert clean_question("That sounds great.") is None
    assert clean_question('{"q": "what?"}') is None
    assert clean_question("How can I assist you today?") is None


class FakeModel:
    name = "fake-small-model"

    def __init__(self, answer: str) -> None:
        self.answer = answer

    def chat(self, messages, *, json_mode=False, max_tokens=40):
        return self.answer


def test_model_question_used_only_when_on_topic_and_new() -> None:
    said = "I went to the beach with my friends."
    good = FakeModel("Which beach did you go to with your friends?")
    assert model_follow_up(good, "Travel", "A2", said) == "Which beach did you go to with your friends?"
    off_topic = FakeModel("What is your favourite colour?")
    assert model_follow_up(off_topic, "Travel", "A2", said) is None
    repeated = FakeModel("Which beach did you go to with your friends?")
    assert model_follow_up(repeated, "Travel", "A2", said, asked=["Which beach did you go to with your friends?"]) is None
    reply = offline_reply(said, "travel", "A2", 0, follow_up=model_follow_up(good, "Travel", "A2", said))
    assert reply.follow_up_question == "Which beach did you go to with your friends?"
