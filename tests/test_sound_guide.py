import pytest

from pronunciation import phoneme_set, phonetics
from pronunciation.sound_guide import (
    CONFUSION_NOTES,
    SOUND_GUIDE,
    SoundTip,
    confusion_note,
    general_tip,
    tip_for,
)


def test_every_canonical_phoneme_has_a_tip():
    assert set(SOUND_GUIDE) == set(phoneme_set.CANONICAL_PHONEMES)
    for ipa, tip in SOUND_GUIDE.items():
        assert isinstance(tip, SoundTip)
        assert tip.ipa == ipa
        assert tip.name and tip.how_to.endswith(".")
        assert len(tip.examples) >= 2


def test_confusions_are_canonical_and_different_from_the_sound():
    for ipa, tip in SOUND_GUIDE.items():
        for other in tip.common_confusions:
            assert other in phoneme_set.CANONICAL_PHONEMES
            assert other != ipa


def test_example_words_really_contain_the_sound():
    for ipa, tip in SOUND_GUIDE.items():
        for example in tip.examples:
            assert ipa in phonetics.word_ipa(example).phonemes, (ipa, example)


def test_note_pairs_use_canonical_phonemes():
    for expected, heard in CONFUSION_NOTES:
        assert expected in phoneme_set.CANONICAL_PHONEMES
        assert heard in phoneme_set.CANONICAL_PHONEMES


@pytest.mark.parametrize(
    "expected, heard",
    [("ɪ", "i"), ("i", "ɪ"), ("θ", "s"), ("θ", "t"), ("θ", "f"), ("ð", "d"), ("ð", "z"),
     ("v", "b"), ("v", "w"), ("l", "ɹ"), ("ɹ", "l"), ("æ", "ɛ"), ("ʃ", "s"), ("ʊ", "u"),
     ("ŋ", "n"), ("z", "s"), ("ʌ", "ɑ"), ("w", "v")],
)
def test_known_confusions_have_specific_notes(expected, heard):
    note = confusion_note(expected, heard)
    assert note
    assert tip_for(expected, heard) == note


def test_th_heard_as_s_mentions_the_teeth():
    assert "between your teeth" in tip_for("θ", "s")


def test_missing_h_and_dropped_final_consonant():
    assert "/h/" in confusion_note("h", "")
    final = confusion_note("t", "", final=True)
    assert "final /t/" in final
    assert confusion_note("t", "") != final


def test_extra_vowel_note():
    assert "extra vowel" in confusion_note("", "ə")


def test_aliases_and_stress_marks_are_accepted():
    assert confusion_note("ˈɪ", "iː") == confusion_note("ɪ", "i")
    assert confusion_note("θ", "s") == confusion_note("θ", "s")


def test_unknown_pair_and_same_sound_have_no_note():
    assert confusion_note("p", "ʒ") is None
    assert confusion_note("p", "p") is None


def test_tip_for_falls_back_to_the_general_tip():
    general = general_tip("p")
    assert general.startswith("/p/")
    assert tip_for("p") == general
    assert tip_for("p", "ʒ") == "You said /ʒ/ instead of /p/. " + general
    assert tip_for("??") == tip_for("")
    assert tip_for("??")
