import io
import shutil

import pytest
import soundfile

from pronunciation import tts

needs_engine = pytest.mark.skipif(tts.tts_engine() is None, reason="no offline TTS engine installed")


def _duration(wav: bytes) -> float:
    info = soundfile.info(io.BytesIO(wav))
    return info.frames / info.samplerate


@needs_engine
def test_synthesis_gives_a_decodable_wav_and_slow_is_longer():
    text = "Turn right at the next light."
    normal = tts.synthesize(text)
    slow = tts.synthesize(text, slow=True)
    assert normal and slow
    samples, rate = soundfile.read(io.BytesIO(normal))
    assert rate >= 8000 and len(samples) > rate * 0.5
    assert abs(samples).max() > 0.01
    assert _duration(slow) > _duration(normal) * 1.2


@needs_engine
def test_results_are_cached():
    assert tts.synthesize("Cached speech.") is tts.synthesize("Cached speech.")


@needs_engine
def test_text_starting_with_a_dash_is_spoken_not_an_option():
    wav = tts.synthesize("--help me please")
    assert wav is not None
    assert _duration(wav) > 0.5


@needs_engine
def test_each_engine_on_path_works(monkeypatch):
    for engine in tts.ENGINE_PREFERENCE:
        if shutil.which(engine) is None:
            continue
        monkeypatch.setattr(tts, "tts_engine", lambda engine=engine: engine)
        wav = tts.synthesize(f"Testing {engine}, one two three.")
        assert wav is not None, engine
        assert _duration(wav) > 0.5


def test_empty_text_gives_none():
    assert tts.synthesize("") is None
    assert tts.synthesize("  \n ") is None


def test_no_engine_on_path_gives_none(monkeypatch):
    monkeypatch.setattr(tts.shutil, "which", lambda name: None)
    assert tts.tts_engine() is None
    assert tts.synthesize("Hello there.") is None


def test_engine_failure_gives_none_and_logs(monkeypatch, caplog, tmp_path):
    broken = tmp_path / "espeak-ng"
    broken.write_text("#!/bin/sh\necho broken >&2\nexit 3\n")
    broken.chmod(0o755)
    monkeypatch.setattr(tts, "ENGINE_PREFERENCE", ("espeak-ng",))
    monkeypatch.setattr(tts.shutil, "which", lambda name: str(broken) if name == "espeak-ng" else None)
    with caplog.at_level("WARNING", logger="tts"):
        assert tts.synthesize("A sentence nobody cached.") is None
    assert "Text-to-speech failed" in caplog.text


def test_a_drill_word_is_padded_so_the_player_shows_a_length() -> None:
    import io

    import soundfile as sf

    from pronunciation.tts import WORD_MIN_SECONDS, synthesize_word, tts_engine

    if tts_engine() is None:
        pytest.skip("no offline text-to-speech engine (flite or espeak-ng) is installed")
    samples, rate = sf.read(io.BytesIO(synthesize_word("ship")))
    assert len(samples) / rate >= WORD_MIN_SECONDS - 0.01
