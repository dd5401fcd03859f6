"""The canonical English phoneme inventory every part of the app compares in.

Canonical phonemes are US-English IPA without stress marks, tie bars or length
marks, one string per phoneme (``"tʃ"`` and ``"aɪ"`` are one phoneme each). The G2P
side (gruut), the offline engine (CMU ARPAbet) and Hugging Face phoneme models
(espeak-style IPA) are all mapped into this set before anything is compared.
"""

from __future__ import annotations

from typing import Iterable

VOWELS: tuple[str, ...] = (
    "i", "ɪ", "eɪ", "ɛ", "æ", "ɑ", "ɔ", "oʊ", "ʊ", "u", "ʌ", "ə", "ɚ", "aɪ", "aʊ", "ɔɪ",
)
CONSONANTS: tuple[str, ...] = (
    "p", "b", "t", "d", "k", "ɡ", "f", "v", "θ", "ð", "s", "z", "ʃ", "ʒ", "h",
    "tʃ", "dʒ", "m", "n", "ŋ", "l", "ɹ", "w", "j",
)
CANONICAL_PHONEMES: frozenset[str] = frozenset(VOWELS + CONSONANTS)

STRESS_MARKS = "ˈˌ"
TIE_BARS = "\u0361\u035c"  # combining double inverted breve / double breve below
LENGTH_MARKS = "ːˑ"

# CMU ARPAbet (stress digits removed) -> canonical IPA. AH and ER depend on stress:
# AH0 is a schwa and ER0 an r-coloured schwa; both ER variants map to "ɚ".
ARPABET_TO_IPA: dict[str, str] = {
    "AA": "ɑ", "AE": "æ", "AH": "ʌ", "AO": "ɔ", "AW": "aʊ", "AY": "aɪ", "EH": "ɛ",
    "ER": "ɚ", "EY": "eɪ", "IH": "ɪ", "IY": "i", "OW": "oʊ", "OY": "ɔɪ", "UH": "ʊ",
    "UW": "u", "B": "b", "CH": "tʃ", "D": "d", "DH": "ð", "F": "f", "G": "ɡ",
    "HH": "h", "JH": "dʒ", "K": "k", "L": "l", "M": "m", "N": "n", "NG": "ŋ",
    "P": "p", "R": "ɹ", "S": "s", "SH": "ʃ", "T": "t", "TH": "θ", "V": "v",
    "W": "w", "Y": "j", "Z": "z", "ZH": "ʒ",
}
IPA_TO_ARPABET: dict[str, str] = {ipa: arpa for arpa, ipa in ARPABET_TO_IPA.items()}
IPA_TO_ARPABET["ə"] = "AH"

# Symbols other IPA writers use for the same canonical phoneme.
IPA_ALIASES: dict[str, str] = {
    "g": "ɡ", "r": "ɹ", "ɾ": "t", "ɝ": "ɚ", "ɜ": "ɚ", "ɜɹ": "ɚ", "əɹ": "ɚ", "ɐ": "ə",
    "ɒ": "ɑ", "a": "æ", "e": "eɪ", "o": "oʊ", "əʊ": "oʊ", "ɛɪ": "eɪ", "ɑɪ": "aɪ",
    "ɑʊ": "aʊ", "ʧ": "tʃ", "ʤ": "dʒ", "ɫ": "l", "ɨ": "ɪ", "ᵻ": "ɪ", "ʔ": "t",
    "x": "k", "ç": "h", "ɬ": "l", "n̩": "n", "l̩": "l", "m̩": "m", "ɹ̩": "ɚ",
    "iə": "i", "ɪə": "ɪ", "eə": "ɛ", "ʊə": "ʊ", "ɔː": "ɔ", "ɑː": "ɑ", "iː": "i", "uː": "u",
}


def arpabet_to_ipa(phone: str) -> str:
    """``"AH0"`` -> ``"ə"``, ``"ER1"`` -> ``"ɚ"``, ``"SH"`` -> ``"ʃ"``; unknown -> ``""``."""
    base = phone.rstrip("012").upper()
    if base == "AH" and phone.endswith("0"):
        return "ə"
    return ARPABET_TO_IPA.get(base, "")


def ipa_to_arpabet(phone: str) -> str:
    """Canonical IPA -> ARPAbet without stress digits; unknown -> ``""``."""
    return IPA_TO_ARPABET.get(canonical_phoneme(phone), "")


def strip_marks(phone: str) -> str:
    """Remove stress, tie bars and length marks (display keeps them; comparison does not)."""
    return "".join(ch for ch in phone if ch not in STRESS_MARKS + TIE_BARS + LENGTH_MARKS)


def canonical_phoneme(phone: str) -> str:
    """Map one IPA phoneme from any of our sources to the canonical set ("" if it has none)."""
    bare = strip_marks(phone).strip()
    if bare in CANONICAL_PHONEMES:
        return bare
    if phone.strip() in IPA_ALIASES:
        return IPA_ALIASES[phone.strip()]
    if bare in IPA_ALIASES:
        return IPA_ALIASES[bare]
    return ""


def canonical_sequence(phones: Iterable[str]) -> tuple[str, ...]:
    """Canonicalise a phoneme sequence, dropping symbols with no canonical phoneme."""
    return tuple(p for p in (canonical_phoneme(x) for x in phones) if p)


# Marks a phoneme model may attach to a token that do not change the English phoneme
# (aspiration, tense, dental, unreleased): "pʰ" is p, "t̪" is t.
MODEL_TOKEN_MODIFIERS = "ʰ\u0348\u032a\u031a"


def model_token_phoneme(token: str) -> str:
    """A phoneme model's output token -> canonical phoneme ("" for specials and foreign sounds)."""
    if not token or token.startswith("<"):
        return ""
    return canonical_phoneme("".join(ch for ch in token if ch not in MODEL_TOKEN_MODIFIERS))
