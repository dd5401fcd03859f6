"""Audio clean-up before recognition: silence trim, noise reduction, level normalisation.

:func:`speech.audio.prepare_audio` applies these steps as :class:`speech.audio.AudioOptions`
chooses, with the speech segments its voice-activity detector found:

* :func:`trim_bounds`: the sample range from just before the first speech to just after the last;
* :func:`reduce_noise`: spectral gating against a noise profile taken from the non-speech part;
* :func:`normalise`: bring the speech to a common level without letting peaks clip.
"""

from __future__ import annotations

import math

import numpy as np

TRIM_PADDING_S = 0.20

# Normalisation.
TARGET_SPEECH_DBFS = -20.0
PEAK_CEILING = 0.95
MAX_GAIN_DB = 30.0
MIN_GAIN_CHANGE_DB = 0.1

# Noise reduction (spectral gating with a soft, Wiener-style gain).
NR_FFT = 512
NR_HOP = 128
NR_OVERSUBTRACTION = 2.0
NR_ATTENUATION_DB = 18.0
NR_SMOOTH_HZ = 100.0
NR_SMOOTH_S = 0.03
NR_SPEECH_MARGIN_S = 0.10
NR_MIN_NOISE_S = 0.25
NR_QUIETEST_FRACTION = 0.2


def trim_bounds(
    n_samples: int, sample_rate: int, segments: list[tuple[float, float]], min_seconds: float
) -> tuple[int, int]:
    """Sample range from just before the first speech to just after the last, padded."""
    duration = n_samples / sample_rate
    start = max(0.0, segments[0][0] - TRIM_PADDING_S)
    end = min(duration, segments[-1][1] + TRIM_PADDING_S)
    shortfall = min_seconds - (end - start)
    if shortfall > 0:
        start = max(0.0, start - shortfall / 2)
        end = min(duration, start + min_seconds)
        start = max(0.0, end - min_seconds)
    return int(round(start * sample_rate)), min(n_samples, int(round(end * sample_rate)))


def _box_smooth(values: np.ndarray, radius: int, axis: int) -> np.ndarray:
    """Moving average of width ``2 * radius + 1`` along one axis, edges held."""
    if radius <= 0:
        return values
    pad = [(0, 0)] * values.ndim
    pad[axis] = (radius + 1, radius)
    cumulative = np.cumsum(np.pad(values, pad, mode="edge"), axis=axis)
    width = 2 * radius + 1
    upper = np.take(cumulative, np.arange(width, cumulative.shape[axis]), axis=axis)
    lower = np.take(cumulative, np.arange(0, cumulative.shape[axis] - width), axis=axis)
    return (upper - lower) / width


def _stft(samples: np.ndarray, window: np.ndarray) -> np.ndarray:
    padded = np.pad(samples.astype(np.float64), (NR_FFT // 2, NR_FFT // 2 + NR_HOP))
    frames = np.lib.stride_tricks.sliding_window_view(padded, NR_FFT)[::NR_HOP]
    return np.fft.rfft(frames * window, axis=1)


def _istft(spectrum: np.ndarray, window: np.ndarray, length: int) -> np.ndarray:
    frames = np.fft.irfft(spectrum, n=NR_FFT, axis=1) * window
    total = NR_HOP * (frames.shape[0] - 1) + NR_FFT
    out = np.zeros(total)
    norm = np.zeros(total)
    for index, frame in enumerate(frames):
        at = index * NR_HOP
        out[at : at + NR_FFT] += frame
        norm[at : at + NR_FFT] += window * window
    out /= np.maximum(norm, 1e-8)
    return out[NR_FFT // 2 : NR_FFT // 2 + length]


def reduce_noise(
    samples: np.ndarray, sample_rate: int, segments: list[tuple[float, float]]
) -> np.ndarray:
    """Spectral gating with a soft gain: damp the time-frequency cells the noise explains.

    The noise spectrum is the average power of the frames away from speech (or of the
    quietest frames when there is too little non-speech audio). Each cell's gain is
    ``1 - k * noise / power`` (power smoothed over nearby cells), never below a floor,
    so steady noise drops by up to ``NR_ATTENUATION_DB`` while speech keeps its level.
    """
    window = np.hanning(NR_FFT + 1)[:-1]
    spectrum = _stft(samples, window)
    power = np.abs(spectrum) ** 2
    times = np.arange(power.shape[0]) * NR_HOP / sample_rate
    noise = np.ones(power.shape[0], dtype=bool)
    for start, end in segments:
        noise &= ~((times >= start - NR_SPEECH_MARGIN_S) & (times <= end + NR_SPEECH_MARGIN_S))
    if noise.sum() * NR_HOP / sample_rate < NR_MIN_NOISE_S:
        count = max(1, int(power.shape[0] * NR_QUIETEST_FRACTION))
        noise = np.zeros(power.shape[0], dtype=bool)
        noise[np.argsort(power.sum(axis=1))[:count]] = True
    noise_power = power[noise].mean(axis=0)
    smoothed = _box_smooth(power, int(round(NR_SMOOTH_S * sample_rate / NR_HOP)), axis=0)
    smoothed = _box_smooth(smoothed, int(round(NR_SMOOTH_HZ / (sample_rate / NR_FFT))), axis=1)
    floor_gain = 10.0 ** (-NR_ATTENUATION_DB / 20.0)
    gain = 1.0 - NR_OVERSUBTRACTION * noise_power / np.maximum(smoothed, 1e-20)
    gain = np.maximum(gain, floor_gain)
    return _istft(spectrum * gain, window, len(samples)).astype(np.float32)


def normalise(
    samples: np.ndarray, sample_rate: int, segments: list[tuple[float, float]]
) -> tuple[np.ndarray, float]:
    """Scale so the speech sits at the target level and the peak stays below the ceiling."""
    parts = [
        samples[int(a * sample_rate) : max(int(a * sample_rate) + 1, int(b * sample_rate))]
        for a, b in segments
    ]
    speech = np.concatenate(parts) if parts else samples
    rms = float(np.sqrt(np.mean(np.square(speech, dtype=np.float64)))) if speech.size else 0.0
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    if rms <= 0 or peak <= 0:
        return samples, 0.0
    gain = min(
        10.0 ** (TARGET_SPEECH_DBFS / 20.0) / rms,
        PEAK_CEILING / peak,
        10.0 ** (MAX_GAIN_DB / 20.0),
    )
    gain_db = 20.0 * math.log10(gain)
    if abs(gain_db) < MIN_GAIN_CHANGE_DB:
        return samples, 0.0
    return (samples * gain).astype(np.float32), gain_db

