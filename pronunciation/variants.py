"""Other pronunciations of a word that count as correct.

Two sources, both in the canonical phoneme set:

* **Weak and strong forms** of function words ("the" /ðə/ or /ði/, "to" /tə/ or
  /tu/, "and" /ənd/ or /ən/): in running speech these are the normal readings,
  whichever the dictionary lists. The phoneme model also hears some of them in
  its own way ("I" as /i/, "to" as /toʊ/), and those readings are accepted too.
* **Non-rhotic forms**: learners taught British English drop an /ɹ/ after a vowel
  ("for" /fɔ/, "after" /æftə/); experts score that as correct.

:func:`pronunciation_variants` returns the variants of a word besides the one given.
"""

from __future__ import annotations

from pronunciation.phoneme_set import VOWELS

# normalised word -> accepted pronunciations (space-separated canonical phonemes)
FUNCTION_WORD_FORMS: dict[str, tuple[str, ...]] = {
    "a": ("ə", "eɪ"),
    "an": ("ə n", "æ n"),
    "and": ("ə n d", "ə n", "æ n d", "æ n", "n"),
    "are": ("ɑ ɹ", "ɚ", "ɑ"),
    "as": ("æ z", "ə z"),
    "at": ("æ t", "ə t"),
    "be": ("b i", "b ɪ"),
    "but": ("b ʌ t", "b ə t"),
    "can": ("k æ n", "k ə n"),
    "could": ("k ʊ d", "k ə d"),
    "do": ("d u", "d ə"),
    "does": ("d ʌ z", "d ə z"),
    "for": ("f ɔ ɹ", "f ɚ", "f ɔ", "f ə"),
    "from": ("f ɹ ʌ m", "f ɹ ə m", "f ɹ ɑ m"),
    "had": ("h æ d", "h ə d", "ə d"),
    "has": ("h æ z", "h ə z", "ə z"),
    "have": ("h æ v", "h ə v", "ə v"),
    "he": ("h i", "h ɪ", "i"),
    "her": ("h ɚ", "ɚ", "h ə"),
    "him": ("h ɪ m", "ɪ m"),
    "his": ("h ɪ z", "ɪ z"),
    "i": ("aɪ", "ɑ", "i"),
    "is": ("ɪ z", "i z"),
    "just": ("dʒ ʌ s t", "dʒ ə s t", "dʒ ə s"),
    "me": ("m i", "m ɪ"),
    "my": ("m aɪ", "m ɪ"),
    "of": ("ʌ v", "ə v", "ə", "ɑ v"),
    "or": ("ɔ ɹ", "ɚ", "ɔ"),
    "our": ("aʊ ɚ", "aʊ ɹ", "ɑ ɹ", "aʊ ə"),
    "shall": ("ʃ æ l", "ʃ ə l"),
    "she": ("ʃ i", "ʃ ɪ"),
    "should": ("ʃ ʊ d", "ʃ ə d"),
    "some": ("s ʌ m", "s ə m"),
    "than": ("ð æ n", "ð ə n"),
    "that": ("ð æ t", "ð ə t"),
    "the": ("ð ə", "ð i", "ð ɪ", "ð ʌ"),
    "them": ("ð ɛ m", "ð ə m"),
    "there": ("ð ɛ ɹ", "ð ɚ", "ð ɛ", "ð ə"),
    "to": ("t u", "t ə", "t ʊ", "t oʊ"),
    "us": ("ʌ s", "ə s"),
    "was": ("w ʌ z", "w ə z", "w ɑ z"),
    "we": ("w i", "w ɪ"),
    "were": ("w ɚ", "w ɛ ɹ", "w ə"),
    "what": ("w ʌ t", "w ɑ t", "w ə t"),
    "will": ("w ɪ l", "w ə l"),
    "would": ("w ʊ d", "w ə d"),
    "you": ("j u", "j ə", "j ʊ"),
    "your": ("j ɔ ɹ", "j ʊ ɹ", "j ɚ", "j ɔ", "j ə"),
}

_VOWELS = frozenset(VOWELS)
_R_COLOURED_TO_PLAIN = {"ɚ": "ə"}


def non_rhotic(phonemes: tuple[str, ...]) -> tuple[str, ...]:
    """Drop /ɹ/ after a vowel unless a vowel follows; /ɚ/ becomes /ə/ (except before a vowel)."""
    out: list[str] = []
    for index, phone in enumerate(phonemes):
        following = phonemes[index + 1] if index + 1 < len(phonemes) else None
        before_vowel = following in _VOWELS
        if phone == "ɹ" and out and out[-1] in _VOWELS and not before_vowel:
            continue
        out.append(phone if before_vowel else _R_COLOURED_TO_PLAIN.get(phone, phone))
    return tuple(out)


def pronunciation_variants(word: str, phonemes: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """Accepted pronunciations of ``word`` other than ``phonemes`` (no duplicates, in order)."""
    candidates = [tuple(form.split()) for form in FUNCTION_WORD_FORMS.get(word.lower(), ())]
    candidates.append(non_rhotic(phonemes))
    out: list[tuple[str, ...]] = []
    for candidate in candidates:
        if candidate and candidate != phonemes and candidate not in out:
            out.append(candidate)
    return tuple(out)
