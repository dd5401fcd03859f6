"""Minimal pairs for a drill: the learner's word and a real word with the sound that was heard.

For a substituted sound ("bed" heard with /æ/) the drill contrasts the word with the word the
learner actually said ("bad"). That word is found, in this order:

1. the word the recognizer heard, when it is one sound away from the target word (its own
   contrast then wins over the sound the acoustic check guessed);
2. a word of :data:`PAIRS` (common English minimal pairs) that is the target with that change;
3. otherwise a pair of :data:`PAIRS` that shows the same contrast in other words
   (``same_word`` is False: "ship / sheep" to practise /ɪ/ against /i/);
4. when the sound heard has no pair at all (an acoustic guess such as /i/ heard as /eɪ/), the
   same steps with the sound learners most often put in its place (:data:`USUAL_PARTNER`,
   ``usual`` is True: /i/ against /ɪ/).

Pronunciations come from the app's G2P (:func:`pronunciation.phonetics.word_ipa`), so a pair is
only offered when the dictionary agrees that the two words differ by that one sound.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from pronunciation.phonetics import TextError, g2p, word_ipa

# Common minimal pairs, grouped by the contrast learners most often need. Each pair differs in
# one sound (or one sound left out, for the last group); the pronunciations are checked by G2P.
PAIRS: tuple[tuple[str, str], ...] = (
    # /ɪ/ - /i/
    ("ship", "sheep"), ("live", "leave"), ("sit", "seat"), ("fill", "feel"), ("bit", "beat"),
    ("hit", "heat"), ("slip", "sleep"), ("chip", "cheap"), ("it", "eat"), ("rich", "reach"),
    # /ɛ/ - /æ/
    ("bed", "bad"), ("men", "man"), ("pen", "pan"), ("said", "sad"), ("head", "had"), ("set", "sat"),
    ("beg", "bag"), ("then", "than"), ("left", "laughed"),
    # /æ/ - /ʌ/, /ɑ/ - /ʌ/
    ("cat", "cut"), ("hat", "hut"), ("bag", "bug"), ("cap", "cup"), ("ran", "run"), ("match", "much"),
    ("hot", "hut"), ("not", "nut"), ("shot", "shut"), ("lock", "luck"), ("cop", "cup"),
    # /ʊ/ - /u/
    ("full", "fool"), ("pull", "pool"), ("look", "luke"),
    # /eɪ/ - /ɛ/, /oʊ/ - /ɔ/
    ("late", "let"), ("pain", "pen"), ("wait", "wet"), ("sale", "sell"), ("boat", "bought"),
    ("low", "law"), ("coat", "caught"),
    # /ɝ/ - /ʌ/
    ("hurt", "hut"), ("bird", "bud"), ("turn", "ton"),
    # /θ/ - /s/, /t/, /f/
    ("think", "sink"), ("thick", "sick"), ("thing", "sing"), ("mouth", "mouse"), ("path", "pass"),
    ("thumb", "sum"), ("faith", "face"), ("three", "tree"), ("thin", "tin"), ("thank", "tank"),
    ("both", "boat"), ("thought", "taught"), ("three", "free"), ("thin", "fin"), ("thought", "fought"),
    # /ð/ - /d/, /z/
    ("they", "day"), ("then", "den"), ("those", "doze"), ("there", "dare"), ("breathe", "breeze"),
    # /v/ - /b/, /w/, /f/
    ("very", "berry"), ("vest", "best"), ("vote", "boat"), ("van", "ban"), ("vet", "bet"),
    ("vest", "west"), ("vine", "wine"), ("verse", "worse"), ("view", "few"), ("leave", "leaf"),
    # /l/ - /r/, /n/
    ("light", "right"), ("lane", "rain"), ("long", "wrong"), ("lock", "rock"), ("glass", "grass"),
    ("fly", "fry"), ("play", "pray"), ("low", "row"), ("light", "night"), ("line", "nine"),
    # /s/ - /ʃ/, /z/; /tʃ/ - /ʃ/; /dʒ/ - /j/
    ("see", "she"), ("sip", "ship"), ("sell", "shell"), ("same", "shame"), ("save", "shave"),
    ("seat", "sheet"), ("chair", "share"), ("watch", "wash"), ("catch", "cash"), ("cheap", "sheep"),
    ("zoo", "sue"), ("prize", "price"), ("eyes", "ice"), ("rise", "rice"), ("jet", "yet"), ("jam", "yam"),
    # voicing and place: /p/-/b/, /t/-/d/, /k/-/g/, /f/-/p/, /n/-/ŋ/, /m/-/n/
    ("pat", "bat"), ("pig", "big"), ("pear", "bear"), ("cap", "cab"), ("ten", "den"), ("tie", "die"),
    ("write", "ride"), ("coat", "goat"), ("back", "bag"), ("cold", "gold"), ("fan", "pan"),
    ("fool", "pool"), ("fine", "pine"), ("thin", "thing"), ("sin", "sing"), ("ran", "rang"),
    ("win", "wing"), ("mail", "nail"), ("some", "sun"),
    # a sound left out: /h/ and final consonants
    ("hair", "air"), ("heat", "eat"), ("hold", "old"), ("seat", "sea"), ("card", "car"),
    ("plate", "play"), ("mind", "mine"), ("bike", "buy"), ("cold", "coal"), ("field", "feel"),
)


# The sound learners most often say instead of each sound: the drill's contrast when the
# sound that was heard makes no pair.
USUAL_PARTNER: dict[str, str] = {
    "i": "ɪ", "ɪ": "i", "ɛ": "æ", "æ": "ɛ", "ʌ": "ɑ", "ɑ": "ʌ", "u": "ʊ", "ʊ": "u", "eɪ": "ɛ",
    "oʊ": "ɔ", "ɔ": "oʊ", "ɚ": "ʌ", "θ": "s", "ð": "d", "v": "b", "w": "v", "l": "ɹ", "ɹ": "l",
    "ʃ": "s", "s": "ʃ", "z": "s", "tʃ": "ʃ", "dʒ": "j", "n": "ŋ", "ŋ": "n", "m": "n", "p": "b",
    "b": "p", "t": "d", "d": "t", "k": "ɡ", "ɡ": "k", "f": "p", "h": "",
}


@dataclass(frozen=True)
class MinimalPair:
    """Two words to say one after the other: ``target`` has ``expected``, ``contrast`` has ``heard``."""

    target: str
    contrast: str
    expected: str
    heard: str
    same_word: bool  # True when ``target`` is the learner's own word
    usual: bool = False  # True when ``heard`` is the usual confusion, not the sound that was heard

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


G2P_CHUNK = 50  # listed words sent to the G2P together (one call per chunk is much faster than per word)


@functools.lru_cache(maxsize=1)
def _listed_phonemes() -> dict[str, tuple[str, ...]]:
    """The phonemes of every word of :data:`PAIRS`, read as a list ("ship, sheep, ...")."""
    words = sorted({w for pair in PAIRS for w in pair})
    found: dict[str, tuple[str, ...]] = {}
    for start in range(0, len(words), G2P_CHUNK):
        chunk = words[start:start + G2P_CHUNK]
        try:
            pronunciations = g2p(", ".join(chunk))
        except TextError:
            continue
        if len(pronunciations) == len(chunk):
            found.update((w, tuple(p.phonemes)) for w, p in zip(chunk, pronunciations))
    return found


_warm_up_started = threading.Event()


def warm_up_in_background() -> None:
    """Read the listed words' pronunciations in a thread (once per process), so a drill opens at once."""
    if not _warm_up_started.is_set():
        _warm_up_started.set()
        threading.Thread(target=_listed_phonemes, name="minimal-pairs-warm-up", daemon=True).start()


def _phonemes(word: str) -> tuple[str, ...]:
    listed = _listed_phonemes().get(word)
    if listed is not None:
        return listed
    try:
        return tuple(word_ipa(word).phonemes)
    except TextError:
        return ()


def _one_change(a: Sequence[str], b: Sequence[str]) -> tuple[str, str] | None:
    """(sound of a, sound of b) when the two differ by one substitution or one sound left out of b."""
    if len(a) == len(b):
        diffs = [(x, y) for x, y in zip(a, b) if x != y]
        return diffs[0] if len(diffs) == 1 else None
    if len(a) == len(b) + 1:
        for i in range(len(a)):
            if tuple(a[:i]) + tuple(a[i + 1:]) == tuple(b):
                return a[i], ""
    return None


@functools.lru_cache(maxsize=1)
def _contrasts() -> dict[tuple[str, str], list[tuple[str, str]]]:
    """Every pair of :data:`PAIRS` indexed by its contrast, in both directions."""
    index: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for first, second in PAIRS:
        change = _one_change(_phonemes(first), _phonemes(second))
        if change is None:
            continue
        index.setdefault(change, []).append((first, second))
        if change[1]:
            index.setdefault((change[1], change[0]), []).append((second, first))
    return index


def _changed(phonemes: Sequence[str], expected: str, heard: str) -> list[tuple[str, ...]]:
    """The word's phonemes with one ``expected`` sound replaced by ``heard`` (or left out)."""
    out = []
    for i, phone in enumerate(phonemes):
        if phone == expected:
            out.append(tuple(phonemes[:i]) + ((heard,) if heard else ()) + tuple(phonemes[i + 1:]))
    return out


def minimal_pair(word: str, expected: str, heard: str, heard_word: str | None = None) -> MinimalPair | None:
    """The pair for ``word`` whose ``expected`` sound was heard as ``heard`` ("" = left out)."""
    target = word.lower().strip()
    phonemes = _phonemes(target)
    if not phonemes:
        return None
    said = (heard_word or "").lower().strip()
    if said and said != target:
        change = _one_change(phonemes, _phonemes(said))
        if change is not None:  # the recognizer heard a real word one sound away: that is the pair
            return MinimalPair(target, said, change[0], change[1], same_word=True)
    if not expected or expected == heard:
        return None
    found = _pair_for_change(target, phonemes, expected, heard)
    if found is None and expected in USUAL_PARTNER and USUAL_PARTNER[expected] != heard:
        found = _pair_for_change(target, phonemes, expected, USUAL_PARTNER[expected])
        if found is not None:
            found = MinimalPair(found.target, found.contrast, found.expected, found.heard, found.same_word, usual=True)
    return found


def _pair_for_change(target: str, phonemes: Sequence[str], expected: str, heard: str) -> MinimalPair | None:
    variants = set(_changed(phonemes, expected, heard))
    for candidate in (w for pair in PAIRS for w in pair):
        if candidate != target and _phonemes(candidate) in variants:
            return MinimalPair(target, candidate, expected, heard, same_word=True)
    examples = _contrasts().get((expected, heard))
    if examples:
        first, second = examples[0]
        return MinimalPair(first, second, expected, heard, same_word=False)
    return None
