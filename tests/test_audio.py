"""Tests for audio.py: decoding, the hardening checks and each enhancement toggle.

Speech comes from espeak-ng when it is installed, otherwise from a synthetic voiced signal
with syllable-like bursts; every fixture file is generated in a temporary folder.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess

import numpy as np
import pytest
import soundfile as sf

from speech import audio, cleanup
from speech.audio import (
    MIN_SECONDS,
    TARGET_SAMPLE_RATE,
    AudioError,
    AudioOptions,
    PreparedAudio,
    decode_audio,
    prepare_audio,
    speech_segments,
    to_wav_bytes,
)

RAW = AudioOptions(vad_trim=False, noise_reduction=False, normalise=False)
SENTENCE = "Please call Stella and ask her to bring these things with her from the store."


def synthetic_speech(seconds: float = 2.0, sr: int = 16_000) -> np.ndarray:
    """A voiced, pitch-varying buzz in syllable-like bursts with short pauses."""
    t = np.arange(int(seconds * sr)) / sr
    f0 = 120.0 + 25.0 * np.sin(2 * np.pi * 1.5 * t)
    phase = 2 * np.pi * np.cumsum(f0) / sr
    voiced = sum(np.sin(k * phase) / k for k in range(1, 12))
    envelope = np.clip(np.sin(2 * np.pi * 2.0 * t), 0.0, None) ** 0.6
    signal = voiced * envelope
    return (0.5 * signal / np.max(np.abs(signal))).astype(np.float32)


@pytest.fixture(scope="session")
def speech(tmp_path_factory: pytest.TempPathFactory) -> tuple[np.ndarray, int]:
    """About three seconds of speech, mono float32, peak 0.5, with its sample rate."""
    espeak = shutil.which("espeak-ng")
    if espeak:
        path = tmp_path_factory.mktemp("espeak") / "sentence.wav"
        subprocess.run([espeak, "-w", str(path), SENTENCE], check=True, capture_output=True)
        samples, sr = sf.read(path, dtype="float32")
        samples = 0.5 * samples / np.max(np.abs(samples))
        return samples.astype(np.float32), int(sr)
    return synthetic_speech(3.0), 16_000


def wav_bytes(samples: np.ndarray, sr: int, subtype: str = "PCM_16") -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, samples, sr, format="WAV", subtype=subtype)
    return buffer.getvalue()


def padded(
    samples: np.ndarray, sr: int, before: float = 1.0, after: float = 1.0, noise: float = 1e-4
) -> np.ndarray:
    rng = np.random.default_rng(7)
    out = np.concatenate(
        [np.zeros(int(before * sr)), samples, np.zeros(int(after * sr))]
    ).astype(np.float64)
    out += noise * rng.standard_normal(out.size)
    return out.astype(np.float32)


def level_dbfs(x: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(np.square(x, dtype=np.float64))) + 1e-12))


# --- hardening table ---------------------------------------------------------------


def test_empty_bytes_are_refused() -> None:
    with pytest.raises(AudioError, match="The recording is empty"):
        prepare_audio(b"")


def test_random_bytes_are_refused() -> None:
    data = np.random.default_rng(0).bytes(8000)
    with pytest.raises(AudioError, match="We couldn't read this audio"):
        prepare_audio(data, filename="upload.wav")


def test_text_file_named_wav_is_refused(tmp_path) -> None:
    path = tmp_path / "notes.wav"
    path.write_text("These are my notes, not a recording.\n" * 20)
    with pytest.raises(AudioError, match="We couldn't read this audio"):
        prepare_audio(path)
    with pytest.raises(AudioError, match="We couldn't read this audio"):
        prepare_audio(path.read_bytes(), filename="notes.wav")


@pytest.mark.parametrize("keep", [8, 30, 40])
def test_wav_truncated_inside_header_is_refused(speech, keep: int) -> None:
    data = wav_bytes(*speech)[:keep]
    with pytest.raises(AudioError, match="We couldn't read this audio"):
        prepare_audio(data)


def test_wav_with_header_but_no_samples_is_refused(speech) -> None:
    data = wav_bytes(*speech)[:44]
    with pytest.raises(AudioError, match="The recording is empty"):
        prepare_audio(data)


def test_wav_truncated_in_the_samples_is_used_with_a_warning(speech) -> None:
    samples, sr = speech
    data = wav_bytes(samples, sr)
    cut = data[: 44 + (len(data) - 44) * 2 // 3]
    prepared = prepare_audio(cut, RAW)
    assert audio.WARN_TRUNCATED in prepared.warnings
    assert prepared.original_duration_s == pytest.approx(len(samples) / sr * 2 / 3, abs=0.01)


def test_whole_wav_has_no_truncation_warning(speech) -> None:
    prepared = prepare_audio(wav_bytes(*speech))
    assert audio.WARN_TRUNCATED not in prepared.warnings


def test_nan_samples_are_refused(speech) -> None:
    samples, sr = speech
    broken = samples.copy()
    broken[1000:1010] = np.nan
    with pytest.raises(AudioError, match="invalid sample values"):
        prepare_audio(wav_bytes(broken, sr, subtype="FLOAT"))
    with pytest.raises(AudioError, match="invalid sample values"):
        prepare_audio((broken, sr))


def test_infinite_samples_are_refused(speech) -> None:
    samples, sr = speech
    broken = samples.copy()
    broken[500] = np.inf
    with pytest.raises(AudioError, match="invalid sample values"):
        prepare_audio((broken, sr))


def test_very_short_clip_is_refused() -> None:
    clip = synthetic_speech(0.02)
    with pytest.raises(AudioError, match=r"too short \(0\.02 s\).*at least 0\.3 seconds"):
        prepare_audio(wav_bytes(clip, 16_000))


def test_just_long_enough_clip_is_accepted() -> None:
    clip = synthetic_speech(MIN_SECONDS + 0.2)
    prepared = prepare_audio(wav_bytes(clip, 16_000))
    assert prepared.duration_s >= MIN_SECONDS


def _fail_if_read(*args, **kwargs):
    raise AssertionError("samples were decoded although the header was enough")


def test_eleven_minutes_is_refused_before_decoding(tmp_path, monkeypatch) -> None:
    path = tmp_path / "lecture.wav"
    sf.write(path, np.zeros(11 * 60 * 8_000, dtype=np.int16), 8_000, subtype="PCM_16")
    monkeypatch.setattr(sf.SoundFile, "read", _fail_if_read)
    monkeypatch.setattr(sf, "read", _fail_if_read)
    with pytest.raises(AudioError, match=r"too long \(11 min\)\. The limit is 1 min"):
        prepare_audio(path)
    with pytest.raises(AudioError, match=r"too long \(11 min\)"):
        prepare_audio(path.read_bytes(), filename="lecture.wav")


def test_max_seconds_option_is_honoured(speech) -> None:
    samples, sr = speech
    options = AudioOptions(max_seconds=1.0)
    with pytest.raises(AudioError, match="too long"):
        prepare_audio(wav_bytes(samples, sr), options)
    with pytest.raises(AudioError, match="too long"):
        prepare_audio((samples, sr), options)


def test_decode_never_reads_past_the_limit(speech) -> None:
    samples, sr = speech
    with pytest.raises(AudioError, match="too long"):
        decode_audio(wav_bytes(samples, sr), max_seconds=1.0)
    decoded, rate = decode_audio(wav_bytes(samples, sr), max_seconds=30.0)
    assert rate == sr and decoded.shape == samples.shape


def test_digital_silence_is_refused() -> None:
    with pytest.raises(AudioError, match="couldn't hear any speech"):
        prepare_audio(wav_bytes(np.zeros(32_000, dtype=np.float32), 16_000))


def test_near_silence_is_refused() -> None:
    hiss = 3e-4 * np.random.default_rng(1).standard_normal(48_000)
    with pytest.raises(AudioError, match="couldn't hear any speech"):
        prepare_audio((hiss.astype(np.float32), 16_000))


def test_steady_noise_without_speech_is_refused() -> None:
    hum = 0.05 * np.random.default_rng(2).standard_normal(48_000)
    with pytest.raises(AudioError, match="couldn't hear any speech"):
        prepare_audio((hum.astype(np.float32), 16_000))


def test_8khz_is_accepted_and_resampled(speech) -> None:
    samples, sr = speech
    import soxr

    low = soxr.resample(samples, sr, 8_000).astype(np.float32)
    prepared = prepare_audio(wav_bytes(low, 8_000), RAW)
    assert prepared.sample_rate == TARGET_SAMPLE_RATE
    assert prepared.original_sample_rate == 8_000
    assert prepared.samples.dtype == np.float32
    assert len(prepared.samples) == pytest.approx(len(low) * 2, abs=2)
    assert any("low sample rate (8 kHz)" in w for w in prepared.warnings)


def test_96khz_stereo_is_accepted_as_mono_16khz(speech) -> None:
    samples, sr = speech
    import soxr

    high = soxr.resample(samples, sr, 96_000).astype(np.float32)
    stereo = np.stack([high, 0.5 * high], axis=1)
    prepared = prepare_audio(wav_bytes(stereo, 96_000), RAW)
    assert prepared.original_sample_rate == 96_000
    assert prepared.original_channels == 2
    assert prepared.sample_rate == TARGET_SAMPLE_RATE
    assert prepared.samples.ndim == 1
    assert prepared.duration_s == pytest.approx(len(high) / 96_000, abs=0.01)
    assert prepared.warnings == []


def test_webm_recording_gets_a_format_message() -> None:
    data = b"\x1a\x45\xdf\xa3" + bytes(2000)
    with pytest.raises(AudioError, match=r"WebM audio isn't supported.*WAV, FLAC, OGG or MP3"):
        prepare_audio(data, filename="recording.webm")


def test_mp4_audio_gets_a_format_message() -> None:
    data = b"\x00\x00\x00\x20ftypM4A " + bytes(2000)
    with pytest.raises(AudioError, match=r"MP4/M4A audio isn't supported"):
        prepare_audio(data, filename="voice memo.m4a")


def test_readable_audio_with_a_misleading_extension_is_accepted(speech) -> None:
    prepared = prepare_audio(wav_bytes(*speech), filename="voice memo.m4a")
    assert prepared.duration_s > 1.0


def test_missing_path_is_refused(tmp_path) -> None:
    with pytest.raises(AudioError, match="couldn't find"):
        prepare_audio(tmp_path / "nothing.wav")


# --- upload formats ----------------------------------------------------------------

FORMATS = {
    "wav": ("WAV", "PCM_16"),
    "flac": ("FLAC", "PCM_16"),
    "ogg": ("OGG", "VORBIS"),
    "mp3": ("MP3", "MPEG_LAYER_III"),
}


@pytest.mark.parametrize("extension", sorted(FORMATS))
def test_each_upload_format_is_decoded(tmp_path, speech, extension: str) -> None:
    container, subtype = FORMATS[extension]
    if container not in sf.available_formats() or subtype not in sf.available_subtypes(container):
        pytest.skip(f"this libsndfile ({sf.__libsndfile_version__}) cannot write {extension}")
    samples, sr = speech
    path = tmp_path / f"upload.{extension}"
    sf.write(path, samples, sr, format=container, subtype=subtype)
    expected = len(samples) / sr
    from_path = prepare_audio(path)
    from_bytes = prepare_audio(path.read_bytes(), filename=path.name)
    for prepared in (from_path, from_bytes):
        assert prepared.sample_rate == TARGET_SAMPLE_RATE
        assert prepared.original_sample_rate == sr
        # MP3 encoders add a little padding; the others are exact.
        assert prepared.original_duration_s == pytest.approx(expected, abs=0.1)
        assert prepared.speech_ratio > 0.5
    assert np.allclose(from_path.samples, from_bytes.samples)


def test_file_like_upload_is_accepted(speech) -> None:
    prepared = prepare_audio(io.BytesIO(wav_bytes(*speech)))
    assert prepared.duration_s > 1.0


def test_decode_keeps_channels(speech) -> None:
    samples, sr = speech
    mono, rate = decode_audio(wav_bytes(samples, sr))
    stereo, _ = decode_audio(wav_bytes(np.stack([samples, samples], axis=1), sr))
    assert rate == sr
    assert mono.shape == (len(samples),) and mono.dtype == np.float32
    assert stereo.shape == (len(samples), 2)


def test_integer_and_channels_first_arrays_are_accepted(speech) -> None:
    samples, sr = speech
    as_int16 = np.round(samples * 32767).astype(np.int16)
    from_int = prepare_audio((as_int16, sr), RAW)
    from_float = prepare_audio((samples, sr), RAW)
    assert np.allclose(from_int.samples, from_float.samples, atol=1e-3)
    channels_first = prepare_audio((np.stack([samples, samples]), sr), RAW)
    assert channels_first.original_channels == 2
    assert np.allclose(channels_first.samples, from_float.samples, atol=1e-6)


# --- level warnings ----------------------------------------------------------------


def test_clipping_gives_a_warning(speech) -> None:
    samples, sr = speech
    loud = np.clip(samples * 6.0, -1.0, 1.0)
    prepared = prepare_audio(wav_bytes(loud, sr))
    assert audio.WARN_CLIPPING in prepared.warnings
    assert audio.WARN_CLIPPING not in prepare_audio(wav_bytes(samples, sr)).warnings


def test_very_quiet_recording_gives_a_warning(speech) -> None:
    samples, sr = speech
    prepared = prepare_audio(wav_bytes(samples * 0.02, sr, subtype="FLOAT"))
    assert any(w.startswith("Your recording is very quiet") for w in prepared.warnings)
    assert audio.WARN_QUIET not in prepare_audio(wav_bytes(samples, sr)).warnings


def test_noisy_recording_gives_a_warning_with_a_hint(speech) -> None:
    samples, sr = speech
    noise_level = 0.35 * np.sqrt(np.mean(np.square(samples)))
    noisy = samples + noise_level * np.random.default_rng(3).standard_normal(len(samples))
    prepared = prepare_audio((noisy.astype(np.float32), sr))
    assert audio.WARN_NOISY + audio.WARN_NOISY_HINT in prepared.warnings
    with_nr = prepare_audio((noisy.astype(np.float32), sr), AudioOptions(noise_reduction=True))
    assert audio.WARN_NOISY in with_nr.warnings


# --- enhancement toggles -----------------------------------------------------------


def test_vad_trim_removes_leading_and_trailing_silence(speech) -> None:
    samples, sr = speech
    data = (padded(samples, sr, before=1.0, after=1.5), sr)
    speech_s = len(samples) / sr
    on = prepare_audio(data, AudioOptions(vad_trim=True, normalise=False))
    off = prepare_audio(data, AudioOptions(vad_trim=False, normalise=False))
    assert "vad_trim" in on.steps and "vad_trim" not in off.steps
    assert off.duration_s == pytest.approx(speech_s + 2.5, abs=0.01)
    assert speech_s - 0.3 < on.duration_s <= speech_s + 2 * cleanup.TRIM_PADDING_S + 0.05
    # The speech itself is kept: nearly all the energy survives the trim.
    assert np.sum(on.samples.astype(np.float64) ** 2) == pytest.approx(
        np.sum(off.samples.astype(np.float64) ** 2), rel=0.01
    )


def test_vad_trim_keeps_at_least_the_minimum_length() -> None:
    blip = synthetic_speech(0.12)
    prepared = prepare_audio((padded(blip, 16_000, 0.5, 0.5), 16_000))
    assert prepared.duration_s >= MIN_SECONDS - 1e-3


def test_noise_reduction_lowers_the_noise_and_keeps_the_speech(speech) -> None:
    samples, sr = speech
    rng = np.random.default_rng(4)
    clean = padded(samples, sr, before=1.0, after=1.0, noise=0.0)
    noisy = (clean + 0.01 * rng.standard_normal(clean.size)).astype(np.float32)
    denoise = AudioOptions(vad_trim=False, noise_reduction=True, normalise=False)
    on = prepare_audio((noisy, sr), denoise)
    off = prepare_audio((noisy, sr), RAW)
    reference = prepare_audio((clean, sr), RAW).samples
    assert "noise_reduction" in on.steps and "noise_reduction" not in off.steps
    assert on.samples.shape == off.samples.shape == reference.shape
    assert not np.allclose(on.samples, off.samples)
    lead = slice(0, int(0.8 * TARGET_SAMPLE_RATE))
    assert level_dbfs(on.samples[lead]) < level_dbfs(off.samples[lead]) - 10.0
    speech_part = slice(TARGET_SAMPLE_RATE, int((1.0 + len(samples) / sr) * TARGET_SAMPLE_RATE))
    kept = level_dbfs(on.samples[speech_part])
    assert kept == pytest.approx(level_dbfs(off.samples[speech_part]), abs=3.0)
    # Closer to the clean signal than the noisy input was.
    assert level_dbfs(on.samples - reference) < level_dbfs(off.samples - reference) - 3.0


def test_normalise_brings_quiet_speech_to_the_target_level(speech) -> None:
    samples, sr = speech
    quiet = (samples * 0.05, sr)
    on = prepare_audio(quiet, AudioOptions(vad_trim=False, normalise=True))
    off = prepare_audio(quiet, AudioOptions(vad_trim=False, normalise=False))
    assert "normalise" in on.steps and "normalise" not in off.steps
    assert np.max(np.abs(off.samples)) == pytest.approx(0.05 * 0.5, rel=0.05)
    assert np.max(np.abs(on.samples)) <= cleanup.PEAK_CEILING + 1e-6
    assert level_dbfs(on.samples) > level_dbfs(off.samples) + 15.0
    active = speech_segments(on.samples, on.sample_rate)
    parts = np.concatenate([on.samples[int(a * 16_000) : int(b * 16_000)] for a, b in active])
    assert level_dbfs(parts) == pytest.approx(cleanup.TARGET_SPEECH_DBFS, abs=3.0) or np.max(
        np.abs(on.samples)
    ) == pytest.approx(cleanup.PEAK_CEILING, rel=0.01)


def test_normalise_tames_loud_speech(speech) -> None:
    samples, sr = speech
    loud = (np.clip(samples * 1.9, -1, 1), sr)
    on = prepare_audio(loud, AudioOptions(normalise=True))
    assert "normalise" in on.steps
    assert np.max(np.abs(on.samples)) <= cleanup.PEAK_CEILING + 1e-6


def test_all_steps_off_gives_the_resampled_input(speech) -> None:
    samples, sr = speech
    prepared = prepare_audio((samples, sr), RAW)
    assert prepared.steps == []
    assert prepared.duration_s == pytest.approx(len(samples) / sr, abs=1e-3)
    assert np.max(np.abs(prepared.samples)) == pytest.approx(0.5, rel=0.05)


# --- speech segments, output helpers -----------------------------------------------


def test_speech_segments_find_the_speech(speech) -> None:
    samples, sr = speech
    audible = np.flatnonzero(np.abs(samples) > 0.01)
    first, last = 1.0 + audible[0] / sr, 1.0 + audible[-1] / sr
    segments = speech_segments(padded(samples, sr, before=1.0, after=1.0), sr)
    assert segments
    assert segments[0][0] == pytest.approx(first, abs=0.1)
    assert segments[-1][1] == pytest.approx(last, abs=0.15)
    assert all(a < b for a, b in segments)
    assert speech_segments(np.zeros(16_000, dtype=np.float32), 16_000) == []


def test_to_wav_bytes_round_trips(speech) -> None:
    samples, sr = speech
    data = to_wav_bytes(samples, sr)
    assert data[:4] == b"RIFF"
    back, rate = sf.read(io.BytesIO(data), dtype="float32")
    info = sf.info(io.BytesIO(data))
    assert rate == sr and info.subtype == "PCM_16"
    assert np.allclose(back, samples, atol=1 / 16_000)
    over = to_wav_bytes(np.array([2.0, -3.0, np.nan, 0.25], dtype=np.float32), 16_000)
    assert np.allclose(sf.read(io.BytesIO(over))[0], [1.0, -1.0, 0.0, 0.25], atol=1e-4)


def test_to_dict_is_json_without_samples(speech) -> None:
    prepared = prepare_audio(wav_bytes(*speech))
    assert isinstance(prepared, PreparedAudio)
    payload = prepared.to_dict()
    assert "samples" not in payload
    assert json.loads(json.dumps(payload)) == payload
    assert payload["sample_rate"] == TARGET_SAMPLE_RATE
    assert set(payload) >= {"duration_s", "warnings", "steps", "peak", "rms_dbfs", "speech_ratio"}
    assert prepared.samples.dtype == np.float32 and prepared.samples.ndim == 1


def test_command_line_reports_json(tmp_path, speech, capsys) -> None:
    path = tmp_path / "clip.wav"
    path.write_bytes(wav_bytes(*speech))
    out_path = tmp_path / "prepared.wav"
    assert audio.main([str(path), "--out", str(out_path)]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["sample_rate"] == TARGET_SAMPLE_RATE and report["speech_segments"]
    assert sf.info(out_path).samplerate == TARGET_SAMPLE_RATE
    bad = tmp_path / "bad.wav"
    bad.write_text("nope")
    assert audio.main([str(bad)]) == 1
    assert "couldn't read" in json.loads(capsys.readouterr().out)["error"]
