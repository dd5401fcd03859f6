from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from progress import database, learner, storage

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "my_progress.py")
TIMEOUT = 30


def _result(score: float, when: datetime, reference: str = "Think about three things") -> dict:
    return {
        "reference_text": reference,
        "transcript": "tink about three tings",
        "model": "test-model",
        "score": score,
        "metrics": {"word_accuracy": 50.0, "wer": 0.5, "phoneme_error_rate": 0.25, "completeness": 100.0},
        "words": [
            {"word": "Think", "status": "mispronounced", "level": "wrong", "score": 40,
             "expected_phonemes": ["θ", "ɪ", "ŋ", "k"], "heard_phonemes": ["t", "ɪ", "ŋ", "k"],
             "phone_errors": [{"expected": "θ", "heard": "t"}]},
            {"word": "about", "status": "correct", "level": "good", "score": 95,
             "expected_phonemes": ["ə", "b", "aʊ", "t"], "heard_phonemes": ["ə", "b", "aʊ", "t"],
             "phone_errors": []},
            {"word": "things", "status": "missing", "level": "wrong", "score": 0,
             "expected_phonemes": ["θ", "ɪ", "ŋ", "z"], "heard_phonemes": [],
             "phone_errors": [{"expected": "θ", "heard": ""}]},
        ],
        "extra_words": [],
        "created_at": when.isoformat(),
    }


@pytest.fixture()
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> storage.Storage:
    monkeypatch.setenv(database.ENV_DATA_DIR, str(tmp_path))
    monkeypatch.setenv(database.ENV_DATABASE_URL, f"sqlite:///{tmp_path / 'progress.sqlite3'}")
    return storage.get_storage()


@pytest.fixture()
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """What the page hands to st.download_button, by file name."""
    captured: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def capture(self, path_or_data, mimetype, kind, filename=None):  # type: ignore[no-untyped-def]
        if filename:
            captured[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", capture)
    return captured


def _page(profile: str | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    if profile:
        at.query_params["profile"] = profile
    return at


def _seed(db: storage.Storage, learner_id: str = "anna") -> None:
    start = datetime.now(timezone.utc) - timedelta(days=3)
    for day, score in enumerate((50.0, 65.0, 80.0)):
        db.save_analysis(learner_id, _result(score, start + timedelta(days=day)))
    conversation = db.start_conversation(learner_id, "travel", "B1-B2", "practice", "Where did you go?")
    db.save_turn(conversation, {"transcript": "I goed to Rome", "has_errors": True,
                                "correction": "I went to Rome", "improved_version": "I went to Rome.",
                                "follow_up_question": "What did you see?"})


def test_empty_state_is_friendly(db: storage.Storage) -> None:
    at = _page().run()
    assert not at.exception
    assert len(at.info) == 1
    assert "do a practice" in at.info[0].value.lower()
    assert not at.dataframe and not at.download_button


def test_progress_with_data_shows_chart_tables_and_exports(
    db: storage.Storage, downloads: dict[str, bytes]
) -> None:
    _seed(db)
    _seed(db, learner_id="bob")
    at = _page("Anna").run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Practices"] == "3"
    assert metrics["Average score"] == "65"
    assert metrics["Best score"] == "80"
    assert metrics["Words to review now"] == "2"

    charts = at.get("vega_lite_chart")
    assert len(charts) == 1

    sounds, review, history, conversations = (df.value for df in at.dataframe)
    assert sounds.to_dict("records") == [
        {"Expected sound": "/θ/", "What was heard": "(left out)", "Times": 3},
        {"Expected sound": "/θ/", "What was heard": "/t/", "Times": 3},
    ]
    assert sorted(review["Word"]) == ["things", "think"]
    assert set(review["Misses"]) == {3}
    assert set(review["When"]) == {"Due now"}
    assert any("Practise them" in md.value for md in at.markdown)
    assert list(history["Score"]) == [80.0, 65.0, 50.0]
    assert list(conversations["Topic"]) == ["travel"]

    assert [b.label for b in at.download_button] == ["Download CSV", "Download JSON"]
    rows = list(csv.DictReader(io.StringIO(downloads["accent-coach-anna.csv"].decode("utf-8-sig"))))
    assert [row["kind"] for row in rows] == ["analysis", "analysis", "analysis", "turn"]
    exported = json.loads(downloads["accent-coach-anna.json"])
    assert exported["learner_id"] == "anna" and len(exported["analyses"]) == 3


def test_delete_needs_confirmation_and_removes_everything(db: storage.Storage) -> None:
    _seed(db)
    _seed(db, learner_id="bob")
    at = _page("Anna").run()
    at.button(key="progress_delete").click().run()
    assert not at.exception
    assert any("cannot be undone" in w.value for w in at.warning)
    assert len(db.list_analyses("anna")) == 3  # nothing gone yet

    at.button(key="progress_delete_cancel").click().run()
    assert not at.warning
    assert len(db.list_analyses("anna")) == 3

    at.button(key="progress_delete").click().run()
    at.button(key="progress_delete_yes").click().run()
    assert not at.exception
    assert db.list_analyses("anna") == []
    assert db.review_words("anna") == []
    assert any("deleted" in s.value for s in at.success)
    assert len(at.info) == 1  # back to the empty state
    assert len(db.list_analyses("bob")) == 3  # other learners untouched


def test_learner_text_is_escaped(db: storage.Storage) -> None:
    hostile = "[click](javascript:alert(1)) <img src=x onerror=alert(1)> $x$"
    learner_id = learner.slugify(learner.clean_name(hostile))
    db.save_analysis(learner_id, _result(70.0, datetime.now(timezone.utc), reference=hostile))
    at = _page(hostile).run()
    assert not at.exception
    caption = at.caption[0].value
    assert "<img" not in caption and "](" not in caption
    # Untrusted text only reaches tables, which render it as plain cells.
    history = at.dataframe[2].value
    assert history["Text"].iloc[0] == hostile


def test_storage_failure_shows_a_short_message(db: storage.Storage, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self, learner_id, now=None):  # type: ignore[no-untyped-def]
        raise storage.StorageError(database.SAVE_FAILED_MESSAGE)

    monkeypatch.setattr(storage.Storage, "progress_summary", broken)
    at = _page().run()
    assert not at.exception
    assert at.error[0].value == database.SAVE_FAILED_MESSAGE
