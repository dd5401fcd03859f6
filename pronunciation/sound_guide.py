"""A learner's guide to every sound in the canonical US-English inventory.

``SOUND_GUIDE`` holds one :class:`SoundTip` per canonical phoneme (see
``phoneme_set``): a plain name, example words, how to make the sound and the
sounds learners often say instead. ``confusion_note`` gives specific advice for
well-known substitutions ("think" said as "sink"), ``tip_for`` always returns a
sentence to show, falling back to the general tip. Written for B1 readers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pronunciation import phoneme_set

GENERAL_FALLBACK = "Listen to the example audio, then say the word slowly and copy each sound."


@dataclass(frozen=True)
class SoundTip:
    """How to make one sound, for learners."""

    ipa: str
    name: str
    examples: tuple[str, ...]
    how_to: str
    common_confusions: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "ipa": self.ipa,
            "name": self.name,
            "examples": list(self.examples),
            "how_to": self.how_to,
            "common_confusions": list(self.common_confusions),
        }


def _tip(ipa: str, name: str, examples: str, how_to: str, confusions: str = "") -> SoundTip:
    return SoundTip(ipa, name, tuple(examples.split()), how_to, tuple(confusions.split()))


_TIPS = (
    # Vowels
    _tip("i", "long 'ee'", "see sheep feel",
         "Spread your lips as in a smile and lift the front of your tongue high. "
         "Hold it a little longer than the short /ɪ/ in 'ship'.", "ɪ"),
    _tip("ɪ", "short 'i'", "ship sit big",
         "Relax your lips and tongue: the tongue is high and at the front, but lower and looser "
         "than for /i/. Keep it short.", "i ɛ"),
    _tip("eɪ", "'ay' as in day", "day late rain",
         "Start with an 'e' sound and glide up towards /ɪ/. It is two sounds in one, "
         "so don't make it a short, flat 'e'.", "ɛ"),
    _tip("ɛ", "short 'e'", "bed red said",
         "Open your mouth a little more than for /ɪ/, with the tongue at the front. "
         "Keep it short and relaxed.", "æ eɪ ɪ"),
    _tip("æ", "short 'a' as in cat", "cat bad man",
         "Drop your jaw, open your mouth wide and spread your lips, with the tongue low and at "
         "the front. It sounds between the 'e' in 'bed' and the 'a' in 'father'.", "ɛ ʌ ɑ"),
    _tip("ɑ", "open 'ah'", "father hot stop",
         "Open your mouth wide and keep your tongue low and back, lips relaxed, not rounded. "
         "In American English 'hot' and 'stop' have this sound.", "ʌ ɔ oʊ"),
    _tip("ɔ", "'aw' as in law", "law thought caught",
         "Keep your tongue low and back, like /ɑ/, and round your lips a little. "
         "Many Americans say it very close to /ɑ/.", "oʊ ɑ"),
    _tip("oʊ", "long 'o'", "go home boat",
         "Start with rounded lips and glide to a tighter /ʊ/: your lips close a little "
         "during the sound. Don't make it a short, flat 'o'.", "ɔ ɑ"),
    _tip("ʊ", "short 'oo'", "book good put",
         "Round your lips loosely and lift the back of your tongue, but keep the sound short "
         "and relaxed, not tight like /u/.", "u ʌ"),
    _tip("u", "long 'oo'", "food blue moon",
         "Round your lips tightly and push them forward, with the back of the tongue high. "
         "Hold it longer than /ʊ/.", "ʊ"),
    _tip("ʌ", "short 'u' as in cup", "cup love but",
         "Open your mouth only half way and keep your tongue relaxed in the middle, lips not "
         "rounded. Say it short and quick.", "ɑ æ ɔ"),
    _tip("ə", "schwa, the weak vowel", "about sofa banana",
         "A very short, relaxed 'uh' with the tongue in the middle and the lips neutral. "
         "It is only in weak syllables, so don't say it fully or stress it.", "ʌ ɛ ɑ"),
    _tip("ɚ", "'er' sound", "bird her teacher",
         "Pull your tongue back and curl the tip up a little without touching the roof of your "
         "mouth, and hold it through the vowel. In American English this 'r' is always said.",
         "ə ɑ ɛ"),
    _tip("aɪ", "'eye' sound", "my time night",
         "Start with your mouth wide open for 'ah' and glide up to /ɪ/, closing your mouth a "
         "little.", "ɑ eɪ"),
    _tip("aʊ", "'ow' as in now", "now house out",
         "Start with your mouth wide open for 'ah' and glide to /ʊ/, rounding your lips.",
         "ɑ oʊ"),
    _tip("ɔɪ", "'oy' as in boy", "boy coin enjoy",
         "Start with rounded lips for /ɔ/ and glide to /ɪ/, spreading your lips.", "ɔ aɪ"),
    # Consonants
    _tip("p", "'p'", "pen happy stop",
         "Close your lips, then open them with a small puff of air. Keep your voice off.", "b f"),
    _tip("b", "'b'", "big job rubber",
         "Close your lips and open them with your voice on: you should feel a buzz in your "
         "throat and only a little air.", "p v"),
    _tip("t", "'t'", "ten water bit",
         "Touch the ridge just behind your top teeth with the tip of your tongue, then release "
         "it with a puff of air. Between vowels Americans often make it a quick tap, like in "
         "'water'.", "d θ"),
    _tip("d", "'d'", "dog day sad",
         "Touch the ridge behind your top teeth with your tongue tip and release it with your "
         "voice on.", "t ð"),
    _tip("k", "'k'", "key cake back",
         "Lift the back of your tongue against the soft back part of the roof of your mouth, "
         "then release it with a puff of air.", "ɡ"),
    _tip("ɡ", "hard 'g'", "go bag egg",
         "Like /k/, with the back of the tongue up, but with your voice on.", "k"),
    _tip("f", "'f'", "fish off phone",
         "Touch your top teeth lightly to your lower lip and blow air through. Voice off.",
         "p v h"),
    _tip("v", "'v'", "very voice have",
         "Touch your top teeth lightly to your lower lip, like /f/, but turn your voice on: "
         "you should feel your lip buzz.", "b w f"),
    _tip("θ", "voiceless 'th'", "think three bath",
         "Put the tip of your tongue lightly between your teeth and blow air out over it. "
         "Keep your voice off.", "s t f"),
    _tip("ð", "voiced 'th'", "this mother the",
         "Put the tip of your tongue lightly between your teeth, as for /θ/, and turn your "
         "voice on so it buzzes.", "d z v"),
    _tip("s", "'s'", "see bus city",
         "Keep your teeth close together and the tongue tip just behind your top teeth, and "
         "blow a thin stream of air: a hiss with no voice.", "z ʃ θ"),
    _tip("z", "'z'", "zoo is dogs",
         "Like /s/, but with your voice on, so it buzzes like a bee. Many final 's' letters "
         "sound like this ('is', 'dogs').", "s dʒ"),
    _tip("ʃ", "'sh'", "she fish nation",
         "Push your lips forward and round them a little, pull your tongue slightly back from "
         "the /s/ position, and blow a soft 'shh'.", "s tʃ"),
    _tip("ʒ", "'zh' as in vision", "vision measure usually",
         "Like /ʃ/, with rounded lips, but with your voice on.", "dʒ ʃ z"),
    _tip("h", "'h'", "hat who behind",
         "Breathe out gently through an open mouth, as if you are warming your hands. "
         "Don't make a scratchy sound in your throat.", "k"),
    _tip("tʃ", "'ch'", "church watch nature",
         "Start with your tongue tip on the ridge behind your top teeth, as for /t/, and "
         "release it straight into 'sh'. It is one quick sound.", "ʃ t dʒ"),
    _tip("dʒ", "'j' as in judge", "judge job age",
         "Like /tʃ/, but with your voice on: tongue tip up for /d/, then release into 'zh'.",
         "ʒ j tʃ z"),
    _tip("m", "'m'", "man some summer",
         "Close your lips and let the sound come out through your nose.", "n"),
    _tip("n", "'n'", "no sun ten",
         "Touch the ridge behind your top teeth with your tongue tip and let the sound come out "
         "through your nose.", "ŋ l m"),
    _tip("ŋ", "'ng'", "sing long thinking",
         "Lift the back of your tongue against the roof of your mouth, as for /k/, and let the "
         "sound come out through your nose. Don't add a 'g' at the end of 'sing'.", "n"),
    _tip("l", "'l'", "light feel ball",
         "Touch the ridge behind your top teeth with your tongue tip and let the air flow over "
         "the sides of your tongue. At the end of a word the back of the tongue also rises.",
         "ɹ n"),
    _tip("ɹ", "American 'r'", "red very car",
         "Curl your tongue tip up and back without touching the roof of your mouth, and round "
         "your lips a little. Don't tap or roll it.", "l w"),
    _tip("w", "'w'", "we one away",
         "Round your lips tightly, as for 'oo', then open them quickly into the next vowel. "
         "Your teeth don't touch your lips.", "v u"),
    _tip("j", "'y' as in yes", "yes you music",
         "Lift the front of your tongue towards the roof of your mouth, as for 'ee', and glide "
         "quickly into the next vowel.", "dʒ"),
)

SOUND_GUIDE: dict[str, SoundTip] = {tip.ipa: tip for tip in _TIPS}

# Specific advice for well-known substitutions: (expected, heard) -> note.
CONFUSION_NOTES: dict[tuple[str, str], str] = {
    ("ɪ", "i"): "Your vowel was long and tense, like 'ee' in 'sheep'. For /ɪ/ relax your lips "
                "and tongue and keep it short: 'ship', not 'sheep'.",
    ("i", "ɪ"): "Your vowel was short and loose, like in 'ship'. For /i/ spread your lips into a "
                "smile and hold the sound a little longer: 'sheep', not 'ship'.",
    ("θ", "s"): "Put your tongue between your teeth for /θ/, not behind them, and blow air over "
                "it: 'think', not 'sink'.",
    ("θ", "t"): "Don't stop the air: for /θ/ put your tongue tip lightly between your teeth and "
                "let the air flow out softly: 'three', not 'tree'.",
    ("θ", "f"): "Use your tongue, not your lip: the tip of your tongue goes between your teeth "
                "for /θ/, and your lip stays away from your teeth: 'three', not 'free'.",
    ("ð", "d"): "For /ð/ put your tongue tip lightly between your teeth and let it buzz; don't "
                "press it behind your teeth like /d/: 'they', not 'day'.",
    ("ð", "z"): "Move your tongue forward to your teeth for /ð/ and keep the buzz: 'then', "
                "not 'zen'.",
    ("v", "b"): "Don't close your lips: for /v/ rest your top teeth on your lower lip and buzz: "
                "'very', not 'berry'.",
    ("b", "v"): "For /b/ close both lips completely, then open them: 'berry', not 'very'.",
    ("v", "w"): "For /v/ your top teeth touch your lower lip and buzz: 'vest', not 'west'.",
    ("w", "v"): "For /w/ round your lips like a small 'oo' and keep your teeth away from your "
                "lip: 'wine', not 'vine'.",
    ("l", "ɹ"): "For /l/ touch the ridge behind your top teeth with your tongue tip: 'light', "
                "not 'right'.",
    ("ɹ", "l"): "For /ɹ/ don't touch the roof of your mouth: curl your tongue tip back and round "
                "your lips a little: 'right', not 'light'.",
    ("æ", "ɛ"): "Open your mouth wider and drop your jaw for /æ/: 'bad', not 'bed'.",
    ("ɛ", "æ"): "Don't open your mouth so wide: /ɛ/ in 'bed' is less open than /æ/ in 'bad'.",
    ("ʃ", "s"): "Round your lips and pull your tongue a little back for /ʃ/: 'she', not 'see'.",
    ("s", "ʃ"): "Spread your lips and keep your tongue tip close to your top teeth for a thin "
                "/s/: 'sip', not 'ship'.",
    ("ʊ", "u"): "Keep /ʊ/ short and relaxed, with loosely rounded lips: 'full', not 'fool'.",
    ("u", "ʊ"): "Make /u/ longer, with your lips tightly rounded and pushed forward: 'pool', "
                "not 'pull'.",
    ("ŋ", "n"): "For /ŋ/ lift the back of your tongue, not the tip, against the roof of your "
                "mouth, as for /k/: 'thing', not 'thin'. Don't add a 'g' after it.",
    ("n", "ŋ"): "For /n/ touch the ridge behind your top teeth with your tongue tip: 'thin', "
                "not 'thing'.",
    ("z", "s"): "Turn your voice on for /z/ so it buzzes: 'zoo', 'is', 'dogs'. A final 's' "
                "after a voiced sound is usually /z/.",
    ("s", "z"): "Keep your voice off for /s/: only air, no buzz: 'bus', not 'buzz'.",
    ("ʌ", "ɑ"): "For /ʌ/ open your mouth only half way and keep the sound short and relaxed: "
                "'cup', not 'cop'.",
    ("ɑ", "ʌ"): "Open your mouth wider and relax your tongue low for /ɑ/: 'cop', not 'cup'.",
    ("æ", "ʌ"): "Spread your lips and open your jaw more for /æ/: 'cat', not 'cut'.",
    ("ʌ", "æ"): "Relax your lips and don't open your jaw so much for /ʌ/: 'cut', not 'cat'.",
    ("eɪ", "ɛ"): "Glide at the end of /eɪ/, from 'e' towards 'i': 'late', not 'let'.",
    ("oʊ", "ɔ"): "Close your lips a little at the end of /oʊ/: 'coat', not 'caught'.",
    ("dʒ", "j"): "Start /dʒ/ with your tongue tip touching the ridge behind your teeth: 'jet', "
                 "not 'yet'.",
    ("j", "dʒ"): "For /j/ don't touch the roof of your mouth: just glide from 'ee': 'yet', not "
                 "'jet'.",
    ("tʃ", "ʃ"): "Start /tʃ/ with a short 't': touch the ridge behind your teeth, then release "
                 "into 'sh': 'chair', not 'share'.",
    ("ʃ", "tʃ"): "Don't stop the air at the start of /ʃ/: it is a soft, continuous 'shh': "
                 "'share', not 'chair'.",
    ("ɚ", "ə"): "Curl your tongue back for the American 'r' in /ɚ/ and hold it: 'teacher' ends "
                "with a clear 'r' colour.",
    ("ɚ", "ɑ"): "Keep your tongue curled back through the whole vowel of /ɚ/: 'bird' has no open "
                "'ah' in it.",
}

MISSING_H_NOTE = ("Don't drop the /h/: breathe out gently before the vowel: 'hat', not 'at'; "
                  "'heat', not 'eat'.")
FINAL_CONSONANT_NOTE = ("Don't drop the final /{p}/: finish the word with it, even if softly. "
                        "Final sounds change the meaning in English ('cap', 'cat', 'cab').")
MISSING_CONSONANT_NOTE = "Don't skip the /{p}/ sound: say every consonant in the group clearly."
MISSING_VOWEL_NOTE = "Don't skip the vowel /{p}/: give this syllable its own short vowel."
EXTRA_VOWEL_NOTE = ("Don't add an extra vowel /{p}/ between or after consonants: join the "
                    "consonants directly ('street', not 'es-treet'; 'black', not 'ba-lack').")
EXTRA_SOUND_NOTE = "An extra /{p}/ sound crept in here: say the word without it."


def _canonical(phone: str | None) -> str:
    return phoneme_set.canonical_phoneme(phone) if phone else ""


def confusion_note(expected: str, heard: str, *, final: bool = False) -> str | None:
    """Specific advice when ``heard`` was said instead of ``expected``; None if no known advice.

    ``heard == ""`` means the expected sound was missing, ``expected == ""`` an extra sound;
    ``final`` says the expected sound ends the word (final consonants are often dropped).
    """
    exp, got = _canonical(expected), _canonical(heard)
    if exp and got:
        if exp == got:
            return None
        return CONFUSION_NOTES.get((exp, got))
    if exp and not (heard or "").strip():
        if exp == "h":
            return MISSING_H_NOTE
        if exp in phoneme_set.CONSONANTS:
            return (FINAL_CONSONANT_NOTE if final else MISSING_CONSONANT_NOTE).format(p=exp)
        return MISSING_VOWEL_NOTE.format(p=exp)
    if got and not (expected or "").strip():
        if got in phoneme_set.VOWELS:
            return EXTRA_VOWEL_NOTE.format(p=got)
        return EXTRA_SOUND_NOTE.format(p=got)
    return None


def general_tip(phoneme: str) -> str:
    """The general 'how to say it' sentence for a sound, with examples."""
    tip = SOUND_GUIDE.get(_canonical(phoneme))
    if tip is None:
        return GENERAL_FALLBACK
    examples = ", ".join(f"'{w}'" for w in tip.examples)
    return f"/{tip.ipa}/ ({tip.name}, as in {examples}): {tip.how_to}"


def tip_for(expected: str, heard: str | None = None, *, final: bool = False) -> str:
    """A sentence to show a learner about one sound.

    Specific advice for a known confusion when ``heard`` is given, otherwise the
    general tip for ``expected`` (prefixed by what was heard when it differs).
    """
    if heard is not None:
        note = confusion_note(expected, heard, final=final)
        if note:
            return note
    tip = general_tip(expected)
    got = _canonical(heard)
    if got and got != _canonical(expected) and _canonical(expected) in SOUND_GUIDE:
        return f"You said /{got}/ instead of /{_canonical(expected)}/. {tip}"
    return tip
