"""Build the pronunciation evaluation set: minimal-pair sentences read correctly and with one swap.

Every sentence holds one word with a minimal pair (ship/sheep, think/sink, ...). Each
sentence is rendered twice under the same condition: read as written, and with that
word replaced by its pair (what a learner who confuses the two sounds would say).
Conditions vary voice (flite, espeak-ng), speaking rate, sample rate (8k-44.1k),
mono/stereo and noise.

The set has two splits so that tuning cannot flatter the figures:
``dev`` (sentences and voices used while tuning the offline engine) and ``heldout``
(other sentences with other minimal pairs, read by the dev voices *and* by voices
never used while tuning).

    .venv/bin/python bench/eval_set/build_eval_set.py

writes ``bench/eval_set/audio/*.flac`` and ``bench/eval_set/manifest.tsv`` with columns
``path, reference_text, spoken_text, swapped_word_index, split, condition``.
"""

from __future__ import annotations

import importlib.util
import itertools
import logging
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
AUDIO_DIR = HERE / "audio"
MANIFEST = HERE / "manifest.tsv"


def _load_make_speech():
    spec = importlib.util.spec_from_file_location("make_speech", ROOT / "tests" / "data" / "make_speech.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules["make_speech"] = module
    spec.loader.exec_module(module)
    return module


make_speech = _load_make_speech()
Condition = make_speech.Condition

# (sentence, word in it, its minimal pair)
DEV_SENTENCES: tuple[tuple[str, str, str], ...] = (
    ("The ship left the harbor at noon", "ship", "sheep"),
    ("I think we should go home now", "think", "sink"),
    ("That was a very good dinner", "very", "berry"),
    ("Please turn on the light in the kitchen", "light", "right"),
    ("It was a bad day for everyone", "bad", "bed"),
    ("The glass is full of cold water", "full", "fool"),
    ("They live near the old bridge", "live", "leave"),
    ("She sells fresh bread every morning", "She", "Sea"),
    ("We ate lunch and then we went out", "then", "den"),
    ("The fan was too loud at night", "fan", "van"),
    ("The cat slept on the warm rug", "cat", "cut"),
    ("The wind comes from the west", "west", "vest"),
    ("Please pull the door gently", "pull", "pool"),
    ("I want to thank you for the help", "thank", "tank"),
    ("My hat is on the table", "hat", "hot"),
    ("Sit on the chair by the window", "chair", "share"),
    ("We cooked rice for the whole family", "rice", "lice"),
    ("Three birds sat on the fence", "Three", "Tree"),
    ("I work in a small office", "work", "walk"),
    ("Put some jam on the toast", "jam", "yam"),
)
HELDOUT_SENTENCES: tuple[tuple[str, str, str], ...] = (
    ("I need a pen to write this letter", "pen", "pan"),
    ("He cut a thin slice of cake", "thin", "tin"),
    ("The grass is wet after the rain", "grass", "glass"),
    ("The heat was hard to bear", "heat", "hit"),
    ("The shoes were cheap but strong", "cheap", "sheep"),
    ("Pack your bag before dinner", "bag", "back"),
    ("The team scored a late goal", "goal", "coal"),
    ("The boat crossed the lake slowly", "boat", "vote"),
    ("A mouse ran under the bed", "mouse", "mouth"),
    ("They drink wine with dinner", "wine", "vine"),
    ("We walked along the road to town", "road", "load"),
    ("He read the book last night", "book", "buck"),
)
DEV_VOICES = ("flite:slt", "flite:kal16", "flite:rms", "espeak:en-us")
HELDOUT_VOICES = ("flite:awb", "espeak:en-us+f3")
RATES = (1.0, 0.85, 1.15)
SAMPLE_RATES = (16000, 22050, 8000, 16000, 44100)
NOISES = (None, None, ("pinknoise", 20.0), None, None, ("whitenoise", 25.0), None)
DEV_CONDITIONS_PER_SENTENCE = 2
HELDOUT_DEV_VOICES_PER_SENTENCE = 1


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z']+", text)


def _swap(sentence: str, word: str, pair: str) -> tuple[str, int]:
    words = _words(sentence)
    index = words.index(word)
    spoken = re.sub(rf"\b{re.escape(word)}\b", pair, sentence, count=1)
    return spoken, index


def _conditions(voices: list[str], counter: itertools.count) -> list[Condition]:
    conds = []
    for voice in voices:
        k = next(counter)
        sr = SAMPLE_RATES[k % len(SAMPLE_RATES)]
        noise = NOISES[k % len(NOISES)]
        channels = 2 if sr == 44100 or (sr == 22050 and k % 3 == 0) else 1
        conds.append(Condition(
            voice=voice, rate=RATES[k % len(RATES)], sample_rate=sr, channels=channels,
            snr_db=noise[1] if noise else None, noise=noise[0] if noise else "pinknoise",
        ))
    return conds


def plan() -> list[tuple[str, str, str, int, str, Condition]]:
    """Every clip: (file name, reference, spoken, swapped index, split, condition)."""
    rows = []
    counter = itertools.count()
    voice_cycle = itertools.cycle(DEV_VOICES)
    for split, sentences in (("dev", DEV_SENTENCES), ("heldout", HELDOUT_SENTENCES)):
        for s_index, (sentence, word, pair) in enumerate(sentences):
            n_dev = DEV_CONDITIONS_PER_SENTENCE if split == "dev" else HELDOUT_DEV_VOICES_PER_SENTENCE
            voices = [next(voice_cycle) for _ in range(n_dev)]
            if split == "heldout":
                voices += list(HELDOUT_VOICES)
            spoken_swap, index = _swap(sentence, word, pair)
            for c_index, cond in enumerate(_conditions(voices, counter)):
                stem = f"{split}_{s_index:02d}_{word.lower()}_{c_index}"
                rows.append((f"audio/{stem}_correct.flac", sentence, sentence, -1, split, cond))
                rows.append((f"audio/{stem}_swap_{pair.lower()}.flac", sentence, spoken_swap, index, split, cond))
    return rows


def describe(cond: Condition) -> str:
    noise = f"{cond.noise}@{cond.snr_db:g}dB" if cond.snr_db is not None else "clean"
    return f"{cond.voice} rate={cond.rate:g} sr={cond.sample_rate} ch={cond.channels} {noise}"


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    AUDIO_DIR.mkdir(parents=True, exist_ok=True)
    for old in AUDIO_DIR.glob("*.flac"):
        old.unlink()
    lines = ["path\treference_text\tspoken_text\tswapped_word_index\tsplit\tcondition"]
    rows = plan()
    for path, reference, spoken, index, split, cond in rows:
        make_speech.render(spoken, cond, HERE / path)
        lines.append(f"{path}\t{reference}\t{spoken}\t{index}\t{split}\t{describe(cond)}")
    MANIFEST.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(rows)} clips and {MANIFEST}")


if __name__ == "__main__":
    main()
