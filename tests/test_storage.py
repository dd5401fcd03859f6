from __future__ import annotations

import csv
import io
import json
import math
import os
import threading
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from progress import database, records, schema, storage
from progress.storage import Storage, StorageError

T0 = datetime(2025, 5, 1, 9, 0, tzinfo=timezone.utc)


def make_result(
    score: float = 70.0,
    when: datetime = T0,
    words: list[tuple[str, str]] | None = None,
    text: str = "Think about three things",
) -> dict:
    words = words if words is not None else [
        ("Think", "mispronounced"), ("about", "correct"), ("three", "missing"), ("things", "correct"),
    ]
    return {
        "reference_text": text,
        "transcript": "tink about things",
        "model": "test-model",
        "score": score,
        "metrics": {"word_accuracy": 0.5, "wer": 0.5, "phoneme_error_rate": 0.2, "completeness": 0.75},
        "words": [
            {
                "word": word, "status": status, "level": "good" if status == "correct" else "wrong",
                "expected_phonemes": ["θ", "ɪ", "ŋ", "k"], "heard_phonemes": ["t", "ɪ", "ŋ", "k"],
                "score": 90 if status == "correct" else 30,
                "phone_errors": [] if status == "correct" else [{"expected": "θ", "heard": "t" if status != "missing" else ""}],
            }
            for word, status in words
        ],
        "extra_words": [],
        "created_at": when.isoformat(),
    }


@pytest.fixture()
def store(tmp_path: Path) -> Storage:
    instance = Storage(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    yield instance
    instance.close()


def test_fresh_database_is_at_current_schema_with_wal(store: Storage) -> None:
    assert store.schema_version == schema.CURRENT_SCHEMA_VERSION
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == database.SQLITE_BUSY_TIMEOUT_MS
        versions = conn.execute(sa.select(schema.schema_version.c.version)).scalars().all()
    assert versions == [m.version for m in schema.MIGRATIONS]


def test_save_and_list_analysis_round_trip(store: Storage) -> None:
    result = make_result()
    analysis_id = store.save_analysis("anna", result)
    rows = store.list_analyses("anna")
    assert [row["id"] for row in rows] == [analysis_id]
    row = rows[0]
    assert row["reference_text"] == "Think about three things"
    assert row["score"] == 70.0
    assert row["per"] == 0.2 and row["word_accuracy"] == 0.5
    assert row["created_at"] == T0.isoformat()
    assert row["result"] == result
    assert row["has_audio"] is False
    assert store.list_analyses("somebody-else") == []
    assert store.get_analysis("somebody-else", analysis_id) is None


def test_new_storage_on_the_same_file_sees_the_same_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    first = Storage(url)
    first.save_analysis("anna", make_result())
    conversation = first.start_conversation("anna", "travel", "B1-B2", "practice", "Where to?")
    first.save_turn(conversation, {"transcript": "I go Paris", "has_errors": True})
    first.close()

    second = Storage(url)
    assert len(second.list_analyses("anna")) == 1
    assert second.conversation_turns(conversation) == [{"transcript": "I go Paris", "has_errors": True}]
    assert second.latest_open_conversation("anna")["opening_question"] == "Where to?"
    assert [item.word for item in second.review_words("anna", now=T0)] == ["think", "three"]
    second.close()


def test_default_location_follows_the_data_dir_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(database.ENV_DATABASE_URL, raising=False)
    monkeypatch.setenv(database.ENV_DATA_DIR, str(tmp_path / "data"))
    assert database.database_url() == f"sqlite:///{(tmp_path / 'data' / database.DATABASE_FILENAME).as_posix()}"
    instance = storage.get_storage()
    assert storage.get_storage() is instance
    assert instance.audio_dir == tmp_path / "data" / "audio"
    assert (tmp_path / "data" / database.DATABASE_FILENAME).exists()
    monkeypatch.setenv(database.ENV_DATABASE_URL, f"sqlite:///{tmp_path / 'other.sqlite3'}")
    assert storage.get_storage() is not instance


def test_audio_is_written_beside_the_database_and_deleted_with_the_learner(store: Storage) -> None:
    wav = b"RIFF" + bytes(100)
    analysis_id = store.save_analysis("ann@example.com", make_result(), audio_wav=wav)
    assert store.list_analyses("ann@example.com")[0]["has_audio"] is True
    assert store.analysis_audio("ann@example.com", analysis_id) == wav
    assert store.analysis_audio("someone-else", analysis_id) is None
    files = list(store.audio_dir.rglob("*.wav"))
    assert len(files) == 1 and files[0].name == f"{analysis_id}.wav"
    assert files[0].parent.parent == store.audio_dir

    no_audio = store.save_analysis("ann@example.com", make_result())
    assert store.analysis_audio("ann@example.com", no_audio) is None

    store.delete_learner_data("ann@example.com")
    assert list(store.audio_dir.rglob("*.wav")) == []
    assert store.list_analyses("ann@example.com") == []


def test_unsafe_learner_ids_stay_inside_the_audio_folder(store: Storage) -> None:
    for learner_id in ("../../escape", "..", "/etc/passwd", "a/b\\c"):
        store.save_analysis(learner_id, make_result(), audio_wav=b"RIFF")
    for path in store.audio_dir.rglob("*.wav"):
        assert store.audio_dir.resolve() in path.resolve().parents
    assert len(list(store.audio_dir.rglob("*.wav"))) == 4
    assert not (store.audio_dir.parent.parent / "escape").exists()


NEW_ID = "key:" + "ab" * 32  # the shape of a link key's storage id


def _rows_of(store: Storage, learner_id: str) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {table.name: conn.scalar(sa.select(sa.func.count()).select_from(table)
                                        .where(table.c.learner_id == learner_id))
                for table in storage.LEARNER_TABLES}


def test_move_learner_gives_every_row_and_recording_to_the_new_id(store: Storage) -> None:
    store.upsert_learner("anna-muller", "Anna Müller")
    wav = b"RIFF" + bytes(64)
    with_audio = store.save_analysis("anna-muller", make_result(), audio_wav=wav)
    store.save_analysis("anna-muller", make_result(score=90.0))
    conversation = store.start_conversation("anna-muller", "travel", "A2", "practice", "Hi?")
    store.save_turn(conversation, {"transcript": "hello"})
    store.save_analysis("bob", make_result(), audio_wav=wav)
    before = _rows_of(store, "anna-muller")
    assert all(before.values()), before  # every table holds some of Anna's rows

    moved = store.move_learner("anna-muller", NEW_ID)
    assert moved == storage.LearnerRecord(NEW_ID, "Anna Müller", "local")
    assert _rows_of(store, NEW_ID) == before
    assert set(_rows_of(store, "anna-muller").values()) == {0}
    assert store.find_learner("anna-muller") is None
    assert store.conversation_turns(conversation) == [{"transcript": "hello"}]
    assert [c["id"] for c in store.list_conversations(NEW_ID)] == [conversation]
    assert store.analysis_audio(NEW_ID, with_audio) == wav
    assert not (store.audio_dir / "anna-muller").exists()
    assert store.export_json("anna-muller").count('"id"') == 0
    assert len(store.list_analyses("bob")) == 1

    assert store.move_learner("anna-muller", "key:" + "cd" * 32) is None, "the old id moves once"


def test_move_learner_never_merges_into_an_existing_learner(store: Storage) -> None:
    store.save_analysis("anna", make_result())
    store.upsert_learner(NEW_ID, "Someone")
    assert store.move_learner("anna", NEW_ID) is None
    assert len(store.list_analyses("anna")) == 1 and store.list_analyses(NEW_ID) == []
    assert store.move_learner("nobody", "key:" + "cd" * 32) is None


def test_move_learner_rolls_back_when_the_recordings_cannot_move(
        store: Storage, monkeypatch: pytest.MonkeyPatch) -> None:
    analysis_id = store.save_analysis("anna", make_result(), audio_wav=b"RIFF")

    def refuse(self, target):  # type: ignore[no-untyped-def]
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "rename", refuse)
    with pytest.raises(StorageError):
        store.move_learner("anna", NEW_ID)
    monkeypatch.undo()
    assert store.find_learner(NEW_ID) is None
    assert store.analysis_audio("anna", analysis_id) == b"RIFF"


def test_bad_and_hostile_input_is_stored_safely(store: Storage) -> None:
    hostile = "Robert'); DROP TABLE analyses;--"
    weird = {
        "reference_text": hostile,
        "transcript": "\x00nul and <script>alert(1)</script>",
        "model": None,
        "score": float("nan"),
        "metrics": {"word_accuracy": "not a number", "wer": float("inf"), "phoneme_error_rate": None},
        "words": ["not a dict", {"word": hostile, "status": "mispronounced", "phone_errors": "nope"},
                  {"word": None, "status": None}],
        "created_at": "yesterday-ish",
        "extra": {1: {2, 3}},
    }
    analysis_id = store.save_analysis(hostile, weird)
    row = store.get_analysis(hostile, analysis_id)
    assert row["reference_text"] == hostile
    assert "\x00" not in row["transcript"]
    assert row["score"] is None and row["wer"] is None and row["word_accuracy"] is None
    assert row["result"]["score"] is None
    # A result that is not a dict at all still gives a row rather than an error.
    store.save_analysis("anna", "garbage")  # type: ignore[arg-type]
    assert len(store.list_analyses("anna")) == 1
    assert len(store.list_analyses(hostile)) == 1
    with pytest.raises(ValueError):
        store.save_analysis("   ", make_result())
    with pytest.raises(StorageError):
        store.save_turn("no-such-conversation", {"transcript": "hi"})


def test_review_list_from_analyses(store: Storage) -> None:
    store.save_analysis("anna", make_result(when=T0))
    items = store.review_words("anna", now=T0)
    assert [item.word for item in items] == ["think", "three"]
    assert all(item.box == 0 and item.is_due(T0) for item in items)

    # A later correct reading of "think" is a successful review: up one box, not due now.
    later = T0 + timedelta(hours=1)
    store.save_analysis("anna", make_result(when=later, words=[("think", "correct"), ("three", "missing")]))
    by_word = {item.word: item for item in store.review_words("anna", now=later)}
    assert by_word["think"].box == 1 and not by_word["think"].is_due(later)
    assert by_word["three"].lapses == 1 and by_word["three"].is_due(later)
    assert [item.word for item in store.review_words("anna", now=later)] == ["three", "think"]

    # Getting it wrong again resets it.
    again = later + timedelta(days=2)
    store.save_analysis("anna", make_result(when=again, words=[("Think!", "mispronounced")]))
    think = {item.word: item for item in store.review_words("anna", now=again)}["think"]
    assert think.box == 0 and think.lapses == 1

    # Correct words never on the list do not create items.
    store.save_analysis("anna", make_result(when=again, words=[("about", "correct")]))
    assert "about" not in {item.word for item in store.review_words("anna", now=again)}


def test_same_word_twice_in_one_text_counts_once(store: Storage) -> None:
    store.save_analysis("anna", make_result(words=[("the", "mispronounced"), ("the", "correct")]))
    (item,) = store.review_words("anna", now=T0)
    assert item.word == "the" and item.lapses == 0 and item.box == 0


def test_record_review_and_limit(store: Storage) -> None:
    words = [(f"w{i}", "mispronounced") for i in range(30)]
    store.save_analysis("anna", make_result(words=words))
    assert len(store.review_words("anna", now=T0)) == storage.REVIEW_LIMIT
    assert len(store.review_words("anna", now=T0, limit=5)) == 5
    item = store.record_review("anna", "W3", correct=True, now=T0)
    assert item is not None and item.box == 1
    assert store.record_review("anna", "unknown", correct=True, now=T0) is None
    created = store.record_review("anna", "new-word", correct=False, now=T0)
    assert created is not None and created.box == 0
    order = [i.word for i in store.review_words("anna", now=T0, limit=100)]
    assert order[-1] == "w3"  # the only one not due


def test_conversation_lifecycle(store: Storage) -> None:
    first = store.start_conversation("anna", "food", "A2", "exam", "What did you eat today?")
    assert store.latest_open_conversation("anna") == {
        "id": first, "topic": "food", "level": "A2", "mode": "exam",
        "opening_question": "What did you eat today?",
        "started_at": store.latest_open_conversation("anna")["started_at"],
    }
    turns = [{"transcript": f"turn {i}", "has_errors": i % 2 == 0, "correction": "x"} for i in range(3)]
    for turn in turns:
        store.save_turn(first, turn)
    assert store.conversation_turns(first) == turns
    store.end_conversation(first, {"estimated_level": "B1", "issues": ["articles"]})
    assert store.latest_open_conversation("anna") is None
    (listed,) = store.list_conversations("anna")
    assert listed["turn_count"] == 3 and listed["evaluation"]["estimated_level"] == "B1"
    assert listed["ended_at"] is not None
    store.end_conversation("unknown-id")  # ignored


def test_progress_summary(store: Storage) -> None:
    empty = store.progress_summary("anna")
    assert empty["totals"]["analyses"] == 0 and empty["score_over_time"] == []
    assert empty["most_missed_sounds"] == []

    store.save_analysis("anna", make_result(score=60, when=T0))
    store.save_analysis("anna", make_result(score=80, when=T0 + timedelta(days=1),
                                            words=[("Think,", "mispronounced"), ("three", "missing")]))
    conversation = store.start_conversation("anna", "work", "C1-C2", "practice", "What do you do?")
    store.save_turn(conversation, {"transcript": "I am engineer"})
    summary = store.progress_summary("anna", now=T0 + timedelta(days=1))
    totals = summary["totals"]
    assert totals["analyses"] == 2 and totals["average_score"] == 70.0 and totals["best_score"] == 80
    assert totals["latest_score"] == 80 and totals["turns"] == 1 and totals["conversations"] == 1
    assert totals["review_items"] == 2 and totals["review_due"] == 2
    assert [row["score"] for row in summary["score_over_time"]] == [60, 80]
    assert summary["most_missed_sounds"] == [("θ", "", 2), ("θ", "t", 2)]
    assert summary["most_missed_words"] == [("think", 2), ("three", 2)]


def test_exports(store: Storage) -> None:
    store.save_analysis("anna", make_result(text="=HYPERLINK(\"http://evil\")"))
    conversation = store.start_conversation("anna", "travel", "B1-B2", "practice", "Where to?")
    store.save_turn(conversation, {"transcript": "I goed", "has_errors": True, "correction": "I went",
                                   "improved_version": "I went to Rome.", "follow_up_question": "Why?"})
    # The tutor's own turn shape keeps the reply nested.
    store.save_turn(conversation, {"index": 2, "transcript": "It was nice", "has_errors": False,
                                   "reply": {"correction": "No errors.", "improved_version": "It was lovely.",
                                             "follow_up_question": "What did you eat?"}})
    store.save_analysis("bob", make_result())

    data = json.loads(store.export_json("anna"))
    assert data["learner_id"] == "anna"
    assert len(data["analyses"]) == 1 and data["analyses"][0]["result"]["model"] == "test-model"
    assert data["conversations"][0]["turns"][0]["correction"] == "I went"
    assert {item["word"] for item in data["review_items"]} == {"think", "three"}

    raw = store.export_csv("anna")
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [row["kind"] for row in rows] == ["analysis", "turn", "turn"]
    assert rows[2]["tutor_question"] == "What did you eat?" and rows[2]["has_errors"] == "False"
    assert rows[0]["reference_text"].startswith("'=")  # no formula in spreadsheets
    assert rows[0]["problem_words"] == "Think three"
    assert rows[1]["transcript"] == "I goed" and rows[1]["improved_version"] == "I went to Rome."
    assert list(rows[0]) == list(storage.CSV_COLUMNS)


def test_delete_learner_data_removes_only_that_learner(store: Storage) -> None:
    store.save_analysis("anna", make_result())
    conversation = store.start_conversation("anna", "travel", "A2", "practice", "Hi?")
    store.save_turn(conversation, {"transcript": "hello"})
    store.save_analysis("bob", make_result())
    store.delete_learner_data("anna")
    assert store.list_analyses("anna") == []
    assert store.conversation_turns(conversation) == []
    assert store.review_words("anna") == []
    assert store.progress_summary("anna")["totals"]["turns"] == 0
    assert len(store.list_analyses("bob")) == 1
    with store.engine.connect() as conn:
        for table in (schema.analysis_words, schema.sound_errors):
            learners = set(conn.execute(sa.select(table.c.learner_id)).scalars())
            assert learners == {"bob"}


def _insert_version_1_rows(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO learners (id, display_name, source, created_at) "
            "VALUES ('anna', 'Anna', 'local', '2025-01-01 00:00:00')"))
        for day, score in ((1, 55.0), (2, 75.0)):
            result = make_result(score=score, when=T0 + timedelta(days=day))
            conn.execute(sa.text(
                "INSERT INTO analyses (learner_id, created_at, reference_text, transcript, model, score, "
                "result_json) VALUES ('anna', :created, :ref, :tr, 'old-model', :score, :json)"),
                {"created": (T0 + timedelta(days=day)).replace(tzinfo=None), "ref": result["reference_text"],
                 "tr": result["transcript"], "score": score, "json": json.dumps(result)})
        conn.execute(sa.text(
            "INSERT INTO conversations (id, learner_id, topic, level, mode, opening_question, started_at) "
            "VALUES ('c1', 'anna', 'food', 'A2', 'practice', 'Hungry?', '2025-01-02 00:00:00')"))
        conn.execute(sa.text(
            "INSERT INTO turns (conversation_id, position, created_at, transcript, turn_json) "
            "VALUES ('c1', 1, '2025-01-02 00:01:00', 'yes', '{\"transcript\": \"yes\"}')"))


def test_version_1_database_is_migrated_with_data_kept(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = database.create_storage_engine(url)
    assert schema.migrate(engine, target=1) == 1
    _insert_version_1_rows(engine)
    with engine.connect() as conn:
        assert schema.current_version(conn) == 1
        assert not sa.inspect(conn).has_table("review_items")
    engine.dispose()

    store = Storage(url)
    assert store.schema_version == schema.CURRENT_SCHEMA_VERSION
    assert [row["score"] for row in store.list_analyses("anna")] == [75.0, 55.0]
    assert store.conversation_turns("c1") == [{"transcript": "yes"}]
    # The new tables were filled from the stored results.
    summary = store.progress_summary("anna")
    assert summary["most_missed_sounds"][0][2] == 2
    items = store.review_words("anna", now=T0 + timedelta(days=3))
    assert {item.word for item in items} == {"think", "three"}
    assert all(item.lapses == 1 for item in items)  # wrong twice: created, then reset
    # The migrated layout equals the one a fresh database gets.
    fresh = Storage(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    with store.engine.connect() as old_conn, fresh.engine.connect() as new_conn:
        old_inspect, new_inspect = sa.inspect(old_conn), sa.inspect(new_conn)
        assert set(old_inspect.get_table_names()) == set(new_inspect.get_table_names())
        for table in schema.metadata.sorted_tables:
            columns = [c["name"] for c in old_inspect.get_columns(table.name)]
            assert columns == [c.name for c in table.columns]
            assert columns == [c["name"] for c in new_inspect.get_columns(table.name)]
            assert ({i["name"] for i in old_inspect.get_indexes(table.name)}
                    == {i["name"] for i in new_inspect.get_indexes(table.name)})
    store.close()
    fresh.close()


def test_database_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    Storage(url).close()
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(schema.schema_version.insert().values(
            version=schema.CURRENT_SCHEMA_VERSION + 1, description="future",
            applied_at=datetime(2030, 1, 1)))
    engine.dispose()
    with pytest.raises(StorageError) as caught:
        Storage(url)
    assert "newer version" in str(caught.value)


def test_concurrent_writes_from_many_threads(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    shared = Storage(url)
    second = Storage(url)  # like a second server process on the same file
    conversation = shared.start_conversation("anna", "travel", "A2", "practice", "Where?")
    threads_n, per_thread = 8, 6
    errors: list[BaseException] = []
    start = threading.Barrier(threads_n)

    def work(index: int) -> None:
        target = shared if index % 2 else second
        try:
            start.wait()
            for step in range(per_thread):
                target.save_analysis(f"learner-{index % 3}", make_result(score=float(step)))
                target.save_turn(conversation, {"transcript": f"{index}-{step}"})
                target.record_review(f"learner-{index % 3}", "think", correct=step % 2 == 0)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads_n)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    total = sum(len(shared.list_analyses(f"learner-{i}")) for i in range(3))
    assert total == threads_n * per_thread
    turns = shared.conversation_turns(conversation)
    assert len(turns) == threads_n * per_thread
    assert len({t["transcript"] for t in turns}) == threads_n * per_thread
    shared.close()
    second.close()


def test_storage_errors_are_short_user_messages(store: Storage, monkeypatch: pytest.MonkeyPatch) -> None:
    store.engine.dispose()
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE analysis_words")
    with pytest.raises(StorageError) as caught:
        store.save_analysis("anna", make_result())
    assert str(caught.value) == database.SAVE_FAILED_MESSAGE
    assert store.list_analyses("anna") == []  # the failed save left nothing half-written


def test_json_sanitiser() -> None:
    assert records.jsonable({"a": float("nan"), "b": (1, 2), 3: {"x"}}) == {"a": None, "b": [1, 2], "3": ["x"]}
    assert math.isclose(records.number("1.5"), 1.5)
    assert records.number(True) is None


# ---------------------------------------------------------------------------
# The same storage on PostgreSQL. Runs only when a server is named, e.g.
# ACCENT_COACH_TEST_POSTGRES_URL="postgresql+psycopg://postgres@/postgres?host=/tmp/pg&port=5432"
# (needs the psycopg driver); each run uses a fresh schema that it drops afterwards.
# ---------------------------------------------------------------------------

POSTGRES_URL = os.environ.get("ACCENT_COACH_TEST_POSTGRES_URL", "")


@pytest.fixture()
def postgres_url() -> str:
    if not POSTGRES_URL:
        pytest.skip("ACCENT_COACH_TEST_POSTGRES_URL is not set")
    pytest.importorskip("psycopg")
    schema = f"accent_coach_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = make_url(POSTGRES_URL)
    url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    admin.dispose()


def test_postgres_migration_round_trip_and_concurrency(postgres_url: str, tmp_path: Path) -> None:
    engine = database.create_storage_engine(postgres_url)
    schema.migrate(engine, target=1)
    _insert_version_1_rows(engine)
    engine.dispose()

    store = Storage(postgres_url, audio_dir=tmp_path / "audio")
    assert store.schema_version == schema.CURRENT_SCHEMA_VERSION
    assert [row["score"] for row in store.list_analyses("anna")] == [75.0, 55.0]
    assert {i.word for i in store.review_words("anna", now=T0 + timedelta(days=3))} == {"think", "three"}

    conversation = store.start_conversation("anna", "food", "A2", "practice", "Hungry?")
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            for step in range(4):
                store.save_analysis(f"p{index % 2}", make_result(score=float(step)), audio_wav=b"RIFF")
                store.save_turn(conversation, {"transcript": f"{index}-{step}"})
                store.record_review(f"p{index % 2}", "think", correct=step % 2 == 0)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert sum(len(store.list_analyses(f"p{i}")) for i in range(2)) == 24
    assert len(store.conversation_turns(conversation)) == 24
    assert {c["id"] for c in json.loads(store.export_json("anna"))["conversations"]} == {"c1", conversation}
    store.delete_learner_data("p0")
    assert store.list_analyses("p0") == []
    store.close()


@pytest.mark.parametrize("url", ["not a url", "nosuchdialect://x/y"])
def test_unusable_database_setting_is_a_short_message(url: str) -> None:
    with pytest.raises(StorageError) as caught:
        Storage(url)
    assert str(caught.value) == database.OPEN_FAILED_MESSAGE


def test_database_url_from_secrets_and_broken_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import streamlit as st
    from streamlit.runtime.secrets import Secrets

    monkeypatch.delenv(database.ENV_DATABASE_URL, raising=False)
    monkeypatch.setenv(database.ENV_DATA_DIR, str(tmp_path))
    configured = Secrets()
    configured._secrets = {"database": {"url": f"sqlite:///{tmp_path / 'from-secrets.sqlite3'}"}}
    monkeypatch.setattr(st, "secrets", configured)
    assert database.database_url() == f"sqlite:///{tmp_path / 'from-secrets.sqlite3'}"

    # The env var wins over secrets.
    monkeypatch.setenv(database.ENV_DATABASE_URL, "sqlite:///elsewhere.sqlite3")
    assert database.database_url() == "sqlite:///elsewhere.sqlite3"
    monkeypatch.delenv(database.ENV_DATABASE_URL)

    class BrokenSecrets:
        def load_if_toml_exists(self) -> bool:
            raise RuntimeError("bad toml")

    monkeypatch.setattr(st, "secrets", BrokenSecrets())
    assert database.database_url().endswith(f"{tmp_path.name}/{database.DATABASE_FILENAME}")


def test_an_attempt_at_another_text_is_kept_but_counts_for_nothing(store: Storage) -> None:
    store.save_analysis("anna", make_result(score=80.0, words=[("Think", "correct")]))
    other = make_result(score=0.0, when=T0 + timedelta(minutes=5),
                        words=[("the", "missing"), ("is", "missing"), ("Think", "missing")])
    other["read_something_else"] = True
    other["heard_text"] = "My cat is sleeping"
    analysis_id = store.save_analysis("anna", other)

    kept = store.get_analysis("anna", analysis_id)
    assert kept["score"] is None and kept["result"]["heard_text"] == "My cat is sleeping"
    summary = store.progress_summary("anna", now=T0 + timedelta(days=1))
    assert summary["totals"]["analyses"] == 1
    assert summary["totals"]["average_score"] == 80.0
    assert [row["score"] for row in summary["score_over_time"]] == [80.0]
    assert summary["most_missed_sounds"] == [] and summary["most_missed_words"] == []
    assert store.review_words("anna", now=T0 + timedelta(days=30)) == []
