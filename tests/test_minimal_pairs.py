"""Minimal pairs for the word drill."""

from __future__ import annotations

from pronunciation.minimal_pairs import PAIRS, _one_change, _phonemes, minimal_pair


def test_every_listed_pair_differs_by_one_sound() -> None:
    assert all(_one_change(_phonemes(a), _phonemes(b)) for a, b in PAIRS)


def test_the_learners_word_and_the_word_that_was_heard() -> None:
    pair = minimal_pair("bed", "ɛ", "æ")
    assert (pair.target, pair.contrast, pair.same_word) == ("bed", "bad", True)
    assert minimal_pair("Ship", "ɪ", "i").contrast == "sheep"
    assert minimal_pair("think", "θ", "s").contrast == "sink"


def test_the_recognizers_word_is_used_when_it_is_a_real_pair() -> None:
    pair = minimal_pair("bed", "ɛ", "æ", heard_word="bad")
    assert pair.contrast == "bad" and pair.same_word


def test_a_left_out_sound_pairs_with_the_shorter_word() -> None:
    pair = minimal_pair("card", "d", "")
    assert (pair.contrast, pair.heard) == ("car", "")


def test_without_a_real_partner_the_contrast_is_shown_in_other_words() -> None:
    pair = minimal_pair("harbor", "ɑ", "ʌ")
    assert pair is not None and not pair.same_word
    assert _one_change(_phonemes(pair.target), _phonemes(pair.contrast)) == ("ɑ", "ʌ")


def test_no_pair_for_no_change() -> None:
    assert minimal_pair("ship", "ɪ", "ɪ") is None
    assert minimal_pair("ship", "", "i") is None


def test_a_heard_word_one_sound_away_sets_the_contrast() -> None:
    pair = minimal_pair("sheep", "i", "eɪ", heard_word="ship")
    assert (pair.contrast, pair.expected, pair.heard) == ("ship", "i", "ɪ")
