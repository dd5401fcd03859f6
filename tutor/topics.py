"""Conversation topics, learner levels and the curated questions the tutor can always fall back on.

Every topic has opening questions and follow-up questions for each level. They are
the tutor's safety net: when no language model is configured, or a model's reply
fails validation, the next question still comes from here and stays on topic.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal, Sequence

Level = Literal["A2", "B1-B2", "C1-C2"]
Mode = Literal["practice", "exam"]

LEVELS: tuple[Level, ...] = ("A2", "B1-B2", "C1-C2")
MODES: tuple[Mode, ...] = ("practice", "exam")
DEFAULT_TOPIC = "daily_routine"
DEFAULT_LEVEL: Level = "B1-B2"
DEFAULT_MODE: Mode = "practice"

LEVEL_DESCRIPTIONS: dict[str, str] = {
    "A2": "elementary: short simple sentences, everyday words, present and past simple",
    "B1-B2": "intermediate: connected sentences, opinions with reasons, common tenses",
    "C1-C2": "advanced: nuanced, idiomatic language, complex sentences and abstract ideas",
}


@dataclass(frozen=True)
class Topic:
    """One conversation topic with curated questions per level."""

    key: str
    title: str
    description: str
    openings: dict[str, tuple[str, ...]]
    follow_ups: dict[str, tuple[str, ...]]


TOPICS: dict[str, Topic] = {
    topic.key: topic
    for topic in (
        Topic(
            "daily_routine",
            "Daily routine",
            "what the learner does on a normal day, habits, mornings and evenings",
            {
                "A2": ("What time do you usually get up?", "What do you do every morning?"),
                "B1-B2": (
                    "Can you describe a typical weekday for you?",
                    "How has your daily routine changed in the last few years?",
                ),
                "C1-C2": (
                    "Which part of your daily routine would you most like to change, and why?",
                    "Do you think routines make life easier or more boring?",
                ),
            },
            {
                "A2": (
                    "What do you eat for breakfast?",
                    "What do you do in the evening?",
                    "How do you go to work or school?",
                    "What time do you go to bed?",
                ),
                "B1-B2": (
                    "What is the busiest part of your day?",
                    "How do you usually relax after work or school?",
                    "Is your weekend routine very different from your weekdays?",
                    "Are you more productive in the morning or in the evening?",
                ),
                "C1-C2": (
                    "How do you protect time for the things that matter most to you?",
                    "Which habit has had the biggest effect on your life so far?",
                    "How much of your day do you think is truly under your control?",
                    "What would an ideal day look like for you?",
                ),
            },
        ),
        Topic(
            "travel",
            "Travel",
            "trips, holidays, places the learner has visited or wants to visit",
            {
                "A2": ("Where did you go on your last holiday?", "Do you like travelling?"),
                "B1-B2": (
                    "What is the most interesting place you have ever visited?",
                    "Do you prefer travelling alone or with other people?",
                ),
                "C1-C2": (
                    "How has travel changed the way you see your own country?",
                    "Is tourism doing more good or harm to popular cities?",
                ),
            },
            {
                "A2": (
                    "How did you travel there?",
                    "What did you eat there?",
                    "Who did you travel with?",
                    "Where do you want to go next year?",
                ),
                "B1-B2": (
                    "What do you always pack when you travel?",
                    "Have you ever had a problem during a trip?",
                    "Which country would you like to visit next, and why?",
                    "Do you plan your trips carefully or decide things as you go?",
                ),
                "C1-C2": (
                    "What makes a journey memorable rather than merely pleasant?",
                    "How do you feel about travelling in a place where you do not speak the language?",
                    "Should people fly less for environmental reasons?",
                    "What is something a trip taught you about yourself?",
                ),
            },
        ),
        Topic(
            "food",
            "Food",
            "cooking, meals, restaurants, favourite dishes",
            {
                "A2": ("What is your favourite food?", "Do you like cooking?"),
                "B1-B2": (
                    "What is a typical dish from your country?",
                    "Do you prefer eating at home or in restaurants?",
                ),
                "C1-C2": (
                    "How does food connect to culture and identity where you live?",
                    "Have your eating habits changed as you have grown older?",
                ),
            },
            {
                "A2": (
                    "What did you eat yesterday?",
                    "Who cooks in your family?",
                    "Do you like fruit?",
                    "What do you drink in the morning?",
                ),
                "B1-B2": (
                    "Can you explain how to cook your favourite dish?",
                    "What food did you dislike as a child?",
                    "What is the best restaurant you have been to?",
                    "Would you ever try an unusual food, like insects?",
                ),
                "C1-C2": (
                    "Do you think people should pay more for food that is produced sustainably?",
                    "What role does sharing a meal play in your relationships?",
                    "How would you describe the perfect dinner party?",
                    "Is cooking a chore or a creative outlet for you?",
                ),
            },
        ),
        Topic(
            "work",
            "Work and study",
            "jobs, studies, colleagues, ambitions",
            {
                "A2": ("What do you do? Do you work or study?", "Where do you work or study?"),
                "B1-B2": (
                    "What do you like most about your job or studies?",
                    "What was your first job like?",
                ),
                "C1-C2": (
                    "How do you think your profession will change in the next ten years?",
                    "What makes a workplace somewhere people want to stay?",
                ),
            },
            {
                "A2": (
                    "Do you like your job or school?",
                    "What time do you start work?",
                    "Do you work with many people?",
                    "What do you do at lunchtime?",
                ),
                "B1-B2": (
                    "What is a difficult part of your work or studies?",
                    "Would you like to work from home more often?",
                    "What job did you want when you were a child?",
                    "How do you deal with stress at work?",
                ),
                "C1-C2": (
                    "How do you balance ambition with the rest of your life?",
                    "What is the most valuable lesson a colleague or teacher has taught you?",
                    "Is loyalty to an employer still a virtue?",
                    "What would you change about how your field trains newcomers?",
                ),
            },
        ),
        Topic(
            "hobbies",
            "Hobbies",
            "free time, sports, music, games, creative interests",
            {
                "A2": ("What do you like to do in your free time?", "Do you play any sports?"),
                "B1-B2": (
                    "How did you get into your favourite hobby?",
                    "Is there a hobby you would love to start?",
                ),
                "C1-C2": (
                    "What do your hobbies say about who you are?",
                    "Should hobbies be purely for fun, or is it good to take them seriously?",
                ),
            },
            {
                "A2": (
                    "How often do you do it?",
                    "Who do you do it with?",
                    "Do you like music?",
                    "What did you do last weekend?",
                ),
                "B1-B2": (
                    "What do you enjoy most about it?",
                    "How much time do you spend on your hobbies each week?",
                    "Have you ever turned a hobby into a way to earn money?",
                    "What hobby is popular in your country right now?",
                ),
                "C1-C2": (
                    "How do you keep a hobby from becoming another obligation?",
                    "Which skill from a hobby has helped you elsewhere in life?",
                    "Why do you think some hobbies become fashionable so suddenly?",
                    "What would you do with a free year to devote to a passion?",
                ),
            },
        ),
        Topic(
            "technology",
            "Technology",
            "phones, the internet, apps, artificial intelligence, gadgets",
            {
                "A2": ("How often do you use your phone?", "What apps do you use every day?"),
                "B1-B2": (
                    "How has technology changed the way you study or work?",
                    "Could you live without the internet for a week?",
                ),
                "C1-C2": (
                    "What are the risks of relying on artificial intelligence?",
                    "Is technology bringing people closer together or pushing them apart?",
                ),
            },
            {
                "A2": (
                    "Do you have a computer at home?",
                    "Do you watch videos online?",
                    "What is your favourite app?",
                    "Do you play games on your phone?",
                ),
                "B1-B2": (
                    "What piece of technology could you not live without?",
                    "Do you think children spend too much time on screens?",
                    "What new technology would you like to try?",
                    "How do you keep your personal information safe online?",
                ),
                "C1-C2": (
                    "Who should be responsible for harmful content on social media?",
                    "How might automation change the job market in your country?",
                    "Do you think privacy is still possible today?",
                    "Which technological change has surprised you the most?",
                ),
            },
        ),
        Topic(
            "health",
            "Health and fitness",
            "exercise, sleep, healthy habits, wellbeing",
            {
                "A2": ("Do you do any exercise?", "How many hours do you sleep?"),
                "B1-B2": (
                    "What do you do to stay healthy?",
                    "How do you deal with stress?",
                ),
                "C1-C2": (
                    "Is health mostly a matter of personal choice or of circumstances?",
                    "How has the way people think about mental health changed?",
                ),
            },
            {
                "A2": (
                    "Do you walk a lot?",
                    "Do you eat vegetables every day?",
                    "What do you do when you are ill?",
                    "Do you like swimming?",
                ),
                "B1-B2": (
                    "Have you ever tried to change an unhealthy habit?",
                    "What kind of exercise do you enjoy the most?",
                    "Do you think people work too much these days?",
                    "How important is sleep for you?",
                ),
                "C1-C2": (
                    "Should governments do more to encourage healthy lifestyles?",
                    "Where is the line between a healthy routine and an obsession?",
                    "How do you look after your mental wellbeing?",
                    "What health advice do you think is overrated?",
                ),
            },
        ),
        Topic(
            "free_conversation",
            "Free conversation",
            "anything the learner wants to talk about",
            {
                "A2": ("How are you today?", "What did you do today?"),
                "B1-B2": (
                    "What has been the best part of your week so far?",
                    "What would you like to talk about today?",
                ),
                "C1-C2": (
                    "What is something you have changed your mind about recently?",
                    "What topic could you talk about for hours?",
                ),
            },
            {
                "A2": (
                    "What do you like to do on Sundays?",
                    "Tell me about your family. Do you have brothers or sisters?",
                    "What is your favourite season?",
                    "Where do you live?",
                ),
                "B1-B2": (
                    "What are you looking forward to this month?",
                    "Can you tell me more about that?",
                    "What was the last film or series you enjoyed?",
                    "What is something new you learned recently?",
                ),
                "C1-C2": (
                    "Why do you think that is?",
                    "How would someone who disagrees with you see it?",
                    "What book or idea has influenced you the most?",
                    "What do you wish more people understood about your country?",
                ),
            },
        ),
    )
}


def topic_title(key: str) -> str:
    """The title shown to learners; the key itself when it is not a known topic."""
    topic = TOPICS.get(key)
    return topic.title if topic else key


def resolve_topic(value: str) -> str:
    """A topic key from a key or a title, case-insensitive ("Travel" -> "travel"); raises ValueError."""
    wanted = value.strip().lower().replace("-", "_").replace(" ", "_")
    for key, topic in TOPICS.items():
        if wanted in (key, topic.title.lower().replace(" ", "_")):
            return key
    raise ValueError(f"Unknown topic {value!r}. Choose one of: {', '.join(TOPICS)}.")


def resolve_level(value: str) -> Level:
    """A level from "A2", "b1-b2", "B1", "C2" and so on; raises ValueError."""
    wanted = value.strip().upper()
    for level in LEVELS:
        if wanted == level or wanted in level.split("-"):
            return level
    raise ValueError(f"Unknown level {value!r}. Choose one of: {', '.join(LEVELS)}.")


def choose_opening_question(topic: str, level: str, rng: random.Random | None = None) -> str:
    """Pick one opening question for a new conversation (called once per conversation)."""
    choices = TOPICS[topic].openings[level]
    return (rng or random.Random()).choice(choices)


def curated_follow_up(topic: str, level: str, turn_index: int, avoid: Sequence[str] = ()) -> str:
    """A curated follow-up question for this turn, avoiding questions already asked.

    Deterministic for a given turn index, so a rerun of the same turn gives the same question.
    """
    topic_info = TOPICS.get(topic, TOPICS["free_conversation"])
    choices = topic_info.follow_ups.get(level, topic_info.follow_ups[DEFAULT_LEVEL])
    asked = {question.strip().lower() for question in avoid}
    count = len(choices)
    for step in range(count):
        question = choices[(turn_index + step) % count]
        if question.lower() not in asked:
            return question
    return choices[turn_index % count]
