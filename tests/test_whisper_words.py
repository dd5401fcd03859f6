"""How Whisper's word pieces become the words of a transcript (no model needed)."""

from __future__ import annotations

from speech.whisper_words import HeardWords, TimedWord, _join_pieces


def piece(word: str, start: float, end: float, probability: float = 0.9) -> dict:
    return {"word": word, "start": start, "end": end, "probability": probability}


def test_pieces_without_a_leading_space_continue_the_word() -> None:
    words = _join_pieces([piece(" well", 0.0, 0.4), piece("-wielding", 0.4, 0.9, 0.5), piece(" R", 1.0, 1.1),
                          piece("&D", 1.1, 1.3, 0.7)], seconds=2.0)
    assert [w.word for w in words] == ["well-wielding", "R&D"]
    assert words[0] == TimedWord("well-wielding", 0.0, 0.9, 0.5), "the joined word keeps its lowest probability"


def test_punctuation_sticks_to_its_word_and_never_stands_alone() -> None:
    words = _join_pieces([piece(" Bill", 0.5, 0.9, 0.8), piece(".", 0.9, 1.4, 0.1), piece(" ...", 1.4, 1.5)],
                         seconds=2.0)
    assert words == (TimedWord("Bill.", 0.5, 0.9, 0.8),)


def test_times_never_pass_the_end_of_the_clip() -> None:
    words = _join_pieces([piece(" now", 1.8, 2.6)], seconds=2.0)
    assert words[0].end == 2.0


def test_the_text_is_the_words_in_order() -> None:
    heard = HeardWords((TimedWord("He", 0, 0.2, 1.0), TimedWord("taped", 0.2, 0.6, 0.6)))
    assert heard.text == "He taped"
    assert HeardWords(()).text == ""
