"""A 15-turn spoken conversation: per-turn load, ASR and tutor time, naive reload vs guarded manager.

The learner's answers are synthesised offline (``tts.synthesize``) from the sentence set
in ``bench/tutor_sentences.json`` and go through the app's audio checks. Two sessions run
the same 15 turns:

* naive:   every turn builds a fresh manager and loads the speech model again (the shared
           cache is cleared first), as an unguarded page would on each rerun;
* guarded: one ``asr_model.ASRModelManager`` for the session; ``load_model`` before every
           turn returns at once after the first.

The speech model is ``--model base`` (default: a wav2vec2-base-sized CTC model with random
weights saved to a temp folder: the real load and compute cost of
facebook/wav2vec2-base-960h, whose weights cannot be downloaded here) or ``--model offline``
(the bundled pocketsphinx engine, which also gives real transcripts). The tutor is the
offline tutor (rules + curated questions). The last line is a JSON object.

    .venv/bin/python bench/conversation.py [--model base|offline] [--turns 15]
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
logging.getLogger("streamlit").setLevel(logging.ERROR)

import numpy as np  # noqa: E402

from asr_model import OFFLINE_MODEL, ASRModelManager, clear_model_cache  # noqa: E402
from speech.audio import AudioOptions, prepare_audio  # noqa: E402
from conversation_tutor import Conversation, ConversationTutor, run_turn  # noqa: E402

SENTENCES = ROOT / "bench" / "tutor_sentences.json"
FALLBACK_SECONDS = 3.0


def learner_clips(count: int) -> list[tuple[str, np.ndarray]]:
    """(sentence, 16 kHz samples) for ``count`` learner answers, synthesised offline."""
    from pronunciation.tts import synthesize

    data = json.loads(SENTENCES.read_text())
    texts = [item["text"] for pair in zip(data["incorrect"], data["correct"]) for item in pair][:count]
    clips = []
    for text in texts:
        wav = synthesize(text)
        if wav is None:  # no offline voice installed: a neutral tone keeps the timing meaningful
            t = np.arange(int(16_000 * FALLBACK_SECONDS)) / 16_000
            samples = (0.2 * np.sin(2 * np.pi * 200 * t)).astype(np.float32)
        else:
            samples = prepare_audio(wav, AudioOptions()).samples
        clips.append((text, samples))
    return clips


def session(model: str, clips: list[tuple[str, np.ndarray]], naive: bool) -> list[dict[str, float | str]]:
    conversation = Conversation.start("free_conversation", "B1-B2", opening_question="What would you like to talk about today?")
    tutor = ConversationTutor(provider=None, local_model=None)
    manager = ASRModelManager()
    rows = []
    for number, (text, samples) in enumerate(clips, start=1):
        if naive:
            clear_model_cache()
            manager = ASRModelManager()
        started = time.perf_counter()
        manager.load_model(model)
        load_ms = (time.perf_counter() - started) * 1000
        turn = run_turn(conversation, tutor, audio=samples, sample_rate=16_000, manager=manager, model_name=model)
        rows.append({"turn": number, "said": text, "heard": turn.transcript, "load_ms": load_ms,
                     "asr_ms": turn.asr_ms, "tutor_ms": turn.tutor_ms})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=("base", "offline"), default="base")
    parser.add_argument("--turns", type=int, default=15)
    args = parser.parse_args()
    clips = learner_clips(args.turns)
    with tempfile.TemporaryDirectory() as folder:
        if args.model == "base":
            from loading import build_base_sized_model

            build_base_sized_model(Path(folder))
            model = folder
        else:
            model = OFFLINE_MODEL
        results = {}
        for name, naive in (("naive", True), ("guarded", False)):
            clear_model_cache()
            rows = session(model, clips, naive)
            results[name] = rows
            print(f"\n{name}: turn  load_ms  asr_ms  tutor_ms  heard")
            for row in rows:
                print(f"{row['turn']:>11}  {row['load_ms']:>7.0f}  {row['asr_ms']:>6.0f}  {row['tutor_ms']:>8.1f}  "
                      f"{str(row['heard'])[:60]!r}")
    summary: dict[str, float | int | str] = {"model": args.model, "turns": len(clips)}
    for name, rows in results.items():
        summary[f"{name}_total_ms"] = round(sum(float(r["load_ms"]) + float(r["asr_ms"]) for r in rows), 1)
        summary[f"{name}_median_asr_ms"] = round(statistics.median(float(r["asr_ms"]) for r in rows), 1)
        summary[f"{name}_median_load_ms"] = round(statistics.median(float(r["load_ms"]) for r in rows), 2)
        summary[f"{name}_median_tutor_ms"] = round(statistics.median(float(r["tutor_ms"]) for r in rows), 2)
    summary["guarded_after_first_load_ms_max"] = round(max(float(r["load_ms"]) for r in results["guarded"][1:]), 3)
    summary["speedup"] = round(float(summary["naive_total_ms"]) / max(float(summary["guarded_total_ms"]), 1e-9), 2)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
