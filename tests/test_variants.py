"""Accepted pronunciations besides the dictionary's: weak forms and non-rhotic forms."""

from __future__ import annotations

from pronunciation.phonetics import g2p, to_reference_words
from pronunciation.variants import non_rhotic, pronunciation_variants


def test_non_rhotic_drops_r_after_a_vowel_unless_a_vowel_follows() -> None:
    assert non_rhotic(("f", "ɔ", "ɹ")) == ("f", "ɔ")
    assert non_rhotic(("æ", "f", "t", "ɚ")) == ("æ", "f", "t", "ə")
    assert non_rhotic(("v", "ɛ", "ɹ", "i")) == ("v", "ɛ", "ɹ", "i")
    assert non_rhotic(("ɹ", "ɛ", "d")) == ("ɹ", "ɛ", "d")


def test_function_words_accept_their_weak_and_strong_forms() -> None:
    assert ("ð", "i") in pronunciation_variants("the", ("ð", "ə"))
    assert ("t", "ə") in pronunciation_variants("to", ("t", "u"))
    assert ("t", "u") not in pronunciation_variants("to", ("t", "u")), "the given form is not repeated"
    assert pronunciation_variants("ship", ("ʃ", "ɪ", "p")) == ()


def test_reference_words_carry_their_variants() -> None:
    words = to_reference_words(g2p("The car"))
    assert ("ð", "i") in words[0].variants
    assert words[1].variants == (("k", "ɑ"),)
