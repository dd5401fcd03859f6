"""Ready-made practice texts, grouped by category and level.

To add a text, append a ``PracticeText`` to the category's list below: give it
the next id of that category, a level from ``LEVELS`` and the sounds it trains
(``focus``). Every text must stay under ``phonetics.MAX_WORDS`` words; the tests
check that each one goes through G2P.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

CATEGORIES: tuple[str, ...] = (
    "Beginner", "Intermediate", "Advanced", "Common phrases", "Tongue twisters",
    "Minimal-pair drills",
)
LEVELS: tuple[str, ...] = ("Beginner", "Intermediate", "Advanced")


@dataclass(frozen=True)
class PracticeText:
    """One text to read aloud."""

    id: str
    text: str
    category: str
    level: str
    focus: str  # the sounds it trains, e.g. "ɪ vs i"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _texts(category: str, prefix: str, rows: list[tuple[str, str, str]]) -> tuple[PracticeText, ...]:
    return tuple(
        PracticeText(id=f"{prefix}-{n:02d}", text=text, category=category, level=level, focus=focus)
        for n, (level, focus, text) in enumerate(rows, start=1)
    )


_BEGINNER = _texts("Beginner", "beginner", [
    ("Beginner", "short vowels ɪ and æ",
     "My name is Anna. I live in a small house with my family."),
    ("Beginner", "æ vs ɛ", "The black cat is sleeping on my bed."),
    ("Beginner", "ɪ vs i", "I drink tea with milk every morning."),
    ("Beginner", "θ and final consonants", "We have three big dogs and one little cat."),
    ("Beginner", "θ, h", "Can you help me, please? I think I am lost."),
    ("Beginner", "ʌ vs ɑ", "The sun is hot today, so let's go to the park."),
    ("Beginner", "ʃ vs s", "She sells fresh fish at the market on Fridays."),
])

_INTERMEDIATE = _texts("Intermediate", "intermediate", [
    ("Intermediate", "ʒ, w, ð",
     "I usually take the bus to work, but today I walked because the weather was lovely."),
    ("Intermediate", "ɹ, tʃ", "Could you tell me where the nearest train station is?"),
    ("Intermediate", "θ, ð, dʒ",
     "My brother thinks that learning a new language is an exciting challenge."),
    ("Intermediate", "v vs w", "We visited our grandparents in the village last weekend."),
    ("Intermediate", "final consonants, ɚ",
     "The restaurant was full, so we ordered pizza and watched a movie at home."),
    ("Intermediate", "ɚ, dʒ",
     "She has worked as a nurse for over twenty years, and she still loves her job."),
    ("Intermediate", "l vs ɹ", "Please remember to turn off the lights when you leave the room."),
])

_ADVANCED = _texts("Advanced", "advanced", [
    ("Advanced", "θ, ð, word stress",
     "Although the research was thorough, the authors acknowledged several limitations "
     "in their methodology."),
    ("Advanced", "schwa in unstressed syllables",
     "The government's decision to invest in renewable energy was widely praised by "
     "environmental groups."),
    ("Advanced", "ɹ vs l, θ",
     "Well-prepared speakers rarely rely on their notes, yet they still sound relaxed "
     "and natural."),
    ("Advanced", "ʒ, ɚ, consonant clusters",
     "In the early stages, it's worth measuring the results regularly and adjusting the "
     "strategy."),
    ("Advanced", "k, tʃ, θ",
     "The architecture of the cathedral reflects centuries of cultural exchange between "
     "neighboring regions."),
    ("Advanced", "w, ð, v",
     "Whether or not the weather improves, the festival will go ahead as planned."),
    ("Advanced", "θ, dʒ, ʒ",
     "Her enthusiasm for mathematics inspired a whole generation of young scientists, "
     "and that was no illusion."),
])

_PHRASES = _texts("Common phrases", "phrases", [
    ("Beginner", "aʊ, ʊ, intonation", "How are you doing today?"),
    ("Beginner", "ɚ, w", "Nice to meet you. Where are you from?"),
    ("Beginner", "ð, eɪ", "Could you say that again, please?"),
    ("Beginner", "θ, v", "Thank you very much for your help."),
    ("Beginner", "ʌ, z, ð", "Excuse me, how much does this cost?"),
    ("Beginner", "æ, tʃ", "I'm sorry, I didn't catch your name."),
    ("Beginner", "aɪ, final t", "What time does the meeting start?"),
    ("Beginner", "eɪ, ɛ", "Have a great weekend!"),
])

_TWISTERS = _texts("Tongue twisters", "twisters", [
    ("Intermediate", "ʃ vs s", "She sells seashells by the seashore."),
    ("Intermediate", "p", "Peter Piper picked a peck of pickled peppers."),
    ("Intermediate", "l vs ɹ", "Red leather, yellow leather."),
    ("Advanced", "w, ʊ",
     "How much wood would a woodchuck chuck if a woodchuck could chuck wood?"),
    ("Advanced", "θ", "Three thin thinkers were thinking thick, thoughtful thoughts."),
    ("Intermediate", "b, ɪ vs ʌ", "Betty bought a bit of butter, but the butter was bitter."),
    ("Intermediate", "ɛ, d", "Fred fed Ted bread, and Ted fed Fred bread."),
    ("Beginner", "b, æ", "A big black bug bit a big black bear."),
])

_PAIRS = _texts("Minimal-pair drills", "pairs", [
    ("Beginner", "ɪ vs i", "Ship, sheep. Is that a ship or a sheep? The sheep is on the ship."),
    ("Beginner", "θ vs s", "Think, sink. I think the kitchen sink is leaking."),
    ("Beginner", "v vs b", "Very, berry. This berry is very sweet."),
    ("Beginner", "l vs ɹ", "Light, right. Turn right at the next light."),
    ("Beginner", "æ vs ɛ", "Bad, bed. The bad dog slept on my bed."),
    ("Intermediate", "ʊ vs u", "Full, fool. Only a fool would try to fill a full cup."),
    ("Intermediate", "w vs v", "West, vest. He wore a warm vest in the cold west wind."),
    ("Intermediate", "n vs ŋ", "Thin, thing. What is that thin thing on the table?"),
    ("Beginner", "ʌ vs ɑ", "Cup, cop. The cop drank a cup of coffee."),
    ("Intermediate", "ð vs d", "They, day. They arrived on a sunny day."),
])

PRACTICE_TEXTS: tuple[PracticeText, ...] = (
    _BEGINNER + _INTERMEDIATE + _ADVANCED + _PHRASES + _TWISTERS + _PAIRS
)
_BY_ID: dict[str, PracticeText] = {t.id: t for t in PRACTICE_TEXTS}


def texts_in(category: str) -> tuple[PracticeText, ...]:
    """The texts of one category, in order (empty for an unknown category)."""
    return tuple(t for t in PRACTICE_TEXTS if t.category == category)


def find_text(text_id: str) -> PracticeText | None:
    """A text by its id, or None."""
    return _BY_ID.get(text_id)
