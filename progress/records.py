"""Turning what callers hand to storage into clean rows: times, texts, numbers and JSON
coerced (bad numbers become NULL, JSON is sanitised), an analysis's words and sounds indexed,
and the review schedule updated from a result's outcomes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from progress import spaced_repetition as sr
from progress.database import db_time
from progress.schema import (
    MAX_LEARNER_ID_CHARS,
    MAX_PHONE_CHARS,
    MAX_SHORT_TEXT,
    analysis_words,
    review_items,
    sound_errors,
)

logger = logging.getLogger(__name__)

CORRECT_STATUS = "correct"
WRONG_STATUSES = frozenset({"mispronounced", "missing"})


def aware(moment: datetime | None) -> datetime | None:
    return None if moment is None else sr.as_utc(moment)


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else sr.as_utc(moment).isoformat()


def parse_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return sr.as_utc(value)
    if isinstance(value, str) and value.strip():
        try:
            return sr.as_utc(datetime.fromisoformat(value.strip()))
        except ValueError:
            return None
    return None


def clean_text(value: Any, limit: int) -> str:
    if value is None:
        return ""
    return str(value).replace("\x00", "")[:limit]


def number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def bool_or_none(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def jsonable(value: Any, depth: int = 0) -> Any:
    """A JSON-safe copy: NaN/inf -> None, numpy and dataclasses -> plain values."""
    if depth > 50:
        return None
    if value is None or isinstance(value, (bool, int, str)):
        return value.replace("\x00", "") if isinstance(value, str) else value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): jsonable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v, depth + 1) for v in value]
    if isinstance(value, datetime):
        return iso(value)
    if hasattr(value, "to_dict") and callable(value.to_dict):
        return jsonable(value.to_dict(), depth + 1)
    if hasattr(value, "tolist") and callable(value.tolist):  # numpy scalars and arrays
        return jsonable(value.tolist(), depth + 1)
    return str(value)


def dumps(value: Any) -> str:
    return json.dumps(jsonable(value), ensure_ascii=False, allow_nan=False)


def loads(text: str | None) -> Any:
    if not text:
        return {}
    try:
        return json.loads(text)
    except ValueError:
        logger.warning("Stored JSON could not be read; treating it as empty")
        return {}


def learner_key(learner_id: Any) -> str:
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


def is_failed_attempt(result: Any) -> bool:
    """Whether a stored result is an attempt that must not count: the learner read something else.

    The analysis pipeline flags it with ``"read_something_else": true``; the key is read
    defensively (absent, null or any other value: a normal attempt).
    """
    if not isinstance(result, Mapping):
        return False
    flag = result.get("read_something_else")
    if isinstance(flag, str):
        return flag.strip().lower() == "true"
    return flag is True


def result_metrics(result: Mapping[str, Any]) -> Mapping[str, Any]:
    metrics = result.get("metrics")
    return metrics if isinstance(metrics, Mapping) else {}


def result_words(result: Any) -> list[Mapping[str, Any]]:
    words = result.get("words") if isinstance(result, Mapping) else None
    if not isinstance(words, list):
        return []
    return [w for w in words if isinstance(w, Mapping)]


def index_words(conn: Connection, analysis_id: int, learner_id: str, result: Any,
                 when: datetime) -> None:
    """Per-word rows, sound-error rows and review updates for one analysis."""
    word_rows: list[dict[str, Any]] = []
    sound_rows: list[dict[str, Any]] = []
    outcomes: dict[str, bool] = {}
    for position, entry in enumerate(result_words(result)):
        word = clean_text(entry.get("word"), MAX_SHORT_TEXT)
        status = clean_text(entry.get("status"), 16)
        word_rows.append({
            "analysis_id": analysis_id, "learner_id": learner_id, "position": position,
            "word": word, "status": status, "level": clean_text(entry.get("level"), 8) or None,
            "score": number(entry.get("score")),
        })
        errors = entry.get("phone_errors")
        for error in errors if isinstance(errors, list) else []:
            if not isinstance(error, Mapping):
                continue
            expected = clean_text(error.get("expected"), MAX_PHONE_CHARS).strip()
            heard = clean_text(error.get("heard"), MAX_PHONE_CHARS).strip()
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
        apply_outcomes(conn, learner_id, outcomes, when)


def item_from_row(row: Any) -> sr.ReviewItem:
    return sr.ReviewItem(
        word=row.word, box=int(row.box), due_at=sr.as_utc(row.due_at),
        lapses=int(row.lapses), last_result=row.last_result, reviews=int(row.reviews),
        last_reviewed_at=aware(row.last_reviewed_at),
    )


def apply_outcomes(conn: Connection, learner_id: str, outcomes: Mapping[str, bool],
                    when: datetime) -> dict[str, sr.ReviewItem]:
    """Move review items for several words; a correct reading never creates an item."""
    rows = conn.execute(
        sa.select(review_items).where(
            review_items.c.learner_id == learner_id,
            review_items.c.word.in_(list(outcomes)),
        )
    ).all()
    existing = {row.word: item_from_row(row) for row in rows}
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
            "box": new.box, "due_at": db_time(new.due_at), "lapses": new.lapses,
            "last_result": new.last_result, "reviews": new.reviews,
            "last_reviewed_at": db_time(new.last_reviewed_at) if new.last_reviewed_at else None,
        }
        if item is None:
            conn.execute(review_items.insert().values(
                learner_id=learner_id, word=word, created_at=db_time(when), **values))
        else:
            conn.execute(review_items.update().where(
                review_items.c.learner_id == learner_id, review_items.c.word == word,
            ).values(**values))
        updated[word] = new
    return updated


def insert_ignoring_duplicates(conn: Connection, table: sa.Table, values: dict[str, Any],
                                keys: list[str]) -> Any | None:
    """``INSERT ... ON CONFLICT DO NOTHING`` where the dialect has it, else None."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    elif conn.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:
        return None
    return dialect_insert(table).values(**values).on_conflict_do_nothing(index_elements=keys)


