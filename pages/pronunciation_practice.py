"""Pronunciation Practice: pick or type a sentence, hear it, record it, see what to fix (UI only)."""

from __future__ import annotations

import logging

import streamlit as st
from streamlit_mic_recorder import mic_recorder

from analysis_pipeline import AnalysisPipeline
from progress.learner import current_learner
from progress.storage import get_storage
from pronunciation.phonetics import TextError, g2p
from pronunciation.practice_texts import CATEGORIES, texts_in
from pronunciation.sound_guide import tip_for
from pronunciation.tts import synthesize, tts_engine
from speech.audio import AudioError, prepare_audio, to_wav_bytes
from tutor.llm_coach import coach_feedback
from ui.practice_view import (
    error_chart,
    error_distribution,
    ipa_slashes,
    reference_html,
    waveform_chart,
    words_html,
)
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


def _practise_word(word: str) -> None:
    st.session_state[CATEGORY_KEY] = CUSTOM
    st.session_state[CUSTOM_TEXT_KEY] = word
    st.session_state.pop(AUDIO_KEY, None)
    st.session_state.pop(RESULT_KEY, None)


def _new_audio(data: bytes, name: str, source: str) -> None:
    st.session_state[AUDIO_KEY] = {"bytes": data, "name": name, "source": source}
    st.session_state.pop(RESULT_KEY, None)


ensure_shell()
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
        max_chars=600,
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
st.subheader("2. Record yourself")
record_tab, upload_tab = st.tabs(["Record", "Upload a file"])
with record_tab:
    st.caption("Press start, read the sentence aloud, then press stop.")
    recording = mic_recorder(
        start_prompt="Start recording",
        stop_prompt="Stop recording",
        just_once=True,
        format="wav",
        key="practice_recorder",
    )
    if recording and recording.get("bytes"):
        _new_audio(recording["bytes"], "recording.wav", "microphone")
with upload_tab:
    upload = st.file_uploader("Audio file (WAV, FLAC, OGG or MP3)", type=["wav", "flac", "ogg", "mp3"])
    if upload is not None and st.session_state.get(UPLOAD_ID_KEY) != upload.file_id:
        st.session_state[UPLOAD_ID_KEY] = upload.file_id
        _new_audio(upload.getvalue(), upload.name, "upload")

audio = st.session_state.get(AUDIO_KEY)
if audio:
    st.caption("Your recording" if audio["source"] == "microphone" else f"Your file: {audio['name']}")
    st.audio(audio["bytes"])

if not pronunciations:
    waiting_for = "Type or choose a sentence first."
elif not audio:
    waiting_for = "Record or upload your reading first."
else:
    waiting_for = None
analyse = st.button(
    "Analyze my pronunciation",
    type="primary",
    icon=":material/graphic_eq:",
    disabled=waiting_for is not None,
    help=waiting_for,
)
if waiting_for and audio:
    st.caption(waiting_for)

if analyse and audio and pronunciations:
    settings = current_settings()
    manager = get_asr_manager()
    try:
        prepared = prepare_audio(audio["bytes"], settings.audio_options, filename=audio["name"])
        manager.load_model(settings.model_name, settings.hf_token)
        with st.spinner("Listening to your recording…"):
            result = AnalysisPipeline(manager, settings.audio_options).run(prepared, reference)
    except (AudioError, TextError) as error:
        st.error(str(error))
    except Exception:
        logger.exception("analysis failed")
        st.error("Sorry, something went wrong while analysing. Please try again.")
    else:
        refresh_model_status()
        st.session_state[RESULT_KEY] = {
            "result": result.to_dict(),
            "samples": prepared.samples,
            "sample_rate": prepared.sample_rate,
        }
        try:
            get_storage().save_analysis(
                current_learner().id,
                result.to_dict(),
                to_wav_bytes(prepared.samples, prepared.sample_rate) if settings.store_audio else None,
            )
        except Exception:
            logger.exception("could not save the analysis")
            st.warning("Your result is shown but could not be saved to your history.")

# -- 3. the result ------------------------------------------------------------
current = st.session_state.get(RESULT_KEY)
if current:
    result = current["result"]
    metrics = result["metrics"]
    st.subheader("3. Your result")
    if result["reference_text"] != reference:
        st.caption(f"Result for: {md_escape(result['reference_text'])}")
    for warning in result["warnings"]:
        st.warning(warning)
    score, accuracy, per, complete = st.columns(4)
    score.metric("Overall score", f"{result['score']}/100")
    accuracy.metric("Words correct", f"{metrics['word_accuracy']:.0f} %")
    per.metric("Sound error rate", f"{100 * metrics['phoneme_error_rate']:.0f} %", help="(S + D + I) / N phonemes")
    complete.metric("Completeness", f"{metrics['completeness']:.0f} %")
    offline = result.get("engine") == "offline"
    if offline:
        st.caption(
            "Checked by the bundled offline recognizer. It misses many swapped sounds, so a green "
            "word is not a guarantee; with an internet connection, pick a Wav2Vec2 model in "
            "Advanced Settings for sharper feedback.",
        )

    errors_only = st.toggle("Show errors only", key="practice_errors_only")
    st.markdown(words_html(result["words"], errors_only=errors_only), unsafe_allow_html=True)

    if result["coach"]:
        st.markdown("#### Coach")
        for note in result["coach"]:
            st.markdown(f"- **{md_escape(note['message'])}** {md_escape(note['tip'])}")
    elif all(w["status"] == "correct" for w in result["words"]):
        heard_by = " to the offline recognizer" if offline else ""
        st.success(f"Excellent! Every word sounded right{heard_by}. Try a harder sentence next.")
    llm_note = coach_feedback(result)
    if llm_note:
        st.info(md_escape(llm_note), icon=":material/school:")

    chart_col, wave_col = st.columns(2)
    with chart_col:
        st.markdown("#### Error types")
        distribution = error_distribution(result["words"])
        if distribution.empty:
            st.caption("No sound errors.")
        else:
            st.altair_chart(error_chart(distribution), use_container_width=True)
    with wave_col:
        st.markdown("#### Your recording")
        st.altair_chart(
            waveform_chart(current["samples"], current["sample_rate"], result["words"]), use_container_width=True
        )

    to_practise = [w for w in result["words"] if w["status"] != "correct"]
    if to_practise:
        st.markdown("#### Words to practise")
        for index, word in enumerate(to_practise):
            text_col, button_col = st.columns([4, 1])
            error = next((e for e in word["phone_errors"] if e["kind"] != "insertion"), None)
            tip = tip_for(error["expected"], error["heard"] or None) if error else "Say it slowly, then at normal speed."
            heard = "not heard" if word["status"] == "missing" else f"heard {ipa_slashes(word['heard_phonemes'])}"
            text_col.markdown(
                f"**{md_escape(word['word'])}** /{md_escape(word['expected_ipa'])}/ · {md_escape(heard)}  \n"
                f"{md_escape(tip)}"
            )
            button_col.button(
                "Practise this word",
                key=f"drill-{index}-{word['word']}",
                on_click=_practise_word,
                args=(word["word"],),
                use_container_width=True,
            )

    with st.expander("Raw transcript and details"):
        st.text(f"Heard: {result['transcript'] or '(nothing)'}")
        if result["extra_words"]:
            st.text("Extra words: " + ", ".join(result["extra_words"]))
        st.text(
            f"Model: {result['model']} ({result['engine']}) · WER {metrics['wer']:.2f} · "
            f"audio {result['audio_seconds']:.1f} s"
        )
        st.text("Time per stage (ms): " + ", ".join(f"{k} {v:.0f}" for k, v in result["stage_ms"].items()))
