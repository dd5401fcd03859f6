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
from tutor.topics import topic_title

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


def _page(key: str | None = None) -> AppTest:
    """The Progress page in a browser session that opens ``?profile=<key>`` (or no key)."""
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    if key:
        at.query_params["profile"] = key
    return at


def _profile(db: storage.Storage, name: str) -> tuple[str, str]:
    """A local profile as the app issues it: (link key, storage id)."""
    key = learner.new_key()
    db.upsert_learner(learner.storage_id(key), name)
    return key, learner.storage_id(key)


def _seed(db: storage.Storage, learner_id: str, topic: str = "travel") -> None:
    start = datetime.now(timezone.utc) - timedelta(days=3)
    for day, score in enumerate((50.0, 65.0, 80.0)):
        db.save_analysis(learner_id, _result(score, start + timedelta(days=day)))
    conversation = db.start_conversation(learner_id, topic, "B1-B2", "practice", "Where did you go?")
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
    key, anna = _profile(db, "Anna")
    _seed(db, anna)
    _seed(db, _profile(db, "Bob")[1])
    at = _page(key).run()
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
    assert set(review["Times missed"]) == {3}
    assert set(review["Next review"]) == {"Now"}
    assert list(review.columns) == ["Word", "Next review", "Times missed"], "no jargon, no empty column"
    assert any("Practise them" in md.value for md in at.markdown)
    assert list(history["Score"]) == ["80", "65", "50"]
    assert list(conversations["Topic"]) == ["Travel"]
    assert list(conversations["Mode"]) == ["Practice"]

    assert [b.label for b in at.download_button] == ["Download CSV", "Download JSON"]
    rows = list(csv.DictReader(io.StringIO(downloads["accent-coach-anna.csv"].decode("utf-8-sig"))))
    assert [row["kind"] for row in rows] == ["analysis", "analysis", "analysis", "turn"]
    exported = json.loads(downloads["accent-coach-anna.json"])
    assert exported["learner_id"] == anna and len(exported["analyses"]) == 3


def test_delete_needs_confirmation_and_removes_everything(db: storage.Storage) -> None:
    key, anna = _profile(db, "Anna")
    _seed(db, anna)
    _, bob = _profile(db, "Bob")
    _seed(db, bob)
    at = _page(key).run()
    at.button(key="progress_delete").click().run()
    assert not at.exception
    assert any("cannot be undone" in w.value for w in at.warning)
    assert len(db.list_analyses(anna)) == 3  # nothing gone yet

    at.button(key="progress_delete_cancel").click().run()
    assert not at.warning
    assert len(db.list_analyses(anna)) == 3

    at.button(key="progress_delete").click().run()
    at.button(key="progress_delete_yes").click().run()
    assert not at.exception
    assert db.list_analyses(anna) == []
    assert db.review_words(anna) == []
    assert any("deleted" in s.value for s in at.success)
    assert len(at.info) == 1  # back to the empty state
    assert len(db.list_analyses(bob)) == 3  # other learners untouched
    # the deleted history's link is dead: the session moved to a new key, same label
    assert at.query_params["profile"] != key
    assert db.find_learner(anna) is None
    renewed = db.find_learner(learner.storage_id(at.query_params["profile"]))
    assert renewed is not None and renewed.display_name == "Anna"
    assert _page(key).run().query_params["profile"] != key


def _same_name_session(name: str) -> tuple[AppTest, str]:
    """A new browser (no link) whose learner types ``name``; returns it and its storage id."""
    at = _page().run()
    at.sidebar.text_input(key=learner.NAME_INPUT_KEY).input(name).run()
    return at, learner.storage_id(at.query_params["profile"])


def test_two_learners_with_the_same_name_see_nothing_of_each_other(
    db: storage.Storage, downloads: dict[str, bytes]
) -> None:
    first, first_id = _same_name_session("Anna")
    second, second_id = _same_name_session("Anna")
    assert first_id != second_id
    _seed(db, first_id, topic="travel")

    second.run()
    assert len(second.info) == 1, "the second Anna sees the empty state"
    assert not second.dataframe and not second.download_button

    _seed(db, second_id, topic="food")
    second.run()
    history, conversations = second.dataframe[2].value, second.dataframe[3].value
    assert len(history) == 3 and list(conversations["Topic"]) == [topic_title("food")]
    exported = json.loads(downloads["accent-coach-anna.json"])
    assert exported["learner_id"] == second_id
    assert [c["topic"] for c in exported["conversations"]] == ["food"]
    rows = list(csv.DictReader(io.StringIO(downloads["accent-coach-anna.csv"].decode("utf-8-sig"))))
    assert {row["topic"] for row in rows if row["kind"] == "turn"} == {"food"}

    second.button(key="progress_delete").click().run()
    second.button(key="progress_delete_yes").click().run()
    assert db.list_analyses(second_id) == []
    assert len(db.list_analyses(first_id)) == 3, "deleting one Anna leaves the other alone"
    first.run()
    assert [c for c in first.dataframe[3].value["Topic"]] == [topic_title("travel")]


@pytest.mark.parametrize("kind", ["guessed", "truncated"])
def test_a_guessed_or_truncated_key_sees_nothing(db: storage.Storage, kind: str) -> None:
    key, anna = _profile(db, "Anna")
    _seed(db, anna)
    presented = learner.new_key() if kind == "guessed" else key[: len(key) // 2]
    at = _page(presented).run()
    assert not at.exception
    assert len(at.info) == 1 and not at.dataframe and not at.download_button
    assert at.query_params["profile"] not in (key, presented)
    assert len(db.list_analyses(anna)) == 3


def test_an_old_name_link_brings_its_history_once(db: storage.Storage) -> None:
    db.upsert_learner("anna", "Anna")
    _seed(db, "anna")
    at = _page("Anna").run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Practices"] == "3"
    assert learner.is_well_formed_key(at.query_params["profile"])
    again = _page("Anna").run()
    assert len(again.info) == 1 and not again.dataframe


def test_learner_text_is_escaped(db: storage.Storage) -> None:
    hostile = "[click](javascript:alert(1)) <img src=x onerror=alert(1)> $x$"
    key, learner_id = _profile(db, learner.clean_name(hostile))
    db.save_analysis(learner_id, _result(70.0, datetime.now(timezone.utc), reference=hostile))
    at = _page(key).run()
    assert not at.exception
    caption = next(c.value for c in at.main.caption if c.value.startswith("Profile:"))
    assert "click" in caption, "the label is shown, escaped"
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


def _failed(when: datetime) -> dict:
    result = _result(0.0, when, reference="The cat sat on my mat")
    result["transcript"] = "think about three things"
    result["read_something_else"] = True
    return result


def test_an_attempt_reading_something_else_counts_nowhere(db: storage.Storage) -> None:
    key, anna = _profile(db, "Anna")
    _seed(db, anna)
    db.save_analysis(anna, _failed(datetime.now(timezone.utc)))
    summary = db.progress_summary(anna)
    assert summary["totals"]["analyses"] == 3
    assert [row["score"] for row in summary["score_over_time"]] == [50.0, 65.0, 80.0]
    assert sorted(item.word for item in db.review_words(anna)) == ["things", "think"], "no words queued"
    at = _page(key).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Practices"] == "3" and metrics["Average score"] == "65"
    assert any("1 attempt where a different sentence was read is left out" in c.value for c in at.caption)
    history = at.dataframe[2].value
    assert history["Note"].iloc[0] == "Not counted: other sentence"
    assert history["Score"].iloc[0] == "–"


def test_a_flag_that_is_not_true_is_a_normal_attempt(db: storage.Storage) -> None:
    result = _result(70.0, datetime.now(timezone.utc))
    result["read_something_else"] = None
    key, anna = _profile(db, "Anna")
    db.save_analysis(anna, result)
    assert db.progress_summary(anna)["totals"]["analyses"] == 1
    at = _page(key).run()
    assert "Note" not in at.dataframe[2].value.columns


def test_due_and_later_words_are_listed_apart_in_plain_words(db: storage.Storage) -> None:
    past = datetime.now(timezone.utc) - timedelta(days=2)
    key, anna = _profile(db, "Anna")
    db.save_analysis(anna, _result(50.0, past))
    db.record_review(anna, "think", correct=True)  # due since the failure: one box up, back in a day
    at = _page(key).run()
    assert not at.exception
    texts = [md.value for md in at.markdown]
    assert "1 word is due now." in " ".join(texts)
    due, later = at.dataframe[1].value, at.dataframe[2].value
    assert list(due["Word"]) == ["things"] and list(due["Next review"]) == ["Now"]
    assert list(later["Word"]) == ["think"] and list(later["Next review"]) == ["Tomorrow"]
    assert not any("Nothing is due" in text for text in texts)


def test_nothing_due_is_never_said_above_due_words(db: storage.Storage) -> None:
    past = datetime.now(timezone.utc) - timedelta(days=2)
    key, anna = _profile(db, "Anna")
    db.save_analysis(anna, _result(50.0, past))
    db.record_review(anna, "think", correct=True)
    db.record_review(anna, "things", correct=True)
    at = _page(key).run()
    texts = " ".join(md.value for md in at.markdown)
    assert "Nothing is due right now." in texts and "come back later" in texts
    later = at.dataframe[1].value
    assert set(later["Next review"]) == {"Tomorrow"}


def test_scores_are_drawn_per_sentence(db: storage.Storage) -> None:
    key, anna = _profile(db, "Anna")
    start = datetime.now(timezone.utc) - timedelta(days=3)
    for day, (score, text) in enumerate([(50.0, "Think about three things"), (90.0, "The ship left"),
                                         (70.0, "Think about three things")]):
        db.save_analysis(anna, _result(score, start + timedelta(days=day), reference=text))
    at = _page(key).run()
    assert not at.exception
    chooser = at.selectbox(key="progress_sentence")
    assert chooser.options == ["Think about three things (2 attempts)", "The ship left (1 attempt)"]
    assert len(at.get("vega_lite_chart")) == 1
    chooser.select("The ship left (1 attempt)").run()
    assert not at.exception
    assert any("Practise this sentence again" in c.value for c in at.caption)


def test_only_failed_attempts_still_show_the_history(db: storage.Storage) -> None:
    key, anna = _profile(db, "Anna")
    db.save_analysis(anna, _failed(datetime.now(timezone.utc)))
    at = _page(key).run()
    assert not at.exception
    assert not at.info, "not the empty state: the attempt is in the history"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Practices"] == "0" and metrics["Average score"] == "–"
    assert at.dataframe[-1].value["Note"].iloc[0] == "Not counted: other sentence"
    assert not any("Well done" in c.value for c in at.caption), "no praise for an attempt that did not count"
