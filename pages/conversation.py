"""Conversation Tutor: talk (or type) about a topic at your level; the tutor corrects kindly and asks on."""

from __future__ import annotations

import hashlib
import logging
import secrets

import streamlit as st
import streamlit_mic_recorder

from conversation_tutor import (
    Conversation,
    ConversationTutor,
    ExamEvaluation,
    TurnError,
    TurnResult,
    escape_markdown,
    evaluate_exam,
    run_turn,
    summarise_practice,
    transcript_markdown,
)
from speech.audio import AudioError, prepare_audio
from tutor.topics import (
    DEFAULT_LEVEL,
    DEFAULT_MODE,
    DEFAULT_TOPIC,
    LEVELS,
    MODES,
    TOPICS,
    topic_title,
)
from tutor.report import PracticeSummary, pronunciation_note
from ui import session
from ui.sidebar import ensure_shell, refresh_model_status

logger = logging.getLogger(__name__)

CONVERSATION_KEY = "tutor_conversation"  # the open Conversation (opening question chosen once, kept here)
TUTOR_KEY = "tutor_engine"  # this session's ConversationTutor
ENDED_KEY = "tutor_ended"  # {"markdown", "evaluation", "title"} of the conversation just ended
RESTORED_KEY = "tutor_restore_checked"
FALLBACK_LEARNER_KEY = "tutor_fallback_learner"  # a private id when identity fails, never a shared one
HANDLED_AUDIO_KEY = "tutor_handled_audio"  # digests of recordings already used (never sent twice)
TTS_KEY = "tutor_tts"  # {turn index: wav bytes} of replies played aloud
TOPIC_KEY = "tutor_topic"
LEVEL_KEY = "tutor_level"
MODE_KEY = "tutor_mode"
SETUP_KEY = "tutor_last_setup"  # (topic, level, mode) of the last start: the setup form comes back with it
LEVEL_HELP = {"A2": "Elementary", "B1-B2": "Intermediate", "C1-C2": "Advanced"}
MODE_HELP = {"practice": "Practice: corrections after every turn",
             "exam": "Exam: no corrections until the end, then an evaluation"}
MODE_NAMES = {"practice": "Practice", "exam": "Exam"}
MSG_TURN_FAILED = "Something went wrong with this turn. Please try again."
MSG_STORAGE = "Your conversation could not be saved, but you can keep talking."


def _storage():
    try:
        from progress.storage import get_storage

        return get_storage()
    except Exception:
        logger.exception("Storage unavailable for the conversation tutor")
        return None


def _learner_id() -> str:
    try:
        from progress.learner import current_learner

        return current_learner().id
    except Exception:
        logger.exception("No learner identity; this session's conversations are kept apart")
        return st.session_state.setdefault(FALLBACK_LEARNER_KEY, f"session:{secrets.token_hex(16)}")


def _tutor() -> ConversationTutor:
    if TUTOR_KEY not in st.session_state:
        st.session_state[TUTOR_KEY] = ConversationTutor()
    return st.session_state[TUTOR_KEY]


def _restore_open_conversation() -> None:
    """After a page refresh, bring back the learner's open conversation from storage (once per session)."""
    if st.session_state.get(RESTORED_KEY) or CONVERSATION_KEY in st.session_state:
        return
    st.session_state[RESTORED_KEY] = True
    store = _storage()
    if store is None:
        return
    try:
        found = store.latest_open_conversation(_learner_id())
        if not found or found.get("topic") not in TOPICS:
            return
        level = found.get("level") if found.get("level") in LEVELS else DEFAULT_LEVEL
        mode = found.get("mode") if found.get("mode") in MODES else DEFAULT_MODE
        conversation = Conversation(
            topic=found["topic"], level=level, mode=mode,
            opening_question=found.get("opening_question") or "", conversation_id=found["id"],
            started_at=found.get("started_at") or "",
        )
        for data in store.conversation_turns(found["id"]):
            try:
                conversation.turns.append(TurnResult.from_dict(data))
            except (ValueError, TypeError, KeyError):
                logger.warning("Skipped a stored turn that could not be read")
        if not conversation.opening_question:
            return
        st.session_state[CONVERSATION_KEY] = conversation
    except Exception:
        logger.exception("Restoring the open conversation failed")


def _start(topic: str, level: str, mode: str) -> None:
    st.session_state[SETUP_KEY] = (topic, level, mode)
    conversation = Conversation.start(topic, level, mode)
    store = _storage()
    if store is not None:
        try:
            conversation.conversation_id = store.start_conversation(
                _learner_id(), topic, level, mode, conversation.opening_question)
        except Exception:
            logger.exception("Could not store the new conversation")
    st.session_state[CONVERSATION_KEY] = conversation
    st.session_state.pop(ENDED_KEY, None)
    st.session_state[TTS_KEY] = {}


def _end(conversation: Conversation) -> None:
    evaluation = evaluate_exam(conversation) if conversation.mode == "exam" else None
    store = _storage()
    if store is not None and conversation.conversation_id:
        try:
            store.end_conversation(conversation.conversation_id, evaluation.to_dict() if evaluation else None)
        except Exception:
            logger.exception("Could not close the stored conversation")
    summary = None if evaluation else summarise_practice(conversation)
    st.session_state[ENDED_KEY] = {
        "markdown": transcript_markdown(conversation, evaluation),
        "evaluation": evaluation,
        "summary": summary,
        "title": topic_title(conversation.topic),
        "stats": conversation.stats(),
    }
    st.session_state[SETUP_KEY] = (conversation.topic, conversation.level, conversation.mode)
    st.session_state.pop(CONVERSATION_KEY, None)
    st.session_state[TTS_KEY] = {}


def _save_turn(conversation: Conversation, turn: TurnResult) -> None:
    store = _storage()
    if store is None or not conversation.conversation_id:
        return
    try:
        store.save_turn(conversation.conversation_id, turn.to_dict())
    except Exception:
        logger.exception("Could not store a conversation turn")
        st.toast(MSG_STORAGE)


def _take_turn(conversation: Conversation, *, text: str | None = None, recording: dict | None = None) -> None:
    tutor = _tutor()
    try:
        with st.spinner("The tutor is thinking…"):
            if recording is not None:
                settings = session.current_settings()
                prepared = prepare_audio(recording["bytes"], settings.audio_options, filename="turn.wav")
                for warning in prepared.warnings:
                    st.toast(warning)
                turn = run_turn(conversation, tutor, audio=prepared.samples, sample_rate=prepared.sample_rate,
                                manager=session.get_asr_manager(), model_name=settings.model_name,
                                hf_token=settings.hf_token)
            else:
                turn = run_turn(conversation, tutor, text=text)
    except (AudioError, TurnError) as error:
        st.warning(str(error), icon=":material/info:")
        return
    except Exception:
        logger.exception("A conversation turn failed")
        st.error(MSG_TURN_FAILED)
        return
    if recording is not None:
        refresh_model_status()
    _save_turn(conversation, turn)


def _speak_button(text: str, index: int) -> None:
    """A button that reads ``text`` aloud with the offline voice (the audio is made on demand)."""
    clips: dict = st.session_state.setdefault(TTS_KEY, {})
    if st.button("Listen", key=f"tutor-listen-{index}", icon=":material/volume_up:", type="tertiary"):
        try:
            from pronunciation.tts import synthesize

            clips[index] = synthesize(text)
        except Exception:
            logger.exception("Reading the reply aloud failed")
            clips[index] = None
        if clips[index] is None:
            st.caption("Reading aloud is not available on this computer.")
    if clips.get(index):
        st.audio(clips[index], format="audio/wav")


def _render_turn(conversation: Conversation, turn: TurnResult, latest: bool) -> None:
    with st.chat_message("user"):
        st.markdown(escape_markdown(turn.transcript))
        if turn.input_kind == "voice":
            st.caption("Spoken (what the recognizer heard)")
    reply = turn.reply
    with st.chat_message("assistant"):
        if conversation.mode == "practice":
            if reply.has_errors:
                st.markdown(f"**Correction:** {escape_markdown(reply.correction)}")
            else:
                st.markdown(f":green[**{escape_markdown(reply.correction)}**]")
            st.markdown(f"**Why:** {escape_markdown(reply.explanation)}")
            st.markdown(f"**Better:** {escape_markdown(reply.improved_version)}")
            if turn.input_kind == "voice":
                st.markdown(f"**Pronunciation:** {escape_markdown(pronunciation_note(turn.pronunciation_hints))}")
        st.markdown(f"**{escape_markdown(reply.follow_up_question)}**")
        if latest and turn.notice:
            st.caption(turn.notice)
        speech = reply.follow_up_question if conversation.mode == "exam" else \
            f"{reply.correction} {reply.explanation} {reply.follow_up_question}"
        _speak_button(speech, turn.index)


def _render_setup() -> None:
    st.caption("Choose a topic and your level, then answer the tutor's questions by speaking or typing.")
    topic, level, mode = st.session_state.get(SETUP_KEY) or (DEFAULT_TOPIC, DEFAULT_LEVEL, DEFAULT_MODE)
    # widget values are dropped while the conversation runs (the form is not drawn): bring back the last setup
    st.session_state.setdefault(TOPIC_KEY, topic if topic in TOPICS else DEFAULT_TOPIC)
    st.session_state.setdefault(LEVEL_KEY, level if level in LEVELS else DEFAULT_LEVEL)
    st.session_state.setdefault(MODE_KEY, mode if mode in MODES else DEFAULT_MODE)
    with st.form("tutor-setup"):
        topic = st.selectbox("Topic", list(TOPICS), format_func=topic_title, key=TOPIC_KEY)
        level = st.radio("Level", LEVELS, format_func=lambda lv: f"{lv} · {LEVEL_HELP[lv]}", key=LEVEL_KEY,
                         horizontal=True)
        mode = st.radio("Mode", MODES, format_func=lambda m: MODE_HELP[m], key=MODE_KEY, horizontal=True)
        if st.form_submit_button("Start conversation", type="primary"):
            _start(topic, level, mode)
            st.rerun()


def _render_sentence(said: str, better: str = "", why: str = "") -> None:
    """One learner sentence, quoted, with the better version and the reason under it."""
    lines = [f"- \u201c{escape_markdown(said)}\u201d"]
    if better:
        lines.append(f"  **Better:** \u201c{escape_markdown(better)}\u201d")
    if why:
        lines.append(f"  *{escape_markdown(why)}*")
    st.markdown("  \n".join(lines))


def _render_practice_summary(summary: PracticeSummary) -> None:
    st.subheader("Your practice summary")
    st.markdown(escape_markdown(summary.headline))
    if summary.corrected:
        st.markdown("**Sentences to fix**")
        for sentence in summary.corrected:
            _render_sentence(sentence.said, sentence.better, sentence.why)
    if summary.unclear_words:
        st.markdown(f"**Pronunciation:** {escape_markdown(pronunciation_note(summary.unclear_words))}")
    if summary.work_on:
        st.markdown("**What to work on next**")
        for number, item in enumerate(summary.work_on, start=1):
            st.markdown(f"{number}. {escape_markdown(item)}")


def _render_exam_report(evaluation: ExamEvaluation) -> None:
    st.subheader("Your exam evaluation")
    st.metric("Estimated level", evaluation.estimated_level)
    if evaluation.level_evidence:
        st.markdown("**Why this level**")
        for line in evaluation.level_evidence:
            st.markdown(f"- {escape_markdown(line)}")
        st.caption("A rough estimate from this conversation only, not an official test result.")
    if evaluation.sentences:
        st.markdown("**Your answers**")
        for sentence in evaluation.sentences:
            if sentence.has_errors:
                _render_sentence(sentence.said, sentence.better, sentence.why)
            else:
                st.markdown(f"- \u201c{escape_markdown(sentence.said)}\u201d :green[correct]")
    st.markdown("**Main grammar points**")
    for item in evaluation.grammar_issues or ("No grammar problems were found.",):
        st.markdown(f"- {escape_markdown(item)}")
    st.markdown("**Pronunciation**")
    if evaluation.spoken_turns or evaluation.pronunciation_issues:
        st.markdown("- " + escape_markdown(pronunciation_note(evaluation.pronunciation_issues)))
    else:
        st.markdown("- You typed your answers, so your pronunciation was not checked. "
                    "Record your answers next time to get pronunciation hints.")
    st.markdown("**Three things to practise**")
    for number, item in enumerate(evaluation.practice, start=1):
        st.markdown(f"{number}. {escape_markdown(item)}")


def _render_ended() -> None:
    ended = st.session_state.get(ENDED_KEY)
    if not ended:
        return
    stats = ended["stats"]
    turns = "1 answer" if stats["turns"] == 1 else f"{stats['turns']} answers"
    st.success(f"Conversation about {ended['title']} ended: {turns} in {stats.get('duration', '00:00')} (mm:ss).")
    evaluation: ExamEvaluation | None = ended.get("evaluation")
    summary: PracticeSummary | None = ended.get("summary")
    if evaluation is not None:
        _render_exam_report(evaluation)
    elif summary is not None:
        _render_practice_summary(summary)
    st.download_button("Download the transcript (Markdown)", ended["markdown"], file_name="conversation.md",
                       mime="text/markdown", key="tutor-download-ended", icon=":material/download:")
    st.divider()
    st.markdown("**Start another conversation**")


def _render_conversation(conversation: Conversation) -> None:
    st.caption(f"{topic_title(conversation.topic)} · {conversation.level} ({LEVEL_HELP[conversation.level]}) · "
               f"{MODE_NAMES.get(conversation.mode, conversation.mode)} · {_tutor().description}")
    stats_area = st.container()
    history = st.container()
    turn_number = len(conversation.turns)
    st.caption("Answer by recording yourself or by typing below.")
    recording = streamlit_mic_recorder.mic_recorder(
        start_prompt="Record my answer", stop_prompt="Stop recording", format="wav", key=f"turn-{turn_number}")
    typed = st.chat_input("Type your answer…", key="tutor-chat-input")

    if recording and recording.get("bytes"):
        digest = hashlib.sha1(recording["bytes"]).hexdigest()
        handled: set = st.session_state.setdefault(HANDLED_AUDIO_KEY, set())
        if digest not in handled:
            handled.add(digest)
            _take_turn(conversation, recording=recording)
    elif typed:
        _take_turn(conversation, text=typed)
    if len(conversation.turns) != turn_number:
        st.rerun()  # draw the next turn's fresh recorder now, so the next recording reaches it

    stats = conversation.stats()
    columns = stats_area.columns(3)
    columns[0].metric("Turns", stats["turns"])
    if conversation.mode == "practice":
        columns[1].metric("Turns with errors", stats["errors"])
    else:
        columns[1].metric("Mode", "Exam")
    columns[2].metric("Time", stats["duration"], help="Minutes and seconds since the start (mm:ss).")

    with history:
        with st.chat_message("assistant"):
            st.markdown(escape_markdown(conversation.opening_question))
            if not conversation.turns:
                _speak_button(conversation.opening_question, -1)
        for number, turn in enumerate(conversation.turns):
            _render_turn(conversation, turn, latest=number == len(conversation.turns) - 1)

    left, right = st.columns(2)
    left.download_button("Download the transcript (Markdown)", transcript_markdown(conversation),
                         file_name="conversation.md", mime="text/markdown", key="tutor-download",
                         icon=":material/download:")
    label = "Finish the exam and see my evaluation" if conversation.mode == "exam" else "End session"
    if right.button(label, key="tutor-end", icon=":material/stop_circle:"):
        _end(conversation)
        st.rerun()


ensure_shell()
st.title("Conversation Tutor")
_restore_open_conversation()
current: Conversation | None = st.session_state.get(CONVERSATION_KEY)
if current is None:
    _render_ended()
    _render_setup()
else:
    _render_conversation(current)
