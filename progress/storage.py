"""Everything the app remembers: analyses, conversations, turns and review words.

One :class:`Storage` object (``get_storage()``, shared by every Streamlit session
through ``st.cache_resource``) talks to a real database through SQLAlchemy Core:

- where: ``ACCENT_COACH_DATABASE_URL`` (env), else ``[database] url`` in
  ``.streamlit/secrets.toml``, else a SQLite file ``accent_coach.sqlite3`` in
  ``ACCENT_COACH_DATA_DIR`` (default ``./data``). SQLite runs in WAL mode with a busy
  timeout; a server can use PostgreSQL with the same code.
- schema: created and migrated by the app at startup. ``schema_version`` holds one
  row per applied migration; ``MIGRATIONS`` is the ordered list. Each migration keeps
  its own frozen table definitions, so an old database is brought forward step by step.
- audio: ``save_analysis(..., audio_wav=...)`` writes ``<audio_dir>/<learner>/<id>.wav``
  beside the database. Callers pass audio only when the learner's ``store_audio``
  setting is on; without it nothing is written.
- learners: ids are opaque strings chosen by ``progress.learner`` (a hash of a link key,
  or the signed-in account); ``move_learner`` hands a whole history to a new id at once.
- concurrency: the engine has a connection pool and every method is one short
  transaction. On SQLite, writes start with ``BEGIN IMMEDIATE`` so concurrent writers
  queue on the busy timeout instead of failing half-way.
- safety: parameterised queries only; any text, number or nesting a caller passes is
  coerced (bad numbers become NULL, JSON is sanitised). Database failures surface as
  :class:`StorageError`, whose ``str`` is a short message fit for the learner.

``export_csv`` returns ONE CSV (UTF-8 with BOM, for spreadsheets) with one row per
analysis and one row per conversation turn; the ``kind`` column says which.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import shutil
import threading
import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, make_url

from progress import spaced_repetition as sr
from progress.database import (
    AUDIO_DIRNAME,
    OPEN_FAILED_MESSAGE,
    SAVE_FAILED_MESSAGE,
    StorageError,
    create_storage_engine,
    data_dir,
    database_url,
    db_time,
    is_memory_sqlite,
    safe_url,
    transaction,
)
from progress.records import (
    WRONG_STATUSES,
    apply_outcomes,
    bool_or_none,
    clean_text,
    dumps,
    index_words,
    insert_ignoring_duplicates,
    is_failed_attempt,
    iso,
    item_from_row,
    jsonable,
    learner_key,
    loads,
    number,
    parse_time,
    result_metrics,
    result_words,
    safe_dir_name,
)
from progress.schema import (
    MAX_LONG_TEXT,
    MAX_SHORT_TEXT,
    analyses,
    analysis_words,
    conversations,
    learners,
    migrate,
    review_items,
    sound_errors,
    turns,
)

logger = logging.getLogger(__name__)


MISSED_SOUNDS_LIMIT = 10
MISSED_WORDS_LIMIT = 10
REVIEW_LIMIT = 20

CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

NO_CONVERSATION_MESSAGE = "That conversation could not be found. Please start a new one."

# Every table whose rows belong to one learner through a ``learner_id`` column.
LEARNER_TABLES = (analyses, conversations, analysis_words, sound_errors, review_items)


@dataclass(frozen=True)
class LearnerRecord:
    """A row of ``learners``: the storage id, the label the learner chose, where it came from."""

    id: str
    display_name: str
    source: str


def _csv_cell(value: Any) -> Any:
    """Keep spreadsheets from running learner text as a formula."""
    if isinstance(value, str) and value.startswith(CSV_FORMULA_PREFIXES):
        return "'" + value
    return "" if value is None else value


def _first_text(data: Mapping[str, Any], *keys: str) -> str:
    for key in keys:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return ""


def _turn_field(turn: Mapping[str, Any], key: str) -> str:
    """A tutor reply field, at the top of the turn or inside its ``reply``."""
    reply = turn.get("reply")
    nested = reply if isinstance(reply, Mapping) else {}
    return _first_text(turn, key) or _first_text(nested, key)


CSV_COLUMNS: tuple[str, ...] = (
    "kind", "id", "created_at", "conversation_id", "topic", "level", "reference_text",
    "transcript", "model", "score", "word_accuracy", "wer", "per", "completeness",
    "problem_words", "has_errors", "correction", "improved_version", "tutor_question",
)


# ---------------------------------------------------------------------------
# Storage
# ---------------------------------------------------------------------------


class Storage:
    """The app's database. Thread-safe: share one instance between sessions."""

    def __init__(self, url: str | None = None, audio_dir: str | Path | None = None) -> None:
        self.url = url or database_url()
        try:
            parsed = make_url(self.url)
            self.engine = create_storage_engine(self.url)
        except Exception as exc:  # bad URL, missing driver, unwritable folder
            logger.error("Could not open the database %s: %s", safe_url(self.url), exc)
            raise StorageError(OPEN_FAILED_MESSAGE) from exc
        if audio_dir is not None:
            self.audio_dir = Path(audio_dir)
        elif parsed.get_backend_name() == "sqlite" and not is_memory_sqlite(parsed.database):
            self.audio_dir = Path(parsed.database).expanduser().parent / AUDIO_DIRNAME
        else:
            self.audio_dir = data_dir() / AUDIO_DIRNAME
        self.schema_version = migrate(self.engine)
        logger.info("Storage ready at %s (schema %s)", safe_url(self.url), self.schema_version)

    def close(self) -> None:
        self.engine.dispose()

    # -- learners ----------------------------------------------------------

    def _ensure_learner(self, conn: Connection, learner_id: str, display_name: str | None = None,
                        source: str = "local") -> None:
        """Create the learner row if needed and lock it for this transaction.

        The row lock (FOR UPDATE on PostgreSQL) serialises one learner's writes there;
        SQLite writes are already serialised by BEGIN IMMEDIATE.
        """
        values = {
            "id": learner_id, "display_name": clean_text(display_name or learner_id, MAX_SHORT_TEXT),
            "source": clean_text(source, 16) or "local", "created_at": db_time(sr.utc_now()),
        }
        insert = insert_ignoring_duplicates(conn, learners, values, ["id"])
        if insert is not None:
            conn.execute(insert)
        elif conn.scalar(sa.select(learners.c.id).where(learners.c.id == learner_id)) is None:
            conn.execute(learners.insert().values(**values))
        conn.execute(sa.select(learners.c.id).where(learners.c.id == learner_id).with_for_update())
        if display_name:
            conn.execute(learners.update().where(learners.c.id == learner_id).values(
                display_name=values["display_name"], source=values["source"]))

    def upsert_learner(self, learner_id: str, display_name: str, source: str = "local") -> None:
        """Record (or rename) a learner. Optional: saving anything creates the row too."""
        key = learner_key(learner_id)
        with transaction(self.engine, write=True) as conn:
            self._ensure_learner(conn, key, display_name, source)

    def find_learner(self, learner_id: str) -> LearnerRecord | None:
        """The learner's row, or None when nobody has that id."""
        key = learner_key(learner_id)
        with transaction(self.engine, write=False) as conn:
            row = conn.execute(sa.select(learners).where(learners.c.id == key)).first()
        return None if row is None else LearnerRecord(row.id, row.display_name, row.source)

    def move_learner(self, old_id: str, new_id: str) -> LearnerRecord | None:
        """Give everything of ``old_id`` to ``new_id`` (a new learner) in one transaction.

        Every table's ``learner_id`` changes, the learner row is re-created under the new
        id (same label, same creation time) and the old row removed, so the old id finds
        nothing afterwards. The audio folder is renamed inside the transaction: a failed
        rename rolls the database back, a failed commit renames it back. Returns the new
        row, or None (nothing moved) when ``old_id`` does not exist or ``new_id`` already does.
        """
        old_key, new_key = learner_key(old_id), learner_key(new_id)
        if old_key == new_key:
            return None
        old_folder, new_folder = self._learner_audio_dir(old_key), self._learner_audio_dir(new_key)
        renamed = False
        try:
            with transaction(self.engine, write=True) as conn:
                row = conn.execute(sa.select(learners).where(learners.c.id == old_key)
                                   .with_for_update()).first()
                taken = conn.scalar(sa.select(learners.c.id).where(learners.c.id == new_key))
                if row is None or taken is not None:
                    return None
                conn.execute(learners.insert().values(
                    id=new_key, display_name=row.display_name, source=row.source,
                    created_at=row.created_at))
                for table in LEARNER_TABLES:
                    conn.execute(table.update().where(table.c.learner_id == old_key)
                                 .values(learner_id=new_key))
                self._repoint_audio_paths(conn, new_key, old_folder.name, new_folder.name)
                conn.execute(learners.delete().where(learners.c.id == old_key))
                renamed = self._rename_audio_folder(old_folder, new_folder)
        except BaseException:
            if renamed:
                self._rename_audio_folder(new_folder, old_folder)
            raise
        return LearnerRecord(new_key, row.display_name, row.source)

    @staticmethod
    def _repoint_audio_paths(conn: Connection, learner_id: str, old_dir: str, new_dir: str) -> None:
        rows = conn.execute(sa.select(analyses.c.id, analyses.c.audio_path).where(
            analyses.c.learner_id == learner_id, analyses.c.audio_path.is_not(None))).all()
        for row in rows:
            folder, _, name = str(row.audio_path).partition("/")
            if folder == old_dir and name:
                conn.execute(analyses.update().where(analyses.c.id == row.id)
                             .values(audio_path=f"{new_dir}/{name}"))

    @staticmethod
    def _rename_audio_folder(source: Path, target: Path) -> bool:
        """Rename a learner's audio folder; False when there is none. Failures are StorageError."""
        if not source.exists():
            return False
        try:
            if target.exists():
                target.rmdir()  # only ever an empty leftover; a full one makes this fail
            source.rename(target)
        except OSError as exc:
            logger.error("Could not move a learner's audio folder: %s", exc.strerror)
            raise StorageError(SAVE_FAILED_MESSAGE) from exc
        return True

    # -- analyses ----------------------------------------------------------

    def save_analysis(self, learner_id: str, result: dict, audio_wav: bytes | None = None) -> int:
        """Store one Pronunciation Practice result; returns its id.

        Also feeds the review list: every mispronounced or missing word becomes (or
        resets) a review item; a correct reading of a word already on the list counts
        as a successful review. ``audio_wav`` is written beside the database when given.

        An attempt where the learner read something else (``read_something_else``) is kept
        with its result but without a score, word rows or sound errors, and it moves no
        review item: its "missing" words say nothing about the learner's pronunciation.
        """
        key = learner_key(learner_id)
        data = jsonable(result) if isinstance(result, Mapping) else {}
        when = parse_time(data.get("created_at")) or sr.utc_now()
        metrics = result_metrics(data)
        counted = data.get("read_something_else") is not True
        written: Path | None = None
        try:
            with transaction(self.engine, write=True) as conn:
                self._ensure_learner(conn, key)
                analysis_id = int(conn.execute(analyses.insert().values(
                    learner_id=key,
                    created_at=db_time(when),
                    reference_text=clean_text(data.get("reference_text"), MAX_LONG_TEXT),
                    transcript=clean_text(data.get("transcript"), MAX_LONG_TEXT),
                    model=clean_text(data.get("model"), MAX_SHORT_TEXT),
                    score=number(data.get("score")) if counted else None,
                    word_accuracy=number(metrics.get("word_accuracy")) if counted else None,
                    wer=number(metrics.get("wer")),
                    per=number(metrics.get("phoneme_error_rate")),
                    completeness=number(metrics.get("completeness")),
                    result_json=dumps(data),
                )).inserted_primary_key[0])
                if counted:
                    index_words(conn, analysis_id, key, data, when)
                if audio_wav:
                    written = self._write_audio(key, analysis_id, audio_wav)
                    if written is not None:
                        conn.execute(analyses.update().where(analyses.c.id == analysis_id).values(
                            audio_path=written.relative_to(self.audio_dir).as_posix()))
        except BaseException:
            if written is not None:
                written.unlink(missing_ok=True)
            raise
        return analysis_id

    def _learner_audio_dir(self, learner_id: str) -> Path:
        folder = self.audio_dir / safe_dir_name(learner_id)
        root = self.audio_dir.resolve()
        if root not in folder.resolve().parents:
            raise ValueError("unsafe audio folder")
        return folder

    def _write_audio(self, learner_id: str, analysis_id: int, audio_wav: bytes) -> Path | None:
        if not isinstance(audio_wav, (bytes, bytearray, memoryview)):
            logger.warning("Audio for analysis %s was not bytes; not stored", analysis_id)
            return None
        try:
            folder = self._learner_audio_dir(learner_id)
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / f"{analysis_id}.wav"
            partial = folder / f".{analysis_id}.{uuid.uuid4().hex}.part"
            partial.write_bytes(bytes(audio_wav))
            os.replace(partial, target)
            return target
        except OSError:
            logger.warning("Could not store audio for analysis %s", analysis_id, exc_info=True)
            return None

    @staticmethod
    def _analysis_row(row: Any, include_result: bool) -> dict[str, Any]:
        item = {
            "id": row.id, "created_at": iso(row.created_at),
            "reference_text": row.reference_text, "transcript": row.transcript,
            "model": row.model, "score": row.score, "word_accuracy": row.word_accuracy,
            "wer": row.wer, "per": row.per, "completeness": row.completeness,
            "has_audio": bool(row.audio_path),
            "read_something_else": row.score is None and is_failed_attempt(loads(row.result_json)),
        }
        if include_result:
            item["result"] = loads(row.result_json)
        return item

    def list_analyses(self, learner_id: str, limit: int | None = None,
                      include_result: bool = True) -> list[dict]:
        """The learner's analyses, newest first: summary columns plus ``result`` (the saved dict)."""
        key = learner_key(learner_id)
        query = (sa.select(analyses).where(analyses.c.learner_id == key)
                 .order_by(analyses.c.created_at.desc(), analyses.c.id.desc()))
        if limit is not None:
            query = query.limit(max(int(limit), 0))
        with transaction(self.engine, write=False) as conn:
            rows = conn.execute(query).all()
        return [self._analysis_row(row, include_result) for row in rows]

    def get_analysis(self, learner_id: str, analysis_id: int) -> dict | None:
        key = learner_key(learner_id)
        with transaction(self.engine, write=False) as conn:
            row = conn.execute(sa.select(analyses).where(
                analyses.c.id == int(analysis_id), analyses.c.learner_id == key)).first()
        return None if row is None else self._analysis_row(row, include_result=True)

    def analysis_audio(self, learner_id: str, analysis_id: int) -> bytes | None:
        """The stored WAV of one of the learner's analyses, or None."""
        key = learner_key(learner_id)
        with transaction(self.engine, write=False) as conn:
            path = conn.scalar(sa.select(analyses.c.audio_path).where(
                analyses.c.id == int(analysis_id), analyses.c.learner_id == key))
        if not path:
            return None
        target = (self.audio_dir / path).resolve()
        if self.audio_dir.resolve() not in target.parents:
            return None
        try:
            return target.read_bytes()
        except OSError:
            logger.warning("Stored audio for analysis %s is missing", analysis_id)
            return None

    # -- conversations -----------------------------------------------------

    def start_conversation(self, learner_id: str, topic: str, level: str, mode: str,
                           opening_question: str) -> str:
        """Open a conversation; returns its id (a UUID string)."""
        key = learner_key(learner_id)
        conversation_id = uuid.uuid4().hex
        with transaction(self.engine, write=True) as conn:
            self._ensure_learner(conn, key)
            conn.execute(conversations.insert().values(
                id=conversation_id, learner_id=key, topic=clean_text(topic, MAX_SHORT_TEXT),
                level=clean_text(level, 32), mode=clean_text(mode, 32),
                opening_question=clean_text(opening_question, MAX_LONG_TEXT),
                started_at=db_time(sr.utc_now()),
            ))
        return conversation_id

    def save_turn(self, conversation_id: str, turn: dict) -> int:
        """Append one turn (stored as given, JSON-sanitised) to a conversation; returns its id."""
        data = jsonable(turn) if isinstance(turn, Mapping) else {}
        conv_id = clean_text(conversation_id, 64)
        with transaction(self.engine, write=True) as conn:
            found = conn.scalar(sa.select(conversations.c.id)
                                .where(conversations.c.id == conv_id).with_for_update())
            if found is None:
                raise StorageError(NO_CONVERSATION_MESSAGE)
            position = conn.scalar(sa.select(sa.func.coalesce(sa.func.max(turns.c.position), 0))
                                   .where(turns.c.conversation_id == conv_id))
            when = parse_time(data.get("created_at")) or sr.utc_now()
            return int(conn.execute(turns.insert().values(
                conversation_id=conv_id, position=int(position) + 1, created_at=db_time(when),
                transcript=clean_text(_first_text(data, "transcript", "user_text", "text"),
                                 MAX_LONG_TEXT),
                has_errors=bool_or_none(data.get("has_errors")),
                turn_json=dumps(data),
            )).inserted_primary_key[0])

    def conversation_turns(self, conversation_id: str) -> list[dict]:
        """The turn dicts of a conversation, in the order they were saved."""
        with transaction(self.engine, write=False) as conn:
            rows = conn.execute(
                sa.select(turns.c.turn_json).where(
                    turns.c.conversation_id == clean_text(conversation_id, 64))
                .order_by(turns.c.position)
            ).all()
        return [loads(row.turn_json) for row in rows]

    @staticmethod
    def _conversation_row(row: Any) -> dict[str, Any]:
        return {
            "id": row.id, "topic": row.topic, "level": row.level, "mode": row.mode,
            "opening_question": row.opening_question, "started_at": iso(row.started_at),
            "ended_at": iso(row.ended_at),
            "evaluation": loads(row.evaluation_json) if row.evaluation_json else None,
        }

    def latest_open_conversation(self, learner_id: str) -> dict | None:
        """The learner's newest conversation that has not been ended, or None."""
        key = learner_key(learner_id)
        with transaction(self.engine, write=False) as conn:
            row = conn.execute(
                sa.select(conversations).where(
                    conversations.c.learner_id == key, conversations.c.ended_at.is_(None))
                .order_by(conversations.c.started_at.desc()).limit(1)
            ).first()
        if row is None:
            return None
        item = self._conversation_row(row)
        for extra in ("ended_at", "evaluation"):
            item.pop(extra)
        return item

    def end_conversation(self, conversation_id: str, evaluation: dict | None = None) -> None:
        """Close a conversation (keeping an exam evaluation when given). Unknown ids are ignored."""
        values: dict[str, Any] = {"ended_at": db_time(sr.utc_now())}
        if evaluation is not None:
            values["evaluation_json"] = dumps(evaluation)
        with transaction(self.engine, write=True) as conn:
            conn.execute(conversations.update().where(
                conversations.c.id == clean_text(conversation_id, 64),
                conversations.c.ended_at.is_(None),
            ).values(**values))

    def list_conversations(self, learner_id: str) -> list[dict]:
        """The learner's conversations, newest first, each with ``turn_count``."""
        key = learner_key(learner_id)
        counts = (sa.select(turns.c.conversation_id, sa.func.count().label("n"))
                  .group_by(turns.c.conversation_id).subquery())
        with transaction(self.engine, write=False) as conn:
            rows = conn.execute(
                sa.select(conversations, sa.func.coalesce(counts.c.n, 0).label("turn_count"))
                .outerjoin(counts, counts.c.conversation_id == conversations.c.id)
                .where(conversations.c.learner_id == key)
                .order_by(conversations.c.started_at.desc())
            ).all()
        return [{**self._conversation_row(row), "turn_count": int(row.turn_count)} for row in rows]

    # -- review ------------------------------------------------------------

    def review_words(self, learner_id: str, now: datetime | None = None,
                     limit: int = REVIEW_LIMIT) -> list[sr.ReviewItem]:
        """Up to ``limit`` review items, due ones first (most overdue first)."""
        key = learner_key(learner_id)
        moment = db_time(sr.as_utc(now))
        due_first = sa.case((review_items.c.due_at <= moment, 0), else_=1)
        with transaction(self.engine, write=False) as conn:
            rows = conn.execute(
                sa.select(review_items).where(review_items.c.learner_id == key)
                .order_by(due_first, review_items.c.due_at, review_items.c.lapses.desc(),
                          review_items.c.word)
                .limit(max(int(limit), 0))
            ).all()
        return sr.review_order((item_from_row(row) for row in rows), now)

    def record_review(self, learner_id: str, word: str, correct: bool,
                      now: datetime | None = None) -> sr.ReviewItem | None:
        """One explicit review of a word; returns the new state (None: correct, not on the list)."""
        key = learner_key(learner_id)
        normalized = sr.normalize_word(word)
        if not normalized:
            return None
        with transaction(self.engine, write=True) as conn:
            self._ensure_learner(conn, key)
            updated = apply_outcomes(conn, key, {normalized: bool(correct)}, sr.as_utc(now))
        return updated.get(normalized)

    # -- progress ----------------------------------------------------------

    def progress_summary(self, learner_id: str, now: datetime | None = None) -> dict:
        """What the Progress page draws.

        Only scored analyses count: an attempt stored without a score (another text was
        read, or the score was unusable) is left out of the totals and the history.

        Keys: ``totals`` (analyses, conversations, turns, average/best/latest score,
        review_items, review_due, first/last practice time), ``score_over_time``
        (chronological rows: id, created_at, score, word_accuracy, reference_text),
        ``most_missed_sounds`` [(expected, heard, count)] ("" heard = sound left out),
        ``most_missed_words`` [(word, count)].
        """
        key = learner_key(learner_id)
        moment = db_time(sr.as_utc(now))
        with transaction(self.engine, write=False) as conn:
            stats = conn.execute(
                sa.select(sa.func.count(), sa.func.avg(analyses.c.score),
                          sa.func.max(analyses.c.score), sa.func.min(analyses.c.created_at),
                          sa.func.max(analyses.c.created_at))
                .where(analyses.c.learner_id == key, analyses.c.score.is_not(None))
            ).one()
            history = conn.execute(
                sa.select(analyses.c.id, analyses.c.created_at, analyses.c.score,
                          analyses.c.word_accuracy, analyses.c.reference_text)
                .where(analyses.c.learner_id == key, analyses.c.score.is_not(None))
                .order_by(analyses.c.created_at, analyses.c.id)
            ).all()
            conversation_count = conn.scalar(
                sa.select(sa.func.count()).where(conversations.c.learner_id == key))
            turn_count = conn.scalar(
                sa.select(sa.func.count()).select_from(
                    turns.join(conversations, turns.c.conversation_id == conversations.c.id))
                .where(conversations.c.learner_id == key))
            count = sa.func.count().label("n")
            sounds = conn.execute(
                sa.select(sound_errors.c.expected, sound_errors.c.heard, count)
                .where(sound_errors.c.learner_id == key)
                .group_by(sound_errors.c.expected, sound_errors.c.heard)
                .order_by(count.desc(), sound_errors.c.expected, sound_errors.c.heard)
                .limit(MISSED_SOUNDS_LIMIT)
            ).all()
            missed: Counter[str] = Counter()
            for row in conn.execute(
                sa.select(analysis_words.c.word, count)
                .where(analysis_words.c.learner_id == key,
                       analysis_words.c.status.in_(sorted(WRONG_STATUSES)))
                .group_by(analysis_words.c.word)
            ):
                word = sr.normalize_word(row.word)
                if word:
                    missed[word] += int(row.n)
            review_total = conn.scalar(
                sa.select(sa.func.count()).where(review_items.c.learner_id == key))
            review_due = conn.scalar(
                sa.select(sa.func.count()).where(review_items.c.learner_id == key,
                                                 review_items.c.due_at <= moment))
        latest = history[-1].score if history else None
        return {
            "learner_id": key,
            "totals": {
                "analyses": int(stats[0]),
                "average_score": None if stats[1] is None else round(float(stats[1]), 1),
                "best_score": stats[2],
                "latest_score": latest,
                "first_practice_at": iso(stats[3]),
                "last_practice_at": iso(stats[4]),
                "conversations": int(conversation_count or 0),
                "turns": int(turn_count or 0),
                "review_items": int(review_total or 0),
                "review_due": int(review_due or 0),
            },
            "score_over_time": [
                {"id": row.id, "created_at": iso(row.created_at), "score": row.score,
                 "word_accuracy": row.word_accuracy, "reference_text": row.reference_text}
                for row in history
            ],
            "most_missed_sounds": [(row.expected, row.heard, int(row.n)) for row in sounds],
            "most_missed_words": sorted(missed.items(), key=lambda pair: (-pair[1], pair[0]))
                                 [:MISSED_WORDS_LIMIT],
        }

    # -- export and delete -------------------------------------------------

    def _all_turns(self, conn: Connection, learner_id: str) -> list[Any]:
        return conn.execute(
            sa.select(turns, conversations.c.topic, conversations.c.level)
            .join(conversations, turns.c.conversation_id == conversations.c.id)
            .where(conversations.c.learner_id == learner_id)
            .order_by(turns.c.created_at, turns.c.conversation_id, turns.c.position)
        ).all()

    def export_json(self, learner_id: str) -> str:
        """All of the learner's data as one JSON document (analyses, conversations with
        their turns, review items)."""
        key = learner_key(learner_id)
        analyses_out = self.list_analyses(key)
        conversations_out = self.list_conversations(key)
        for conversation in conversations_out:
            conversation["turns"] = self.conversation_turns(conversation["id"])
        review_out = [item.to_dict() for item in self.review_words(key, limit=10_000)]
        document = {
            "format": "accent-coach-export",
            "schema_version": self.schema_version,
            "learner_id": key,
            "exported_at": iso(sr.utc_now()),
            "analyses": list(reversed(analyses_out)),
            "conversations": list(reversed(conversations_out)),
            "review_items": review_out,
        }
        return json.dumps(jsonable(document), ensure_ascii=False, indent=2)

    def export_csv(self, learner_id: str) -> bytes:
        """One CSV (UTF-8 with BOM): a row per analysis and a row per conversation turn,
        oldest first; the ``kind`` column is ``analysis`` or ``turn``."""
        key = learner_key(learner_id)
        rows: list[tuple[datetime, dict[str, Any]]] = []
        with transaction(self.engine, write=False) as conn:
            for row in conn.execute(sa.select(analyses).where(analyses.c.learner_id == key)):
                words = result_words(loads(row.result_json))
                problems = [str(w.get("word", "")) for w in words
                            if w.get("status") in WRONG_STATUSES]
                rows.append((row.created_at, {
                    "kind": "analysis", "id": row.id, "created_at": iso(row.created_at),
                    "reference_text": row.reference_text, "transcript": row.transcript,
                    "model": row.model, "score": row.score, "word_accuracy": row.word_accuracy,
                    "wer": row.wer, "per": row.per, "completeness": row.completeness,
                    "problem_words": " ".join(problems),
                }))
            for row in self._all_turns(conn, key):
                turn = loads(row.turn_json)
                turn = turn if isinstance(turn, Mapping) else {}
                rows.append((row.created_at, {
                    "kind": "turn", "id": row.id, "created_at": iso(row.created_at),
                    "conversation_id": row.conversation_id, "topic": row.topic,
                    "level": row.level, "transcript": row.transcript,
                    "has_errors": row.has_errors,
                    "correction": _turn_field(turn, "correction"),
                    "improved_version": _turn_field(turn, "improved_version"),
                    "tutor_question": _turn_field(turn, "follow_up_question"),
                }))
        rows.sort(key=lambda pair: pair[0])
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(CSV_COLUMNS), lineterminator="\n")
        writer.writeheader()
        for _, values in rows:
            writer.writerow({column: _csv_cell(values.get(column)) for column in CSV_COLUMNS})
        return buffer.getvalue().encode("utf-8-sig")

    def delete_learner_data(self, learner_id: str) -> None:
        """Remove every row of the learner and their stored audio files."""
        key = learner_key(learner_id)
        with transaction(self.engine, write=True) as conn:
            conversation_ids = sa.select(conversations.c.id).where(conversations.c.learner_id == key)
            analysis_ids = sa.select(analyses.c.id).where(analyses.c.learner_id == key)
            conn.execute(turns.delete().where(turns.c.conversation_id.in_(conversation_ids)))
            conn.execute(conversations.delete().where(conversations.c.learner_id == key))
            conn.execute(analysis_words.delete().where(analysis_words.c.analysis_id.in_(analysis_ids)))
            conn.execute(sound_errors.delete().where(sound_errors.c.analysis_id.in_(analysis_ids)))
            conn.execute(analyses.delete().where(analyses.c.learner_id == key))
            conn.execute(review_items.delete().where(review_items.c.learner_id == key))
            conn.execute(learners.delete().where(learners.c.id == key))
        folder = self._learner_audio_dir(key)
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
        logger.info("Deleted all stored data of one learner")


# ---------------------------------------------------------------------------
# The shared instance
# ---------------------------------------------------------------------------

_fallback_lock = threading.Lock()
_fallback: dict[str, Storage] = {}


def _storage_for(url: str) -> Storage:
    return Storage(url)


try:
    import streamlit as _st

    _cached_storage_for = _st.cache_resource(show_spinner=False)(_storage_for)
except Exception:  # pragma: no cover - Streamlit is a dependency; this is a guard
    _cached_storage_for = None


def get_storage() -> Storage:
    """The process-wide Storage for the configured database (one per URL)."""
    url = database_url()
    if _cached_storage_for is not None:
        return _cached_storage_for(url)
    with _fallback_lock:
        if url not in _fallback:
            _fallback[url] = Storage(url)
        return _fallback[url]
