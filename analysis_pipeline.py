"""From a recording and a reference text to per-word, per-sound pronunciation results.

``AnalysisPipeline(manager).run(audio, reference_text)`` returns one
:class:`AnalysisResult` that the page, the CLI, storage and tests all consume.

Stages: G2P of the reference (cached) -> the session's recognizer gives a
transcript *and* acoustic evidence per reference word (forced alignment against
the text, so a mispronounced sound is flagged even when the recognizer "corrects"
the word) -> word alignment of the transcript (correct / substituted / missing /
extra) -> phoneme alignment per word (S/D/I, stress-insensitive) -> scores and
metrics -> the built-in coach.

Scores: with a recognizer that has a calibration (``pronunciation/calibration.py``,
fitted on expert ratings of real learner speech), each word's evidence and what the
transcript says about it give the probability that an expert accepts the word; that
becomes the 0-100 word score and level, and a fitted sentence model the overall
score. Without one (Hugging Face models, the pocketsphinx engine) the word score is
the evidence's 0-1 goodness times 100 and the overall score the mean of the word
scores (a missing word scores 0), minus 3 points per extra word (at most 15), never
below 0.

CLI::

    python -m analysis_pipeline AUDIO "REFERENCE TEXT" [--model NAME]
    python -m analysis_pipeline --batch FILE.tsv [--model NAME]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal, Sequence

import numpy as np

from asr_model import DEFAULT_MODEL, ASRModelManager
from pronunciation.calibration import (
    Calibration,
    TranscriptMatch,
    calibration_for,
    recording_gop_mean,
    sentence_features,
    word_features,
)
from pronunciation.coach import CoachNote, coach_notes
from pronunciation.phonetics import (
    TextError,
    WordPronunciation,
    g2p,
    normalise_words,
    to_reference_words,
    word_ipa,
)
from pronunciation.reading_check import check_reading
from pronunciation.sequence_alignment import Step, align, count_errors
from pronunciation.word_levels import WordLevel, word_level
from speech.audio import AudioError, AudioOptions, PreparedAudio, prepare_audio
from speech.transcription import Transcription, WordEvidence

logger = logging.getLogger(__name__)

EXTRA_WORD_PENALTY = 3.0
MAX_EXTRA_WORD_PENALTY = 15.0
WordStatus = Literal["correct", "mispronounced", "missing"]
WordOp = Literal["match", "substitution", "deletion"]


@dataclass(frozen=True)
class PhoneError:
    """One phoneme-level difference inside a word."""

    kind: Literal["substitution", "deletion", "insertion"]
    expected: str
    heard: str


@dataclass(frozen=True)
class SoundScore:
    """How one expected sound of a word was said: 0-100 and the sound the acoustics favour."""

    phoneme: str
    heard: str
    score: int


@dataclass(frozen=True)
class WordResult:
    word: str
    status: WordStatus
    level: WordLevel
    score: int
    expected_ipa: str
    expected_phonemes: list[str]
    heard_phonemes: list[str]
    phone_errors: list[PhoneError]
    heard_word: str | None
    transcript_op: WordOp
    start: float
    end: float
    sounds: list[SoundScore] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Metrics:
    word_accuracy: float
    wer: float
    phoneme_error_rate: float
    completeness: float
    substitutions: int
    deletions: int
    insertions: int
    phonemes: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class AnalysisResult:
    reference_text: str
    transcript: str
    model: str
    engine: str
    score: int
    metrics: Metrics
    words: list[WordResult]
    extra_words: list[str]
    coach: list[CoachNote] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    stage_ms: dict[str, float] = field(default_factory=dict)
    audio_seconds: float = 0.0
    created_at: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))
    # "You read something else": the transcript is far from the reference (pronunciation/reading_check.py)
    read_something_else: bool = False
    heard_text: str = ""
    reading_distance: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def words_to_practise(self) -> list[WordResult]:
        return [w for w in self.words if w.status != "correct"]


class AnalysisPipeline:
    """Runs one analysis with a session's already-chosen model."""

    def __init__(self, manager: ASRModelManager, options: AudioOptions | None = None) -> None:
        self.manager = manager
        self.options = options or AudioOptions()

    def run(
        self,
        audio: PreparedAudio | np.ndarray | bytes | str,
        reference_text: str,
        sr: int = 16_000,
        filename: str | None = None,
    ) -> AnalysisResult:
        """Analyse one recording against ``reference_text``.

        Raises :class:`phonetics.TextError` or :class:`audio.AudioError` (short
        learner-facing messages) before any model work when the input is unusable.
        """
        stage_ms: dict[str, float] = {}
        clock = time.perf_counter()
        pronunciations = g2p(reference_text)
        stage_ms["g2p"] = _lap(clock)

        clock = time.perf_counter()
        prepared = _prepared(audio, sr, self.options, filename)
        stage_ms["audio"] = _lap(clock)

        clock = time.perf_counter()
        transcription, evidence = self.manager.transcribe_and_assess(
            prepared.samples, prepared.sample_rate, to_reference_words(pronunciations)
        )
        stage_ms["model"] = _lap(clock)

        clock = time.perf_counter()
        result = score_words(reference_text, pronunciations, transcription, evidence)
        result.warnings = list(prepared.warnings)
        result.audio_seconds = round(prepared.duration_s, 2)
        stage_ms["scoring"] = _lap(clock)

        clock = time.perf_counter()
        _check_reading(result, pronunciations, transcription)
        result.coach = [] if result.read_something_else else coach_notes(result.words)
        stage_ms["feedback"] = _lap(clock)
        result.stage_ms = stage_ms
        return result


def score_words(
    reference_text: str,
    pronunciations: Sequence[WordPronunciation],
    transcription: Transcription,
    evidence: Sequence[WordEvidence],
) -> AnalysisResult:
    """Combine transcript alignment and acoustic evidence into word results and metrics."""
    reference = [p.word for p in pronunciations]
    heard = _heard_words(transcription)
    heard_words = [word for word, _ in heard]
    steps = align(reference, heard_words, _spelling_distance)
    by_reference: dict[int, Step] = {s.ref: s for s in steps if s.ref is not None}
    extra_words = [heard_words[s.hyp] for s in steps if s.kind == "insertion" and s.hyp is not None]
    use_evidence = len(evidence) == len(pronunciations)
    calibration = calibration_for(transcription.model_name) if use_evidence else None
    features = _calibration_inputs(reference, steps, heard, evidence) if calibration is not None else []
    probabilities = [calibration.word_probability(f) for f in features] if calibration is not None else []

    words: list[WordResult] = []
    phone_errors_total = 0
    for index, pron in enumerate(pronunciations):
        step = by_reference[index]
        heard_word = heard_words[step.hyp] if step.hyp is not None else None
        ev = evidence[index] if use_evidence else None
        if calibration is not None and ev is not None:
            words.append(
                _calibrated_word_result(pron, step, heard_word, ev, features[index], probabilities[index], calibration)
            )
        else:
            words.append(_word_result(pron, step, heard_word, ev))
        phone_errors_total += len(words[-1].phone_errors)

    n_words = len(pronunciations)
    n_phonemes = sum(len(p.phonemes) for p in pronunciations)
    counts = count_errors(steps, n_words)
    if calibration is not None:
        overall = calibration.sentence_score(sentence_features(probabilities, features, len(extra_words)))
    else:
        mean_score = sum(w.score for w in words) / n_words if n_words else 0.0
        overall = max(0.0, mean_score - min(MAX_EXTRA_WORD_PENALTY, EXTRA_WORD_PENALTY * len(extra_words)))
    metrics = Metrics(
        word_accuracy=round(100.0 * sum(w.status == "correct" for w in words) / n_words, 1) if n_words else 0.0,
        wer=round(counts.rate, 3),
        phoneme_error_rate=round(phone_errors_total / n_phonemes, 3) if n_phonemes else 0.0,
        completeness=round(100.0 * sum(w.status != "missing" for w in words) / n_words, 1) if n_words else 0.0,
        substitutions=counts.substitutions,
        deletions=counts.deletions,
        insertions=counts.insertions,
        phonemes=n_phonemes,
    )
    return AnalysisResult(
        reference_text=reference_text,
        transcript=" ".join(heard_words),
        model=transcription.model_name,
        engine=transcription.engine,
        score=int(round(overall)),
        metrics=metrics,
        words=words,
        extra_words=extra_words,
    )


def _check_reading(
    result: AnalysisResult, pronunciations: Sequence[WordPronunciation], transcription: Transcription
) -> None:
    """Fill the "you read something else" fields: what was heard and how far it is from the text."""
    check = check_reading([p.phonemes for p in pronunciations], [w for w, _ in _heard_words(transcription)])
    result.read_something_else = check.read_something_else
    result.reading_distance = check.distance
    result.heard_text = transcription.text.strip() or result.transcript


def calibration_inputs(
    pronunciations: Sequence[WordPronunciation], transcription: Transcription, evidence: Sequence[WordEvidence]
) -> tuple[list[dict[str, float]], int]:
    """Per reference word the features the calibration reads, and the number of extra words.

    The same code path as :func:`score_words`, for ``scripts/fit_calibration.py``.
    """
    reference = [p.word for p in pronunciations]
    heard = _heard_words(transcription)
    steps = align(reference, [w for w, _ in heard], _spelling_distance)
    extra = sum(s.kind == "insertion" for s in steps)
    if len(evidence) != len(pronunciations):
        return [], extra
    return _calibration_inputs(reference, steps, heard, evidence), extra


def _calibration_inputs(
    reference: Sequence[str],
    steps: Sequence[Step],
    heard: Sequence[tuple[str, float]],
    evidence: Sequence[WordEvidence],
) -> list[dict[str, float]]:
    by_reference = {s.ref: s for s in steps if s.ref is not None}
    gop_mean = recording_gop_mean(evidence)
    return [
        word_features(ev, _transcript_match(word, by_reference[index], heard, ev), gop_mean)
        for index, (word, ev) in enumerate(zip(reference, evidence))
    ]


def _transcript_match(
    expected: str, step: Step, heard: Sequence[tuple[str, float]], evidence: WordEvidence
) -> TranscriptMatch:
    if step.hyp is None:
        return TranscriptMatch("deletion")
    word, confidence = heard[step.hyp]
    if step.kind == "match":
        return TranscriptMatch("match", confidence, 1.0)
    similarity = 1.0 - _spelling_distance(expected, word)
    return TranscriptMatch("substitution", confidence, similarity, _acoustic_agreement(word, evidence))


def _acoustic_agreement(heard_word: str, evidence: WordEvidence) -> float:
    """-1..1: how much closer the sounds the scorer heard are to the transcript's word than to the expected one.

    Positive when both recognizers point to the other word ("ship" heard as /ʃip/ and written "sheep").
    """
    acoustic = list(evidence.heard_phonemes)
    expected = list(evidence.pronunciation)
    other = _phonemes_of(heard_word)
    if not acoustic or not expected or not other:
        return 0.0
    to_expected = count_errors(align(expected, acoustic), len(expected)).rate
    to_other = count_errors(align(other, acoustic), len(other)).rate
    return max(-1.0, min(1.0, to_expected - to_other))


def _calibrated_word_result(
    pron: WordPronunciation,
    step: Step,
    heard_word: str | None,
    ev: WordEvidence,
    features: dict[str, float],
    probability: float,
    calibration: Calibration,
) -> WordResult:
    """A word judged by the calibration: score, level and sounds from the fitted models."""
    expected = list(ev.pronunciation or pron.phonemes)
    op: WordOp = "deletion" if step.kind == "deletion" else ("match" if step.kind == "match" else "substitution")
    score = calibration.judged_score(features, probability)
    level = word_level(score)
    # missing: judged wrong, and neither the transcript nor the scorer found the word
    found = not (level == "wrong" and (op == "deletion" or not ev.found))
    if not found:
        heard: list[str] = []
    elif level == "good":
        heard = expected
    else:
        heard = list(ev.heard_phonemes) or (_phonemes_of(heard_word) if heard_word else []) or expected
    sounds = [
        SoundScore(p.expected, p.heard, int(round(calibration.phone_score(p, probability)))) for p in ev.phones
    ]
    return _result(pron, expected, heard, score, level, found, heard_word, op, ev.start, ev.end, sounds)


def _word_result(
    pron: WordPronunciation, step: Step, heard_word: str | None, ev: WordEvidence | None
) -> WordResult:
    expected = list(pron.phonemes)
    op: WordOp = "deletion" if step.kind == "deletion" else ("match" if step.kind == "match" else "substitution")
    if ev is not None:
        found = ev.found
        score = 100.0 * ev.score if found else 0.0
        start, end = ev.start, ev.end
        level = word_level(score)
        if not found:
            heard: list[str] = []
        elif level == "good" or heard_word is None and not ev.heard_phonemes:
            heard = expected  # the acoustics matched the expected pronunciation
        elif ev.heard_phonemes:
            heard = list(ev.heard_phonemes)
        else:
            heard = _phonemes_of(heard_word) or expected
    else:
        found = op != "deletion"
        start = end = 0.0
        if op == "match":
            heard, score = expected, 100.0
        elif op == "substitution" and heard_word is not None:
            heard = _phonemes_of(heard_word)
            per = count_errors(align(expected, heard), len(expected)).rate
            score = 100.0 * max(0.0, 1.0 - per)
        else:
            heard, score = [], 0.0
        level = word_level(score)
    sounds = [SoundScore(p.expected, p.heard, int(round(100.0 * p.score))) for p in ev.phones] if ev else []
    return _result(pron, expected, heard, score, level, found, heard_word, op, start, end, sounds)


def _result(
    pron: WordPronunciation,
    expected: list[str],
    heard: list[str],
    score: float,
    level: WordLevel,
    found: bool,
    heard_word: str | None,
    op: WordOp,
    start: float,
    end: float,
    sounds: list[SoundScore],
) -> WordResult:
    errors = [
        PhoneError(s.kind, expected[s.ref] if s.ref is not None else "", heard[s.hyp] if s.hyp is not None else "")
        for s in align(expected, heard)
        if s.kind != "match"
    ]
    status: WordStatus = "missing" if not found else ("correct" if level == "good" else "mispronounced")
    return WordResult(
        word=pron.display,
        status=status,
        level=level if found else "wrong",
        score=int(round(score)),
        expected_ipa=pron.ipa,
        expected_phonemes=expected,
        heard_phonemes=heard,
        phone_errors=errors,
        heard_word=heard_word,
        transcript_op=op,
        start=round(start, 3),
        end=round(end, 3),
        sounds=sounds,
    )


def _spelling_distance(a: str, b: str) -> float:
    """0 for the same word, up to 1 for unrelated spellings: near misses pair up with their word."""
    if a == b:
        return 0.0
    edits = count_errors(align(a, b), len(a)).errors
    return min(1.0, 0.5 + 0.5 * edits / max(len(a), len(b)))


def _heard_words(transcription: Transcription) -> list[tuple[str, float]]:
    """Normalised recognized words with the recognizer's confidence (a phoneme model's transcript has none)."""
    if transcription.words:
        return [
            (w, float(segment.confidence)) for segment in transcription.words for w in normalise_words(segment.word)
        ]
    if transcription.phones:
        return []
    return [(w, 1.0) for w in normalise_words(transcription.text)]


def _phonemes_of(word: str) -> list[str]:
    try:
        return list(word_ipa(word).phonemes)
    except TextError:
        return []


def _prepared(
    audio: PreparedAudio | np.ndarray | bytes | str, sr: int, options: AudioOptions, filename: str | None
) -> PreparedAudio:
    if isinstance(audio, PreparedAudio):
        return audio
    if isinstance(audio, np.ndarray):
        return prepare_audio((audio, sr), options)
    return prepare_audio(audio, options, filename=filename)


def _lap(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


# -- command line ------------------------------------------------------------
EXIT_BAD_INPUT = 2


def _quiet_streamlit() -> None:
    """Outside ``streamlit run`` Streamlit warns about a missing runtime on every cache call."""
    import streamlit

    streamlit.config.set_option("global.showWarningOnDirectExecution", False)

    for name in list(logging.root.manager.loggerDict):
        if name == "streamlit" or name.startswith("streamlit."):
            logging.getLogger(name).setLevel(logging.ERROR)


def _cli_manager(model: str) -> ASRModelManager:
    manager = ASRModelManager(default_model=DEFAULT_MODEL)
    manager.load_model(model)
    if manager.notice:
        print(f"note: {manager.notice}", file=sys.stderr)
    return manager


def _read_batch(path: str) -> list[tuple[str, str] | str]:
    """Lines of ``audio path<TAB>reference text``; a malformed line becomes its error message."""
    rows: list[tuple[str, str] | str] = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            line = line.rstrip("\n").rstrip("\r")
            if not line.strip():
                continue
            parts = line.split("\t", 1)
            if len(parts) != 2:
                rows.append(f"line {number}: expected 'audio path<TAB>reference text'")
            else:
                rows.append((parts[0].strip(), parts[1]))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m analysis_pipeline",
        description="Score a recording against a reference text; prints JSON.",
    )
    parser.add_argument("audio", nargs="?", help="audio file (wav, flac, ogg, mp3)")
    parser.add_argument("reference", nargs="?", help="the text that was read")
    parser.add_argument("--model", default=DEFAULT_MODEL, help="Hub id, local folder or 'offline'")
    parser.add_argument("--batch", metavar="FILE.tsv", help="lines of: audio path<TAB>reference text")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    _quiet_streamlit()

    if args.batch:
        try:
            rows = _read_batch(args.batch)
        except (OSError, UnicodeDecodeError) as error:
            print(f"error: cannot read batch file {args.batch}: {error.__class__.__name__}", file=sys.stderr)
            return EXIT_BAD_INPUT
        pipeline = AnalysisPipeline(_cli_manager(args.model))
        for row in rows:
            if isinstance(row, str):
                print(json.dumps({"error": row}), flush=True)
                continue
            audio_path, reference = row
            try:
                result = pipeline.run(audio_path, reference, filename=audio_path)
                print(json.dumps(result.to_dict(), ensure_ascii=False), flush=True)
            except (AudioError, TextError) as error:
                print(json.dumps({"error": f"{audio_path}: {error}"}, ensure_ascii=False), flush=True)
        return 0

    if not args.audio or args.reference is None:
        parser.print_usage(sys.stderr)
        print("error: give AUDIO and \"REFERENCE TEXT\", or --batch FILE.tsv", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        g2p(args.reference)  # refuse bad text before loading any model
        prepared = prepare_audio(args.audio, AudioOptions(), filename=args.audio)
        result = AnalysisPipeline(_cli_manager(args.model)).run(prepared, args.reference)
    except (AudioError, TextError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(json.dumps(result.to_dict(), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
