"""Reference pronunciations: text normalisation and grapheme-to-phoneme (G2P).

A practice text is turned into one :class:`WordPronunciation` per *spoken* word,
with display IPA (stress marks placed before the stressed syllable, as learners'
dictionaries print them) and the canonical stressless phonemes every comparison
uses (see :mod:`pronunciation.phoneme_set`). G2P runs offline with gruut (US English).

Normalisation rules (shared by references and recognizer transcripts, so that
``normalise_words`` of either side line up word for word):

* Everything is lower-cased first: gruut reads ALL-CAPS words letter by letter.
* Accented Latin letters are folded to ASCII ("café" -> "cafe"), ligatures and
  full-width letters to plain ones (Unicode NFKC); apostrophes are
  kept inside words ("don't", "I'm"); hyphens and slashes split words
  ("well-known" -> "well", "known"); other punctuation is dropped.
* Numbers are spoken words ("3" -> "three", "50%" -> "fifty percent",
  "1990s" -> "nineteen nineties", "$5" -> "five dollars", "123" -> "one hundred
  twenty three" in the American way), because that is what a recognizer writes.
  A number that is one spoken word keeps its written form for display ("3" shows
  as "3" with the phonemes of "three"); a number that becomes several words is
  shown as those words ("1999" -> "nineteen", "ninety", "nine"), which is also
  how the learner is expected to say it.
* "Mr.", "Mrs.", "Dr." and a few other abbreviations become their spoken words
  and keep their written form for display. Dotted initials ("U.S.A.") become
  letter names. ``%``, ``&``, ``+``, ``@`` and ``=`` are spoken as words.
* Words in other scripts (and emoji) are ignored when English words remain;
  a text with none is refused with :class:`TextError`.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable

from pronunciation import phoneme_set
from pronunciation.variants import pronunciation_variants
from speech.transcription import ReferenceWord

logger = logging.getLogger(__name__)

LANGUAGE = "en-us"
MAX_WORDS = 60  # written words in a practice reference
MAX_SPOKEN_WORDS = 2 * MAX_WORDS  # after numbers and abbreviations are spelled out
MAX_CHARS = 1000
G2P_CACHE_SIZE = 512

MSG_EMPTY = "Please type a sentence to practise."
MSG_PUNCTUATION = "Please type some words, not only punctuation or symbols."
MSG_NOT_LATIN = "Please type English words in Latin letters."
MSG_TOO_LONG = "That text is too long ({count} words). Please use at most {limit} words."
MSG_TOO_LONG_CHARS = "That text is too long. Please use at most {limit} words."

APOSTROPHES = "\u2019\u2018\u02bc`\u00b4"
LATIN_LETTERS = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff"
SENTENCE_END = ".!?"

_TOKEN_RE = re.compile(
    r"(?P<initials>(?:[A-Za-z]\.){2,})"
    r"|(?P<number>[$£€]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?"
    r"(?:'?s\b|st\b|nd\b|rd\b|th\b)?%?)"
    rf"|(?P<word>[{LATIN_LETTERS}]+(?:'[{LATIN_LETTERS}]+)*)"
    r"|(?P<symbol>[%&+@=])"
)
_PLAIN_WORD_RE = re.compile(r"[a-z]+(?:'[a-z]+)*")

# Written abbreviations -> spoken words (matched lower-case, with or without the dot).
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "mr": ("mister",), "mrs": ("missus",), "ms": ("miz",), "dr": ("doctor",),
    "prof": ("professor",), "jr": ("junior",), "sr": ("senior",), "vs": ("versus",),
    "etc": ("et", "cetera"),
}
SYMBOL_WORDS: dict[str, tuple[str, ...]] = {
    "%": ("percent",), "&": ("and",), "+": ("plus",), "@": ("at",), "=": ("equals",),
}
# Unit letters written straight after a number ("5km"); "am"/"pm" are letter names.
UNIT_WORDS: dict[str, tuple[str, ...]] = {
    "km": ("kilometers",), "kg": ("kilograms",), "cm": ("centimeters",),
    "mm": ("millimeters",), "ml": ("milliliters",), "mph": ("miles", "per", "hour"),
}
LETTER_UNITS = frozenset({"am", "pm"})
# Letters that Unicode decomposition does not fold to ASCII.
FOLD_SPECIAL: dict[str, str] = {
    "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th",
    "ı": "i", "ħ": "h",
}
NUMBER_WORDS_DROPPED = frozenset({"sterling"})  # gruut says "three pounds sterling"
# American English says "one hundred twenty", not "one hundred and twenty".
NUMBER_SCALE_WORDS = frozenset({"hundred", "thousand", "million", "billion", "trillion"})
DIGIT_NAMES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")

# Letter names as raw phones (stress on the vowel, like gruut's output).
LETTER_PHONES: dict[str, tuple[str, ...]] = {
    "a": ("ˈeɪ",), "b": ("b", "ˈi"), "c": ("s", "ˈi"), "d": ("d", "ˈi"), "e": ("ˈi",),
    "f": ("ˈɛ", "f"), "g": ("dʒ", "ˈi"), "h": ("ˈeɪ", "tʃ"), "i": ("ˈaɪ",),
    "j": ("dʒ", "ˈeɪ"), "k": ("k", "ˈeɪ"), "l": ("ˈɛ", "l"), "m": ("ˈɛ", "m"),
    "n": ("ˈɛ", "n"), "o": ("ˈoʊ",), "p": ("p", "ˈi"), "q": ("k", "j", "ˈu"),
    "r": ("ˈɑ", "ɹ"), "s": ("ˈɛ", "s"), "t": ("t", "ˈi"), "u": ("j", "ˈu"),
    "v": ("v", "ˈi"), "w": ("d", "ˈʌ", "b", "ə", "l", "j", "u"), "x": ("ˈɛ", "k", "s"),
    "y": ("w", "ˈaɪ"), "z": ("z", "ˈi"),
}

# Consonant clusters that may begin an English syllable (for placing stress marks).
_CONSONANT_ONSETS = {(c,) for c in phoneme_set.CONSONANTS if c != "ŋ"}
_CLUSTER_ONSETS = {
    tuple(cluster.split())
    for cluster in (
        "p l", "b l", "k l", "ɡ l", "f l", "s l", "p ɹ", "b ɹ", "t ɹ", "d ɹ", "k ɹ",
        "ɡ ɹ", "f ɹ", "θ ɹ", "ʃ ɹ", "t w", "d w", "k w", "ɡ w", "s w", "θ w", "s p",
        "s t", "s k", "s m", "s n", "s f", "p j", "b j", "k j", "f j", "v j", "m j",
        "h j", "s p l", "s p ɹ", "s t ɹ", "s k ɹ", "s k w", "s k j", "s p j",
    )
}
LEGAL_ONSETS: frozenset[tuple[str, ...]] = frozenset(_CONSONANT_ONSETS | _CLUSTER_ONSETS)
_VOWELS = frozenset(phoneme_set.VOWELS)

# split_ipa: symbols read as one phoneme, besides the canonical ones and aliases.
_EXTRA_SYMBOLS: dict[str, str] = {"ə˞": "ɚ", "ɜ˞": "ɚ", "ɝ": "ɚ"}
# Multi-letter aliases that would wrongly swallow two real phonemes in unspaced US IPA
# ("idea" /aɪdiə/): inside a run they are read as separate phonemes.
_SPLIT_ALIASES = frozenset({"iə", "ɪə", "eə", "ʊə"})
_DROPPED_MODIFIERS = "ʰʲʷˠˤ̃̈̆̚"
_BOUNDARIES = phoneme_set.STRESS_MARKS + ".‿|‖ "


class TextError(ValueError):
    """A practice text that cannot be used; ``str(error)`` is a short message for the learner."""


@dataclass(frozen=True)
class WordPronunciation:
    """The expected pronunciation of one spoken word of a reference text."""

    display: str  # the word as written (original case, no surrounding punctuation)
    word: str  # normalised lower-case form used for alignment
    ipa: str  # display IPA with stress marks, e.g. "ˈʃɪp"
    phonemes: tuple[str, ...]  # canonical stressless phonemes, e.g. ("ʃ", "ɪ", "p")
    stress: tuple[int, ...]  # per phoneme: 0 none, 1 primary, 2 secondary

    def to_dict(self) -> dict[str, Any]:
        return {
            "display": self.display,
            "word": self.word,
            "ipa": self.ipa,
            "phonemes": list(self.phonemes),
            "stress": list(self.stress),
        }


@dataclass(frozen=True)
class _Spoken:
    """One spoken word produced by normalisation."""

    display: str
    word: str
    letter: bool = False  # pronounced as a letter name ("U.S.A.", "5pm")
    sentence_end: bool = False


# ---------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------


def _fold_ascii(word: str) -> str:
    """Lower-case and fold accented Latin letters to ASCII ("Café" -> "cafe")."""
    lowered = "".join(FOLD_SPECIAL.get(ch, ch) for ch in word.lower())
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(ch for ch in decomposed if ch.isascii() and (ch.isalpha() or ch == "'"))


def _plural(word: str) -> str:
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("x", "s", "sh", "ch")):
        return word + "es"
    return word + "s"


def _gruut_sentences(text: str) -> list[list[Any]]:
    """gruut's spoken words per sentence (breaks and punctuation removed)."""
    import gruut  # imported lazily: loading the lexicon takes about a second

    sentences = []
    for sentence in gruut.sentences(text, lang=LANGUAGE):
        sentences.append([w for w in sentence if w.is_spoken and not w.is_break and not w.is_punctuation])
    return sentences


@functools.lru_cache(maxsize=1024)
def _spell_number(token: str) -> tuple[str, ...]:
    """Spoken words for a number token ("3" -> three, "1990s" -> nineteen nineties)."""
    core, plural = token, False
    if core.endswith("'s"):
        core, plural = core[:-2], True
    elif core.endswith("s") and core[-2:-1].isdigit():
        core, plural = core[:-1], True
    words: list[str] = []
    for sentence in _gruut_sentences(core):
        for w in sentence:
            words.extend(part for part in re.split(r"[\s\-]+", w.text.lower()) if part)
    words = [
        w for i, w in enumerate(words)
        if w not in NUMBER_WORDS_DROPPED
        and not (w == "and" and i > 0 and words[i - 1] in NUMBER_SCALE_WORDS)
    ]
    if not words or not all(_PLAIN_WORD_RE.fullmatch(w) for w in words):
        logger.warning("Could not spell the number %r (got %r); reading its digits", token, words)
        words = [DIGIT_NAMES[int(d)] for d in core if d.isdigit()]
    if plural and words:
        words[-1] = _plural(words[-1])
    return tuple(words)


def _expand(text: str) -> list[_Spoken]:
    """Split a text into spoken words (see the module docstring for the rules)."""
    text = unicodedata.normalize("NFKC", text)  # also ligatures and full-width letters
    for mark in APOSTROPHES:
        text = text.replace(mark, "'")
    spoken: list[_Spoken] = []
    matches = list(_TOKEN_RE.finditer(text))
    prev_number_end = -1
    for index, match in enumerate(matches):
        kind = match.lastgroup
        surface = match.group()
        end = match.end()
        items: list[_Spoken] = []
        if kind == "initials":
            items = [_Spoken(ch.upper(), ch.lower(), letter=True) for ch in surface if ch.isalpha()]
        elif kind == "number":
            words = _spell_number(surface)
            if len(words) == 1:
                items = [_Spoken(surface, words[0])]
            else:
                items = [_Spoken(w, w) for w in words]
            prev_number_end = match.end()
        elif kind == "symbol":
            items = [_Spoken(w, w) for w in SYMBOL_WORDS[surface]]
        else:
            folded = _fold_ascii(surface)
            bare = folded.replace("'", "")
            attached_to_number = match.start() == prev_number_end
            if not folded:
                continue
            if attached_to_number and bare in UNIT_WORDS:
                items = [_Spoken(w, w) for w in UNIT_WORDS[bare]]
            elif attached_to_number and bare in LETTER_UNITS:
                items = [_Spoken(ch.upper(), ch, letter=True) for ch in bare]
            elif bare in ABBREVIATIONS:
                has_dot = text[end:end + 1] == "."
                if has_dot:
                    end += 1
                words = ABBREVIATIONS[bare]
                if len(words) == 1:
                    items = [_Spoken(surface + ("." if has_dot else ""), words[0])]
                else:
                    items = [_Spoken(w, w) for w in words]
            else:
                items = [_Spoken(surface, folded.strip("'"))]
        if not items:
            continue
        next_start = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        if any(ch in SENTENCE_END for ch in text[end:next_start]):
            last = items[-1]
            items[-1] = _Spoken(last.display, last.word, last.letter, sentence_end=True)
        spoken.extend(items)
    return spoken


def normalise_words(text: str) -> list[str]:
    """Lower-case spoken words of a text or transcript ("I'm 3!" -> ["i'm", "three"]).

    Never raises: text without English words gives an empty list.
    """
    return [item.word for item in _expand(text or "")]


def normalise_text(text: str) -> str:
    """Lower-case, numbers spelled out, punctuation removed, single spaces."""
    return " ".join(normalise_words(text))


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------


def _empty_reason(text: str) -> str:
    """Why a text produced no English words."""
    if not text.strip():
        return MSG_EMPTY
    for ch in text:
        if ch.isalpha() or ch.isdigit() or unicodedata.category(ch) in ("So", "Sk", "Cs", "Co"):
            return MSG_NOT_LATIN
    return MSG_PUNCTUATION


def _check_length(text: str) -> None:
    """Refuse very long texts before any G2P work."""
    count = len(text.split())
    if count > MAX_WORDS:
        raise TextError(MSG_TOO_LONG.format(count=count, limit=MAX_WORDS))
    if len(text) > MAX_CHARS:
        raise TextError(MSG_TOO_LONG_CHARS.format(limit=MAX_WORDS))


# ---------------------------------------------------------------------------
# G2P
# ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _word_phones(word: str) -> tuple[str, ...]:
    """Raw gruut phones for one normalised word on its own (no sentence context)."""
    phones: list[str] = []
    for sentence in _gruut_sentences(word):
        for w in sentence:
            phones.extend(w.phonemes or ())
    if not phoneme_set.canonical_sequence(phones):
        logger.warning("No pronunciation found for %r; using its letter names", word)
        phones = [p for ch in word if ch in LETTER_PHONES for p in LETTER_PHONES[ch]]
    return tuple(phones)


@functools.lru_cache(maxsize=G2P_CACHE_SIZE)
def _sentence_phones(words: tuple[str, ...], ends: tuple[bool, ...]) -> tuple[tuple[str, ...], ...]:
    """Raw phones for each word, read in sentence context (heteronyms such as "read").

    Falls back to word-by-word G2P when gruut's words do not line up with ours.
    """
    parts = [w + ("." if end else "") for w, end in zip(words, ends)]
    found = [w for sentence in _gruut_sentences(" ".join(parts)) for w in sentence]
    if len(found) == len(words) and all(f.text.lower() == w for f, w in zip(found, words)):
        result = []
        for f, w in zip(found, words):
            phones = tuple(f.phonemes or ())
            result.append(phones if phoneme_set.canonical_sequence(phones) else _word_phones(w))
        return tuple(result)
    logger.info(
        "G2P words did not line up (%d expected, %d found); reading word by word",
        len(words), len(found),
    )
    return tuple(_word_phones(w) for w in words)


def _stress_of(phone: str) -> int:
    if "ˈ" in phone:
        return 1
    if "ˌ" in phone:
        return 2
    return 0


def _display_ipa(phonemes: tuple[str, ...], stress: tuple[int, ...]) -> str:
    """Join phonemes, putting each stress mark before its syllable's onset ("ʃˈɪp" -> "ˈʃɪp")."""
    marks: dict[int, str] = {}
    prev_vowel = -1
    for i, phone in enumerate(phonemes):
        is_vowel = phone in _VOWELS
        if stress[i]:
            position = i
            if is_vowel:
                if prev_vowel < 0:
                    position = 0
                else:
                    for start in range(prev_vowel + 1, i):
                        if tuple(phonemes[start:i]) in LEGAL_ONSETS:
                            position = start
                            break
            marks.setdefault(position, "ˈ" if stress[i] == 1 else "ˌ")
        if is_vowel:
            prev_vowel = i
    return "".join(marks.get(i, "") + phone for i, phone in enumerate(phonemes))


def _pronunciation(display: str, word: str, phones: Iterable[str]) -> WordPronunciation:
    phonemes: list[str] = []
    stress: list[int] = []
    for phone in phones:
        canonical = phoneme_set.canonical_phoneme(phone)
        if not canonical:
            logger.debug("Dropping non-phoneme symbol %r in %r", phone, word)
            continue
        phonemes.append(canonical)
        stress.append(_stress_of(phone))
    return WordPronunciation(
        display=display,
        word=word,
        ipa=_display_ipa(tuple(phonemes), tuple(stress)),
        phonemes=tuple(phonemes),
        stress=tuple(stress),
    )


def _phones_for(items: list[_Spoken]) -> list[tuple[str, ...]]:
    words = tuple(item.word for item in items)
    ends = tuple(item.sentence_end for item in items)
    context = _sentence_phones(words, ends)
    return [LETTER_PHONES[item.word] if item.letter else phones for item, phones in zip(items, context)]


@functools.lru_cache(maxsize=G2P_CACHE_SIZE)
def g2p(text: str) -> tuple[WordPronunciation, ...]:
    """Pronunciations of a practice text, one per spoken word.

    Raises :class:`TextError` (a short message for the learner) for empty,
    punctuation-only, non-Latin or too long texts.
    """
    text = text or ""
    _check_length(text)
    items = _expand(text)
    if not items:
        raise TextError(_empty_reason(text))
    if len(items) > MAX_SPOKEN_WORDS:
        raise TextError(MSG_TOO_LONG_CHARS.format(limit=MAX_WORDS))
    return tuple(
        _pronunciation(item.display, item.word, phones)
        for item, phones in zip(items, _phones_for(items))
    )


@functools.lru_cache(maxsize=4096)
def word_ipa(word: str) -> WordPronunciation:
    """The pronunciation of one word on its own ("ship" -> ˈʃɪp).

    Input that normalises to several words ("3.5") gives one pronunciation for
    them all, with ``word`` holding the spoken words joined by spaces.
    """
    word = (word or "").strip()
    _check_length(word)
    items = _expand(word)
    if not items:
        raise TextError(_empty_reason(word))
    phones = [p for item in items for p in (LETTER_PHONES[item.word] if item.letter else _word_phones(item.word))]
    display = items[0].display if len(items) == 1 else word
    return _pronunciation(display, " ".join(item.word for item in items), phones)


def to_reference_words(prons: Iterable[WordPronunciation]) -> list[ReferenceWord]:
    """The alignment view of pronunciations: normalised word, canonical phonemes, accepted variants."""
    return [
        ReferenceWord(text=p.word, phonemes=p.phonemes, variants=pronunciation_variants(p.word, p.phonemes))
        for p in prons
    ]


# ---------------------------------------------------------------------------
# IPA strings
# ---------------------------------------------------------------------------


def _symbol_table() -> dict[str, str]:
    table = {p: p for p in phoneme_set.CANONICAL_PHONEMES}
    for alias, canonical in phoneme_set.IPA_ALIASES.items():
        if alias not in _SPLIT_ALIASES:
            table[phoneme_set.strip_marks(alias)] = canonical
    table.update(_EXTRA_SYMBOLS)
    return table


_SYMBOLS = _symbol_table()
_MAX_SYMBOL_LEN = max(len(s) for s in _SYMBOLS)


def _split_run(run: str) -> list[str]:
    """Greedy longest-match tokenisation of IPA without boundaries."""
    out: list[str] = []
    i = 0
    while i < len(run):
        for size in range(min(_MAX_SYMBOL_LEN, len(run) - i), 0, -1):
            piece = run[i:i + size]
            canonical = _SYMBOLS.get(piece)
            if canonical is None:
                continue
            # An r-coloured vowel written as vowel + ɹ only when no vowel follows
            # ("əɹaʊnd" is ə + ɹaʊnd).
            if piece in ("əɹ", "ɜɹ") and i + size < len(run) and _starts_with_vowel(run[i + size:]):
                continue
            out.append(canonical)
            i += size
            break
        else:
            if not unicodedata.combining(run[i]):
                logger.debug("split_ipa: skipping unknown symbol %r", run[i])
            i += 1
    return out


def _starts_with_vowel(rest: str) -> bool:
    return any(rest.startswith(v) for v in _VOWELS) or rest[:1] in "ɐɜɝɒaeoɨᵻ"


def split_ipa(ipa: str) -> list[str]:
    """Tokenise an IPA string into canonical phonemes ("ˈt͡ʃɝtʃ" -> ["tʃ", "ɚ", "tʃ"]).

    Stress marks, syllable dots and spaces separate symbols; tie bars and length
    marks are ignored; multi-letter phonemes ("tʃ", "aɪ") are kept whole; symbols
    with no canonical phoneme are skipped.
    """
    if not ipa:
        return []
    text = unicodedata.normalize("NFD", ipa)
    text = "".join(ch for ch in text if ch not in phoneme_set.TIE_BARS + phoneme_set.LENGTH_MARKS)
    text = "".join(ch for ch in text if ch not in _DROPPED_MODIFIERS)
    text = unicodedata.normalize("NFC", text)
    phonemes: list[str] = []
    for run in re.split("[" + re.escape(_BOUNDARIES) + r"\s]+", text):
        if not run:
            continue
        whole = phoneme_set.canonical_phoneme(run)
        if whole and run not in _SPLIT_ALIASES and len(run) <= _MAX_SYMBOL_LEN:
            phonemes.append(whole)
        else:
            phonemes.extend(_split_run(run))
    return phonemes
