"""Where the learners' history lives and how to talk to it: the database URL, a pooled
SQLAlchemy engine (SQLite with WAL, a busy timeout and ``BEGIN IMMEDIATE`` for writes, or
PostgreSQL by URL) and one short transaction at a time.

Database failures surface as :class:`StorageError`, whose ``str`` is a short message fit
for the learner; the details go to the log.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool

from progress import spaced_repetition as sr
from ui.app_config import secret_section

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

SAVE_FAILED_MESSAGE = "Sorry, your progress could not be saved or read just now. Please try again."
OPEN_FAILED_MESSAGE = "The progress database could not be opened. Please check its setting."

_WRITE = "accent_coach_write"


class StorageError(RuntimeError):
    """A storage failure; ``str(error)`` is a short message for the learner."""



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


def safe_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparsable database URL>"


def is_memory_sqlite(database: str | None) -> bool:
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
    memory = is_memory_sqlite(parsed.database)
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
def transaction(engine: Engine, write: bool) -> Iterator[Connection]:
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



def db_time(moment: datetime) -> datetime:
    """Times are stored as naive UTC (portable across SQLite and PostgreSQL)."""
    return sr.as_utc(moment).replace(tzinfo=None)
