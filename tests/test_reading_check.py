""""You read something else": the decision from the recognizer's words."""

from __future__ import annotations

import pytest

from pronunciation.phonetics import g2p
from pronunciation.reading_check import (
    MIN_SOUNDS,
    THRESHOLD,
    check_reading,
    sound_distance,
    sounds_of_word,
)


def _sounds(text: str) -> list[tuple[str, ...]]:
    return [tuple(p.phonemes) for p in g2p(text)]


def test_the_sentence_itself_is_distance_zero() -> None:
    check = check_reading(_sounds("The ship left the harbor at noon"), "the ship left the harbor at noon".split())
    assert check.distance == 0.0 and not check.read_something_else


def test_a_mispronounced_reading_is_not_something_else() -> None:
    # speechocean762 000010011: a learner's "bear" heard as "bill"
    check = check_reading(_sounds("We call it bear"), ["we", "call", "it", "bill"])
    assert not check.read_something_else
    assert 0.0 < check.distance < THRESHOLD


def test_another_sentence_is_something_else() -> None:
    check = check_reading(_sounds("The ship left the harbor at noon"), "my cat is sleeping on the sofa".split())
    assert check.read_something_else
    assert check.heard_words == ("my", "cat", "is", "sleeping", "on", "the", "sofa")


def test_nothing_heard_is_not_something_else() -> None:
    check = check_reading(_sounds("The ship left the harbor at noon"), [])
    assert not check.read_something_else and check.heard_words == ()
    assert not check_reading(_sounds("ship"), ["", "  "]).read_something_else


@pytest.mark.parametrize("reference, heard", [("ship", "sheep"), ("the", "da"), ("bed", "bad"), ("think", "sink")])
def test_a_one_word_drill_with_a_slip_is_not_something_else(reference: str, heard: str) -> None:
    assert not check_reading(_sounds(reference), [heard]).read_something_else


def test_a_one_word_drill_read_as_a_whole_sentence_is_something_else() -> None:
    check = check_reading(_sounds("ship"), "i would like a cup of coffee please".split())
    assert check.read_something_else


def test_short_references_are_measured_over_at_least_min_sounds() -> None:
    # two sounds, both wrong: 2 edits over MIN_SOUNDS, not over 2
    assert sound_distance(("ð", "ə"), ("d", "ɑ")) == pytest.approx(2 / MIN_SOUNDS)
    assert sound_distance(("ð", "ə"), ("d", "ɑ"), min_sounds=1) == pytest.approx(1.0)
    assert sound_distance((), ()) == 0.0


def test_words_the_g2p_cannot_say_fall_back_to_their_letters() -> None:
    assert sounds_of_word("€") == ("€",)
    assert sounds_of_word("ship") == ("ʃ", "ɪ", "p")


def test_to_dict_is_plain() -> None:
    data = check_reading(_sounds("ship"), ["ship"]).to_dict()
    assert data == {"read_something_else": False, "distance": 0.0, "heard_words": ("ship",)}
