"""Where "you read something else" starts: measured on real learner recordings.

Every speechocean762 recording in ``../shared/speechocean762`` (learners reading a prompt) is
compared with its own prompt and with ``--others`` other prompts drawn at random, through
:func:`pronunciation.reading_check.check_reading` (phonemes of what was heard against the
prompt's phonemes). A good threshold keeps own-prompt readings under it and other prompts
over it.

Printed: the distribution of the distance for both cases, the threshold that best separates
them, chosen with cross-validation grouped by speaker (each fold's threshold is picked on the
other speakers and tested on this fold's), agreement counts, the share of random held-out sets
of 12 recordings told apart in at least 11 of 12 cases each way (the issue's target), figures
by prompt length, and the threshold the app uses (``reading_check.THRESHOLD``).

Transcripts come from the app's recognizer (``--model``, slow: one recognition per recording)
or from a folder of cached Whisper results (``--cache DIR``: ``<utt_id>.json`` with a ``text``).

    .venv/bin/python bench/reading_check.py --cache /path/to/whisper-cache [--others 3]
    .venv/bin/python bench/reading_check.py --model offline [--limit 200]

The last line printed is a JSON object with the figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pronunciation import reading_check  # noqa: E402
from pronunciation.phonetics import TextError, g2p, normalise_words  # noqa: E402

DATA_DIR = ROOT.parent / "shared" / "speechocean762"
FOLDS = 5
SET_SIZE = 12  # the held-out check: 12 recordings, each against its own and another prompt
SET_TARGET = 11  # told apart in at least 11 of 12 cases each way
SET_DRAWS = 2000
SEED = 762
LENGTH_BUCKETS = ((1, 3), (4, 5), (6, 99))


@dataclass(frozen=True)
class Recording:
    utt_id: str
    speaker: str
    prompt: str


@dataclass(frozen=True)
class Pair:
    """One recording's transcript against one prompt."""

    utt_id: str
    speaker: str
    own: bool
    prompt_words: int
    distance: float


def load_recordings(data_dir: Path) -> list[Recording]:
    words: dict[str, list[tuple[int, str]]] = defaultdict(list)
    speakers: dict[str, str] = {}
    with open(data_dir / "scores.tsv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            words[row["utt_id"]].append((int(row["word_index"]), row["word"]))
            speakers[row["utt_id"]] = row["speaker"]
    return [
        Recording(utt, speakers[utt], " ".join(w for _, w in sorted(entries)))
        for utt, entries in sorted(words.items())
    ]


def cached_transcripts(folder: Path, recordings: list[Recording]) -> dict[str, str]:
    texts: dict[str, str] = {}
    for recording in recordings:
        path = folder / f"{recording.utt_id}.json"
        if path.is_file():
            texts[recording.utt_id] = str(json.loads(path.read_text(encoding="utf-8")).get("text", ""))
    return texts


def engine_transcripts(model: str, data_dir: Path, recordings: list[Recording]) -> dict[str, str]:
    from analysis_pipeline import _cli_manager, _quiet_streamlit
    from speech.audio import AudioError, AudioOptions, prepare_audio

    _quiet_streamlit()
    manager = _cli_manager(model)
    texts: dict[str, str] = {}
    for number, recording in enumerate(recordings, start=1):
        path = data_dir / "audio" / f"{recording.utt_id}.flac"
        try:
            prepared = prepare_audio(str(path), AudioOptions(), filename=path.name)
        except AudioError:
            continue  # the page would say "no speech" or similar: not this check's business
        transcription = manager.transcribe(prepared.samples, prepared.sample_rate)
        texts[recording.utt_id] = " ".join(w.word for w in transcription.words) or transcription.text
        if number % 100 == 0:
            print(f"  recognised {number}/{len(recordings)}", file=sys.stderr, flush=True)
    return texts


def prompt_sounds(prompt: str) -> list[tuple[str, ...]]:
    return [tuple(p.phonemes) for p in g2p(prompt.lower())]


def make_pairs(recordings: list[Recording], texts: dict[str, str], others: int) -> list[Pair]:
    rng = random.Random(SEED)
    sounds: dict[str, list[tuple[str, ...]]] = {}
    for recording in recordings:
        try:
            sounds[recording.utt_id] = prompt_sounds(recording.prompt)
        except TextError:
            continue
    usable = [r for r in recordings if r.utt_id in texts and r.utt_id in sounds]
    pairs: list[Pair] = []
    for recording in usable:
        heard = normalise_words(texts[recording.utt_id])
        if not heard:
            continue  # nothing heard is never "something else"
        candidates = [r for r in usable if r.speaker != recording.speaker]
        chosen = [(recording, True)] + [(r, False) for r in rng.sample(candidates, others)]
        for prompt_of, own in chosen:
            check = reading_check.check_reading(sounds[prompt_of.utt_id], heard)
            pairs.append(Pair(recording.utt_id, recording.speaker, own,
                              len(prompt_of.prompt.split()), check.distance))
    return pairs


def best_threshold(pairs: list[Pair]) -> float:
    """The cut that minimises the larger of the two error rates (middle of the best range).

    The target is "told apart each way", so neither kind of mistake may be traded for the other.
    """
    own = np.sort([p.distance for p in pairs if p.own])
    other = np.sort([p.distance for p in pairs if not p.own])
    values = np.unique(np.concatenate([own, other]))
    cuts = np.concatenate([[values[0] - 1e-6], (values[:-1] + values[1:]) / 2, [values[-1] + 1e-6]])
    own_errors = 1.0 - np.searchsorted(own, cuts, side="right") / own.size  # own read as "else"
    other_errors = np.searchsorted(other, cuts, side="right") / other.size  # other kept
    worse = np.maximum(own_errors, other_errors)
    best = np.flatnonzero(np.isclose(worse, worse.min()))
    return float(round((cuts[best[0]] + cuts[best[-1]]) / 2, 3))


def agreement(pairs: list[Pair], threshold: float) -> dict[str, int]:
    return {
        "own": sum(p.own for p in pairs),
        "own_kept": sum(p.own and p.distance <= threshold for p in pairs),
        "other": sum(not p.own for p in pairs),
        "other_flagged": sum((not p.own) and p.distance > threshold for p in pairs),
    }


def grouped_folds(pairs: list[Pair], folds: int) -> list[set[str]]:
    speakers = sorted({p.speaker for p in pairs})
    random.Random(SEED).shuffle(speakers)
    return [set(speakers[i::folds]) for i in range(folds)]


def held_out_sets(tested: list[tuple[Pair, float]], draws: int) -> float:
    """Share of random sets of 12 recordings (own + one other prompt each) told apart >= 11/12 each way."""
    by_utt: dict[str, list[tuple[Pair, float]]] = defaultdict(list)
    for pair, threshold in tested:
        by_utt[pair.utt_id].append((pair, threshold))
    utts = sorted(by_utt)
    rng = random.Random(SEED + 1)
    passed = 0
    for _ in range(draws):
        own_ok = other_ok = 0
        for utt in rng.sample(utts, SET_SIZE):
            entries = by_utt[utt]
            own_pair, own_cut = next(e for e in entries if e[0].own)
            other_pair, other_cut = rng.choice([e for e in entries if not e[0].own])
            own_ok += own_pair.distance <= own_cut
            other_ok += other_pair.distance > other_cut
        passed += own_ok >= SET_TARGET and other_ok >= SET_TARGET
    return passed / draws


def percentiles(values: list[float]) -> dict[str, float]:
    points = (0, 1, 5, 10, 50, 90, 95, 99, 100)
    return {f"p{q}": round(float(v), 3) for q, v in zip(points, np.percentile(values, points))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="speechocean762 folder")
    parser.add_argument("--cache", type=Path, help="folder of cached transcripts (<utt_id>.json with 'text')")
    parser.add_argument("--model", default="offline", help="recognizer when there is no --cache")
    parser.add_argument("--others", type=int, default=3, help="other prompts per recording")
    parser.add_argument("--limit", type=int, help="first N recordings only")
    args = parser.parse_args()
    if not (args.data / "scores.tsv").is_file():
        print(f"error: no speechocean762 data in {args.data}", file=sys.stderr)
        return 2

    started = time.perf_counter()
    recordings = load_recordings(args.data)[: args.limit]
    if args.cache:
        texts = cached_transcripts(args.cache, recordings)
        source = f"cache {args.cache}"
    else:
        texts = engine_transcripts(args.model, args.data, recordings)
        source = f"engine {args.model}"
    pairs = make_pairs(recordings, texts, args.others)
    own = [p.distance for p in pairs if p.own]
    other = [p.distance for p in pairs if not p.own]
    print(f"Recordings: {len(recordings)}, with a transcript: {len(texts)} ({source}); "
          f"pairs: {len(own)} own, {len(other)} other prompts; speakers: {len({p.speaker for p in pairs})}")

    print("\nDistance (phonemes heard vs prompt), percentiles")
    own_pct, other_pct = percentiles(own), percentiles(other)
    print(f"{'':14}" + "".join(f"{k:>7}" for k in own_pct))
    print(f"{'own prompt':14}" + "".join(f"{v:7.2f}" for v in own_pct.values()))
    print(f"{'other prompt':14}" + "".join(f"{v:7.2f}" for v in other_pct.values()))
    edges = np.linspace(0.0, 1.0, 11)
    own_hist, _ = np.histogram(own, edges)
    other_hist, _ = np.histogram(other, edges)
    print("\nHistogram      " + "".join(f"{e:>6.1f}" for e in edges[:-1]))
    print(f"{'own prompt':15}" + "".join(f"{n:6d}" for n in own_hist))
    print(f"{'other prompt':15}" + "".join(f"{n:6d}" for n in other_hist))

    print(f"\nCross-validation, {FOLDS} folds grouped by speaker (threshold picked on the other folds)")
    tested: list[tuple[Pair, float]] = []
    fold_rows = []
    for number, speakers in enumerate(grouped_folds(pairs, FOLDS), start=1):
        train = [p for p in pairs if p.speaker not in speakers]
        test = [p for p in pairs if p.speaker in speakers]
        cut = best_threshold(train)
        counts = agreement(test, cut)
        fold_rows.append({"fold": number, "threshold": cut, **counts})
        tested.extend((p, cut) for p in test)
        print(f"  fold {number}: threshold {cut:.3f}  own kept {counts['own_kept']}/{counts['own']}  "
              f"other flagged {counts['other_flagged']}/{counts['other']}")
    cv_own = sum(r["own_kept"] for r in fold_rows) / sum(r["own"] for r in fold_rows)
    cv_other = sum(r["other_flagged"] for r in fold_rows) / sum(r["other"] for r in fold_rows)
    sets_passed = held_out_sets(tested, SET_DRAWS)
    print(f"  held out: own prompt kept {100 * cv_own:.1f} %, other prompt flagged {100 * cv_other:.1f} %")
    print(f"  random held-out sets of {SET_SIZE}: {100 * sets_passed:.1f} % told apart in >= "
          f"{SET_TARGET}/{SET_SIZE} each way")

    chosen = best_threshold(pairs)
    used = reading_check.THRESHOLD
    counts_used = agreement(pairs, used)
    print(f"\nThreshold on all recordings: {chosen:.3f}; the app uses {used:.3f} "
          f"(MIN_SOUNDS {reading_check.MIN_SOUNDS})")
    print(f"  at {used:.3f}: own prompt kept {counts_used['own_kept']}/{counts_used['own']}, "
          f"other prompt flagged {counts_used['other_flagged']}/{counts_used['other']}")
    by_length = {}
    for low, high in LENGTH_BUCKETS:
        bucket = [p for p in pairs if low <= p.prompt_words <= high]
        if bucket:
            counts = agreement(bucket, used)
            by_length[f"{low}-{high}"] = counts
            print(f"  prompts of {low}-{high if high < 99 else '+'} words: own kept {counts['own_kept']}/{counts['own']}, "
                  f"other flagged {counts['other_flagged']}/{counts['other']}")
    print(json.dumps({
        "source": source,
        "recordings": len(texts),
        "own_pairs": len(own),
        "other_pairs": len(other),
        "own_distance": own_pct,
        "other_distance": other_pct,
        "cv_folds": fold_rows,
        "cv_own_kept": round(cv_own, 4),
        "cv_other_flagged": round(cv_other, 4),
        "cv_sets_of_12_passed": round(sets_passed, 4),
        "threshold_all": chosen,
        "threshold_used": used,
        "min_sounds": reading_check.MIN_SOUNDS,
        "at_threshold_used": counts_used,
        "by_prompt_length": by_length,
        "seconds": round(time.perf_counter() - started, 1),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
