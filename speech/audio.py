"""Audio in: decode an upload or a recording, check it, and prepare it for recognition.

Everything the app hears goes through :func:`prepare_audio`: it decodes WAV, FLAC, OGG or
MP3 bytes (or a path, or an array with its sample rate), refuses what cannot be used with an
:class:`AudioError` whose text is a short message for the learner, mixes to mono, resamples
to 16 kHz and applies the enhancement steps chosen in :class:`AudioOptions`:

* ``vad_trim``: cut leading and trailing silence found by an energy voice-activity detector,
  keeping a little padding around the speech;
* ``noise_reduction``: spectral gating against a noise profile taken from the non-speech part;
* ``normalise``: bring the speech to a common level without letting peaks clip.

Decoding uses soundfile (libsndfile) only. Length limits are checked from the file header
before the samples are read, so an over-long upload is refused cheaply.

Run ``python -m speech.audio FILE`` to see what the app would make of a file.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import math
import os
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Union

import numpy as np
import soundfile as sf
import soxr

from speech.cleanup import normalise, reduce_noise, trim_bounds

logger = logging.getLogger(__name__)

TARGET_SAMPLE_RATE = 16_000
MIN_SECONDS = 0.3
DEFAULT_MAX_SECONDS = 60.0

SUPPORTED_FORMATS_TEXT = "WAV, FLAC, OGG or MP3"
MIN_SAMPLE_RATE = 4_000
MAX_SAMPLE_RATE = 384_000
LOW_SAMPLE_RATE_WARNING = 16_000
HEADER_BYTES = 4096
UNSUPPORTED_EXTENSIONS = frozenset({"webm", "m4a", "mp4", "aac", "wma", "amr"})

# Energy voice-activity detection (frames of 25 ms every 10 ms).
VAD_FRAME_S = 0.025
VAD_HOP_S = 0.010
VAD_SILENCE_FLOOR_DBFS = -120.0
VAD_ABSOLUTE_FLOOR_DBFS = -65.0  # frames quieter than this are never speech
VAD_NOISE_PERCENTILE = 10.0  # the noise floor is this percentile of frame levels
VAD_LOW_MARGIN_DB = 6.0  # frames this far above the floor may extend a speech segment
VAD_HIGH_MARGIN_DB = 10.0  # frames this far above the floor start a speech segment
VAD_HIGH_MIN_DBFS = -58.0
VAD_MIN_CORE_S = 0.05  # a segment needs this much clearly-loud audio (drops clicks)
VAD_MERGE_GAP_S = 0.30  # pauses shorter than this stay inside one segment

# Level checks.
CLIP_LEVEL = 0.999
CLIP_FRACTION = 0.001
QUIET_SPEECH_DBFS = -35.0
NOISY_SNR_DB = 15.0


MSG_EMPTY = "The recording is empty. Please record again or choose another file."
MSG_UNREADABLE = (
    "We couldn't read this audio. Please upload a WAV, FLAC, OGG or MP3 file, or record again."
)
MSG_NOT_FOUND = "We couldn't find that audio file."
MSG_INVALID_SAMPLES = (
    "This audio contains invalid sample values, so we can't use it. Please record again."
)
MSG_NO_SPEECH = (
    "We couldn't hear any speech in this recording. Check that your microphone is on, "
    "then speak clearly and close to it, away from background noise."
)
MSG_BAD_RATE = "This audio has an unusual sample rate, so we can't use it. Please record again."
WARN_CLIPPING = (
    "Your recording is so loud that it is distorted (clipping). Move a little further from "
    "the microphone or lower its volume."
)
WARN_QUIET = (
    "Your recording is very quiet. Move closer to the microphone or turn its volume up."
)
WARN_NOISY = "There is a lot of background noise in this recording. A quieter place will help."
WARN_NOISY_HINT = " You can also turn on noise reduction in Advanced Settings."
WARN_TRUNCATED = "The end of this file seems to be missing; we used the part we could read."

AudioSource = Union[bytes, bytearray, memoryview, str, os.PathLike, BinaryIO]


class AudioError(ValueError):
    """Audio that cannot be used; ``str(error)`` is a short message for the learner."""


@dataclass(frozen=True)
class AudioOptions:
    """Which enhancement steps to apply, and the longest accepted recording."""

    vad_trim: bool = True
    noise_reduction: bool = False
    normalise: bool = True
    max_seconds: float = DEFAULT_MAX_SECONDS

    def to_dict(self) -> dict[str, Any]:
        return {
            "vad_trim": self.vad_trim,
            "noise_reduction": self.noise_reduction,
            "normalise": self.normalise,
            "max_seconds": self.max_seconds,
        }


@dataclass
class PreparedAudio:
    """Audio ready for recognition, with what was measured and done on the way.

    ``peak``, ``rms_dbfs`` and ``speech_ratio`` describe the recording as received (mono,
    16 kHz, before enhancement): they are what the warnings talk about.
    """

    samples: np.ndarray
    sample_rate: int
    duration_s: float
    original_sample_rate: int
    original_channels: int
    original_duration_s: float
    warnings: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    peak: float = 0.0
    rms_dbfs: float = VAD_SILENCE_FLOOR_DBFS
    speech_ratio: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Everything except the samples, as plain JSON-ready values."""
        return {
            "sample_rate": int(self.sample_rate),
            "duration_s": round(float(self.duration_s), 4),
            "original_sample_rate": int(self.original_sample_rate),
            "original_channels": int(self.original_channels),
            "original_duration_s": round(float(self.original_duration_s), 4),
            "warnings": list(self.warnings),
            "steps": list(self.steps),
            "peak": round(float(self.peak), 6),
            "rms_dbfs": round(float(self.rms_dbfs), 2),
            "speech_ratio": round(float(self.speech_ratio), 4),
        }


@dataclass(frozen=True)
class _Activity:
    """Frame levels and the speech found in them."""

    segments: list[tuple[float, float]]
    noise_floor_dbfs: float
    speech_dbfs: float


# ---------------------------------------------------------------------------
# Decoding
# ---------------------------------------------------------------------------


def _format_seconds(seconds: float) -> str:
    if seconds >= 60:
        minutes, rest = divmod(int(round(seconds)), 60)
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    if seconds >= 10:
        return f"{seconds:.0f} seconds"
    return f"{seconds:.2g} seconds" if seconds < 1 else f"{seconds:.1f} seconds"


def _too_long_error(seconds: float | None, max_seconds: float) -> AudioError:
    """``seconds`` is None when the file did not say how long it is."""
    length = f" ({_format_seconds(seconds)})" if seconds is not None else ""
    return AudioError(
        f"This recording is too long{length}. The limit is "
        f"{_format_seconds(max_seconds)}; please record or upload a shorter clip."
    )


def _too_short_error(seconds: float) -> AudioError:
    return AudioError(
        f"This recording is too short ({seconds:.2f} s). Please record at least "
        f"{MIN_SECONDS:g} seconds of speech."
    )


def _sniff_unsupported(header: bytes, filename: str | None) -> str | None:
    """Name the format of a file libsndfile could not open, when we recognise it."""
    if header.startswith(b"\x1a\x45\xdf\xa3"):
        return "WebM"
    if header[4:8] == b"ftyp":
        return "MP4/M4A"
    if (header.startswith(b"ID3") or header[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")) and (
        "MP3" not in sf.available_formats()
    ):
        return "MP3"
    suffix = Path(filename).suffix.lower().lstrip(".") if filename else ""
    if suffix in UNSUPPORTED_EXTENSIONS:
        return suffix.upper()
    return None


def _unsupported_error(kind: str) -> AudioError:
    return AudioError(
        f"{kind} audio isn't supported here. Please upload a {SUPPORTED_FORMATS_TEXT} file, "
        "or record again."
    )


def _wav_is_truncated(header: bytes, total_size: int) -> bool:
    """True when a RIFF/WAVE file declares more sample data than it holds."""
    if len(header) < 12 or header[:4] != b"RIFF" or header[8:12] != b"WAVE":
        return False
    pos = 12
    while pos + 8 <= len(header):
        chunk_id = header[pos : pos + 4]
        (size,) = struct.unpack("<I", header[pos + 4 : pos + 8])
        if chunk_id == b"data":
            if size in (0, 0xFFFFFFFF, 0x7FFFFFFF):  # streaming writers leave these
                return False
            return pos + 8 + size > total_size
        pos += 8 + size + (size & 1)
    return False


def _open_source(
    data: AudioSource, filename: str | None
) -> tuple[BinaryIO | str, bytes, int, str | None]:
    """Return something soundfile can open, the first bytes, the total size and a name."""
    if isinstance(data, (str, os.PathLike)):
        path = Path(data)
        if not path.is_file():
            raise AudioError(MSG_NOT_FOUND)
        try:
            with path.open("rb") as handle:
                header = handle.read(HEADER_BYTES)
            size = path.stat().st_size
        except OSError as exc:
            logger.warning("Cannot open audio file %s: %s", path, exc)
            raise AudioError(MSG_UNREADABLE) from exc
        return str(path), header, size, filename or path.name
    if isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
    elif hasattr(data, "getvalue"):
        raw = bytes(data.getvalue())  # e.g. Streamlit's UploadedFile
    elif hasattr(data, "read"):
        raw = bytes(data.read())
    else:
        raise TypeError(f"unsupported audio source type: {type(data).__name__}")
    name = filename or getattr(data, "name", None)
    return io.BytesIO(raw), raw[:HEADER_BYTES], len(raw), name if isinstance(name, str) else None


def decode_audio(
    data: AudioSource,
    filename: str | None = None,
    *,
    max_seconds: float | None = None,
) -> tuple[np.ndarray, int]:
    """Decode audio bytes or a file into float32 samples and their sample rate.

    Returns a 1-D array for mono audio and a ``(frames, channels)`` array otherwise. When
    ``max_seconds`` is given, longer audio is refused from the header before the samples
    are decoded, and never more than ``max_seconds`` (plus a frame) is read.
    """
    samples, sample_rate, _ = _decode(data, filename, max_seconds)
    return samples, sample_rate


def _decode(
    data: AudioSource, filename: str | None, max_seconds: float | None
) -> tuple[np.ndarray, int, bool]:
    """Decode; also say whether the file looked truncated."""
    source, header, size, name = _open_source(data, filename)
    if size == 0:
        raise AudioError(MSG_EMPTY)
    try:
        with sf.SoundFile(source) as handle:
            sample_rate = int(handle.samplerate)
            declared = int(handle.frames)
            if not MIN_SAMPLE_RATE <= sample_rate <= MAX_SAMPLE_RATE:
                logger.info("Refusing audio at %d Hz", sample_rate)
                raise AudioError(MSG_BAD_RATE)
            limit = None
            if max_seconds is not None:
                limit = int(math.ceil(max_seconds * sample_rate)) + 1
                if 0 < declared < sys.maxsize and declared > limit:
                    raise _too_long_error(declared / sample_rate, max_seconds)
            frames = -1 if limit is None else limit + 1
            samples = handle.read(frames=frames, dtype="float32", always_2d=True)
    except AudioError:
        raise
    except (sf.SoundFileError, RuntimeError, TypeError, ValueError, EOFError) as exc:
        logger.info("Cannot decode audio %s (%d bytes): %s", name, size, exc)
        unsupported = _sniff_unsupported(header, name)
        if unsupported:
            raise _unsupported_error(unsupported) from exc
        raise AudioError(MSG_UNREADABLE) from exc
    if limit is not None and samples.shape[0] > limit:
        raise _too_long_error(None, max_seconds or 0.0)
    if samples.shape[0] == 0:
        raise AudioError(MSG_EMPTY)
    truncated = _wav_is_truncated(header, size)
    if truncated:
        logger.info("WAV %s declares more data than it holds; using what is there", name)
    if samples.shape[1] == 1:
        samples = samples[:, 0]
    return np.ascontiguousarray(samples), sample_rate, truncated


def _array_input(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """Turn a caller's array into float32 ``(frames,)`` or ``(frames, channels)``."""
    array = np.asarray(samples)
    if array.size == 0:
        raise AudioError(MSG_EMPTY)
    if not MIN_SAMPLE_RATE <= int(sample_rate) <= MAX_SAMPLE_RATE:
        raise AudioError(MSG_BAD_RATE)
    if array.ndim > 2:
        raise AudioError(MSG_UNREADABLE)
    if array.ndim == 2 and array.shape[0] <= 8 < array.shape[1]:
        array = array.T  # (channels, frames) as librosa gives it
    if np.issubdtype(array.dtype, np.integer):
        info = np.iinfo(array.dtype)
        if info.min < 0:
            offset, scale = 0.0, float(-info.min)
        else:  # unsigned samples centre on the middle of their range
            offset = scale = (info.max + 1) / 2.0
        array = (array.astype(np.float64) - offset) / scale
    elif not np.issubdtype(array.dtype, np.floating):
        raise AudioError(MSG_UNREADABLE)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    return np.ascontiguousarray(array, dtype=np.float32)


# ---------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------


def _to_mono(samples: np.ndarray) -> np.ndarray:
    if samples.ndim == 1:
        return samples.astype(np.float32, copy=False)
    return samples.mean(axis=1, dtype=np.float64).astype(np.float32)


def _resample(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    if sample_rate == TARGET_SAMPLE_RATE:
        return samples.astype(np.float32, copy=False)
    out = soxr.resample(samples.astype(np.float32), sample_rate, TARGET_SAMPLE_RATE, quality="HQ")
    return np.ascontiguousarray(out, dtype=np.float32)


def _dbfs(rms: float) -> float:
    if rms <= 0 or not math.isfinite(rms):
        return VAD_SILENCE_FLOOR_DBFS
    return max(VAD_SILENCE_FLOOR_DBFS, 20.0 * math.log10(rms))


def _frame_levels(samples: np.ndarray, sample_rate: int) -> tuple[np.ndarray, int, int]:
    """Frame RMS levels in dBFS, with the frame and hop lengths in samples."""
    frame = max(1, int(round(VAD_FRAME_S * sample_rate)))
    hop = max(1, int(round(VAD_HOP_S * sample_rate)))
    x = np.asarray(samples, dtype=np.float64)
    if x.size < frame:
        x = np.pad(x, (0, frame - x.size))
    windows = np.lib.stride_tricks.sliding_window_view(x, frame)[::hop]
    power = np.mean(windows * windows, axis=1)
    with np.errstate(divide="ignore"):
        levels = 10.0 * np.log10(power)
    return np.maximum(levels, VAD_SILENCE_FLOOR_DBFS), frame, hop


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Start and end (exclusive) indices of the runs of True in a boolean array."""
    padded = np.concatenate(([False], mask, [False]))
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2])]


def _activity(samples: np.ndarray, sample_rate: int) -> _Activity:
    """Find speech by frame energy with two thresholds relative to the noise floor.

    Frames clearly above the floor ("core") start a segment; frames a little above it
    extend the segment to catch weak onsets and endings. Segments need a minimum amount
    of core audio (so clicks are ignored) and close pauses are merged.
    """
    levels, frame, hop = _frame_levels(samples, sample_rate)
    floor = float(np.percentile(levels, VAD_NOISE_PERCENTILE))
    low = max(VAD_ABSOLUTE_FLOOR_DBFS, floor + VAD_LOW_MARGIN_DB)
    high = max(VAD_HIGH_MIN_DBFS, floor + VAD_HIGH_MARGIN_DB)
    core = levels >= high
    min_core = max(1, int(round(VAD_MIN_CORE_S / VAD_HOP_S)))
    duration = len(samples) / sample_rate
    segments: list[tuple[float, float]] = []
    speech_frames = np.zeros(levels.shape, dtype=bool)
    for start, end in _runs(levels >= low):
        if int(core[start:end].sum()) < min_core:
            continue
        t0 = start * hop / sample_rate
        t1 = min(duration, ((end - 1) * hop + frame) / sample_rate)
        if segments and t0 - segments[-1][1] < VAD_MERGE_GAP_S:
            segments[-1] = (segments[-1][0], t1)
        else:
            segments.append((t0, t1))
        speech_frames[start:end] = True
    if speech_frames.any():
        speech_power = np.mean(10.0 ** (levels[speech_frames] / 10.0))
        speech_dbfs = _dbfs(math.sqrt(speech_power))
    else:
        speech_dbfs = VAD_SILENCE_FLOOR_DBFS
    return _Activity(
        segments=[(round(a, 4), round(b, 4)) for a, b in segments],
        noise_floor_dbfs=floor,
        speech_dbfs=speech_dbfs,
    )


def speech_segments(samples: np.ndarray, sr: int) -> list[tuple[float, float]]:
    """Spans of speech ``(start_s, end_s)`` found by an energy voice-activity detector."""
    mono = _to_mono(np.asarray(samples, dtype=np.float32))
    if mono.size == 0:
        return []
    return _activity(mono, int(sr)).segments


def _clipped(samples: np.ndarray) -> bool:
    if samples.size == 0:
        return False
    fraction = float(np.count_nonzero(np.abs(samples) >= CLIP_LEVEL)) / samples.size
    return fraction > CLIP_FRACTION



# ---------------------------------------------------------------------------
# The whole path
# ---------------------------------------------------------------------------


def prepare_audio(
    data: AudioSource | tuple[np.ndarray, int],
    options: AudioOptions = AudioOptions(),
    filename: str | None = None,
) -> PreparedAudio:
    """Decode, check and enhance a recording; raise :class:`AudioError` when it can't be used."""
    warnings: list[str] = []
    truncated = False
    if isinstance(data, tuple):
        array, original_rate = data
        original_rate = int(original_rate)
        decoded = _array_input(array, original_rate)
        seconds = decoded.shape[0] / original_rate
        if seconds > options.max_seconds:
            raise _too_long_error(seconds, options.max_seconds)
    else:
        decoded, original_rate, truncated = _decode(data, filename, options.max_seconds)
    channels = 1 if decoded.ndim == 1 else int(decoded.shape[1])
    original_duration = decoded.shape[0] / original_rate

    if not np.all(np.isfinite(decoded)):
        logger.info("Refusing audio with NaN or infinite samples")
        raise AudioError(MSG_INVALID_SAMPLES)
    if original_duration < MIN_SECONDS:
        raise _too_short_error(original_duration)

    clipped = _clipped(decoded)
    mono = _resample(_to_mono(decoded), original_rate)
    activity = _activity(mono, TARGET_SAMPLE_RATE)
    if not activity.segments:
        logger.info(
            "No speech found (floor %.1f dBFS, peak %.3f)",
            activity.noise_floor_dbfs,
            float(np.max(np.abs(mono))),
        )
        raise AudioError(MSG_NO_SPEECH)

    peak = float(np.max(np.abs(mono)))
    rms_dbfs = _dbfs(float(np.sqrt(np.mean(np.square(mono, dtype=np.float64)))))
    speech_s = sum(end - start for start, end in activity.segments)
    speech_ratio = min(1.0, speech_s / (len(mono) / TARGET_SAMPLE_RATE))

    if truncated:
        warnings.append(WARN_TRUNCATED)
    if original_rate < LOW_SAMPLE_RATE_WARNING:
        warnings.append(
            f"This recording has a low sample rate ({original_rate / 1000:g} kHz), so some "
            "sounds may be harder for the recognizer to tell apart."
        )
    if clipped:
        warnings.append(WARN_CLIPPING)
    if activity.speech_dbfs < QUIET_SPEECH_DBFS:
        warnings.append(WARN_QUIET)
    if activity.speech_dbfs - activity.noise_floor_dbfs < NOISY_SNR_DB:
        warnings.append(WARN_NOISY if options.noise_reduction else WARN_NOISY + WARN_NOISY_HINT)

    steps: list[str] = []
    out = mono
    segments = activity.segments
    if options.noise_reduction:
        out = reduce_noise(out, TARGET_SAMPLE_RATE, segments)
        steps.append("noise_reduction")
    if options.vad_trim:
        first, last = trim_bounds(len(out), TARGET_SAMPLE_RATE, segments, MIN_SECONDS)
        if last - first < len(out):
            offset = first / TARGET_SAMPLE_RATE
            kept = (last - first) / TARGET_SAMPLE_RATE
            segments = [(max(0.0, a - offset), min(kept, b - offset)) for a, b in segments]
            out = out[first:last]
            steps.append("vad_trim")
    if options.normalise:
        out, gain_db = normalise(out, TARGET_SAMPLE_RATE, segments)
        if gain_db:
            steps.append("normalise")
            logger.debug("Normalised by %+.1f dB", gain_db)
    out = np.clip(out, -1.0, 1.0).astype(np.float32, copy=False)

    logger.info(
        "Prepared audio: %.2f s at %d Hz x%d -> %.2f s; steps %s; warnings %d",
        original_duration,
        original_rate,
        channels,
        len(out) / TARGET_SAMPLE_RATE,
        steps,
        len(warnings),
    )
    return PreparedAudio(
        samples=out,
        sample_rate=TARGET_SAMPLE_RATE,
        duration_s=len(out) / TARGET_SAMPLE_RATE,
        original_sample_rate=original_rate,
        original_channels=channels,
        original_duration_s=original_duration,
        warnings=warnings,
        steps=steps,
        peak=peak,
        rms_dbfs=rms_dbfs,
        speech_ratio=speech_ratio,
    )


def to_wav_bytes(samples: np.ndarray, sample_rate: int) -> bytes:
    """Encode samples (floats in -1..1, mono or frames x channels) as 16-bit PCM WAV."""
    array = np.nan_to_num(np.asarray(samples, dtype=np.float32), nan=0.0, posinf=1.0, neginf=-1.0)
    buffer = io.BytesIO()
    sf.write(buffer, np.clip(array, -1.0, 1.0), int(sample_rate), format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check and prepare a recording as the app would.")
    parser.add_argument("path", help="audio file (WAV, FLAC, OGG or MP3)")
    parser.add_argument("--no-trim", action="store_true", help="keep leading/trailing silence")
    parser.add_argument("--denoise", action="store_true", help="apply noise reduction")
    parser.add_argument("--no-normalise", action="store_true", help="keep the original level")
    parser.add_argument("--max-seconds", type=float, default=DEFAULT_MAX_SECONDS)
    parser.add_argument("--out", help="write the prepared 16 kHz audio to this WAV file")
    args = parser.parse_args(argv)
    options = AudioOptions(
        vad_trim=not args.no_trim,
        noise_reduction=args.denoise,
        normalise=not args.no_normalise,
        max_seconds=args.max_seconds,
    )
    try:
        prepared = prepare_audio(args.path, options)
    except AudioError as exc:
        print(json.dumps({"error": str(exc)}))
        return 1
    result = prepared.to_dict()
    result["speech_segments"] = speech_segments(prepared.samples, prepared.sample_rate)
    if args.out:
        Path(args.out).write_bytes(to_wav_bytes(prepared.samples, prepared.sample_rate))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
