"""Part-of-speech tags and the pronunciation lexicon that gruut ships, for the grammar rules.

gruut's English data holds a CRF tagger trained on Universal Dependencies (Penn tags such as
``NN``, ``NNS``, ``VBZ``, ``MD``) and a pronunciation lexicon of about 125,000 words. The
rules use the tagger to tell nouns from verbs without word lists, and the lexicon to check
that a form they propose is a real word and to choose "a" or "an" by sound.

The tagger is called on the checker's own tokens (contractions split the way its training
data splits them: "don't" -> "do" "n't"), so tags line up with the rules' tokens. Both are
loaded on first use; without gruut every function answers "unknown" and the rules that need
tags stay silent.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Sequence

logger = logging.getLogger(__name__)

LANGUAGE = "en-us"
TAG_CACHE_SIZE = 4096
UNKNOWN_TAG = ""
PUNCTUATION_TAG = "."
CLITIC_SUFFIXES = ("'s", "'m", "'re", "'ve", "'ll", "'d")
NEGATIVE_STEMS = {"can't": "ca", "won't": "wo", "shan't": "sha", "ain't": "ai"}
VOWEL_PHONEMES = set("aeiouɑæʌɔəɚɛɪʊɜɒ")
STRESS_MARKS = "ˈˌ"
_TAGGER_LOCK = threading.Lock()


@dataclass(frozen=True)
class TaggedTokens:
    """Lower-case tokens of one message and their Penn tags ("" where unknown)."""

    words: tuple[str, ...]
    tags: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.words)

    def word(self, index: int) -> str:
        return self.words[index] if 0 <= index < len(self.words) else ""

    def tag(self, index: int) -> str:
        return self.tags[index] if 0 <= index < len(self.tags) else ""

    @property
    def has_tags(self) -> bool:
        return any(self.tags)


def _lang_dir() -> Any:
    from gruut.lang import find_lang_dir, resolve_lang

    return find_lang_dir(resolve_lang(LANGUAGE))


@lru_cache(maxsize=1)
def _tagger() -> Any:
    """gruut's CRF tagger, or None when gruut or its English data is missing."""
    try:
        from gruut.pos import PartOfSpeechTagger

        lang_dir = _lang_dir()
        if lang_dir is None:
            raise FileNotFoundError("gruut has no English data")
        return PartOfSpeechTagger(lang_dir / "pos" / "model.crf")
    except Exception as error:  # the checker works without tags, with fewer rules
        logger.warning("No part-of-speech tagger (gruut): %s", error)
        return None


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, bool]:
    """word -> whether its first pronunciation starts with a vowel sound; empty without gruut.

    Only that one fact is kept per word (not the pronunciation): about 125,000 short keys.
    """
    try:
        lang_dir = _lang_dir()
        if lang_dir is None:
            raise FileNotFoundError("gruut has no English data")
        connection = sqlite3.connect(f"file:{lang_dir / 'lexicon.db'}?mode=ro", uri=True)
        try:
            rows = connection.execute(
                "SELECT word, phonemes FROM word_phonemes ORDER BY word, pron_order")
            lexicon: dict[str, bool] = {}
            for word, phonemes in rows:
                if word not in lexicon:
                    lexicon[word] = _vowel_first(phonemes)
        finally:
            connection.close()
    except Exception as error:
        logger.warning("No pronunciation lexicon (gruut): %s", error)
        return {}
    return lexicon


def _vowel_first(phonemes: str | None) -> bool:
    """Whether an IPA pronunciation ("ˈaʊ ɚ") starts with a vowel sound."""
    parts = (phonemes or "").split()
    return bool(parts) and parts[0].lstrip(STRESS_MARKS)[:1] in VOWEL_PHONEMES


def tagger_available() -> bool:
    return _tagger() is not None


def is_known_word(word: str) -> bool:
    """Whether ``word`` is in the lexicon (True when there is no lexicon, so rules are not blocked)."""
    lexicon = _lexicon()
    return not lexicon or word.lower() in lexicon


def lexicon_available() -> bool:
    return bool(_lexicon())


def starts_with_vowel_sound(word: str) -> bool | None:
    """True for "hour", "apple"; False for "university", "one"; None when the word is unknown."""
    return _lexicon().get(word.lower())


def _pieces(token: str) -> list[str]:
    """The tagger's tokens for one of ours: "don't" -> ["do", "n't"], "it's" -> ["it", "'s"]."""
    low = token.lower()
    if low in NEGATIVE_STEMS:
        return [token[: len(NEGATIVE_STEMS[low])], "n't"]
    if low.endswith("n't") and len(low) > 3:
        return [token[:-3], "n't"]
    for suffix in CLITIC_SUFFIXES:
        if low.endswith(suffix) and len(low) > len(suffix):
            return [token[: -len(suffix)], token[-len(suffix):]]
    return [token]


@lru_cache(maxsize=TAG_CACHE_SIZE)
def _tag_tuple(tokens: tuple[str, ...]) -> tuple[str, ...]:
    tagger = _tagger()
    if tagger is None or not tokens:
        return tuple(UNKNOWN_TAG for _ in tokens)
    pieces: list[str] = []
    owners: list[int] = []
    for index, token in enumerate(tokens):
        for piece in _pieces(token):
            pieces.append(piece)
            owners.append(index)
    try:
        with _TAGGER_LOCK:  # the CRF tagger keeps state between its "set" and "tag" calls
            piece_tags = tagger(pieces)
    except Exception as error:
        logger.warning("Tagging failed: %s", error)
        return tuple(UNKNOWN_TAG for _ in tokens)
    tags = [UNKNOWN_TAG] * len(tokens)
    for owner, tag in zip(owners, piece_tags):
        if not tags[owner]:  # a contraction takes its first piece's tag: "don't" -> VBP
            tags[owner] = tag or UNKNOWN_TAG
    for index, token in enumerate(tokens):
        if not re.match(r"[A-Za-z\d]", token):
            tags[index] = PUNCTUATION_TAG
    return tuple(tags)


def tag_tokens(tokens: Sequence[str]) -> TaggedTokens:
    """Penn tags for ``tokens`` (the checker's tokens, original case helps the tagger)."""
    tags = _tag_tuple(tuple(tokens))
    return TaggedTokens(tuple(token.lower() for token in tokens), tags)
