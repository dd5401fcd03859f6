"""Fit the scoring calibration (``pronunciation/calibration.json``) on real learner speech.

Reads the expert-scored corpus in ``../shared/speechocean762`` (training speakers
only) and, per recording, the bundled engine's evidence from a cache folder, which
``--extract`` fills by running the engine the way the app does (``prepare_audio`` with
the default clean-up, then the engine; both models see the prepared audio, which
changes Whisper's output noticeably against the raw files):

* ``CACHE/hama/<utt_id>.npy`` or ``.npz`` (key ``log_probs``): the phoneme model's raw
  log-posteriors (frames x vocabulary);
* ``CACHE/hama_vocab.json``: ``{"tokens": [...], "blank_id": N, "frame_seconds": 0.02}``;
* ``CACHE/whisper/<utt_id>.json``: Whisper's ``words`` (``word``, ``start``, ``end``,
  ``probability``), transcribed without the prompt.

Every feature goes through the app's own code (``speech.ctc_alignment.assess_words``
and ``analysis_pipeline.calibration_inputs``), so the app applies exactly what was
fitted. Models (scikit-learn here only; the app applies the JSON with numpy):

* word: logistic regression, P(word_accuracy >= 7), on standardised features;
  ``good_probability``: the threshold with the best F1 for mispronounced words
  among those flagging at most 4.5 % of the accepted words (counting the words the
  "another word" rule of ``Calibration.judged_score`` flags anyway);
  ``close_probability``: the best-F1 threshold for words rated under 4;
* sound: linear regression of the 0-2 phone score;
* sentence: ridge regression of the 0-10 sentence accuracy on the word probabilities
  and the recording's GOP and transcript averages.

All figures are cross-validated with folds grouped by speaker (no speaker is in
both the fitting and the measured part); the per-fold and per-speaker spread is
printed and stored. The final models are then fitted on all speakers.

    .venv/bin/python scripts/fit_calibration.py --cache DIR [--extract] [--folds 5] [--dry-run]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Sequence

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge  # noqa: E402
from sklearn.model_selection import GroupKFold  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from analysis_pipeline import calibration_inputs  # noqa: E402
from bench.speechocean import (  # noqa: E402
    CORPUS_DIR,
    MISPRONOUNCED_BELOW,
    Tally,
    Utterance,
    corpus_available,
    load_corpus,
    pair_phones,
    pearson,
)
from pronunciation.calibration import CALIBRATION_FILE, another_word_said, sentence_features  # noqa: E402
from pronunciation.phonetics import g2p, to_reference_words  # noqa: E402
from pronunciation.phoneme_set import model_token_phoneme  # noqa: E402
from speech.ctc_alignment import UnitInventory, assess_words  # noqa: E402
from speech.transcription import Transcription, WordSegment  # noqa: E402

logger = logging.getLogger("fit_calibration")

MODEL_NAMES = ("whisper-base + hama-1.7.0",)  # speech.bundled_engine.ENGINE_MODEL_NAME: the engine fitted for
WORD_FEATURES = (
    "gop_min", "gop_mean", "margin_min", "peak_margin_min", "path_cost", "deletion_max",
    "phones", "duration_s", "recording_gop_mean",
    "heard_exact", "heard_other", "heard_confidence", "heard_log_confidence", "heard_exact_confidence",
    "heard_similarity",
)
PHONE_FEATURES = (
    "log_posterior", "mean_log_prob", "peak_log_prob", "mean_margin", "peak_margin",
    "deletion_posterior", "frames", "word_probability",
)
SENTENCE_FEATURES = (
    "word_probability_mean", "word_probability_min", "word_log_probability_mean", "extra_word_rate",
    "good_phone_share", "margin_mean", "posterior_mean", "heard_confidence", "free_decoding_errors", "words",
)
SENTENCE_ALPHA = 10.0  # ridge penalty of the sentence model (its features are correlated)
SEVERE_BELOW = 4.0  # word_accuracy under this: "over 30 % of sounds wrong" or worse -> level "wrong"
WORD_C = 1.0  # inverse regularisation strength of the word model
MAX_GOOD_FLAGGED = 0.045  # good_probability may flag at most this share of accepted words (target 5 %)


@dataclass
class Recording:
    utterance: Utterance
    word_features: list[dict[str, float]]
    phone_features: list[list[dict[str, float]]]  # per word, per paired phone
    phone_experts: list[list[float]]
    extra_words: int
    transcript_errors: int


# -- evidence ----------------------------------------------------------------------
def load_log_probs(cache: Path, utt_id: str) -> np.ndarray | None:
    for suffix in (".npy", ".npz"):
        path = cache / "hama" / f"{utt_id}{suffix}"
        if path.is_file():
            data = np.load(path)
            return np.asarray(data["log_probs"] if suffix == ".npz" else data, dtype=np.float32)
    return None


def load_transcription(cache: Path, utt_id: str) -> Transcription | None:
    path = cache / "whisper" / f"{utt_id}.json"
    if not path.is_file():
        return None
    record = json.loads(path.read_text(encoding="utf-8"))
    words = [WordSegment(w["word"], w["start"], w["end"], w["probability"]) for w in record["words"]]
    return Transcription(text=record["text"], words=words, model_name=MODEL_NAMES[0], engine="offline")


def extract(utterances: Sequence[Utterance], corpus_dir: Path, cache: Path) -> None:
    """Fill the cache with the bundled engine's output on the prepared audio (skips what is there)."""
    from asr_model import OFFLINE_MODEL, ASRModelManager
    from bench.speechocean import audio_path
    from speech.audio import AudioOptions, prepare_audio

    manager = ASRModelManager(default_model=OFFLINE_MODEL)
    manager.load_model(OFFLINE_MODEL)
    engine = manager.backend
    (cache / "hama").mkdir(parents=True, exist_ok=True)
    (cache / "whisper").mkdir(parents=True, exist_ok=True)
    import hama

    model = hama.ASRModel()  # its vocabulary (the engine runs its own copy)
    vocab = {"tokens": list(model.decoder_tokens), "blank_id": int(model.blank_id), "frame_seconds": 0.02}
    (cache / "hama_vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    for number, utterance in enumerate(utterances, start=1):
        target = cache / "whisper" / f"{utterance.utt_id}.json"
        if target.is_file():
            continue
        path = audio_path(utterance, corpus_dir)
        prepared = prepare_audio(str(path), AudioOptions(), filename=path.name)
        np.save(cache / "hama" / f"{utterance.utt_id}.npy", engine.phoneme_log_probs(prepared.samples))
        transcription = manager.transcribe(prepared.samples, prepared.sample_rate)
        words = [{"word": w.word, "start": w.start, "end": w.end, "probability": w.confidence}
                 for w in transcription.words]
        target.write_text(json.dumps({"text": transcription.text, "words": words}), encoding="utf-8")
        if number % 100 == 0:
            print(f"extracted {number}/{len(utterances)}", file=sys.stderr, flush=True)


def _engine_unit() -> Any:
    """The bundled engine's own token -> phoneme mapping when it has one (fit and app identical)."""
    try:
        from speech.bundled_engine import hama_unit

        return hama_unit
    except ImportError:
        return model_token_phoneme


def collect(utterances: Sequence[Utterance], cache: Path) -> list[Recording]:
    from pronunciation.phonetics import normalise_words
    from pronunciation.sequence_alignment import align, count_errors

    vocab = json.loads((cache / "hama_vocab.json").read_text(encoding="utf-8"))
    inventory = UnitInventory.from_vocabulary(dict(enumerate(vocab["tokens"])), vocab["blank_id"], _engine_unit())
    frame_seconds = float(vocab.get("frame_seconds", 0.02))
    recordings = []
    for utterance in utterances:
        log_probs = load_log_probs(cache, utterance.utt_id)
        transcription = load_transcription(cache, utterance.utt_id)
        if log_probs is None or transcription is None:
            continue
        pronunciations = g2p(utterance.prompt)
        evidence = assess_words(log_probs, inventory, to_reference_words(pronunciations), frame_seconds)
        features, extra = calibration_inputs(pronunciations, transcription, evidence)
        if not features:
            logger.info("%s: reference does not fit the audio, skipped", utterance.utt_id)
            continue
        phone_features, phone_experts = [], []
        for corpus_word, ev in zip(utterance.words, evidence):
            pairs = pair_phones(corpus_word.phones, [p.expected for p in ev.phones])
            phone_features.append([dict(ev.phones[j].features) for _, j in pairs])
            phone_experts.append([corpus_word.phone_accuracy[i] for i, _ in pairs])
        heard = [w for segment in transcription.words for w in normalise_words(segment.word)]
        errors = count_errors(align([p.word for p in pronunciations], heard), len(pronunciations)).errors
        recordings.append(Recording(utterance, features, phone_features, phone_experts, extra, errors))
    return recordings


# -- fitting -----------------------------------------------------------------------
def _matrix(rows: Sequence[dict[str, float]], names: Sequence[str]) -> np.ndarray:
    return np.array([[row.get(n, 0.0) for n in names] for row in rows], dtype=float)


def _linear_json(scaler: StandardScaler, model: Any, names: Sequence[str]) -> dict[str, Any]:
    coefficients = np.ravel(model.coef_)
    return {
        "features": list(names),
        "coefficients": [round(float(c), 6) for c in coefficients],
        "intercept": round(float(np.ravel([model.intercept_])[0]), 6),
        "mean": [round(float(m), 6) for m in scaler.mean_],
        "scale": [round(float(s), 6) for s in scaler.scale_],
    }


def _best_threshold(
    probabilities: np.ndarray,
    positive: np.ndarray,
    max_negative_share: float = 1.0,
    forced: np.ndarray | None = None,
) -> float:
    """The probability under which words are flagged that maximises F1 for ``positive`` words.

    ``forced`` words are flagged whatever their probability (the "another word" rule).
    """
    best_f1, best = -1.0, 0.5
    negatives = max(int((~positive).sum()), 1)
    always = np.zeros(probabilities.size, dtype=bool) if forced is None else forced
    for threshold in np.unique(np.quantile(probabilities, np.linspace(0.001, 0.6, 400))):
        flagged = (probabilities < threshold) | always
        if (flagged & ~positive).sum() / negatives > max_negative_share:
            continue
        hits = int((flagged & positive).sum())
        if not hits:
            continue
        f1 = 2 * hits / (flagged.sum() + positive.sum())
        if f1 > best_f1:
            best_f1, best = f1, float(threshold)
    return best


def fit(recordings: Sequence[Recording], max_good_flagged: float = MAX_GOOD_FLAGGED) -> dict[str, Any]:
    """All models on ``recordings``; returns the calibration JSON (without figures)."""
    words = [f for r in recordings for f in r.word_features]
    experts = np.array([w.accuracy for r in recordings for w in r.utterance.words])
    x_words = _matrix(words, WORD_FEATURES)
    word_scaler = StandardScaler().fit(x_words)
    word_model = LogisticRegression(C=WORD_C, max_iter=5000).fit(
        word_scaler.transform(x_words), experts >= MISPRONOUNCED_BELOW
    )
    probabilities = word_model.predict_proba(word_scaler.transform(x_words))[:, 1]
    another_word = np.array([another_word_said(w) for w in words])
    good = _best_threshold(probabilities, experts < MISPRONOUNCED_BELOW, max_good_flagged, another_word)
    close = min(_best_threshold(probabilities, experts < SEVERE_BELOW), 0.8 * good)

    phones, phone_targets = _phone_rows(recordings, probabilities)
    x_phones = _matrix(phones, PHONE_FEATURES)
    phone_scaler = StandardScaler().fit(x_phones)
    phone_model = LinearRegression().fit(phone_scaler.transform(x_phones), phone_targets)

    sentences = _sentence_rows(recordings, probabilities)
    x_sentences = _matrix(sentences, SENTENCE_FEATURES)
    sentence_scaler = StandardScaler().fit(x_sentences)
    sentence_model = Ridge(alpha=SENTENCE_ALPHA).fit(
        sentence_scaler.transform(x_sentences), [r.utterance.accuracy for r in recordings]
    )
    return {
        "models": list(MODEL_NAMES),
        "word": _linear_json(word_scaler, word_model, WORD_FEATURES),
        "levels": {"good_probability": round(good, 6), "close_probability": round(close, 6)},
        "phone": _linear_json(phone_scaler, phone_model, PHONE_FEATURES),
        "sentence": _linear_json(sentence_scaler, sentence_model, SENTENCE_FEATURES),
    }


def _phone_rows(recordings: Sequence[Recording], word_probabilities: np.ndarray) -> tuple[list[dict[str, float]], np.ndarray]:
    rows: list[dict[str, float]] = []
    targets: list[float] = []
    k = 0
    for r in recordings:
        for features, experts in zip(r.phone_features, r.phone_experts):
            for f, expert in zip(features, experts):
                rows.append({**f, "word_probability": float(word_probabilities[k])})
                targets.append(expert)
            k += 1
    return rows, np.array(targets)


def _sentence_rows(recordings: Sequence[Recording], word_probabilities: np.ndarray) -> list[dict[str, float]]:
    rows, k = [], 0
    for r in recordings:
        n = len(r.word_features)
        rows.append(sentence_features(list(word_probabilities[k : k + n]), r.word_features, r.extra_words))
        k += n
    return rows


# -- measuring ---------------------------------------------------------------------
def measure(calibration_json: dict[str, Any], recordings: Sequence[Recording]) -> Tally:
    """Apply a fitted calibration exactly as the app does and collect the figures."""
    from pronunciation.calibration import Calibration
    from pronunciation.word_levels import word_level
    from speech.transcription import PhoneEvidence

    calibration = Calibration.from_dict(calibration_json)
    tally = Tally()
    for r in recordings:
        probabilities = [calibration.word_probability(f) for f in r.word_features]
        for p, f, corpus_word, phones, experts in zip(
            probabilities, r.word_features, r.utterance.words, r.phone_features, r.phone_experts
        ):
            score = calibration.judged_score(f, p)
            tally.word_scores.append(score)
            tally.word_experts.append(corpus_word.accuracy)
            tally.word_flags.append(word_level(score) != "good")
            for f, expert in zip(phones, experts):
                tally.phone_scores.append(calibration.phone_score(PhoneEvidence("", "", 0.0, features=f), p))
                tally.phone_experts.append(expert)
        tally.sentence_scores.append(
            calibration.sentence_score(sentence_features(probabilities, r.word_features, r.extra_words))
        )
        tally.sentence_experts.append(r.utterance.accuracy)
        tally.wer_errors += r.transcript_errors
        tally.wer_words += len(r.utterance.words)
    return tally


def cross_validate(recordings: Sequence[Recording], folds: int) -> dict[str, Any]:
    """Figures on held-out speakers: pooled, per fold and per speaker."""
    speakers = np.array([r.utterance.speaker for r in recordings])
    pooled = Tally()
    per_fold: list[dict[str, float]] = []
    per_speaker: dict[str, dict[str, float]] = {}
    for train, test in GroupKFold(folds).split(np.zeros(len(recordings)), groups=speakers):
        fitted = fit([recordings[i] for i in train])
        held_out = [recordings[i] for i in test]
        tally = measure(fitted, held_out)
        per_fold.append(tally.figures())
        _merge(pooled, tally)
        for speaker in sorted({r.utterance.speaker for r in held_out}):
            per_speaker[speaker] = measure(fitted, [r for r in held_out if r.utterance.speaker == speaker]).figures()
    return {"pooled": pooled.figures(), "folds": per_fold, "speakers": per_speaker}


def _merge(into: Tally, other: Tally) -> None:
    for name in ("sentence_scores", "sentence_experts", "word_scores", "word_experts", "word_flags",
                 "phone_scores", "phone_experts"):
        getattr(into, name).extend(getattr(other, name))
    into.wer_errors += other.wer_errors
    into.wer_words += other.wer_words


def spread(values: Sequence[float]) -> dict[str, float]:
    finite = np.array([v for v in values if np.isfinite(v)], dtype=float)
    if not finite.size:
        return {}
    q1, median, q3 = np.percentile(finite, [25, 50, 75])
    return {"n": int(finite.size), "min": float(finite.min()), "q1": float(q1), "median": float(median),
            "q3": float(q3), "max": float(finite.max())}


def _round(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4) if np.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_round(v) for v in value]
    return value


FIGURE_NAMES = ("sentence_pcc", "word_auc", "word_f1", "word_precision", "word_recall",
                "good_words_flagged_pct", "word_score_pcc", "phone_pcc", "transcript_wer")


def print_figures(title: str, figures: dict[str, float]) -> None:
    print(f"{title}: " + "  ".join(f"{k} {figures[k]:.3f}" for k in FIGURE_NAMES if k in figures))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, required=True, help="folder with hama/, whisper/, hama_vocab.json")
    parser.add_argument("--corpus", type=Path, default=CORPUS_DIR)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=CALIBRATION_FILE)
    parser.add_argument("--extract", action="store_true", help="first fill the cache with the bundled engine")
    parser.add_argument("--dry-run", action="store_true", help="print the figures, write nothing")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if not corpus_available(args.corpus):
        print(f"corpus not found at {args.corpus}", file=sys.stderr)
        return 2
    utterances = load_corpus(args.corpus)
    if args.extract:
        extract(utterances, args.corpus, args.cache)
    recordings = collect(utterances, args.cache)
    n_speakers = len({r.utterance.speaker for r in recordings})
    print(f"recordings with evidence: {len(recordings)} from {n_speakers} speakers")
    cv = cross_validate(recordings, args.folds)
    print_figures(f"cross-validated ({args.folds} folds grouped by speaker)", cv["pooled"])
    for i, fold in enumerate(cv["folds"]):
        print_figures(f"  fold {i}", fold)
    speaker_spread = {
        name: spread([s[name] for s in cv["speakers"].values()])
        for name in ("sentence_pcc", "word_auc", "word_f1", "good_words_flagged_pct", "phone_pcc")
    }
    for name, stats in speaker_spread.items():
        if stats:
            print(f"  per speaker {name}: median {stats['median']:.3f} (IQR {stats['q1']:.3f}-{stats['q3']:.3f}, "
                  f"min {stats['min']:.3f}, max {stats['max']:.3f}, {stats['n']} speakers)")
    calibration = fit(recordings)
    in_sample = measure(calibration, recordings).figures()
    print_figures("fitted on all speakers, measured on them (optimistic)", in_sample)
    calibration["fitted"] = date.today().isoformat()
    calibration["fitted_by"] = "scripts/fit_calibration.py"
    calibration["data"] = (f"speechocean762 training speakers: {len(recordings)} recordings, {n_speakers} speakers, "
                           f"{sum(len(r.word_features) for r in recordings)} words")
    calibration["figures"] = _round({
        "cross_validated": {"folds": args.folds, "grouped_by": "speaker", **cv["pooled"]},
        "cross_validated_per_fold": cv["folds"],
        "cross_validated_per_speaker_spread": speaker_spread,
        "in_sample_optimistic": in_sample,
    })
    if not args.dry_run:
        args.out.write_text(json.dumps(calibration, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")
    print(json.dumps(calibration["figures"]["cross_validated"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
