"""The GOP scorer on small log-posterior matrices whose answer is known."""

from __future__ import annotations

import numpy as np
import pytest

from speech.ctc_alignment import (
    UnitInventory,
    assess_words,
    ctc_log_likelihood,
    forced_align,
)
from speech.transcription import ReferenceWord

# vocabulary of a toy model: blank, three phones, a word boundary and a token we cannot use
ID_TO_TOKEN = {0: "<blank>", 1: "s", 2: "ɪ", 3: "p", 4: "<wb>", 5: "ʰ"}
PHONES = {"s", "ɪ", "p"}
FRAME_SECONDS = 0.02


def inventory() -> UnitInventory:
    return UnitInventory.from_vocabulary(ID_TO_TOKEN, 0, lambda t: t if t in PHONES else "")


def frames(*tokens: str, strong: float = 0.9) -> np.ndarray:
    """One frame per entry: the named token gets ``strong`` of the mass, the rest is shared."""
    ids = {t: i for i, t in ID_TO_TOKEN.items()}
    out = np.full((len(tokens), len(ID_TO_TOKEN)), (1.0 - strong) / (len(ID_TO_TOKEN) - 1))
    for row, token in enumerate(tokens):
        out[row, ids[token]] = strong
    return np.log(out)


SIP = ReferenceWord("sip", ("s", "ɪ", "p"))


def test_inventory_folds_silence_into_blank_and_drops_unusable_tokens() -> None:
    inv = inventory()
    assert inv.units == ("p", "s", "ɪ")
    assert inv.silence_ids == (0, 4)
    folded = inv.unit_log_probs(frames("<wb>", "s"))
    assert folded.shape == (2, 4)
    assert np.allclose(np.exp(folded).sum(axis=1), 1.0)
    assert folded[0, 0] == folded[0].max()  # the word boundary counts as blank


def test_forced_align_gives_each_token_its_frames() -> None:
    log_probs = frames("<blank>", "s", "s", "<blank>", "ɪ", "p", "<blank>")
    aligned = forced_align(log_probs, [1, 2, 3], blank_id=0)
    assert [(a.start, a.end) for a in aligned] == [(1, 3), (4, 5), (5, 6)]


def test_ctc_likelihood_of_the_spoken_sequence_beats_a_substitute_and_a_deletion() -> None:
    log_probs = frames("<blank>", "s", "ɪ", "p", "<blank>")
    spoken, substitute = ctc_log_likelihood(log_probs, np.array([[1, 2, 3], [1, 1, 3]]))
    deletion = ctc_log_likelihood(log_probs, np.array([[1, 3]]))[0]
    assert spoken > substitute + 2 and spoken > deletion + 2
    assert ctc_log_likelihood(log_probs, np.zeros((1, 0), dtype=int))[0] == pytest.approx(log_probs[:, 0].sum())


def test_expected_phones_dominant_score_high_and_are_heard() -> None:
    log_probs = frames("<blank>", "s", "s", "ɪ", "ɪ", "p", "<blank>")
    (word,) = assess_words(log_probs, inventory(), [SIP], FRAME_SECONDS)
    assert word.found and word.score > 0.9
    assert [p.heard for p in word.phones] == ["s", "ɪ", "p"]
    assert all(p.score > 0.9 for p in word.phones)
    assert word.features["gop_min"] > np.log(0.9)
    assert word.start == pytest.approx(0.02) and word.end == pytest.approx(0.12)


def test_competitor_dominant_scores_low_and_is_heard() -> None:
    # "sip" said as "sis": the last phone's frames favour s
    log_probs = frames("<blank>", "s", "s", "ɪ", "ɪ", "s", "<blank>")
    (word,) = assess_words(log_probs, inventory(), [SIP], FRAME_SECONDS)
    last = word.phones[-1]
    assert last.expected == "p" and last.heard == "s"
    assert last.score < 0.1
    assert last.features["rival_posterior"] > 0.8, "one specific substitute wins, not diffuse doubt"
    assert word.features["rival_max"] == last.features["rival_posterior"]
    assert word.phones[0].score > 0.5
    assert word.features["gop_min"] < np.log(0.1)
    assert word.heard_phonemes == ("s", "ɪ", "s")


def test_deleted_phone_scores_low_and_is_heard_as_missing() -> None:
    # "sip" said as "sp": no frame favours ɪ
    log_probs = frames("<blank>", "s", "s", "<blank>", "p", "p", "<blank>")
    (word,) = assess_words(log_probs, inventory(), [SIP], FRAME_SECONDS)
    middle = word.phones[1]
    assert middle.expected == "ɪ" and middle.heard == ""
    assert middle.score < 0.2
    assert middle.features["deletion_posterior"] > 0.5
    assert word.heard_phonemes == ("s", "p")


def test_an_accepted_variant_that_fits_is_chosen() -> None:
    the = ReferenceWord("the", ("s", "p"), variants=(("s", "ɪ"),))  # toy: the variant is what was said
    log_probs = frames("<blank>", "s", "ɪ", "ɪ", "<blank>")
    (word,) = assess_words(log_probs, inventory(), [the], FRAME_SECONDS)
    assert word.pronunciation == ("s", "ɪ")
    assert word.score > 0.8


def test_two_words_split_the_frames_and_a_silent_word_is_not_found() -> None:
    log_probs = frames("<blank>", "s", "ɪ", "p", "<blank>", "<blank>", "<blank>", "<blank>")
    sip, gone = assess_words(log_probs, inventory(), [SIP, ReferenceWord("ip", ("ɪ", "p"))], FRAME_SECONDS)
    assert sip.found and sip.score > 0.8
    assert not gone.found
    assert gone.start >= sip.end


def test_reference_longer_than_the_audio_gives_no_evidence() -> None:
    assert assess_words(frames("s", "ɪ"), inventory(), [SIP], FRAME_SECONDS) == []


def test_phones_the_model_cannot_emit_are_skipped() -> None:
    word = ReferenceWord("sip", ("s", "ɪ", "θ", "p"))
    (evidence,) = assess_words(frames("<blank>", "s", "ɪ", "p", "<blank>"), inventory(), [word], FRAME_SECONDS)
    assert [p.expected for p in evidence.phones] == ["s", "ɪ", "p"]
