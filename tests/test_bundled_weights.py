"""The bundled weights: joined once from their packages, checked by SHA-256, short reasons on failure."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

from speech import bundled_weights
from speech.bundled_weights import (
    HAMA_WEIGHTS,
    WHISPER_MODEL_PARTS,
    WHISPER_SHA256,
    BundledWeightsError,
    PackagedFile,
    cache_root,
    check_hama_weights,
    packaged_path,
    whisper_model_dir,
)

FAKE_PARTS = {"fake_weights_a": b"first half of the model ", "fake_weights_b": b"and the second half"}
FAKE_SIDE = {"config.json": b"{}", "tokenizer.json": b'{"t": 1}', "vocabulary.json": b"[]"}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture()
def fake_packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two importable packages holding small model parts, with the code's hashes pointing at them."""
    site = tmp_path / "site"
    for package, content in FAKE_PARTS.items():
        data = site / package / "data"
        data.mkdir(parents=True)
        (site / package / "__init__.py").write_text("")
        (data / "model.bin.part").write_bytes(content)
    for name, content in FAKE_SIDE.items():
        (site / "fake_weights_b" / "data" / name).write_bytes(content)
    monkeypatch.syspath_prepend(str(site))
    for package in FAKE_PARTS:
        sys.modules.pop(package, None)
    parts = tuple(PackagedFile(p, p.replace("_", "-"), "data/model.bin.part") for p in FAKE_PARTS)
    side = {name: PackagedFile("fake_weights_b", "fake-weights-b", f"data/{name}") for name in FAKE_SIDE}
    hashes = {"model.bin": _sha(b"".join(FAKE_PARTS.values()))} | {n: _sha(c) for n, c in FAKE_SIDE.items()}
    monkeypatch.setattr(bundled_weights, "WHISPER_MODEL_PARTS", parts)
    monkeypatch.setattr(bundled_weights, "WHISPER_SIDE_FILES", side)
    monkeypatch.setattr(bundled_weights, "WHISPER_SHA256", hashes)
    return site


def test_parts_are_joined_in_order_and_checked(fake_packages: Path, tmp_path: Path) -> None:
    folder = whisper_model_dir(tmp_path / "cache")
    assert (folder / "model.bin").read_bytes() == b"".join(FAKE_PARTS.values())
    for name, content in FAKE_SIDE.items():
        assert (folder / name).read_bytes() == content
    assert sorted(p.name for p in folder.iterdir()) == sorted(["model.bin", *FAKE_SIDE]), "no temporary files left"


def test_a_joined_folder_is_reused(fake_packages: Path, tmp_path: Path) -> None:
    folder = whisper_model_dir(tmp_path / "cache")
    before = (folder / "model.bin").stat().st_mtime_ns
    (fake_packages / "fake_weights_a" / "data" / "model.bin.part").unlink()  # the packages are not read again
    assert whisper_model_dir(tmp_path / "cache") == folder
    assert (folder / "model.bin").stat().st_mtime_ns == before


def test_a_damaged_cached_file_is_joined_again(fake_packages: Path, tmp_path: Path) -> None:
    folder = whisper_model_dir(tmp_path / "cache")
    (folder / "model.bin").write_bytes(b"bit rot")
    whisper_model_dir(tmp_path / "cache")
    assert (folder / "model.bin").read_bytes() == b"".join(FAKE_PARTS.values())


def test_a_corrupt_part_gives_one_short_reason_and_no_model(fake_packages: Path, tmp_path: Path) -> None:
    (fake_packages / "fake_weights_b" / "data" / "model.bin.part").write_bytes(b"and the second hal_")
    with pytest.raises(BundledWeightsError) as caught:
        whisper_model_dir(tmp_path / "cache")
    assert caught.value.reason == "the bundled speech model files are damaged (model.bin)"
    assert not (tmp_path / "cache" / bundled_weights.WHISPER_FOLDER / "model.bin").exists()
    assert list((tmp_path / "cache" / bundled_weights.WHISPER_FOLDER).iterdir()) == [], "temporary file removed"


def test_a_missing_package_gives_one_short_reason(fake_packages: Path, tmp_path: Path, monkeypatch) -> None:
    parts = (WHISPER_MODEL_PARTS[0].__class__("no_such_weights_pkg", "no-such-weights-pkg", "data/x"),)
    monkeypatch.setattr(bundled_weights, "WHISPER_MODEL_PARTS", parts)
    with pytest.raises(BundledWeightsError) as caught:
        whisper_model_dir(tmp_path / "cache")
    assert caught.value.reason == "the bundled speech model is not installed (no-such-weights-pkg)"


def test_a_package_without_its_file_counts_as_missing(fake_packages: Path) -> None:
    with pytest.raises(BundledWeightsError, match="not installed"):
        packaged_path(PackagedFile("fake_weights_a", "fake-weights-a", "data/absent.bin"))


def test_hama_weights_with_another_hash_are_refused(monkeypatch) -> None:
    pytest.importorskip("hama", reason="the hama package is not installed")
    monkeypatch.setattr(bundled_weights, "HAMA_SHA256", "0" * 64)
    with pytest.raises(BundledWeightsError) as caught:
        check_hama_weights()
    assert caught.value.reason == "the bundled speech model files are damaged (asr_waveform.hama)"


def test_cache_folder_follows_the_environment(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ACCENT_COACH_MODEL_CACHE", str(tmp_path / "mine"))
    assert cache_root() == tmp_path / "mine"
    monkeypatch.delenv("ACCENT_COACH_MODEL_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "xdg" / "accent-coach"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache_root() == Path.home() / ".cache" / "accent-coach"


def test_the_real_packages_join_into_the_checked_model(tmp_path: Path) -> None:
    for part in WHISPER_MODEL_PARTS:
        pytest.importorskip(part.package, reason=f"{part.distribution} is not installed")
    folder = whisper_model_dir(tmp_path / "cache")
    assert {p.name for p in folder.iterdir()} == set(WHISPER_SHA256)
    assert (folder / "model.bin").stat().st_size == sum(packaged_path(p).stat().st_size for p in WHISPER_MODEL_PARTS)
    pytest.importorskip(HAMA_WEIGHTS.package, reason="the hama package is not installed")
    assert check_hama_weights().name == "asr_waveform.hama"
