from pronunciation import phonetics, practice_texts
from pronunciation.practice_texts import (
    CATEGORIES,
    LEVELS,
    PRACTICE_TEXTS,
    PracticeText,
    find_text,
    texts_in,
)


def test_categories_each_have_at_least_six_texts():
    assert CATEGORIES == (
        "Beginner", "Intermediate", "Advanced", "Common phrases", "Tongue twisters",
        "Minimal-pair drills",
    )
    for category in CATEGORIES:
        texts = texts_in(category)
        assert len(texts) >= 6, category
        assert all(t.category == category for t in texts)


def test_ids_are_unique_and_found():
    ids = [t.id for t in PRACTICE_TEXTS]
    assert len(ids) == len(set(ids))
    for text in PRACTICE_TEXTS:
        assert find_text(text.id) is text
    assert find_text("no-such-text") is None
    assert texts_in("No such category") == ()


def test_fields_are_filled_in():
    for text in PRACTICE_TEXTS:
        assert isinstance(text, PracticeText)
        assert text.level in LEVELS
        assert text.focus and text.text == text.text.strip()
        assert text.text[0].isupper() and text.text[-1] in ".?!"
        assert text.to_dict()["id"] == text.id


def test_every_text_goes_through_g2p_and_every_word_has_phonemes():
    for text in PRACTICE_TEXTS:
        prons = phonetics.g2p(text.text)
        assert prons, text.id
        assert len(text.text.split()) <= phonetics.MAX_WORDS
        for pron in prons:
            assert pron.phonemes, (text.id, pron.word)


def test_minimal_pair_drills_contain_their_pairs():
    pairs = {t.focus: t.text.lower() for t in texts_in("Minimal-pair drills")}
    assert "ship" in pairs["ɪ vs i"] and "sheep" in pairs["ɪ vs i"]
    assert "think" in pairs["θ vs s"] and "sink" in pairs["θ vs s"]
    assert "very" in pairs["v vs b"] and "berry" in pairs["v vs b"]
    assert "light" in pairs["l vs ɹ"] and "right" in pairs["l vs ɹ"]


def test_focus_sounds_appear_in_the_text():
    # Every sound named in a drill's focus occurs in the text's expected phonemes.
    for text in texts_in("Minimal-pair drills"):
        phonemes = {p for pron in phonetics.g2p(text.text) for p in pron.phonemes}
        for sound in text.focus.split(" vs "):
            assert sound in phonemes, (text.id, sound)


def test_module_constants_are_tuples():
    assert isinstance(practice_texts.PRACTICE_TEXTS, tuple)
