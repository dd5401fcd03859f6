"""Make synthetic test speech with the offline TTS engines installed on the machine.

Voices are named ``"flite:<voice>"`` (kal, kal16, slt, rms, awb) or
``"espeak:<voice>"`` (en-us, en, en-us+f3, ...). Clips can be slowed down or sped
up, mixed with noise at a given SNR, resampled and made stereo with sox, so the
tests and the evaluation set cover what real uploads look like.

Run it to rebuild ``tests/data/speech/`` (small WAVs and ``manifest.tsv``)::

    .venv/bin/python tests/data/make_speech.py

``bench/eval_set/build_eval_set.py`` imports :func:`render` from here.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
SPEECH_DIR = HERE / "speech"
ESPEAK_BASE_WPM = 165
LEAD_SILENCE_S = 0.25


@dataclass(frozen=True)
class Condition:
    """How one clip is rendered."""

    voice: str = "flite:slt"
    rate: float = 1.0  # >1 is faster speech
    sample_rate: int = 16000
    channels: int = 1
    snr_db: float | None = None  # None: clean
    noise: str = "pinknoise"  # a sox synth noise type


def _run(cmd: list[str]) -> None:
    logger.debug("running %s", cmd)
    subprocess.run(cmd, check=True, capture_output=True)


def synthesize(text: str, voice: str, rate: float, out_wav: Path) -> None:
    """Speak ``text`` with one TTS voice into ``out_wav`` (the engine's own rate)."""
    engine, _, name = voice.partition(":")
    if engine == "flite":
        stretch = f"{1.0 / rate:.3f}"
        _run(["flite", "-voice", name, "--setf", f"duration_stretch={stretch}", "-t", text, "-o", str(out_wav)])
    elif engine == "espeak":
        wpm = str(int(round(ESPEAK_BASE_WPM * rate)))
        _run(["espeak-ng", "-v", name, "-s", wpm, "-w", str(out_wav), text])
    else:
        raise ValueError(f"unknown TTS engine in voice {voice!r}")


def render(text: str, cond: Condition, out_path: Path) -> None:
    """Synthesize ``text`` under ``cond`` and write it to ``out_path`` (WAV or FLAC by suffix)."""
    if shutil.which("sox") is None:
        raise RuntimeError("sox is required")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        raw = tmp / "raw.wav"
        synthesize(text, cond.voice, cond.rate, raw)
        # Pad with a little silence, convert rate and channels in one sox call.
        padded = tmp / "padded.wav"
        _run(["sox", str(raw), "-b", "16", "-r", str(cond.sample_rate), "-c", str(cond.channels), str(padded),
              "pad", str(LEAD_SILENCE_S), str(LEAD_SILENCE_S)])
        final = padded
        if cond.snr_db is not None:
            final = tmp / "noisy.wav"
            _mix_noise(padded, final, cond)
        samples, sr = sf.read(final, dtype="int16", always_2d=True)
        out_path.parent.mkdir(parents=True, exist_ok=True)
        data = samples if cond.channels > 1 else samples[:, 0]
        sf.write(out_path, data, sr, subtype="PCM_16")


def _mix_noise(clean: Path, out: Path, cond: Condition) -> None:
    """Add sox-made noise at ``cond.snr_db`` below the speech level (repeatable: sox -R)."""
    samples, sr = sf.read(clean, dtype="float32", always_2d=True)
    speech = samples[np.abs(samples).max(axis=1) > 1e-3]
    speech_rms = float(np.sqrt(np.mean(speech**2))) if speech.size else 0.05
    noise_rms = speech_rms / (10 ** (cond.snr_db / 20.0))
    duration = samples.shape[0] / sr
    noise = out.with_name("noise.wav")
    _run(["sox", "-R", "-n", "-b", "16", "-r", str(sr), "-c", str(cond.channels), str(noise),
          "synth", f"{duration:.4f}", cond.noise])
    noise_samples, _ = sf.read(noise, dtype="float32", always_2d=True)
    n = min(len(noise_samples), len(samples))
    noise_samples = noise_samples[:n]
    scale = noise_rms / max(float(np.sqrt(np.mean(noise_samples**2))), 1e-9)
    mixed = samples[:n] + scale * noise_samples
    peak = float(np.abs(mixed).max())
    if peak > 0.99:
        mixed = mixed * (0.99 / peak)
    sf.write(out, mixed, sr, subtype="PCM_16")


# Test clips: (file stem, reference text, spoken text, swapped word index, condition)
TEST_CLIPS: tuple[tuple[str, str, str, int, Condition], ...] = (
    ("ship_correct_slt", "The ship left the harbor at noon", "The ship left the harbor at noon", -1,
     Condition("flite:slt")),
    ("ship_swapped_slt", "The ship left the harbor at noon", "The sheep left the harbor at noon", 1,
     Condition("flite:slt")),
    ("think_correct_rms", "I think we should go home now", "I think we should go home now", -1,
     Condition("flite:rms")),
    ("think_swapped_rms", "I think we should go home now", "I sink we should go home now", 1,
     Condition("flite:rms")),
    ("light_correct_kal_8k", "Please turn on the light in the kitchen",
     "Please turn on the light in the kitchen", -1, Condition("flite:kal16", sample_rate=8000)),
    ("light_swapped_stereo_noisy", "Please turn on the light in the kitchen",
     "Please turn on the right in the kitchen", 4,
     Condition("flite:rms", sample_rate=22050, channels=2, snr_db=20.0)),
    # "read" said as /rɛd/ (spelt "red" so the voice cannot choose): a correct past-tense
    # reading that a present-tense G2P pronunciation /rid/ alone would call wrong.
    ("read_past_espeak", "He read the book last night", "He red the book last night", -1,
     Condition("espeak:en-us", rate=0.85)),
)


def build_test_clips(out_dir: Path = SPEECH_DIR) -> None:
    """Write the small test clips and their manifest."""
    out_dir.mkdir(parents=True, exist_ok=True)
    lines = ["path\treference_text\tspoken_text\tswapped_word_index\tcondition"]
    for stem, reference, spoken, swapped, cond in TEST_CLIPS:
        name = f"{stem}.wav"
        render(spoken, cond, out_dir / name)
        desc = f"{cond.voice} rate={cond.rate} sr={cond.sample_rate} ch={cond.channels} snr={cond.snr_db}"
        lines.append(f"{name}\t{reference}\t{spoken}\t{swapped}\t{desc}")
    (out_dir / "manifest.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    build_test_clips()
    print(f"wrote {len(TEST_CLIPS)} clips to {SPEECH_DIR}")
