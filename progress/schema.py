"""The database schema and its migrations.

``metadata`` and its tables are the current schema that queries use. ``schema_version``
holds one row per applied migration; ``MIGRATIONS`` is the ordered list. Each migration
keeps its own frozen table definitions, so an old database is brought forward step by step.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from progress import spaced_repetition as sr
from progress.database import StorageError, db_time, transaction

logger = logging.getLogger(__name__)

MAX_LEARNER_ID_CHARS = 320
MAX_SHORT_TEXT = 200
MAX_LONG_TEXT = 4000
MAX_PHONE_CHARS = 16

NEWER_SCHEMA_MESSAGE = "The progress database was written by a newer version of Accent Coach."

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
    from progress.records import (  # records builds on this schema
        index_words,
        loads,
        parse_time,
    )

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
        result = loads(row.result_json)
        when = parse_time(row.created_at) or sr.utc_now()
        index_words(conn, row.id, row.learner_id, result, when)


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
    with transaction(engine, write=True) as conn:
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
                    applied_at=db_time(sr.utc_now()),
                ))
                version = migration.version
    return version

