"""The bundled pocketsphinx engine on real (synthetic) speech from tests/data/speech."""

from __future__ import annotations

import csv
import re
import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from pronunciation import phoneme_set
from pronunciation.word_levels import word_level
from speech.offline_engine import (
    OFFLINE_MODEL_NAME,
    SAMPLE_RATE,
    OfflineEngine,
    plan_word,
    to_pcm16,
)
from speech.transcription import ReferenceWord, WordEvidence

SPEECH_DIR = Path(__file__).parent / "data" / "speech"

# Expected phonemes written out here so the tests do not depend on the G2P module.
LEXICON: dict[str, tuple[str, ...]] = {
    "the": ("ð", "ə"), "ship": ("ʃ", "ɪ", "p"), "left": ("l", "ɛ", "f", "t"),
    "harbor": ("h", "ɑ", "ɹ", "b", "ɚ"), "at": ("æ", "t"), "noon": ("n", "u", "n"),
    "i": ("aɪ",), "think": ("θ", "ɪ", "ŋ", "k"), "we": ("w", "i"), "should": ("ʃ", "ʊ", "d"),
    "go": ("ɡ", "oʊ"), "home": ("h", "oʊ", "m"), "now": ("n", "aʊ"), "please": ("p", "l", "i", "z"),
    "turn": ("t", "ɚ", "n"), "on": ("ɑ", "n"), "light": ("l", "aɪ", "t"), "in": ("ɪ", "n"),
    "kitchen": ("k", "ɪ", "tʃ", "ə", "n"), "today": ("t", "ə", "d", "eɪ"),
    "elephant": ("ɛ", "l", "ə", "f", "ə", "n", "t"),
    # "read" as a present-tense G2P spells it; the clip says the past tense /rɛd/.
    "he": ("h", "i"), "read": ("ɹ", "i", "d"), "book": ("b", "ʊ", "k"), "last": ("l", "æ", "s", "t"),
    "night": ("n", "aɪ", "t"),
}


def refs(text: str) -> list[ReferenceWord]:
    return [ReferenceWord(w, LEXICON[w]) for w in re.findall(r"[a-z']+", text.lower())]


def load(name: str) -> np.ndarray:
    """A clip as the app hands it over: float32 mono 16 kHz."""
    samples, sr = sf.read(SPEECH_DIR / name, dtype="float32", always_2d=True)
    mono = samples.mean(axis=1)
    if sr != SAMPLE_RATE:
        import soxr

        mono = soxr.resample(mono, sr, SAMPLE_RATE).astype(np.float32)
    return mono


def manifest() -> list[dict[str, str]]:
    with (SPEECH_DIR / "manifest.tsv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def levels(evidence: list[WordEvidence]) -> list[str]:
    return [word_level(e.score * 100) if e.found else "missing" for e in evidence]


@pytest.fixture(scope="module")
def engine() -> OfflineEngine:
    return OfflineEngine()


def test_transcribe_hears_mostly_the_right_words(engine: OfflineEngine) -> None:
    overlaps = []
    for row in manifest():
        if "noisy" in row["path"] or "8k" in row["path"]:
            continue
        result = engine.transcribe(load(row["path"]), SAMPLE_RATE)
        spoken = re.findall(r"[a-z']+", row["spoken_text"].lower())
        heard = [w.word for w in result.words]
        overlap = len(set(spoken) & set(heard)) / len(set(spoken))
        overlaps.append(overlap)
        assert overlap >= 0.5, (row["path"], heard)
        assert result.engine == "offline" and result.model_name == OFFLINE_MODEL_NAME
        assert result.text == " ".join(heard)
    assert sum(overlaps) / len(overlaps) >= 0.7, overlaps


def test_transcription_words_and_phones_are_clean(engine: OfflineEngine) -> None:
    result = engine.transcribe(load("think_correct_rms.wav"), SAMPLE_RATE)
    assert result.words and result.phones
    for word in result.words:
        assert not word.word.startswith(("<", "[")) and "(" not in word.word
        assert 0.0 <= word.confidence <= 1.0
        assert 0.0 <= word.start < word.end <= result.duration_s + 0.01
    starts = [w.start for w in result.words]
    assert starts == sorted(starts)
    assert all(p.phone in phoneme_set.CANONICAL_PHONEMES for p in result.phones)
    assert result.duration_s == pytest.approx(len(load("think_correct_rms.wav")) / SAMPLE_RATE, abs=0.01)


@pytest.mark.parametrize("name", ["ship_correct_slt.wav", "think_correct_rms.wav", "light_correct_kal_8k.wav"])
def test_correct_reading_is_judged_good(engine: OfflineEngine, name: str) -> None:
    row = next(r for r in manifest() if r["path"] == name)
    evidence = engine.assess(load(name), SAMPLE_RATE, refs(row["reference_text"]))
    assert [e.word for e in evidence] == [r.text for r in refs(row["reference_text"])]
    assert all(e.found for e in evidence)
    good = levels(evidence).count("good")
    assert good >= len(evidence) - 1, levels(evidence)


@pytest.mark.parametrize(
    "name", ["ship_swapped_slt.wav", "think_swapped_rms.wav", "light_swapped_stereo_noisy.wav"]
)
def test_minimal_pair_swap_is_flagged(engine: OfflineEngine, name: str) -> None:
    row = next(r for r in manifest() if r["path"] == name)
    swapped = int(row["swapped_word_index"])
    evidence = engine.assess(load(name), SAMPLE_RATE, refs(row["reference_text"]))
    assert levels(evidence)[swapped] != "good", levels(evidence)
    flagged = evidence[swapped]
    assert flagged.found
    assert tuple(flagged.heard_phonemes) != refs(row["reference_text"])[swapped].phonemes


def test_evidence_shape_and_times(engine: OfflineEngine) -> None:
    words = refs("The ship left the harbor at noon")
    evidence = engine.assess(load("ship_correct_slt.wav"), SAMPLE_RATE, words)
    for ref, ev in zip(words, evidence):
        assert 0.0 <= ev.score <= 1.0
        assert [p.expected for p in ev.phones] == list(ref.phonemes)
        assert all(0.0 <= p.score <= 1.0 for p in ev.phones)
        assert all(p in phoneme_set.CANONICAL_PHONEMES for p in ev.heard_phonemes)
        assert ev.start < ev.end
    assert [e.start for e in evidence] == sorted(e.start for e in evidence)


def test_word_that_was_not_said_is_not_found(engine: OfflineEngine) -> None:
    words = refs("The ship left the harbor at noon elephant")
    evidence = engine.assess(load("ship_correct_slt.wav"), SAMPLE_RATE, words)
    assert not evidence[-1].found or levels(evidence)[-1] != "good"
    assert levels(evidence[:-1]).count("good") >= len(evidence) - 2


def test_word_missing_from_the_dictionary_still_works(engine: OfflineEngine) -> None:
    words = [
        ReferenceWord("shyp", ("ʃ", "ɪ", "p")) if w.text == "ship" else w
        for w in refs("The ship left the harbor at noon")
    ]
    evidence = engine.assess(load("ship_correct_slt.wav"), SAMPLE_RATE, words)
    assert evidence[1].word == "shyp" and evidence[1].found


def test_no_words_and_silence(engine: OfflineEngine) -> None:
    assert engine.assess(load("ship_correct_slt.wav"), SAMPLE_RATE, []) == []
    silence = np.zeros(SAMPLE_RATE, dtype=np.float32)
    evidence = engine.assess(silence, SAMPLE_RATE, refs("ship"))
    assert len(evidence) == 1 and levels(evidence) != ["good"]
    assert engine.transcribe(silence, SAMPLE_RATE).words == []


def test_concurrent_calls_agree_with_sequential_ones(engine: OfflineEngine) -> None:
    audio = load("think_swapped_rms.wav")
    words = refs("I think we should go home now")
    expected = engine.assess(audio, SAMPLE_RATE, words)
    results: list[list[WordEvidence]] = []

    def work() -> None:
        results.append(engine.assess(audio, SAMPLE_RATE, words))

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 3


def test_plan_word_builds_one_phone_competitors() -> None:
    plan = plan_word(ReferenceWord("ship", ("ʃ", "ɪ", "p")))
    assert plan.candidates[0] == ("SH", "IH", "P")
    assert ("SH", "IY", "P") in plan.candidates and ("S", "IH", "P") in plan.candidates
    for cand, changed in zip(plan.candidates[1:], plan.changed_at[1:]):
        diffs = [i for i, (a, b) in enumerate(zip(cand, plan.candidates[0])) if a != b]
        assert diffs == [changed]


def test_plan_word_keeps_accepted_variants_apart_from_competitors() -> None:
    plan = plan_word(ReferenceWord("on", ("ɑ", "n")), variants=[("AA", "N"), ("AO", "N")])
    assert plan.candidates[:plan.n_accepted] == (("AA", "N"), ("AO", "N"))
    assert plan.changed_at[:plan.n_accepted] == (-1, -1)
    competitors = plan.candidates[plan.n_accepted:]
    assert competitors and ("AO", "N") not in competitors and ("AH", "N") in competitors
    assert plan_word(ReferenceWord("on", ("ɑ", "n"))).n_accepted == 1


def test_a_dictionary_variant_of_the_word_is_judged_good(engine: OfflineEngine) -> None:
    # "He read the book": the reference expects /rid/, the speaker says /rɛd/, which is
    # just as right (the dictionary lists both), so the word is found and good.
    words = refs("He read the book last night")
    evidence = engine.assess(load("read_past_espeak.wav"), SAMPLE_RATE, words)
    read = evidence[1]
    assert read.word == "read" and read.found
    assert word_level(read.score * 100) == "good", levels(evidence)


def test_pcm_conversion_handles_rate_and_channels() -> None:
    stereo = np.zeros((44100, 2), dtype=np.float32)
    assert len(to_pcm16(stereo, 44100)) == 2 * SAMPLE_RATE
    assert len(to_pcm16(np.zeros(8000, dtype=np.float32), 8000)) == 2 * SAMPLE_RATE



def test_transcribe_and_assess_matches_the_two_calls_without_the_phone_pass(engine: OfflineEngine) -> None:
    audio = load("think_correct_rms.wav")
    words = refs("I think we should go home now")
    transcript, evidence = engine.transcribe_and_assess(audio, SAMPLE_RATE, words)
    assert transcript.phones == [] and transcript.words
    assert [e.score for e in evidence] == [e.score for e in engine.assess(audio, SAMPLE_RATE, words)]
    assert [w.word for w in transcript.words] == [w.word for w in engine.transcribe(audio, SAMPLE_RATE).words]
