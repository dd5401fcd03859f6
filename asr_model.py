"""Loading, caching and serving the speech recognizer for a browser session.

Two layers:

* :func:`load_hf_model_cached`, :func:`load_offline_engine_cached` (the bundled
  Whisper base + hama engine) and :func:`load_pocketsphinx_cached` are
  ``st.cache_resource`` loaders shared by every session of the server (a small,
  bounded pool of models, one copy each in memory; Streamlit's per-key lock makes
  two sessions that ask at once load once).
* :class:`ASRModelManager` lives in ``st.session_state`` (one per browser session,
  see :mod:`ui.session`). Its :meth:`ASRModelManager.load_model` returns at once when
  the requested model is already loaded: no spinner, no toast, no ``.to(device)``.
  Otherwise it shows a spinner, loads (falling back requested -> default -> the
  bundled offline engine), moves the model to the device once and shows one toast.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from concurrent.futures import Future
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence
from urllib.parse import urlparse

import numpy as np
import streamlit as st

from speech.transcription import ReferenceWord, Transcription, WordEvidence
from speech.transformers_import import transformers_classes

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "facebook/wav2vec2-base-960h"
OFFLINE_MODEL = "offline"
POCKETSPHINX_MODEL = "offline-pocketsphinx"
MODEL_OPTIONS: dict[str, str] = {
    "Wav2Vec2 Base (facebook/wav2vec2-base-960h)": DEFAULT_MODEL,
    "Wav2Vec2 Large (facebook/wav2vec2-large-960h)": "facebook/wav2vec2-large-960h",
    "Phoneme model (facebook/wav2vec2-lv-60-espeak-cv-ft)": "facebook/wav2vec2-lv-60-espeak-cv-ft",
    "Offline (bundled)": OFFLINE_MODEL,
    "Offline, small (pocketsphinx)": POCKETSPHINX_MODEL,
}
OFFLINE_LABEL = "Offline (bundled)"
POCKETSPHINX_LABEL = "Offline, small (pocketsphinx)"
# Engines that are not torch modules: never moved to a device, served as they are.
BUNDLED_ENGINES: frozenset[str] = frozenset({OFFLINE_MODEL, POCKETSPHINX_MODEL})
CACHE_MAX_ENTRIES = int(os.environ.get("ACCENT_COACH_MODEL_POOL", "2"))
HUB_CHECK_TIMEOUT_S = 2.0
HUB_CHECK_TTL_S = 60.0
SAMPLE_RATE = 16_000


class ModelLoadError(RuntimeError):
    """A model could not be loaded; ``reason`` is a short phrase for learners."""

    def __init__(self, model_name: str, reason: str) -> None:
        super().__init__(f"{model_name}: {reason}")
        self.model_name = model_name
        self.reason = reason


# -- process-wide counters ----------------------------------------------------
@dataclass
class LoadCounters:
    """Real loads, skipped loads and seconds spent loading."""

    real_loads: int = 0
    skipped_loads: int = 0
    failed_loads: int = 0
    load_seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


PROCESS_COUNTERS = LoadCounters()
_COUNTERS_LOCK = threading.Lock()


def _count(counters: LoadCounters, **deltas: float) -> None:
    with _COUNTERS_LOCK:
        for name, delta in deltas.items():
            setattr(counters, name, getattr(counters, name) + delta)


# -- device and hub -----------------------------------------------------------
def pick_device() -> str:
    """"cuda" when a CUDA device is available, else "cpu"."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


_hub_state: dict[str, float | bool] = {"checked_at": -1e9, "reachable": False}
_hub_lock = threading.Lock()


def hub_reachable() -> bool:
    """Whether the Hugging Face Hub answers a TCP connection (cached for a minute).

    Without this check transformers retries a missing network for minutes before
    it gives up; with it an offline machine falls back in milliseconds.
    """
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}:
        return False
    with _hub_lock:
        now = time.monotonic()
        if now - float(_hub_state["checked_at"]) < HUB_CHECK_TTL_S:
            return bool(_hub_state["reachable"])
        host = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co")).hostname or "huggingface.co"
        try:
            with socket.create_connection((host, 443), timeout=HUB_CHECK_TIMEOUT_S):
                reachable = True
        except OSError:
            reachable = False
        _hub_state.update(checked_at=now, reachable=reachable)
        return reachable


MODEL_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin", "model.safetensors.index.json",
                      "pytorch_model.bin.index.json")
PROCESSOR_FILES = ("preprocessor_config.json", "vocab.json", "tokenizer_config.json")
NETWORK_REASON = "it needs a network connection to download (no copy on this computer)"


def looks_like_folder(model_name: str) -> bool:
    """Whether a model name is meant as a local folder rather than a Hub id ("org/name")."""
    name = model_name.strip()
    if name.startswith(("/", "~", ".", "\\")) or (len(name) > 1 and name[1] == ":"):
        return True
    return name.count("/") > 1 or Path(name).expanduser().exists()


def describe_folder_problem(model_name: str) -> str | None:
    """Why a local folder cannot be a saved speech model, in plain words; None when it looks complete."""
    folder = Path(model_name.strip()).expanduser()
    try:
        if not folder.exists():
            return f"the folder {folder} does not exist"
        if not folder.is_dir():
            return f"{folder} is a file, not a model folder"
        if not os.access(folder, os.R_OK | os.X_OK):
            return f"the folder {folder} cannot be read (check its permissions)"
        names = {entry.name for entry in folder.iterdir()}
    except OSError:
        return f"the folder {folder} cannot be read (check its permissions)"
    if "config.json" not in names:
        return f"{folder} is not a saved model folder (there is no config.json)"
    missing = []
    if not names.intersection(MODEL_WEIGHT_FILES):
        missing.append("the model weights (model.safetensors or pytorch_model.bin)")
    if not names.intersection(PROCESSOR_FILES):
        missing.append("the processor files (preprocessor_config.json, vocab.json)")
    if missing:
        return f"files are missing in {folder}: " + " and ".join(missing)
    unreadable = [name for name in sorted(names) if not os.access(folder / name, os.R_OK)]
    if unreadable:
        return f"some files in {folder} cannot be read ({', '.join(unreadable[:3])})"
    return None


def _in_local_cache(model_id: str) -> bool:
    """Whether the Hugging Face cache holds a copy of ``model_id`` (its config.json)."""
    try:
        from huggingface_hub import try_to_load_from_cache

        return isinstance(try_to_load_from_cache(model_id, "config.json"), str)
    except Exception:  # an odd id or cache: let transformers try and report
        return True


def _describe_failure(error: BaseException, model_name: str, offline: bool) -> str:
    """One short reason for learners, from the real cause (a bad folder is never "no network")."""
    text = str(error).lower()
    if isinstance(error, MemoryError) or "out of memory" in text:
        return "not enough memory"
    if looks_like_folder(model_name):
        if isinstance(error, PermissionError):
            return f"the folder {Path(model_name.strip()).expanduser()} cannot be read (check its permissions)"
        return describe_folder_problem(model_name) or "the files in the folder are not a usable speech model"
    if offline:
        return NETWORK_REASON
    if "not a valid model identifier" in text or "repository not found" in text or "404" in text:
        return "model not found on Hugging Face"
    if "401" in text or "403" in text or "gated" in text:
        return "access denied (a Hugging Face token may be needed)"
    if "couldn't connect" in text or "connection" in text:
        return NETWORK_REASON
    return "the files are not a usable speech model"


def fallback_notice(used: str, requested: str, reason: str) -> str:
    """The one sentence a learner reads after a fallback: what is used now and the real reason."""
    if reason == NETWORK_REASON and not looks_like_folder(requested):
        return f"Using {model_label(used)}: {model_label(requested)} needs a network connection to download."
    return f"Using {model_label(used)} because {model_label(requested)} could not be loaded: {reason}."


# -- shared loaders ------------------------------------------------------------
@dataclass
class LoadedModel:
    """A model and its processor as the shared cache holds them."""

    name: str
    model: Any
    processor: Any
    load_seconds: float


@st.cache_resource(max_entries=CACHE_MAX_ENTRIES, show_spinner=False)
def load_hf_model_cached(model_name: str, hf_token: str | None) -> LoadedModel:
    """Load a CTC model (Hub id or local folder) once per server; eval mode, on the CPU.

    Honours ``HF_HOME`` (cache), ``HF_TOKEN`` (when no token is given) and
    ``HF_HUB_OFFLINE`` (never touch the network). The token is never logged.
    Raises :class:`ModelLoadError` with a short reason.
    """
    started = time.perf_counter()
    local = Path(model_name).expanduser()
    is_folder = local.is_dir()
    offline = not is_folder and not looks_like_folder(model_name) and not hub_reachable()
    if offline and not _in_local_cache(model_name):  # fail in milliseconds, before importing transformers
        _count(PROCESS_COUNTERS, failed_loads=1)
        logger.warning("could not load model %s: %s", model_name, NETWORK_REASON)
        raise ModelLoadError(model_name, NETWORK_REASON)
    AutoModelForCTC, AutoProcessor = transformers_classes("AutoModelForCTC", "AutoProcessor")
    source = str(local) if is_folder else model_name
    token = hf_token or os.environ.get("HF_TOKEN") or None
    try:
        processor = AutoProcessor.from_pretrained(source, token=token, local_files_only=offline or is_folder)
        model = AutoModelForCTC.from_pretrained(source, token=token, local_files_only=offline or is_folder)
        model.eval()
    except Exception as error:  # any failure becomes one short reason; details go to the log
        _count(PROCESS_COUNTERS, failed_loads=1)
        reason = _describe_failure(error, model_name, offline)
        logger.warning("could not load model %s: %s", model_name, reason)
        logger.debug("loading %s failed", model_name, exc_info=True)
        raise ModelLoadError(model_name, reason) from error
    seconds = time.perf_counter() - started
    _count(PROCESS_COUNTERS, real_loads=1, load_seconds=seconds)
    logger.info("loaded %s in %.2f s", model_name, seconds)
    return LoadedModel(model_name, model, processor, seconds)


@st.cache_resource(max_entries=1, show_spinner=False)
def load_offline_engine_cached() -> LoadedModel:
    """The bundled offline engine (Whisper base + hama), built once per server and shared.

    Missing or damaged weights raise :class:`ModelLoadError` with one short reason.
    """
    from speech.bundled_weights import BundledWeightsError

    started = time.perf_counter()
    try:
        from speech.bundled_engine import BundledEngine

        engine = BundledEngine()
    except BundledWeightsError as error:
        _count(PROCESS_COUNTERS, failed_loads=1)
        logger.warning("could not load the bundled engine: %s", error.reason)
        raise ModelLoadError(OFFLINE_MODEL, error.reason) from error
    except ImportError as error:
        _count(PROCESS_COUNTERS, failed_loads=1)
        logger.warning("could not load the bundled engine: %s", error)
        raise ModelLoadError(OFFLINE_MODEL, f"a package is not installed ({error.name or 'unknown'})") from error
    seconds = time.perf_counter() - started
    _count(PROCESS_COUNTERS, real_loads=1, load_seconds=seconds)
    logger.info("loaded the bundled offline engine in %.2f s", seconds)
    return LoadedModel(OFFLINE_MODEL, engine, engine, seconds)


@st.cache_resource(max_entries=1, show_spinner=False)
def load_pocketsphinx_cached() -> LoadedModel:
    """The small pocketsphinx engine, built once per server."""
    from speech.offline_engine import OfflineEngine

    started = time.perf_counter()
    engine = OfflineEngine()
    seconds = time.perf_counter() - started
    _count(PROCESS_COUNTERS, real_loads=1, load_seconds=seconds)
    logger.info("loaded the pocketsphinx engine in %.2f s", seconds)
    return LoadedModel(POCKETSPHINX_MODEL, engine, engine, seconds)


def clear_model_cache() -> None:
    """Drop every shared model (the next request loads again)."""
    load_hf_model_cached.clear()
    load_offline_engine_cached.clear()
    load_pocketsphinx_cached.clear()


def model_label(model_name: str | None) -> str:
    """A short human name for a model id, folder or the offline engine."""
    if not model_name:
        return "no model"
    if model_name == OFFLINE_MODEL:
        return OFFLINE_LABEL
    if model_name == POCKETSPHINX_MODEL:
        return POCKETSPHINX_LABEL
    for label, name in MODEL_OPTIONS.items():
        if name == model_name:
            return label.split(" (")[0]
    return Path(model_name).name or model_name


def resolve_model(requested: str, default_model: str, hf_token: str | None) -> tuple[LoadedModel, str | None]:
    """Load ``requested``, else ``default_model``, else the bundled offline engine.

    pocketsphinx is tried last, only when the bundled engine's weights are missing or damaged.
    Returns the loaded model and, after a fallback, one short sentence for the learner.
    """
    fallbacks = (default_model, OFFLINE_MODEL, POCKETSPHINX_MODEL)
    candidates = [requested] + [m for m in fallbacks if m != requested]
    reasons: list[str] = []
    for name in candidates:
        try:
            loaded = _load(name, hf_token)
        except ModelLoadError as error:
            reasons.append(error.reason)
            continue
        except Exception as error:  # the offline engine failing is unexpected: keep the details in the log
            logger.exception("could not load %s", name)
            reasons.append(type(error).__name__)
            continue
        if name == requested:
            return loaded, None
        return loaded, fallback_notice(name, requested, reasons[0])
    raise ModelLoadError(requested, "no speech model could be loaded (" + "; ".join(
        f"{model_label(name)}: {reason}" for name, reason in zip(candidates, reasons)) + ")")


def _load(name: str, hf_token: str | None) -> LoadedModel:
    if name == OFFLINE_MODEL:
        return load_offline_engine_cached()
    if name == POCKETSPHINX_MODEL:
        return load_pocketsphinx_cached()
    return load_hf_model_cached(name, hf_token)


def backend_for(loaded: LoadedModel, device: str) -> Any:
    """The object that transcribes and assesses for a loaded model."""
    if loaded.name in BUNDLED_ENGINES:
        return loaded.model
    from speech.hf_ctc_backend import HFCTCBackend

    return HFCTCBackend(loaded.model, loaded.processor, device, loaded.name)


# -- the per-session manager --------------------------------------------------
def in_streamlit_page() -> bool:
    """True while a Streamlit script runs (``streamlit run`` or AppTest), False in the CLI and benches."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    return get_script_run_ctx(suppress_warning=True) is not None


@contextlib.contextmanager
def _spinner(text: str) -> Iterator[None]:
    if in_streamlit_page():
        with st.spinner(text):
            yield
    else:
        yield


def _tell(kind: str, message: str) -> None:
    """A toast or a warning on the page; outside a page the log keeps it."""
    if in_streamlit_page():
        if kind == "toast":
            st.toast(message)
        else:
            st.warning(message, icon=":material/info:")
    else:
        logger.info(message)


@dataclass(frozen=True)
class WarmUpOutcome:
    """What the session's warm-up found: the model it loaded for ``requested`` (None: none) and why."""

    requested: str
    model_name: str | None
    notice: str | None


@dataclass
class ASRModelManager:
    """The speech model of one browser session (kept in ``st.session_state``).

    ``load_model`` is called before every analysis and every conversation turn; it
    returns at once when ``model`` and ``processor`` are set and ``model_name``
    equals the request (or the request already led to a fallback in this session).
    """

    default_model: str = DEFAULT_MODEL
    model_options: dict[str, str] = field(default_factory=lambda: dict(MODEL_OPTIONS))
    device: str = field(default_factory=pick_device)
    model: Any = None
    processor: Any = None
    model_name: str | None = None
    requested_name: str | None = None
    notice: str | None = None
    counters: LoadCounters = field(default_factory=LoadCounters)
    backend: Any = None
    warm_up_outcome: WarmUpOutcome | None = None
    _warmup: Future | None = field(default=None, repr=False)
    _warmup_requested: str | None = field(default=None, repr=False)

    @property
    def warming_up(self) -> bool:
        """True while the session's background warm-up is still loading."""
        return self._warmup is not None and not self._warmup.done()

    def load_model(self, model_name: str | None, hf_token: str | None = None) -> None:
        requested = (model_name or self.default_model).strip()
        if (
            self.model is not None
            and self.processor is not None
            and requested in (self.model_name, self.requested_name)
        ):
            if requested == self.model_name:  # the learner now asks for what is in use: no fallback to tell
                self.requested_name, self.notice = requested, None
            _count(self.counters, skipped_loads=1)
            _count(PROCESS_COUNTERS, skipped_loads=1)
            return
        started = time.perf_counter()
        with _spinner(f"Loading {model_label(requested)}…"):
            self.wait_for_warm_up()
            loaded, notice = resolve_model(requested, self.default_model, hf_token)
            model = loaded.model
            if loaded.name not in BUNDLED_ENGINES:
                model = model.to(self.device)
        self.model, self.processor = model, loaded.processor
        self.model_name, self.requested_name, self.notice = loaded.name, requested, notice
        self.backend = backend_for(LoadedModel(loaded.name, model, loaded.processor, 0.0), self.device)
        _count(self.counters, real_loads=1, load_seconds=time.perf_counter() - started)
        if notice:
            _tell("warning", notice)
        logger.info("%s is ready on %s", model_label(self.model_name), self.device.upper())

    def transcribe(self, audio: np.ndarray, sr: int = SAMPLE_RATE) -> Transcription:
        """Transcribe 16 kHz mono float audio with the loaded model."""
        self._require_loaded()
        if sr != SAMPLE_RATE:
            raise ValueError(f"audio must be {SAMPLE_RATE} Hz, got {sr}")
        return self.backend.transcribe(np.asarray(audio, dtype=np.float32), sr)

    def assess(self, audio: np.ndarray, sr: int, words: Sequence[ReferenceWord]) -> list[WordEvidence]:
        """Acoustic evidence per reference word from the loaded model."""
        self._require_loaded()
        return self.backend.assess(np.asarray(audio, dtype=np.float32), sr, words)

    def transcribe_and_assess(
        self, audio: np.ndarray, sr: int, words: Sequence[ReferenceWord]
    ) -> tuple[Transcription, list[WordEvidence]]:
        """Both at once; a backend that can share one forward pass for the two does so."""
        self._require_loaded()
        samples = np.asarray(audio, dtype=np.float32)
        combined = getattr(self.backend, "transcribe_and_assess", None)
        if combined is not None:
            return combined(samples, sr, words)
        return self.backend.transcribe(samples, sr), self.backend.assess(samples, sr, words)

    def warm_up(self, model_name: str | None, hf_token: str | None = None) -> Future:
        """Start loading ``model_name`` into the shared cache in a background thread.

        The session's own ``load_model`` then finds it cached, and ``warm_up_outcome`` says
        which model that will be (and why, after a fallback) before the first analysis. Safe
        to call on every rerun: a thread starts only for a request not warmed up yet, and
        never while another warm-up of the session runs.
        """
        requested = (model_name or self.default_model).strip()
        if self._warmup is not None and (not self._warmup.done() or self._warmup_requested == requested):
            return self._warmup
        future: Future = Future()
        self._warmup_requested = requested

        def run() -> None:
            try:
                loaded, notice = resolve_model(requested, self.default_model, hf_token)
                self.warm_up_outcome = WarmUpOutcome(requested, loaded.name, notice)
                future.set_result(loaded.name)
            except BaseException as error:  # reported by load_model later; never crash the thread
                logger.warning("warm-up of %s failed: %s", requested, error)
                reason = error.reason if isinstance(error, ModelLoadError) else "no speech model could be loaded"
                self.warm_up_outcome = WarmUpOutcome(requested, None, reason)
                future.set_exception(error)

        threading.Thread(target=run, name="asr-warm-up", daemon=True).start()
        self._warmup = future
        return future

    def wait_for_warm_up(self) -> None:
        if self._warmup is not None and not self._warmup.done():
            try:
                self._warmup.result()
            except BaseException:  # load_model reports its own failure
                pass

    def reset(self) -> None:
        """Forget the loaded model (after the shared cache was cleared)."""
        self.model = self.processor = self.backend = None
        self.model_name = self.requested_name = self.notice = None
        self.warm_up_outcome = None
        self._warmup = None

    def status(self) -> dict[str, Any]:
        """What the "Model status" panel shows."""
        return {
            "model": model_label(self.model_name),
            "model_id": self.model_name,
            "requested": self.requested_name,
            "device": self.device,
            "notice": self.notice,
            "session": self.counters.to_dict(),
            "process": PROCESS_COUNTERS.to_dict(),
        }

    def _require_loaded(self) -> None:
        if self.backend is None:
            raise RuntimeError("no model loaded: call load_model first")
