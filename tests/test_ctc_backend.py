"""CTC forced alignment and the Hugging Face backend on tiny real models (GOP statistics: test_gop.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from speech.ctc_alignment import forced_align, log_softmax
from speech.hf_ctc_backend import HFCTCBackend
from speech.transcription import ReferenceWord
from speech.transformers_import import transformers_classes

BLANK = 0


def _posteriors(frames: list[int], vocab: int = 6, sharp: float = 8.0) -> np.ndarray:
    logits = np.zeros((len(frames), vocab))
    for t, token in enumerate(frames):
        logits[t, token] = sharp
    return log_softmax(logits)


def test_forced_alignment_finds_each_token_span() -> None:
    # frames: blank, 1, 1, blank, 2, 2, 2, blank, 3
    log_probs = _posteriors([0, 1, 1, 0, 2, 2, 2, 0, 3])
    aligned = forced_align(log_probs, [1, 2, 3], BLANK)
    assert [(a.token_id, a.start, a.end) for a in aligned] == [(1, 1, 3), (2, 4, 7), (3, 8, 9)]


def test_forced_alignment_handles_repeated_tokens_with_a_blank_between() -> None:
    log_probs = _posteriors([1, 0, 1, 2])
    aligned = forced_align(log_probs, [1, 1, 2], BLANK)
    assert [(a.start, a.end) for a in aligned] == [(0, 1), (2, 3), (3, 4)]


def test_forced_alignment_returns_nothing_when_the_text_cannot_fit() -> None:
    assert forced_align(_posteriors([1, 2]), [1, 2, 3, 4], BLANK) == []
    assert forced_align(_posteriors([1, 1]), [1, 1], BLANK) == [], "a repeat needs a blank between"


def _backend(folder: Path) -> HFCTCBackend:
    AutoModelForCTC, AutoProcessor = transformers_classes("AutoModelForCTC", "AutoProcessor")

    return HFCTCBackend(
        AutoModelForCTC.from_pretrained(folder).eval(), AutoProcessor.from_pretrained(folder), "cpu", str(folder)
    )


def test_character_backend_transcribes_and_assesses_every_reference_word(tiny_model_dir: Path) -> None:
    backend = _backend(tiny_model_dir)
    assert not backend.is_phoneme_model
    clip = np.random.default_rng(0).standard_normal(32_000).astype(np.float32) * 0.1
    words = [ReferenceWord("ship", ("ʃ", "ɪ", "p")), ReferenceWord("go", ("ɡ", "oʊ"))]
    transcript, evidence = backend.transcribe_and_assess(clip, 16_000, words)
    assert transcript.engine == "hf" and transcript.duration_s == pytest.approx(2.0)
    assert [e.word for e in evidence] == ["ship", "go"]
    assert all(0.0 <= e.score <= 1.0 for e in evidence)
    assert evidence[0].start < evidence[1].start


def test_phoneme_vocabulary_is_mapped_to_canonical_phonemes(tmp_path: Path, tiny_model_dir: Path) -> None:
    Wav2Vec2CTCTokenizer, Wav2Vec2FeatureExtractor, Wav2Vec2Processor, AutoModelForCTC = transformers_classes(
        "Wav2Vec2CTCTokenizer", "Wav2Vec2FeatureExtractor", "Wav2Vec2Processor", "AutoModelForCTC"
    )

    vocab = ["<pad>", "<s>", "</s>", "<unk>", "|", "ʃ", "ɪ", "iː", "p", "ɡ", "oʊ", "ð", "ə", "ɹ", "s"]
    (tmp_path / "vocab.json").write_text(json.dumps({t: i for i, t in enumerate(vocab)}))
    tokenizer = Wav2Vec2CTCTokenizer(str(tmp_path / "vocab.json"), pad_token="<pad>", word_delimiter_token="|")
    processor = Wav2Vec2Processor(feature_extractor=Wav2Vec2FeatureExtractor(), tokenizer=tokenizer)
    model = AutoModelForCTC.from_pretrained(tiny_model_dir).eval()
    backend = HFCTCBackend(model, processor, "cpu", "phoneme-test")
    assert backend.is_phoneme_model
    # "iː" maps to the canonical "i"; the word delimiter counts as blank
    groups = dict(zip(backend.inventory.units, backend.inventory.token_groups))
    assert groups["i"] == (7,) and groups["ʃ"] == (5,) and groups["p"] == (8,)
    assert 4 in backend.inventory.silence_ids
    log_probs = _posteriors([0, 5, 0, 7, 7, 0, 8], vocab=len(vocab))
    transcript = backend.transcription_from(log_probs, 0.14, 0.0)
    assert [p.phone for p in transcript.phones] == ["ʃ", "i", "p"]
    assert transcript.words == []
    evidence = backend.assess_from(log_probs, [ReferenceWord("ship", ("ʃ", "ɪ", "p"))])
    ship = evidence[0]
    assert [p.expected for p in ship.phones] == ["ʃ", "ɪ", "p"]
    assert ship.phones[1].heard == "i", "the model heard /i/ where /ɪ/ was expected"
    assert ship.phones[1].score < 0.1 < 0.5 < ship.phones[2].score
    assert ship.phones[0].score > 5 * ship.phones[1].score
