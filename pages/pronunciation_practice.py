"""Pronunciation Practice: pick or type a sentence, hear it, record it, see what to fix (UI only)."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import streamlit as st
from streamlit_mic_recorder import mic_recorder

from analysis_pipeline import AnalysisPipeline
from progress.learner import current_learner
from progress.storage import get_storage
from pronunciation.minimal_pairs import minimal_pair, warm_up_in_background
from pronunciation.phonetics import TextError, g2p
from pronunciation.practice_texts import CATEGORIES, texts_in
from pronunciation.sound_guide import tip_for
from pronunciation.tts import synthesize, synthesize_word, tts_engine
from speech.audio import AudioError, prepare_audio, to_wav_bytes
from tutor.llm_coach import coach_feedback
from ui.practice_view import (
    chart_is_worth_drawing,
    error_chart,
    error_distribution,
    ipa_slashes,
    recorder_status_script,
    reference_html,
    score_html,
    scroll_into_view_script,
    waveform_chart,
    words_html,
)
from ui.result_summary import WEAK_MODELS, score_parts, verdict
from ui.safe_text import escape_markdown as md_escape
from ui.session import current_settings, get_asr_manager
from ui.sidebar import ensure_shell, refresh_model_status

logger = logging.getLogger(__name__)

CUSTOM = "Custom text"
CATEGORY_KEY = "practice_category"
CUSTOM_TEXT_KEY = "practice_custom_text"
AUDIO_KEY = "practice_audio"  # {"bytes", "name", "source"}: the recording to analyse
RESULT_KEY = "practice_result"  # {"result": dict, "samples": ndarray, "sample_rate": int}: the current result only
UPLOAD_ID_KEY = "practice_upload_id"
DRILL_KEY = "practice_drill"  # {"word", "ipa", "tip", "pair"}: the word drill open under the result
DRILL_RESULTS_KEY = "practice_drill_results"  # {word: result dict} of the drill's recordings
SCROLL_KEY = "practice_scroll"  # (anchor, token): scroll there once after this run
STOP_LABEL = "Stop recording"
RECORDING_HINT = "press “Stop recording” when you have finished."
CUSTOM_TEXT_LIMIT = 600

RESULT_ANCHOR = "your-result"
DRILL_ANCHOR = "word-drill"
RECORD_ANCHOR = "record-yourself"


# -- callbacks (run before the script draws anything) ----------------------------
def _scroll_to(anchor: str) -> None:
    st.session_state[SCROLL_KEY] = (anchor, uuid.uuid4().hex)


def _practise_word(word: dict[str, Any], tip: str) -> None:
    error = next((e for e in word["phone_errors"] if e["kind"] != "insertion"), None)
    pair = minimal_pair(
        word["word"], error["expected"] if error else "", error["heard"] if error else "", word.get("heard_word")
    )
    st.session_state[DRILL_KEY] = {
        "word": word["word"],
        "ipa": word["expected_ipa"],
        "tip": tip_for(pair.expected, pair.heard or None) if pair and not pair.usual else tip,
        "pair": pair.to_dict() if pair else None,
    }
    st.session_state[DRILL_RESULTS_KEY] = {}
    _scroll_to(DRILL_ANCHOR)


def _leave_drill() -> None:
    st.session_state.pop(DRILL_KEY, None)
    st.session_state.pop(DRILL_RESULTS_KEY, None)
    _scroll_to(RESULT_ANCHOR)


def _read_again() -> None:
    for key in (AUDIO_KEY, RESULT_KEY, DRILL_KEY, DRILL_RESULTS_KEY):
        st.session_state.pop(key, None)
    _scroll_to(RECORD_ANCHOR)


def _practise_text(text: str) -> None:
    st.session_state[CATEGORY_KEY] = CUSTOM
    st.session_state[CUSTOM_TEXT_KEY] = text[:CUSTOM_TEXT_LIMIT]
    for key in (AUDIO_KEY, RESULT_KEY, DRILL_KEY, DRILL_RESULTS_KEY):
        st.session_state.pop(key, None)
    _scroll_to(RECORD_ANCHOR)


def _new_audio(data: bytes, name: str, source: str) -> None:
    st.session_state[AUDIO_KEY] = {"bytes": data, "name": name, "source": source}
    st.session_state.pop(RESULT_KEY, None)
    st.session_state.pop(DRILL_KEY, None)


# -- analysis ---------------------------------------------------------------------
def _analyse(data: bytes, name: str, reference: str) -> tuple[Any, Any] | None:
    """Run the pipeline with the session's model; errors are shown where this is called."""
    settings = current_settings()
    manager = get_asr_manager()
    try:
        prepared = prepare_audio(data, settings.audio_options, filename=name)
        manager.load_model(settings.model_name, settings.hf_token)
        result = AnalysisPipeline(manager, settings.audio_options).run(prepared, reference)
    except (AudioError, TextError) as error:
        st.error(str(error))
        return None
    except Exception:
        logger.exception("analysis failed")
        st.error("Sorry, something went wrong while analysing. Please try again.")
        return None
    refresh_model_status()
    return result, prepared


def _save(result: Any, prepared: Any, store_audio: bool) -> None:
    try:
        get_storage().save_analysis(
            current_learner().id,
            result.to_dict(),
            to_wav_bytes(prepared.samples, prepared.sample_rate) if store_audio else None,
        )
    except Exception:
        logger.exception("could not save the analysis")
        st.warning("Your result is shown but could not be saved to your history.")


def _recorder_status() -> None:
    st.iframe(recorder_status_script(STOP_LABEL, RECORDING_HINT), height=28)


# -- result views ------------------------------------------------------------------
def _something_else(result: dict[str, Any]) -> None:
    heard = result.get("heard_text") or result["transcript"]
    st.warning(
        f"**This did not sound like the sentence**, so it was not scored and your progress is not "
        f"changed. I heard: “{md_escape(heard)}”.",
        icon=":material/hearing:",
    )
    again, other = st.columns(2)
    again.button("Read the sentence again", type="primary", on_click=_read_again, width="stretch")
    other.button(
        "Practise what I said", on_click=_practise_text, args=(heard,), width="stretch",
        help="Makes what was heard the sentence to practise.",
    )


def _work_list(result: dict[str, Any]) -> None:
    """One row per flagged word: what went wrong, one tip per sound, a drill button."""
    to_practise = [w for w in result["words"] if w["status"] != "correct"]
    if not to_practise:
        return
    st.markdown("#### What to work on")
    notes = {note["word"]: note for note in reversed(result.get("coach") or [])}
    tipped: dict[tuple[str, str], str] = {}
    for index, word in enumerate(to_practise):
        error = next((e for e in word["phone_errors"] if e["kind"] != "insertion"), None)
        note = notes.get(word["word"])
        if word["status"] == "missing":
            what, key = "not heard: say every word, even short ones", ("", "missing")
            tip = "Read slowly at first, then at normal speed."
        elif error:
            heard = f"/{error['heard']}/" if error["heard"] else "nothing"
            what, key = f"/{error['expected']}/ sounded like {heard}", (error["expected"], error["heard"])
            tip = note["tip"] if note and note.get("expected") == error["expected"] else tip_for(
                error["expected"], error["heard"] or None
            )
        else:
            what, key = f"heard {ipa_slashes(word['heard_phonemes'])}: not quite clear", ("", word["word"])
            tip = "Listen to the example, then say it slowly and stress the right syllable."
        if key in tipped:
            shown_tip = f"Same as “{tipped[key]}” above."
        else:
            tipped[key] = word["word"]
            shown_tip = tip
        text_col, button_col = st.columns([4, 1], vertical_alignment="center")
        text_col.markdown(
            f"**{md_escape(word['word'])}** /{md_escape(word['expected_ipa'])}/ · {md_escape(what)}  \n"
            f"{md_escape(shown_tip)}"
        )
        button_col.button(
            "Practise this word",
            key=f"drill-{index}-{word['word']}",
            on_click=_practise_word,
            args=(word, tip),
            width="stretch",
        )


def _result_view(result: dict[str, Any], current: dict[str, Any]) -> None:
    parts = score_parts(result)
    said = verdict(result)
    st.markdown(score_html(parts, said.text, result["metrics"]), unsafe_allow_html=True)
    if result.get("model") in WEAK_MODELS and said.kind != "passed_unsure":
        st.caption(
            "Checked by the small offline recognizer (pocketsphinx). It misses many swapped sounds, so a "
            "green word is not a guarantee; pick a sharper model in Advanced Settings when you can.",
        )
    st.button("Try the sentence again", icon=":material/replay:", on_click=_read_again)
    errors_only = st.toggle("Show errors only", key="practice_errors_only")
    st.markdown(words_html(result["words"], errors_only=errors_only), unsafe_allow_html=True)
    _work_list(result)
    llm_note = coach_feedback(result)
    if llm_note:
        st.info(md_escape(llm_note), icon=":material/school:")

    distribution = error_distribution(result["words"])
    if chart_is_worth_drawing(distribution):
        chart_col, wave_col = st.columns(2)
        with chart_col:
            st.markdown("#### Error types")
            st.altair_chart(error_chart(distribution), width="stretch")
    else:
        wave_col = st.container()
    with wave_col:
        st.markdown("#### Your recording")
        st.altair_chart(
            waveform_chart(current["samples"], current["sample_rate"], result["words"]), width="stretch"
        )


def _drill_word(word: str, results: dict[str, dict[str, Any]]) -> None:
    try:
        st.markdown(reference_html(g2p(word)), unsafe_allow_html=True)
    except TextError:
        st.markdown(f"**{md_escape(word)}**")
    example = synthesize_word(word) if tts_engine() else None
    if example:
        st.audio(example, format="audio/wav")
    recording = mic_recorder(
        start_prompt=f"Record “{word}”",
        stop_prompt=STOP_LABEL,
        just_once=True,
        format="wav",
        key=f"drill_recorder_{word}",
    )
    _recorder_status()
    if recording and recording.get("bytes"):
        with st.spinner("Listening…"):
            outcome = _analyse(recording["bytes"], "drill.wav", word)
        if outcome:
            results[word] = outcome[0].to_dict()
    checked = results.get(word)
    if checked is None:
        return
    if checked.get("read_something_else"):
        heard = checked.get("heard_text") or checked["transcript"]
        st.warning(f"That sounded like “{md_escape(heard)}”. Say just the word “{md_escape(word)}”.")
    else:
        st.markdown(words_html(checked["words"]), unsafe_allow_html=True)


def _drill_view(drill: dict[str, Any], result: dict[str, Any]) -> None:
    st.subheader(f"Practise “{md_escape(drill['word'])}”", anchor=DRILL_ANCHOR)
    st.caption(f"From the sentence: {md_escape(result['reference_text'])}")
    back, again = st.columns(2)
    back.button("Back to the results", icon=":material/arrow_back:", on_click=_leave_drill,
                width="stretch")
    again.button("Try the whole sentence again", icon=":material/replay:", on_click=_read_again,
                 width="stretch")
    st.info(md_escape(drill["tip"]), icon=":material/lightbulb:")
    pair = drill.get("pair")
    words = [drill["word"].lower()]
    if pair:
        heard = f"/{pair['heard']}/" if pair["heard"] else "no sound"
        if pair["same_word"]:
            lead = (
                f"Learners often say /{md_escape(pair['heard'])}/ for /{md_escape(pair['expected'])}/: "
                f"then “{md_escape(pair['target'])}” sounds like **{md_escape(pair['contrast'])}**."
                if pair.get("usual")
                else f"It sounded close to **{md_escape(pair['contrast'])}**."
            )
            st.markdown(
                f"{lead} Listen to both, then record both: /{md_escape(pair['expected'])}/ in "
                f"“{md_escape(pair['target'])}”, {md_escape(heard)} in “{md_escape(pair['contrast'])}”."
            )
            words = [pair["target"], pair["contrast"]]
        else:
            st.markdown(
                f"The same difference in two short words: /{md_escape(pair['expected'])}/ in "
                f"“{md_escape(pair['target'])}”, {md_escape(heard)} in “{md_escape(pair['contrast'])}”. "
                "Listen, record each, then try your word again."
            )
            words = [drill["word"].lower(), pair["target"], pair["contrast"]]
    results = st.session_state.setdefault(DRILL_RESULTS_KEY, {})
    for column, word in zip(st.columns(len(words)), words):
        with column:
            _drill_word(word, results)


# -- the page ---------------------------------------------------------------------
ensure_shell()
warm_up_in_background()
st.title("Pronunciation Practice")
st.caption("Pick a sentence, listen to it, record yourself reading it, and see which words and sounds to work on.")

# -- 1. the text --------------------------------------------------------------
st.subheader("1. Choose what to say")
left, right = st.columns([1, 2])
category = left.selectbox("Category", (*CATEGORIES, CUSTOM), key=CATEGORY_KEY)
if category == CUSTOM:
    reference = right.text_area(
        "Your sentence",
        key=CUSTOM_TEXT_KEY,
        max_chars=CUSTOM_TEXT_LIMIT,
        height=80,
        placeholder="Type an English sentence to practise, e.g. I think this ship is very light.",
    )
else:
    texts = texts_in(category)
    chosen = right.selectbox("Sentence", texts, format_func=lambda t: t.text, key=f"practice_text_{category}")
    reference = chosen.text
    right.caption(f"Level: {chosen.level} · Sounds: {chosen.focus}")

pronunciations = None
if reference.strip():
    try:
        pronunciations = g2p(reference)
    except TextError as error:
        st.warning(str(error))
if pronunciations:
    st.markdown(reference_html(pronunciations), unsafe_allow_html=True)
    if tts_engine():
        normal, slow = st.columns(2)
        normal.caption("Listen: normal speed")
        normal_audio = synthesize(reference)
        if normal_audio:
            normal.audio(normal_audio, format="audio/wav")
        slow.caption("Listen: slow")
        slow_audio = synthesize(reference, slow=True)
        if slow_audio:
            slow.audio(slow_audio, format="audio/wav")
    else:
        st.caption("Example audio is not available here (no offline speech engine is installed).")

# -- 2. the recording ---------------------------------------------------------
st.subheader("2. Record yourself", anchor=RECORD_ANCHOR)
record_tab, upload_tab = st.tabs(["Record", "Upload a file"])
with record_tab:
    st.caption("Press start, read the sentence aloud, then press stop.")
    recording = mic_recorder(
        start_prompt="Start recording",
        stop_prompt=STOP_LABEL,
        just_once=True,
        format="wav",
        key="practice_recorder",
    )
    _recorder_status()
    if recording and recording.get("bytes"):
        _new_audio(recording["bytes"], "recording.wav", "microphone")
with upload_tab:
    upload = st.file_uploader("Audio file (WAV, FLAC, OGG or MP3)", type=["wav", "flac", "ogg", "mp3"])
    if upload is not None and st.session_state.get(UPLOAD_ID_KEY) != upload.file_id:
        st.session_state[UPLOAD_ID_KEY] = upload.file_id
        _new_audio(upload.getvalue(), upload.name, "upload")

audio = st.session_state.get(AUDIO_KEY)
if audio:
    st.caption("Your recording" if audio["source"] == "microphone" else f"Your file: {md_escape(audio['name'])}")
    st.audio(audio["bytes"])

if not pronunciations:
    waiting_for = "Type or choose a sentence first."
elif not audio:
    waiting_for = "Record or upload your reading first."
else:
    waiting_for = None
button_col, status_col = st.columns([2, 3], vertical_alignment="center")
analyse = button_col.button(
    "Analyze my pronunciation",
    type="primary",
    icon=":material/graphic_eq:",
    disabled=waiting_for is not None,
    help=waiting_for,
)
if waiting_for and audio:
    status_col.caption(waiting_for)

if analyse and audio and pronunciations:
    with status_col, st.spinner("Analysing your reading…"):
        outcome = _analyse(audio["bytes"], audio["name"], reference)
    if outcome:
        result, prepared = outcome
        st.session_state.pop(DRILL_KEY, None)
        st.session_state[RESULT_KEY] = {
            "result": result.to_dict(),
            "samples": prepared.samples,
            "sample_rate": prepared.sample_rate,
        }
        _save(result, prepared, current_settings().store_audio)
        _scroll_to(RESULT_ANCHOR)

# -- 3. the result ------------------------------------------------------------
current = st.session_state.get(RESULT_KEY)
if current:
    result = current["result"]
    st.subheader("3. Your result", anchor=RESULT_ANCHOR)
    if result["reference_text"] != reference:
        st.caption(f"Result for: {md_escape(result['reference_text'])}")
    for warning in result["warnings"]:
        st.warning(warning)
    drill = st.session_state.get(DRILL_KEY)
    if result.get("read_something_else"):
        _something_else(result)
    elif drill:
        _drill_view(drill, result)
    else:
        _result_view(result, current)

    with st.expander("Raw transcript and details"):
        metrics = result["metrics"]
        st.text(f"Heard: {result.get('heard_text') or result['transcript'] or '(nothing)'}")
        if result["extra_words"]:
            st.text("Extra words: " + ", ".join(result["extra_words"]))
        st.text(
            f"Model: {result['model']} ({result['engine']}) · WER {metrics['wer']:.2f} · "
            f"distance from the text {result.get('reading_distance', 0.0):.2f} · audio {result['audio_seconds']:.1f} s"
        )
        st.text("Time per stage (ms): " + ", ".join(f"{k} {v:.0f}" for k, v in result["stage_ms"].items()))

scroll = st.session_state.pop(SCROLL_KEY, None)
if scroll:
    st.iframe(scroll_into_view_script(*scroll), height=1)
