"""Progress page: scores over time, the sounds most often wrong, words to review,
history, export (CSV and JSON) and "Delete my data".

A plain page script run by app.py through st.navigation (no set_page_config here).
Every piece of learner or model text goes into tables, charts or escaped markdown.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone, tzinfo
from zoneinfo import ZoneInfo

import altair as alt
import pandas as pd
import streamlit as st

from progress import learner as learner_identity
from progress import overview
from progress import spaced_repetition as sr
from progress import storage as storage_db
from ui.safe_text import escape_markdown
from ui.sidebar import ensure_shell

logger = logging.getLogger(__name__)

HISTORY_ROWS = 200
CONFIRM_KEY = "progress_confirm_delete"
DELETED_KEY = "progress_data_deleted"
MISSING_SOUND_LABEL = "(left out)"
SENTENCE_KEY = "progress_sentence"
FAILED_NOTE = "Not counted: other sentence"
DATE_FORMAT = "%Y-%m-%d %H:%M"
EMPTY_MESSAGE = (
    "No practice yet. Do a practice on the Pronunciation Practice page (or talk with the "
    "Conversation Tutor), then come back here to see your progress."
)
def _viewer_zone() -> tzinfo:
    try:
        name = st.context.timezone
        return ZoneInfo(name) if name else timezone.utc
    except Exception:
        return timezone.utc


def _local_time(iso: str | None, zone: tzinfo) -> datetime | None:
    if not iso:
        return None
    try:
        return datetime.fromisoformat(iso).astimezone(zone).replace(tzinfo=None)
    except ValueError:
        return None


def _format_time(iso: str | None, zone: tzinfo) -> str:
    moment = _local_time(iso, zone)
    return moment.strftime(DATE_FORMAT) if moment else ""


def _score_chart(points: list[dict], zone: tzinfo) -> alt.Chart | None:
    """Scores of one sentence over time (never several sentences on one line)."""
    frame = pd.DataFrame([{"Date": _local_time(row["created_at"], zone), "Score": row["score"]}
                          for row in points if row.get("score") is not None])
    if frame.empty:
        return None
    return (
        alt.Chart(frame)
        .mark_line(point=alt.OverlayMarkDef(size=60))
        .encode(
            x=alt.X("Date:T", title="Date", axis=alt.Axis(format="%d %b %H:%M", labelAngle=0, tickCount=6)),
            y=alt.Y("Score:Q", title="Score", scale=alt.Scale(domain=[0, 100])),
            tooltip=[alt.Tooltip("Date:T", format=DATE_FORMAT), "Score:Q"],
        )
    )


def _score_section(rows: list[dict], zone: tzinfo) -> None:
    st.subheader("Score over time")
    sentences = overview.scores_by_sentence(rows)
    if not sentences:
        st.caption("Your scores appear here after your first pronunciation practice.")
        return
    if len(sentences) == 1:
        chosen = sentences[0]
        st.caption(f"Sentence: {escape_markdown(chosen.label)}")
    else:
        labels = [group.label for group in sentences]
        label = st.selectbox("Sentence", labels, key=SENTENCE_KEY,
                             help="Each sentence has its own line: scores of different sentences do not compare.")
        chosen = sentences[labels.index(label)] if label in labels else sentences[0]
    chart = _score_chart(chosen.points, zone)
    if chart is not None:
        st.altair_chart(chart, width="stretch")
    if len(chosen.points) == 1:
        st.caption("Practise this sentence again to see a line of your progress.")


def _sounds_frame(sounds: list[tuple[str, str, int]]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"Expected sound": f"/{expected}/" if expected else "(extra sound)",
          "What was heard": f"/{heard}/" if heard else MISSING_SOUND_LABEL,
          "Times": count}
         for expected, heard, count in sounds]
    )


def _review_section(review: list[sr.ReviewItem], now: datetime) -> None:
    st.subheader("Words to review")
    if not review:
        st.caption("Nothing to review. Words you get wrong will appear here.")
        return
    plan = overview.review_plan(review, now)
    st.write(plan.due_message)
    if plan.due:
        st.dataframe(pd.DataFrame(overview.review_rows(plan.due, now)), hide_index=True, width="stretch",
                     key="progress_review_due")
    if plan.later:
        st.write(plan.later_message)
        st.dataframe(pd.DataFrame(overview.review_rows(plan.later, now)), hide_index=True, width="stretch",
                     key="progress_review_later")


def _history_frame(rows: list[dict], zone: tzinfo) -> pd.DataFrame:
    frame = pd.DataFrame(
        [{"Date": _format_time(row["created_at"], zone),
          "Text": row.get("reference_text") or "",
          "You said": row.get("transcript") or "",
          "Score": "–" if row.get("score") is None else f"{float(row['score']):.0f}",
          "Note": FAILED_NOTE if row.get("read_something_else") else "",
          "Word accuracy %": (None if row.get("word_accuracy") is None
                              else round(float(row["word_accuracy"]), 1)),
          "Model": row.get("model") or ""}
         for row in rows]
    )
    if not frame.empty and not frame["Note"].astype(bool).any():
        frame = frame.drop(columns="Note")  # no empty column
    return frame


def _conversation_frame(rows: list[dict], zone: tzinfo) -> pd.DataFrame:
    started = [{"Started": _format_time(row["started_at"], zone)} for row in rows]
    return pd.DataFrame([{**when, **row} for when, row in zip(started, overview.conversation_rows(rows))])


def _delete_section(store: storage_db.Storage, who: learner_identity.Learner) -> None:
    st.subheader("Delete my data")
    if not st.session_state.get(CONFIRM_KEY):
        st.write("This removes all your saved results, conversations, review words and "
                 "recordings from this app.")
        if st.button("Delete my data", key="progress_delete"):
            st.session_state[CONFIRM_KEY] = True
            st.rerun()
        return
    st.warning("Are you sure? All your saved results, conversations and recordings will be "
               "deleted. This cannot be undone.")
    yes, no = st.columns(2)
    if yes.button("Yes, delete everything", type="primary", key="progress_delete_yes"):
        try:
            store.delete_learner_data(who.id)
        except storage_db.StorageError as error:
            st.error(str(error))
            return
        learner_identity.renew_local_profile()  # the old link must not open the new history
        st.session_state[CONFIRM_KEY] = False
        st.session_state[DELETED_KEY] = True
        st.rerun()
    if no.button("Cancel", key="progress_delete_cancel"):
        st.session_state[CONFIRM_KEY] = False
        st.rerun()


def render() -> None:
    ensure_shell()
    who = learner_identity.current_learner()
    zone = _viewer_zone()
    now = sr.utc_now()
    st.title("Your progress")
    st.caption(f"Profile: {escape_markdown(who.display_name)}")
    if st.session_state.pop(DELETED_KEY, False):
        st.success("Your data has been deleted.")

    try:
        store = storage_db.get_storage()
        summary = store.progress_summary(who.id, now=now)
        totals = summary["totals"]
        history = store.list_analyses(who.id, limit=HISTORY_ROWS, include_result=False)
        if not (history or totals["conversations"] or totals["review_items"]):
            st.info(EMPTY_MESSAGE)
            return
        review = store.review_words(who.id, now=now)
        conversations = store.list_conversations(who.id)
        export_csv = store.export_csv(who.id)
        export_json = store.export_json(who.id).encode("utf-8")
    except storage_db.StorageError as error:
        st.error(str(error))
        return

    practices, average, best, due = st.columns(4)
    practices.metric("Practices", totals["analyses"])
    average.metric("Average score", "–" if totals["average_score"] is None
                   else f"{totals['average_score']:.0f}")
    best.metric("Best score", "–" if totals["best_score"] is None
                else f"{totals['best_score']:.0f}")
    due.metric("Words to review now", totals["review_due"])
    left_out = sum(1 for row in history if row.get("read_something_else"))
    if left_out:
        st.caption(f"{left_out} attempt{'s' if left_out != 1 else ''} where a different sentence was read "
                   f"{'are' if left_out != 1 else 'is'} left out of your scores, sounds and review words.")

    _score_section(summary["score_over_time"], zone)

    st.subheader("Sounds you miss most")
    if summary["most_missed_sounds"]:
        st.dataframe(_sounds_frame(summary["most_missed_sounds"]), hide_index=True,
                     width="stretch")
        st.caption("Each row is a sound of the text and what was heard instead.")
    else:
        st.caption("No sound errors recorded yet. Well done!" if totals["analyses"]
                   else "Sound errors appear here after your first scored practice.")

    _review_section(review, now)

    st.subheader("History")
    if history:
        st.dataframe(_history_frame(history, zone), hide_index=True, width="stretch")
        if len(history) == HISTORY_ROWS:
            st.caption(f"Showing your latest {len(history)} practices; the export has them all.")
    if conversations:
        st.write("Conversations")
        st.dataframe(_conversation_frame(conversations, zone), hide_index=True, width="stretch")

    st.subheader("Export")
    st.caption("Download all your history: CSV for a spreadsheet (one row per practice and "
               "per conversation turn), JSON with every detail.")
    csv_col, json_col = st.columns(2)
    file_stem = f"accent-coach-{learner_identity.slugify(who.display_name)}"
    csv_col.download_button("Download CSV", data=export_csv, file_name=f"{file_stem}.csv",
                            mime="text/csv", key="progress_export_csv", on_click="ignore")
    json_col.download_button("Download JSON", data=export_json, file_name=f"{file_stem}.json",
                             mime="application/json", key="progress_export_json",
                             on_click="ignore")

    _delete_section(store, who)


render()
