"""Shared fixtures: a tiny real Wav2Vec2 CTC model saved to a temp folder, and a clean model cache."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Streamlit warns about a missing runtime on every cached call outside `streamlit run`.
logging.getLogger("streamlit").setLevel(logging.ERROR)

TINY_VOCAB = ["<pad>", "<s>", "</s>", "<unk>", "|"] + list("ABCDEFGHIJKLMNOPQRSTUVWXYZ'")


def build_tiny_ctc_model(folder: Path, seed: int = 0) -> Path:
    """A Wav2Vec2ForCTC with random weights and a real character processor, saved with save_pretrained."""
    import torch

    from speech.transformers_import import transformers_classes

    Wav2Vec2Config, Wav2Vec2CTCTokenizer, Wav2Vec2FeatureExtractor, Wav2Vec2ForCTC, Wav2Vec2Processor = (
        transformers_classes(
            "Wav2Vec2Config", "Wav2Vec2CTCTokenizer", "Wav2Vec2FeatureExtractor", "Wav2Vec2ForCTC", "Wav2Vec2Processor"
        )
    )

    folder.mkdir(parents=True, exist_ok=True)
    vocab_file = folder / "vocab.json"
    vocab_file.write_text(json.dumps({token: i for i, token in enumerate(TINY_VOCAB)}))
    tokenizer = Wav2Vec2CTCTokenizer(
        str(vocab_file), unk_token="<unk>", pad_token="<pad>", word_delimiter_token="|"
    )
    extractor = Wav2Vec2FeatureExtractor(
        feature_size=1, sampling_rate=16_000, padding_value=0.0, do_normalize=True, return_attention_mask=False
    )
    processor = Wav2Vec2Processor(feature_extractor=extractor, tokenizer=tokenizer)
    torch.manual_seed(seed)
    config = Wav2Vec2Config(
        vocab_size=len(TINY_VOCAB),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        conv_dim=(32, 32, 32, 32, 32, 32, 32),
        num_conv_pos_embeddings=16,
        num_conv_pos_embedding_groups=4,
        pad_token_id=0,
        ctc_loss_reduction="mean",
    )
    Wav2Vec2ForCTC(config).save_pretrained(folder)
    processor.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_ctc_model(tmp_path_factory.mktemp("tiny-ctc-a"))


@pytest.fixture(scope="session")
def other_tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_ctc_model(tmp_path_factory.mktemp("tiny-ctc-b"), seed=1)


@pytest.fixture()
def clean_model_cache():
    """Every test starts and ends with an empty shared model cache."""
    from asr_model import clear_model_cache

    clear_model_cache()
    yield
    clear_model_cache()


@pytest.fixture
def isolated_models(tmp_path, monkeypatch):
    """A private data folder, no Hub, and an empty shared model cache before and after the test."""
    from asr_model import clear_model_cache as _clear_model_cache

    monkeypatch.setenv("ACCENT_COACH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    _clear_model_cache()
    yield
    _clear_model_cache()


@pytest.fixture
def isolated_tutor(tmp_path, monkeypatch):
    """A private database, no LLM service configured, and no microphone component on the tutor page."""
    import streamlit_mic_recorder

    from tutor import llm_provider

    monkeypatch.setenv("ACCENT_COACH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ACCENT_COACH_DATABASE_URL", f"sqlite:///{tmp_path / 'tutor.sqlite3'}")
    for name in (llm_provider.ENV_BASE_URL, llm_provider.ENV_MODEL, llm_provider.ENV_API_KEY,
                 llm_provider.ENV_OFFLINE_MODEL):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(llm_provider, "_secret", lambda key: None)
    monkeypatch.setattr(streamlit_mic_recorder, "mic_recorder", lambda **kwargs: None)
