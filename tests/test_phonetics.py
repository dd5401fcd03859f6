import pytest

from pronunciation import phoneme_set, phonetics
from pronunciation.phonetics import (
    TextError,
    g2p,
    normalise_text,
    normalise_words,
    split_ipa,
    word_ipa,
)
from speech.transcription import ReferenceWord


def words(text):
    return [p.word for p in g2p(text)]


def test_simple_words_have_canonical_phonemes_and_display_ipa():
    ship, sheep = g2p("ship sheep")
    assert ship.phonemes == ("ʃ", "ɪ", "p")
    assert sheep.phonemes == ("ʃ", "i", "p")
    assert ship.ipa == "ˈʃɪp"
    assert ship.stress == (0, 1, 0)
    assert all(p in phoneme_set.CANONICAL_PHONEMES for p in ship.phonemes + sheep.phonemes)


def test_affricates_are_one_phoneme_without_tie_bar():
    (church,) = g2p("church")
    assert church.phonemes == ("tʃ", "ɚ", "tʃ")
    assert "\u0361" not in church.ipa


def test_stress_mark_goes_before_the_syllable_onset():
    assert word_ipa("hello").ipa == "hɛˈloʊ"
    assert word_ipa("about").ipa == "əˈbaʊt"
    assert word_ipa("three").ipa == "ˈθɹi"


def test_all_caps_words_are_not_spelled_letter_by_letter():
    (world,) = g2p("WORLD")
    assert world.display == "WORLD"
    assert world.word == "world"
    assert world.phonemes == ("w", "ɚ", "l", "d")


def test_display_keeps_case_and_drops_surrounding_punctuation():
    prons = g2p('"Hello," she said.')
    assert [p.display for p in prons] == ["Hello", "she", "said"]
    assert [p.word for p in prons] == ["hello", "she", "said"]


def test_single_word_number_displays_as_written_but_sounds_spelled():
    three, cats = g2p("3 cats")
    assert three.display == "3"
    assert three.word == "three"
    assert three.phonemes == word_ipa("three").phonemes
    assert cats.word == "cats"


def test_multi_word_numbers_expand_into_spoken_words():
    assert words("in 1999") == ["in", "nineteen", "ninety", "nine"]
    assert words("3.5") == ["three", "point", "five"]
    assert words("the 1990s") == ["the", "nineteen", "nineties"]
    assert words("the 21st") == ["the", "twenty", "first"]


def test_percent_hyphen_contractions_and_abbreviations():
    assert words("50% off") == ["fifty", "percent", "off"]
    assert words("a well-known place") == ["a", "well", "known", "place"]
    prons = g2p("I'm Mr. Smith and I don't know")
    assert [p.word for p in prons] == ["i'm", "mister", "smith", "and", "i", "don't", "know"]
    assert prons[0].display == "I'm"
    assert prons[1].display == "Mr."
    assert prons[0].phonemes == ("aɪ", "m")


def test_curly_apostrophes_are_plain_apostrophes():
    assert words("don\u2019t") == ["don't"]


def test_dotted_initials_are_letter_names():
    prons = g2p("the U.S.A. team")
    assert [p.word for p in prons] == ["the", "u", "s", "a", "team"]
    assert prons[3].phonemes == ("eɪ",)


def test_accented_letters_fold_to_ascii():
    (cafe,) = g2p("café")
    assert cafe.display == "café"
    assert cafe.word == "cafe"
    assert cafe.phonemes[:2] == ("k", "æ")


def test_sentence_context_picks_heteronym_pronunciation():
    prons = g2p("Yesterday I read a book.")
    read = next(p for p in prons if p.word == "read")
    assert read.phonemes == ("ɹ", "ɛ", "d")


def test_normalise_text_for_transcripts():
    assert normalise_text("HELLO WORLD") == "hello world"
    assert normalise_text("Hello,   world!  It's 3 o'clock.") == "hello world it's three o'clock"
    assert normalise_words("DON'T STOP") == ["don't", "stop"]
    assert normalise_text("") == ""
    assert normalise_text("?!") == ""


def test_normalised_words_match_g2p_words():
    text = "Dr. Lee paid $5 for 2 coffees at 10am, didn't she?"
    assert normalise_words(text) == words(text)


@pytest.mark.parametrize(
    "text, message",
    [
        ("", phonetics.MSG_EMPTY),
        ("   \n", phonetics.MSG_EMPTY),
        ("?!... --", phonetics.MSG_PUNCTUATION),
        ("你好", phonetics.MSG_NOT_LATIN),
        ("😀😀", phonetics.MSG_NOT_LATIN),
        ("Привет мир", phonetics.MSG_NOT_LATIN),
    ],
)
def test_unusable_texts_are_refused_with_a_clear_message(text, message):
    with pytest.raises(TextError) as info:
        g2p(text)
    assert str(info.value) == message


def test_mixed_scripts_keep_only_the_english_words():
    assert words("你好 hello 😀 world") == ["hello", "world"]


def test_too_long_text_is_refused_before_g2p(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("G2P should not run")

    monkeypatch.setattr(phonetics, "_sentence_phones", fail)
    with pytest.raises(TextError) as info:
        g2p("word " * 5000)
    assert "at most 60 words" in str(info.value)
    with pytest.raises(TextError):
        g2p("x" * 100_000)


def test_max_words_is_allowed():
    assert len(g2p("cat " * phonetics.MAX_WORDS)) == phonetics.MAX_WORDS


def test_text_error_is_a_value_error():
    assert issubclass(TextError, ValueError)


def test_word_ipa_and_to_dict():
    pron = word_ipa("Ship")
    assert pron.display == "Ship"
    assert pron.word == "ship"
    assert pron.to_dict() == {
        "display": "Ship", "word": "ship", "ipa": "ˈʃɪp", "phonemes": ["ʃ", "ɪ", "p"],
        "stress": [0, 1, 0],
    }
    with pytest.raises(TextError):
        word_ipa("!!")


def test_to_reference_words():
    refs = phonetics.to_reference_words(g2p("Think big"))
    assert refs == [
        ReferenceWord("think", ("θ", "ɪ", "ŋ", "k")),
        ReferenceWord("big", ("b", "ɪ", "ɡ")),
    ]


@pytest.mark.parametrize(
    "ipa, expected",
    [
        ("ˈt͡ʃɝtʃ", ["tʃ", "ɚ", "tʃ"]),
        ("ʃˈɪp", ["ʃ", "ɪ", "p"]),
        ("aɪdˈiə", ["aɪ", "d", "i", "ə"]),
        ("əɹaʊnd", ["ə", "ɹ", "aʊ", "n", "d"]),
        ("bɜːd", ["b", "ɚ", "d"]),
        ("ðə kæt", ["ð", "ə", "k", "æ", "t"]),
        ("d ʒ ʌ d ʒ", ["d", "ʒ", "ʌ", "d", "ʒ"]),
        ("dʒ ʌ dʒ", ["dʒ", "ʌ", "dʒ"]),
        ("ˈbʌɾɚ", ["b", "ʌ", "t", "ɚ"]),
        ("kʰæt", ["k", "æ", "t"]),
        ("bʌtn̩", ["b", "ʌ", "t", "n"]),
        ("ɡʊd", ["ɡ", "ʊ", "d"]),
        ("gʊd", ["ɡ", "ʊ", "d"]),
        ("", []),
    ],
)
def test_split_ipa(ipa, expected):
    assert split_ipa(ipa) == expected


def test_split_ipa_round_trips_display_ipa():
    for pron in g2p("The quick brown fox jumps over the lazy dog, measuring everything."):
        assert tuple(split_ipa(pron.ipa)) == pron.phonemes


def test_results_are_cached():
    assert g2p("cached text here") is g2p("cached text here")
    assert word_ipa("cache") is word_ipa("cache")


def test_american_numbers_have_no_and_after_hundred():
    assert words("123") == ["one", "hundred", "twenty", "three"]


def test_ligatures_and_full_width_letters_are_plain_letters():
    assert words("\ufb01ne \uff21\uff22\uff23") == ["fine", "abc"]
