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
import hashlib
import io
import json
import logging
import math
import os
import re
import shutil
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool

import spaced_repetition as sr
from app_config import secret_section

logger = logging.getLogger(__name__)

ENV_DATA_DIR = "ACCENT_COACH_DATA_DIR"
ENV_DATABASE_URL = "ACCENT_COACH_DATABASE_URL"
DEFAULT_DATA_DIR = "data"
DATABASE_FILENAME = "accent_coach.sqlite3"
AUDIO_DIRNAME = "audio"
SECRETS_SECTION = "database"

SQLITE_BUSY_TIMEOUT_MS = 15_000
POOL_SIZE = 5
POOL_MAX_OVERFLOW = 20
POOL_RECYCLE_S = 1800

MAX_LEARNER_ID_CHARS = 320
MAX_SHORT_TEXT = 200
MAX_LONG_TEXT = 4000
MAX_PHONE_CHARS = 16
MISSED_SOUNDS_LIMIT = 10
MISSED_WORDS_LIMIT = 10
REVIEW_LIMIT = 20

WRONG_STATUSES = frozenset({"mispronounced", "missing"})
CORRECT_STATUS = "correct"
CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

SAVE_FAILED_MESSAGE = "Sorry, your progress could not be saved or read just now. Please try again."
OPEN_FAILED_MESSAGE = "The progress database could not be opened. Please check its setting."
NEWER_SCHEMA_MESSAGE = "The progress database was written by a newer version of Accent Coach."
NO_CONVERSATION_MESSAGE = "That conversation could not be found. Please start a new one."

_WRITE = "accent_coach_write"


class StorageError(RuntimeError):
    """A storage failure; ``str(error)`` is a short message for the learner."""


# ---------------------------------------------------------------------------
# The current schema (what queries use). Migrations below build it step by step.
# ---------------------------------------------------------------------------

metadata = sa.MetaData()

schema_version = sa.Table(
    "schema_version",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("description", sa.String(MAX_SHORT_TEXT), nullable=False),
    sa.Column("applied_at", sa.DateTime, nullable=False),
)

learners = sa.Table(
    "learners",
    metadata,
    sa.Column("id", sa.String(MAX_LEARNER_ID_CHARS), primary_key=True),
    sa.Column("display_name", sa.String(MAX_SHORT_TEXT), nullable=False),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

analyses = sa.Table(
    "analyses",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("learner_id", sa.String(MAX_LEARNER_ID_CHARS),
              sa.ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("reference_text", sa.Text, nullable=False),
    sa.Column("transcript", sa.Text, nullable=False),
    sa.Column("model", sa.String(MAX_SHORT_TEXT), nullable=False),
    sa.Column("score", sa.Float),
    sa.Column("word_accuracy", sa.Float),
    sa.Column("wer", sa.Float),
    sa.Column("per", sa.Float),
    sa.Column("completeness", sa.Float),
    sa.Column("result_json", sa.Text, nullable=False),
    sa.Column("audio_path", sa.String(500)),
)

conversations = sa.Table(
    "conversations",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("learner_id", sa.String(MAX_LEARNER_ID_CHARS),
              sa.ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
    sa.Column("topic", sa.String(MAX_SHORT_TEXT), nullable=False),
    sa.Column("level", sa.String(32), nullable=False),
    sa.Column("mode", sa.String(32), nullable=False),
    sa.Column("opening_question", sa.Text, nullable=False),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("ended_at", sa.DateTime),
    sa.Column("evaluation_json", sa.Text),
)

turns = sa.Table(
    "turns",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("conversation_id", sa.String(36),
              sa.ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("transcript", sa.Text, nullable=False),
    sa.Column("has_errors", sa.Boolean),
    sa.Column("turn_json", sa.Text, nullable=False),
    sa.UniqueConstraint("conversation_id", "position", name="uq_turns_position"),
)

analysis_words = sa.Table(
    "analysis_words",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("analysis_id", sa.Integer,
              sa.ForeignKey("analyses.id", ondelete="CASCADE"), nullable=False),
    sa.Column("learner_id", sa.String(MAX_LEARNER_ID_CHARS), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("word", sa.String(MAX_SHORT_TEXT), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("level", sa.String(8)),
    sa.Column("score", sa.Float),
)

sound_errors = sa.Table(
    "sound_errors",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("analysis_id", sa.Integer,
              sa.ForeignKey("analyses.id", ondelete="CASCADE"), nullable=False),
    sa.Column("learner_id", sa.String(MAX_LEARNER_ID_CHARS), nullable=False),
    sa.Column("word", sa.String(MAX_SHORT_TEXT), nullable=False),
    sa.Column("expected", sa.String(MAX_PHONE_CHARS), nullable=False),
    sa.Column("heard", sa.String(MAX_PHONE_CHARS), nullable=False),
)

review_items = sa.Table(
    "review_items",
    metadata,
    sa.Column("learner_id", sa.String(MAX_LEARNER_ID_CHARS),
              sa.ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("word", sa.String(sr.MAX_WORD_CHARS), primary_key=True),
    sa.Column("box", sa.Integer, nullable=False),
    sa.Column("due_at", sa.DateTime, nullable=False),
    sa.Column("lapses", sa.Integer, nullable=False),
    sa.Column("last_result", sa.String(8)),
    sa.Column("reviews", sa.Integer, nullable=False),
    sa.Column("last_reviewed_at", sa.DateTime),
    sa.Column("created_at", sa.DateTime, nullable=False),
)


# ---------------------------------------------------------------------------
# Migrations. Each one is frozen once released: it defines the tables as they were
# at its version, never the current ``metadata`` above.
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[Connection], None]


def _migration_1(conn: Connection) -> None:
    """Initial layout: learners, analyses, conversations, turns."""
    md = sa.MetaData()
    sa.Table(
        "learners", md,
        sa.Column("id", sa.String(320), primary_key=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    sa.Table(
        "analyses", md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("learner_id", sa.String(320),
                  sa.ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("reference_text", sa.Text, nullable=False),
        sa.Column("transcript", sa.Text, nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("score", sa.Float),
        sa.Column("word_accuracy", sa.Float),
        sa.Column("wer", sa.Float),
        sa.Column("per", sa.Float),
        sa.Column("completeness", sa.Float),
        sa.Column("result_json", sa.Text, nullable=False),
        sa.Column("audio_path", sa.String(500)),
    )
    sa.Table(
        "conversations", md,
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("learner_id", sa.String(320),
                  sa.ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("level", sa.String(32), nullable=False),
        sa.Column("mode", sa.String(32), nullable=False),
        sa.Column("opening_question", sa.Text, nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("ended_at", sa.DateTime),
        sa.Column("evaluation_json", sa.Text),
    )
    sa.Table(
        "turns", md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(36),
                  sa.ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("transcript", sa.Text, nullable=False),
        sa.Column("has_errors", sa.Boolean),
        sa.Column("turn_json", sa.Text, nullable=False),
        sa.UniqueConstraint("conversation_id", "position", name="uq_turns_position"),
    )
    md.create_all(conn)


def _migration_2(conn: Connection) -> None:
    """Per-word results, sound errors and review items, filled from stored analyses."""
    md = sa.MetaData()
    # Referenced tables, declared so the foreign keys resolve (not created here).
    sa.Table("learners", md, sa.Column("id", sa.String(320), primary_key=True))
    sa.Table("analyses", md, sa.Column("id", sa.Integer, primary_key=True))
    new_tables = [
        sa.Table(
            "analysis_words", md,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("analysis_id", sa.Integer,
                      sa.ForeignKey("analyses.id", ondelete="CASCADE"), nullable=False),
            sa.Column("learner_id", sa.String(320), nullable=False),
            sa.Column("position", sa.Integer, nullable=False),
            sa.Column("word", sa.String(200), nullable=False),
            sa.Column("status", sa.String(16), nullable=False),
            sa.Column("level", sa.String(8)),
            sa.Column("score", sa.Float),
        ),
        sa.Table(
            "sound_errors", md,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("analysis_id", sa.Integer,
                      sa.ForeignKey("analyses.id", ondelete="CASCADE"), nullable=False),
            sa.Column("learner_id", sa.String(320), nullable=False),
            sa.Column("word", sa.String(200), nullable=False),
            sa.Column("expected", sa.String(16), nullable=False),
            sa.Column("heard", sa.String(16), nullable=False),
        ),
        sa.Table(
            "review_items", md,
            sa.Column("learner_id", sa.String(320),
                      sa.ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True),
            sa.Column("word", sa.String(64), primary_key=True),
            sa.Column("box", sa.Integer, nullable=False),
            sa.Column("due_at", sa.DateTime, nullable=False),
            sa.Column("lapses", sa.Integer, nullable=False),
            sa.Column("last_result", sa.String(8)),
            sa.Column("reviews", sa.Integer, nullable=False),
            sa.Column("last_reviewed_at", sa.DateTime),
            sa.Column("created_at", sa.DateTime, nullable=False),
        ),
    ]
    md.create_all(conn, tables=new_tables)
    # Fill the new tables from the analyses already stored, oldest first, so the
    # review schedule is what it would have been had these tables always existed.
    old = sa.table(
        "analyses", sa.column("id", sa.Integer), sa.column("learner_id", sa.String),
        sa.column("created_at", sa.DateTime), sa.column("result_json", sa.Text),
    )
    rows = conn.execute(
        sa.select(old.c.id, old.c.learner_id, old.c.created_at, old.c.result_json)
        .order_by(old.c.created_at, old.c.id)
    ).all()
    for row in rows:
        result = _loads(row.result_json)
        when = _parse_time(row.created_at) or sr.utc_now()
        _index_words(conn, row.id, row.learner_id, result, when)


def _migration_3(conn: Connection) -> None:
    """Indexes for the per-learner history and review queries."""
    md = sa.MetaData()
    tables = {
        name: sa.Table(name, md, *(sa.Column(c) for c in cols))
        for name, cols in {
            "analyses": ("learner_id", "created_at"),
            "conversations": ("learner_id", "started_at"),
            "review_items": ("learner_id", "due_at"),
            "analysis_words": ("learner_id", "analysis_id"),
            "sound_errors": ("learner_id", "analysis_id"),
        }.items()
    }
    indexes = [
        sa.Index("ix_analyses_learner_created", tables["analyses"].c.learner_id,
                 tables["analyses"].c.created_at),
        sa.Index("ix_conversations_learner_started", tables["conversations"].c.learner_id,
                 tables["conversations"].c.started_at),
        sa.Index("ix_review_items_learner_due", tables["review_items"].c.learner_id,
                 tables["review_items"].c.due_at),
        sa.Index("ix_analysis_words_learner", tables["analysis_words"].c.learner_id),
        sa.Index("ix_analysis_words_analysis", tables["analysis_words"].c.analysis_id),
        sa.Index("ix_sound_errors_learner", tables["sound_errors"].c.learner_id),
        sa.Index("ix_sound_errors_analysis", tables["sound_errors"].c.analysis_id),
    ]
    for index in indexes:
        index.create(conn)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial layout: learners, analyses, conversations, turns", _migration_1),
    Migration(2, "per-word results, sound errors and review items", _migration_2),
    Migration(3, "indexes for history and review queries", _migration_3),
)
CURRENT_SCHEMA_VERSION = MIGRATIONS[-1].version


def current_version(conn: Connection) -> int:
    """The database's schema version (0 for an empty database)."""
    if not sa.inspect(conn).has_table(schema_version.name):
        return 0
    return int(conn.scalar(sa.select(sa.func.max(schema_version.c.version))) or 0)


def migrate(engine: Engine, target: int | None = None) -> int:
    """Bring the database up to ``target`` (default: the newest) in one transaction.

    Returns the version reached. Raises :class:`StorageError` when the database is
    newer than this code.
    """
    goal = CURRENT_SCHEMA_VERSION if target is None else target
    with _begin(engine, write=True) as conn:
        schema_version.create(conn, checkfirst=True)
        version = current_version(conn)
        if version > CURRENT_SCHEMA_VERSION:
            logger.error("Database schema %s is newer than this code (%s)", version,
                         CURRENT_SCHEMA_VERSION)
            raise StorageError(NEWER_SCHEMA_MESSAGE)
        for migration in MIGRATIONS:
            if version < migration.version <= goal:
                logger.info("Applying database migration %s: %s", migration.version,
                            migration.description)
                migration.apply(conn)
                conn.execute(schema_version.insert().values(
                    version=migration.version, description=migration.description,
                    applied_at=_db_time(sr.utc_now()),
                ))
                version = migration.version
    return version


# ---------------------------------------------------------------------------
# Configuration and engine
# ---------------------------------------------------------------------------


def data_dir() -> Path:
    """Where the SQLite file and the audio folder live by default."""
    return Path(os.environ.get(ENV_DATA_DIR) or DEFAULT_DATA_DIR)


def database_url() -> str:
    """The database URL: env var, then secrets ``[database] url``, then SQLite in data_dir()."""
    url = os.environ.get(ENV_DATABASE_URL, "").strip()
    if url:
        return url
    section = secret_section(SECRETS_SECTION)
    if section and str(section.get("url") or "").strip():
        return str(section["url"]).strip()
    return f"sqlite:///{(data_dir() / DATABASE_FILENAME).as_posix()}"


def _safe_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparsable database URL>"


def _is_memory_sqlite(database: str | None) -> bool:
    return not database or database == ":memory:" or database.startswith("file::memory:")


def create_storage_engine(url: str) -> Engine:
    """A pooled engine; for SQLite also WAL, busy timeout, foreign keys, and
    ``BEGIN IMMEDIATE`` for write transactions."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(
            parsed, pool_size=POOL_SIZE, max_overflow=POOL_MAX_OVERFLOW,
            pool_pre_ping=True, pool_recycle=POOL_RECYCLE_S,
        )
    memory = _is_memory_sqlite(parsed.database)
    connect_args = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    if memory:
        engine = sa.create_engine(parsed, connect_args=connect_args, poolclass=StaticPool)
    else:
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            parsed, connect_args=connect_args, pool_size=POOL_SIZE,
            max_overflow=POOL_MAX_OVERFLOW,
        )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, say where transactions begin (see _on_begin).
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT_MS)}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if not memory:
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get(_WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


@contextmanager
def _begin(engine: Engine, write: bool) -> Iterator[Connection]:
    """One short transaction; database errors become StorageError (details logged)."""
    try:
        with engine.connect() as conn:
            if write:
                conn.execution_options(**{_WRITE: True})
            with conn.begin():
                yield conn
    except SQLAlchemyError as exc:
        logger.error("Database operation failed: %s", exc, exc_info=True)
        raise StorageError(SAVE_FAILED_MESSAGE) from exc


# ---------------------------------------------------------------------------
# Value cleaning
# ---------------------------------------------------------------------------


def _aware(moment: datetime | None) -> datetime | None:
    return None if moment is None else sr.as_utc(moment)


def _db_time(moment: datetime) -> datetime:
    """Times are stored as naive UTC (portable across SQLite and PostgreSQL)."""
    return sr.as_utc(moment).replace(tzinfo=None)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else sr.as_utc(moment).isoformat()


def _parse_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return sr.as_utc(value)
    if isinstance(value, str) and value.strip():
        try:
            return sr.as_utc(datetime.fromisoformat(value.strip()))
        except ValueError:
            return None
    return None


def _text(value: Any, limit: int) -> str:
    if value is None:
        return ""
    return str(value).replace("\x00", "")[:limit]


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _bool_or_none(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _jsonable(value: Any, depth: int = 0) -> Any:
    """A JSON-safe copy: NaN/inf -> None, numpy and dataclasses -> plain values."""
    if depth > 50:
        return None
    if value is None or isinstance(value, (bool, int, str)):
        return value.replace("\x00", "") if isinstance(value, str) else value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v, depth + 1) for v in value]
    if isinstance(value, datetime):
        return _iso(value)
    if hasattr(value, "to_dict") and callable(value.to_dict):
        return _jsonable(value.to_dict(), depth + 1)
    if hasattr(value, "tolist") and callable(value.tolist):  # numpy scalars and arrays
        return _jsonable(value.tolist(), depth + 1)
    return str(value)


def _dumps(value: Any) -> str:
    return json.dumps(_jsonable(value), ensure_ascii=False, allow_nan=False)


def _loads(text: str | None) -> Any:
    if not text:
        return {}
    try:
        return json.loads(text)
    except ValueError:
        logger.warning("Stored JSON could not be read; treating it as empty")
        return {}


def _learner_key(learner_id: Any) -> str:
    key = str(learner_id or "").replace("\x00", "").strip()
    if not key:
        raise ValueError("learner_id must be a non-empty string")
    if len(key) > MAX_LEARNER_ID_CHARS:
        raise ValueError(f"learner_id is longer than {MAX_LEARNER_ID_CHARS} characters")
    return key


def safe_dir_name(learner_id: str) -> str:
    """A folder name for a learner's audio that cannot leave the audio folder."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", learner_id).strip("._")[:60]
    if cleaned != learner_id or not cleaned:
        digest = hashlib.sha256(learner_id.encode("utf-8")).hexdigest()[:10]
        cleaned = f"{cleaned or 'learner'}-{digest}"
    return cleaned


def _metrics(result: Mapping[str, Any]) -> Mapping[str, Any]:
    metrics = result.get("metrics")
    return metrics if isinstance(metrics, Mapping) else {}


def _words(result: Any) -> list[Mapping[str, Any]]:
    words = result.get("words") if isinstance(result, Mapping) else None
    if not isinstance(words, list):
        return []
    return [w for w in words if isinstance(w, Mapping)]


def _index_words(conn: Connection, analysis_id: int, learner_id: str, result: Any,
                 when: datetime) -> None:
    """Per-word rows, sound-error rows and review updates for one analysis."""
    word_rows: list[dict[str, Any]] = []
    sound_rows: list[dict[str, Any]] = []
    outcomes: dict[str, bool] = {}
    for position, entry in enumerate(_words(result)):
        word = _text(entry.get("word"), MAX_SHORT_TEXT)
        status = _text(entry.get("status"), 16)
        word_rows.append({
            "analysis_id": analysis_id, "learner_id": learner_id, "position": position,
            "word": word, "status": status, "level": _text(entry.get("level"), 8) or None,
            "score": _number(entry.get("score")),
        })
        errors = entry.get("phone_errors")
        for error in errors if isinstance(errors, list) else []:
            if not isinstance(error, Mapping):
                continue
            expected = _text(error.get("expected"), MAX_PHONE_CHARS).strip()
            heard = _text(error.get("heard"), MAX_PHONE_CHARS).strip()
            if expected or heard:
                sound_rows.append({
                    "analysis_id": analysis_id, "learner_id": learner_id, "word": word,
                    "expected": expected, "heard": heard,
                })
        key = sr.normalize_word(word)
        if key and (status in WRONG_STATUSES or status == CORRECT_STATUS):
            # One outcome per word per analysis: any wrong reading makes it wrong.
            outcomes[key] = outcomes.get(key, True) and status == CORRECT_STATUS
    if word_rows:
        conn.execute(analysis_words.insert(), word_rows)
    if sound_rows:
        conn.execute(sound_errors.insert(), sound_rows)
    if outcomes:
        _apply_outcomes(conn, learner_id, outcomes, when)


def _item_from_row(row: Any) -> sr.ReviewItem:
    return sr.ReviewItem(
        word=row.word, box=int(row.box), due_at=sr.as_utc(row.due_at),
        lapses=int(row.lapses), last_result=row.last_result, reviews=int(row.reviews),
        last_reviewed_at=_aware(row.last_reviewed_at),
    )


def _apply_outcomes(conn: Connection, learner_id: str, outcomes: Mapping[str, bool],
                    when: datetime) -> dict[str, sr.ReviewItem]:
    """Move review items for several words; a correct reading never creates an item."""
    rows = conn.execute(
        sa.select(review_items).where(
            review_items.c.learner_id == learner_id,
            review_items.c.word.in_(list(outcomes)),
        )
    ).all()
    existing = {row.word: _item_from_row(row) for row in rows}
    updated: dict[str, sr.ReviewItem] = {}
    for word, correct in outcomes.items():
        item = existing.get(word)
        if correct:
            if item is None:
                continue
            new = sr.review(item, correct=True, now=when)
        else:
            new = sr.record_failure(item, word, when)
        values = {
            "box": new.box, "due_at": _db_time(new.due_at), "lapses": new.lapses,
            "last_result": new.last_result, "reviews": new.reviews,
            "last_reviewed_at": _db_time(new.last_reviewed_at) if new.last_reviewed_at else None,
        }
        if item is None:
            conn.execute(review_items.insert().values(
                learner_id=learner_id, word=word, created_at=_db_time(when), **values))
        else:
            conn.execute(review_items.update().where(
                review_items.c.learner_id == learner_id, review_items.c.word == word,
            ).values(**values))
        updated[word] = new
    return updated


def _insert_ignoring_duplicates(conn: Connection, table: sa.Table, values: dict[str, Any],
                                keys: list[str]) -> Any | None:
    """``INSERT ... ON CONFLICT DO NOTHING`` where the dialect has it, else None."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    elif conn.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:
        return None
    return dialect_insert(table).values(**values).on_conflict_do_nothing(index_elements=keys)


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
            logger.error("Could not open the database %s: %s", _safe_url(self.url), exc)
            raise StorageError(OPEN_FAILED_MESSAGE) from exc
        if audio_dir is not None:
            self.audio_dir = Path(audio_dir)
        elif parsed.get_backend_name() == "sqlite" and not _is_memory_sqlite(parsed.database):
            self.audio_dir = Path(parsed.database).expanduser().parent / AUDIO_DIRNAME
        else:
            self.audio_dir = data_dir() / AUDIO_DIRNAME
        self.schema_version = migrate(self.engine)
        logger.info("Storage ready at %s (schema %s)", _safe_url(self.url), self.schema_version)

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
            "id": learner_id, "display_name": _text(display_name or learner_id, MAX_SHORT_TEXT),
            "source": _text(source, 16) or "local", "created_at": _db_time(sr.utc_now()),
        }
        insert = _insert_ignoring_duplicates(conn, learners, values, ["id"])
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
        key = _learner_key(learner_id)
        with _begin(self.engine, write=True) as conn:
            self._ensure_learner(conn, key, display_name, source)

    # -- analyses ----------------------------------------------------------

    def save_analysis(self, learner_id: str, result: dict, audio_wav: bytes | None = None) -> int:
        """Store one Pronunciation Practice result; returns its id.

        Also feeds the review list: every mispronounced or missing word becomes (or
        resets) a review item; a correct reading of a word already on the list counts
        as a successful review. ``audio_wav`` is written beside the database when given.
        """
        key = _learner_key(learner_id)
        data = _jsonable(result) if isinstance(result, Mapping) else {}
        when = _parse_time(data.get("created_at")) or sr.utc_now()
        metrics = _metrics(data)
        written: Path | None = None
        try:
            with _begin(self.engine, write=True) as conn:
                self._ensure_learner(conn, key)
                analysis_id = int(conn.execute(analyses.insert().values(
                    learner_id=key,
                    created_at=_db_time(when),
                    reference_text=_text(data.get("reference_text"), MAX_LONG_TEXT),
                    transcript=_text(data.get("transcript"), MAX_LONG_TEXT),
                    model=_text(data.get("model"), MAX_SHORT_TEXT),
                    score=_number(data.get("score")),
                    word_accuracy=_number(metrics.get("word_accuracy")),
                    wer=_number(metrics.get("wer")),
                    per=_number(metrics.get("phoneme_error_rate")),
                    completeness=_number(metrics.get("completeness")),
                    result_json=_dumps(data),
                )).inserted_primary_key[0])
                _index_words(conn, analysis_id, key, data, when)
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
            "id": row.id, "created_at": _iso(row.created_at),
            "reference_text": row.reference_text, "transcript": row.transcript,
            "model": row.model, "score": row.score, "word_accuracy": row.word_accuracy,
            "wer": row.wer, "per": row.per, "completeness": row.completeness,
            "has_audio": bool(row.audio_path),
        }
        if include_result:
            item["result"] = _loads(row.result_json)
        return item

    def list_analyses(self, learner_id: str, limit: int | None = None,
                      include_result: bool = True) -> list[dict]:
        """The learner's analyses, newest first: summary columns plus ``result`` (the saved dict)."""
        key = _learner_key(learner_id)
        query = (sa.select(analyses).where(analyses.c.learner_id == key)
                 .order_by(analyses.c.created_at.desc(), analyses.c.id.desc()))
        if limit is not None:
            query = query.limit(max(int(limit), 0))
        with _begin(self.engine, write=False) as conn:
            rows = conn.execute(query).all()
        return [self._analysis_row(row, include_result) for row in rows]

    def get_analysis(self, learner_id: str, analysis_id: int) -> dict | None:
        key = _learner_key(learner_id)
        with _begin(self.engine, write=False) as conn:
            row = conn.execute(sa.select(analyses).where(
                analyses.c.id == int(analysis_id), analyses.c.learner_id == key)).first()
        return None if row is None else self._analysis_row(row, include_result=True)

    def analysis_audio(self, learner_id: str, analysis_id: int) -> bytes | None:
        """The stored WAV of one of the learner's analyses, or None."""
        key = _learner_key(learner_id)
        with _begin(self.engine, write=False) as conn:
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
        key = _learner_key(learner_id)
        conversation_id = uuid.uuid4().hex
        with _begin(self.engine, write=True) as conn:
            self._ensure_learner(conn, key)
            conn.execute(conversations.insert().values(
                id=conversation_id, learner_id=key, topic=_text(topic, MAX_SHORT_TEXT),
                level=_text(level, 32), mode=_text(mode, 32),
                opening_question=_text(opening_question, MAX_LONG_TEXT),
                started_at=_db_time(sr.utc_now()),
            ))
        return conversation_id

    def save_turn(self, conversation_id: str, turn: dict) -> int:
        """Append one turn (stored as given, JSON-sanitised) to a conversation; returns its id."""
        data = _jsonable(turn) if isinstance(turn, Mapping) else {}
        conv_id = _text(conversation_id, 64)
        with _begin(self.engine, write=True) as conn:
            found = conn.scalar(sa.select(conversations.c.id)
                                .where(conversations.c.id == conv_id).with_for_update())
            if found is None:
                raise StorageError(NO_CONVERSATION_MESSAGE)
            position = conn.scalar(sa.select(sa.func.coalesce(sa.func.max(turns.c.position), 0))
                                   .where(turns.c.conversation_id == conv_id))
            when = _parse_time(data.get("created_at")) or sr.utc_now()
            return int(conn.execute(turns.insert().values(
                conversation_id=conv_id, position=int(position) + 1, created_at=_db_time(when),
                transcript=_text(_first_text(data, "transcript", "user_text", "text"),
                                 MAX_LONG_TEXT),
                has_errors=_bool_or_none(data.get("has_errors")),
                turn_json=_dumps(data),
            )).inserted_primary_key[0])

    def conversation_turns(self, conversation_id: str) -> list[dict]:
        """The turn dicts of a conversation, in the order they were saved."""
        with _begin(self.engine, write=False) as conn:
            rows = conn.execute(
                sa.select(turns.c.turn_json).where(
                    turns.c.conversation_id == _text(conversation_id, 64))
                .order_by(turns.c.position)
            ).all()
        return [_loads(row.turn_json) for row in rows]

    @staticmethod
    def _conversation_row(row: Any) -> dict[str, Any]:
        return {
            "id": row.id, "topic": row.topic, "level": row.level, "mode": row.mode,
            "opening_question": row.opening_question, "started_at": _iso(row.started_at),
            "ended_at": _iso(row.ended_at),
            "evaluation": _loads(row.evaluation_json) if row.evaluation_json else None,
        }

    def latest_open_conversation(self, learner_id: str) -> dict | None:
        """The learner's newest conversation that has not been ended, or None."""
        key = _learner_key(learner_id)
        with _begin(self.engine, write=False) as conn:
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
        values: dict[str, Any] = {"ended_at": _db_time(sr.utc_now())}
        if evaluation is not None:
            values["evaluation_json"] = _dumps(evaluation)
        with _begin(self.engine, write=True) as conn:
            conn.execute(conversations.update().where(
                conversations.c.id == _text(conversation_id, 64),
                conversations.c.ended_at.is_(None),
            ).values(**values))

    def list_conversations(self, learner_id: str) -> list[dict]:
        """The learner's conversations, newest first, each with ``turn_count``."""
        key = _learner_key(learner_id)
        counts = (sa.select(turns.c.conversation_id, sa.func.count().label("n"))
                  .group_by(turns.c.conversation_id).subquery())
        with _begin(self.engine, write=False) as conn:
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
        key = _learner_key(learner_id)
        moment = _db_time(sr.as_utc(now))
        due_first = sa.case((review_items.c.due_at <= moment, 0), else_=1)
        with _begin(self.engine, write=False) as conn:
            rows = conn.execute(
                sa.select(review_items).where(review_items.c.learner_id == key)
                .order_by(due_first, review_items.c.due_at, review_items.c.lapses.desc(),
                          review_items.c.word)
                .limit(max(int(limit), 0))
            ).all()
        return sr.review_order((_item_from_row(row) for row in rows), now)

    def record_review(self, learner_id: str, word: str, correct: bool,
                      now: datetime | None = None) -> sr.ReviewItem | None:
        """One explicit review of a word; returns the new state (None: correct, not on the list)."""
        key = _learner_key(learner_id)
        normalized = sr.normalize_word(word)
        if not normalized:
            return None
        with _begin(self.engine, write=True) as conn:
            self._ensure_learner(conn, key)
            updated = _apply_outcomes(conn, key, {normalized: bool(correct)}, sr.as_utc(now))
        return updated.get(normalized)

    # -- progress ----------------------------------------------------------

    def progress_summary(self, learner_id: str, now: datetime | None = None) -> dict:
        """What the Progress page draws.

        Keys: ``totals`` (analyses, conversations, turns, average/best/latest score,
        review_items, review_due, first/last practice time), ``score_over_time``
        (chronological rows: id, created_at, score, word_accuracy, reference_text),
        ``most_missed_sounds`` [(expected, heard, count)] ("" heard = sound left out),
        ``most_missed_words`` [(word, count)].
        """
        key = _learner_key(learner_id)
        moment = _db_time(sr.as_utc(now))
        with _begin(self.engine, write=False) as conn:
            stats = conn.execute(
                sa.select(sa.func.count(), sa.func.avg(analyses.c.score),
                          sa.func.max(analyses.c.score), sa.func.min(analyses.c.created_at),
                          sa.func.max(analyses.c.created_at))
                .where(analyses.c.learner_id == key)
            ).one()
            history = conn.execute(
                sa.select(analyses.c.id, analyses.c.created_at, analyses.c.score,
                          analyses.c.word_accuracy, analyses.c.reference_text)
                .where(analyses.c.learner_id == key)
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
                "first_practice_at": _iso(stats[3]),
                "last_practice_at": _iso(stats[4]),
                "conversations": int(conversation_count or 0),
                "turns": int(turn_count or 0),
                "review_items": int(review_total or 0),
                "review_due": int(review_due or 0),
            },
            "score_over_time": [
                {"id": row.id, "created_at": _iso(row.created_at), "score": row.score,
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
        key = _learner_key(learner_id)
        analyses_out = self.list_analyses(key)
        conversations_out = self.list_conversations(key)
        for conversation in conversations_out:
            conversation["turns"] = self.conversation_turns(conversation["id"])
        review_out = [item.to_dict() for item in self.review_words(key, limit=10_000)]
        document = {
            "format": "accent-coach-export",
            "schema_version": self.schema_version,
            "learner_id": key,
            "exported_at": _iso(sr.utc_now()),
            "analyses": list(reversed(analyses_out)),
            "conversations": list(reversed(conversations_out)),
            "review_items": review_out,
        }
        return json.dumps(_jsonable(document), ensure_ascii=False, indent=2)

    def export_csv(self, learner_id: str) -> bytes:
        """One CSV (UTF-8 with BOM): a row per analysis and a row per conversation turn,
        oldest first; the ``kind`` column is ``analysis`` or ``turn``."""
        key = _learner_key(learner_id)
        rows: list[tuple[datetime, dict[str, Any]]] = []
        with _begin(self.engine, write=False) as conn:
            for row in conn.execute(sa.select(analyses).where(analyses.c.learner_id == key)):
                words = _words(_loads(row.result_json))
                problems = [str(w.get("word", "")) for w in words
                            if w.get("status") in WRONG_STATUSES]
                rows.append((row.created_at, {
                    "kind": "analysis", "id": row.id, "created_at": _iso(row.created_at),
                    "reference_text": row.reference_text, "transcript": row.transcript,
                    "model": row.model, "score": row.score, "word_accuracy": row.word_accuracy,
                    "wer": row.wer, "per": row.per, "completeness": row.completeness,
                    "problem_words": " ".join(problems),
                }))
            for row in self._all_turns(conn, key):
                turn = _loads(row.turn_json)
                turn = turn if isinstance(turn, Mapping) else {}
                rows.append((row.created_at, {
                    "kind": "turn", "id": row.id, "created_at": _iso(row.created_at),
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
        key = _learner_key(learner_id)
        with _begin(self.engine, write=True) as conn:
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
