"""What the Pronunciation Practice page draws, as escaped HTML and Altair charts.

Pure functions of result data: testable without a browser. Every piece of user or
model text goes through ``html.escape`` before it reaches HTML. Colours carry
their own text colour so the chips read the same in light and dark themes.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from typing import Any, Iterable, Sequence

import altair as alt
import numpy as np
import pandas as pd

LEVEL_STYLE: dict[str, tuple[str, str, str]] = {
    # level: (background, text colour, label)
    "good": ("#1b7f3b", "#ffffff", "Good"),
    "close": ("#f2b705", "#1d1d1d", "Close"),
    "wrong": ("#c62828", "#ffffff", "Needs work"),
}
MISSING_LABEL = "Missing"
MISSING_COLOUR = "#888888"
WAVE_COLOUR = "#4f7df3"  # a mid blue that stands out on white and on the dark theme's near-black
ENVELOPE_POINTS = 600
LEVEL_RANK = {"close": 1, "wrong": 2, "missing": 3}
BAR_STEP = 28  # pixels per bar of the error chart

CHIP_CSS = """
<style>
.ac-words {display:flex; flex-wrap:wrap; gap:0.45rem; margin:0.4rem 0 0.8rem 0;}
.ac-word {border-radius:0.5rem; padding:0.35rem 0.6rem; text-align:center; min-width:3.5rem;
          border:1px solid rgba(128,128,128,0.35);}
.ac-word .w {font-size:1.15rem; font-weight:600; line-height:1.3;}
.ac-word .ipa {font-family:"DejaVu Sans","Noto Sans","Segoe UI",sans-serif; font-size:0.85rem; opacity:0.95;}
.ac-word .heard {font-size:0.78rem; opacity:0.95;}
.ac-word .score {font-size:0.75rem; opacity:0.9;}
.ac-ref {background:rgba(128,128,128,0.10);}
.ac-legend {display:flex; gap:0.8rem; font-size:0.85rem; margin-bottom:0.3rem; flex-wrap:wrap;}
.ac-legend span {border-radius:0.35rem; padding:0.05rem 0.45rem;}
.ac-score {display:flex; gap:0.9rem; align-items:center; flex-wrap:wrap; border-radius:0.6rem;
           padding:0.55rem 0.8rem; border:1px solid rgba(128,128,128,0.35); border-left-width:0.45rem;
           margin:0.2rem 0 0.6rem 0;}
.ac-score .num {font-size:2.1rem; font-weight:700; line-height:1;}
.ac-score .of {font-size:0.95rem; opacity:0.8;}
.ac-score .body {flex:1 1 16rem; min-width:0;}
.ac-score .verdict {font-weight:600; margin-bottom:0.15rem;}
.ac-score .parts, .ac-score .metrics {font-size:0.85rem; opacity:0.92;}
.ac-score .metrics span {white-space:nowrap; margin-right:0.8rem;}
</style>
"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def ipa_slashes(phonemes: Sequence[str]) -> str:
    return "/" + "".join(phonemes) + "/" if phonemes else "—"


def reference_html(pronunciations: Iterable[Any]) -> str:
    """Each reference word with its IPA underneath."""
    chips = "".join(
        f'<div class="ac-word ac-ref"><div class="w">{_e(p.display)}</div>'
        f'<div class="ipa">/{_e(p.ipa)}/</div></div>'
        for p in pronunciations
    )
    return f'{CHIP_CSS}<div class="ac-words">{chips}</div>'


def legend_html() -> str:
    items = "".join(
        f'<span style="background:{bg};color:{fg}">{_e(label)}</span>' for bg, fg, label in LEVEL_STYLE.values()
    )
    return f'<div class="ac-legend">{items}<span style="border:1px dashed #888">{MISSING_LABEL}</span></div>'


def words_html(words: Sequence[dict[str, Any]], errors_only: bool = False) -> str:
    """Coloured word chips: expected IPA, what was heard, score."""
    chips = []
    for word in words:
        if errors_only and word["status"] == "correct":
            continue
        if word["status"] == "missing":
            style = "border:2px dashed #c62828;"
            heard = "not heard"
        else:
            bg, fg, _ = LEVEL_STYLE[word["level"]]
            style = f"background:{bg};color:{fg};"
            heard = "heard " + ipa_slashes(word["heard_phonemes"]) if word["status"] != "correct" else "✓"
        chips.append(
            f'<div class="ac-word" style="{style}" title="{_e(word["status"])}">'
            f'<div class="w">{_e(word["word"])}</div>'
            f'<div class="ipa">/{_e(word["expected_ipa"])}/</div>'
            f'<div class="heard">{_e(heard)}</div>'
            f'<div class="score">{int(word["score"])}/100</div></div>'
        )
    if not chips:
        return f'{CHIP_CSS}<p>No errors to show: every word was good.</p>'
    return f'{CHIP_CSS}{legend_html()}<div class="ac-words">{"".join(chips)}</div>'


def error_distribution(words: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Counts of sound errors by kind and by sound (expected → heard), with the worst level they came with."""
    rows: Counter[tuple[str, str]] = Counter()
    levels: dict[tuple[str, str], str] = {}

    def worst(key: tuple[str, str], level: str) -> None:
        if LEVEL_RANK.get(level, 0) >= LEVEL_RANK.get(levels.get(key, ""), 0):
            levels[key] = level

    for word in words:
        if word["status"] == "missing":
            rows[("missing word", "whole word")] += 1
            worst(("missing word", "whole word"), "missing")
            continue
        for error in word["phone_errors"]:
            if error["kind"] == "substitution":
                label = f"/{error['expected']}/ → /{error['heard']}/"
            elif error["kind"] == "deletion":
                label = f"/{error['expected']}/ dropped"
            else:
                label = f"extra /{error['heard']}/"
            rows[(error["kind"], label)] += 1
            worst((error["kind"], label), "close" if word.get("level") == "good" else word.get("level", "wrong"))
    return pd.DataFrame(
        [
            {"kind": kind, "sound": sound, "count": count, "level": levels[(kind, sound)]}
            for (kind, sound), count in rows.most_common()
        ],
        columns=["kind", "sound", "count", "level"],
    )


def chart_is_worth_drawing(frame: pd.DataFrame) -> bool:
    """Draw the chart when it says something the word list does not: which of two or more kinds of
    error came back most (one bar, or bars all at one, only repeat the list)."""
    return len(frame) >= 2 and int(frame["count"].max()) >= 2


def _level_scale() -> alt.Scale:
    return alt.Scale(
        domain=["close", "wrong", "missing"],
        range=[LEVEL_STYLE["close"][0], LEVEL_STYLE["wrong"][0], MISSING_COLOUR],
    )


def error_chart(frame: pd.DataFrame) -> alt.Chart:
    """Bars in the word chips' colours: amber for a near miss, red for a wrong sound, grey for a missing word."""
    top = int(frame["count"].max()) if len(frame) else 1
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X(
                "count:Q",
                title="Times",
                scale=alt.Scale(domain=[0, max(top, 1)]),
                axis=alt.Axis(tickMinStep=1, format="d", values=list(range(0, top + 1))),
            ),
            y=alt.Y("sound:N", sort="-x", title=None),
            color=alt.Color(
                "level:N",
                scale=_level_scale(),
                legend=alt.Legend(title=None, orient="bottom", labelExpr=_LEVEL_LABELS),
            ),
            tooltip=["sound", "kind", "count"],
        )
        # a step per bar: a fixed height squeezed the bands to nothing inside Streamlit's layout
        .properties(height=alt.Step(BAR_STEP))
    )


_LEVEL_LABELS = (
    "datum.label == 'close' ? 'Close' : datum.label == 'wrong' ? 'Needs work' : 'Missing word'"
)


def waveform_chart(samples: np.ndarray, sample_rate: int, words: Sequence[dict[str, Any]]) -> alt.Chart | alt.LayerChart:
    """Amplitude envelope with each word's span shaded by its level."""
    step = max(1, samples.size // ENVELOPE_POINTS)
    usable = samples[: samples.size - samples.size % step] if samples.size >= step else samples
    blocks = np.abs(usable).reshape(-1, step).max(axis=1) if usable.size else np.zeros(1)
    times = np.arange(blocks.size) * step / sample_rate
    wave = pd.DataFrame({"time": np.concatenate([times, times]), "amp": np.concatenate([blocks, -blocks])})
    spans = pd.DataFrame(
        [
            {
                "start": w["start"],
                "end": w["end"],
                "word": w["word"],
                "level": "missing" if w["status"] == "missing" else w["level"],
            }
            for w in words
            if w["end"] > w["start"]
        ],
        columns=["start", "end", "word", "level"],
    )
    colours = alt.Scale(
        domain=["good", "close", "wrong", "missing"],
        range=[LEVEL_STYLE["good"][0], LEVEL_STYLE["close"][0], LEVEL_STYLE["wrong"][0], MISSING_COLOUR],
    )
    line = (
        alt.Chart(wave)
        .mark_area(opacity=0.9, color=WAVE_COLOUR)
        .encode(x=alt.X("time:Q", title="Seconds"), y=alt.Y("amp:Q", title=None, axis=None))
    )
    shade = (
        alt.Chart(spans)
        .mark_rect(opacity=0.25)
        .encode(x="start:Q", x2="end:Q", color=alt.Color("level:N", scale=colours, title="Word"), tooltip=["word", "level"])
    )
    if spans.empty:
        return line.properties(height=190)
    return (shade + line).properties(height=190)



def score_parts_text(parts: Any) -> str:
    """How the score was reached, in words: "Mean of the 7 word scores (78) − 6 for 2 extra words (um, so)"."""
    if parts.adds_up:
        text = f"Mean of the {parts.words} word scores ({parts.word_mean:.0f})"
    else:
        text = f"Mean word score {parts.word_mean:.0f}"
    if parts.extra_words:
        shown = ", ".join(parts.extra_words[:4]) + ("…" if len(parts.extra_words) > 4 else "")
        noun = "word" if len(parts.extra_words) == 1 else "words"
        text += f" − {parts.penalty:.0f} for {len(parts.extra_words)} extra {noun} ({shown})"
    if parts.missing:
        text += f" · {parts.missing} missing {'word' if parts.missing == 1 else 'words'} scored 0"
    return text


def score_html(parts: Any, verdict_text: str, metrics: dict[str, Any]) -> str:
    """The overall score with its parts and the verdict, in one compact block (fits 420 px)."""
    level = "good" if parts.score >= 80 else ("close" if parts.score >= 60 else "wrong")
    metric_spans = (
        f'<span>Words correct <b>{float(metrics.get("word_accuracy", 0)):.0f} %</b></span>'
        f'<span title="Sounds wrong, left out or added, per sound of the sentence">'
        f'Sound errors <b>{100 * float(metrics.get("phoneme_error_rate", 0)):.0f} %</b></span>'
        f'<span>Words heard <b>{float(metrics.get("completeness", 0)):.0f} %</b></span>'
    )
    return (
        f'{CHIP_CSS}<div class="ac-score" style="border-left-color:{LEVEL_STYLE[level][0]}">'
        f'<div><span class="num">{int(parts.score)}</span><span class="of">/100</span></div>'
        f'<div class="body"><div class="verdict">{_e(verdict_text)}</div>'
        f'<div class="parts">{_e(score_parts_text(parts))}</div>'
        f'<div class="metrics">{metric_spans}</div></div></div>'
    )


def scroll_into_view_script(anchor: str, token: str) -> str:
    """A script for ``components.html``: scroll the page's element ``#anchor`` into view once per token."""
    return f"""<script>
(function () {{
  var parentWindow = window.parent, doc = parentWindow.document;
  var anchor = {json.dumps(anchor)}, token = {json.dumps(token)}, key = "ac-scrolled-" + anchor;
  try {{ if (parentWindow.sessionStorage.getItem(key) === token) return; }} catch (e) {{}}
  var tries = 0;
  var timer = setInterval(function () {{
    var target = doc.getElementById(anchor);
    tries += 1;
    if (!target && tries < 50) return;
    clearInterval(timer);
    if (!target) return;
    target.style.scrollMarginTop = "4.5rem";
    target.scrollIntoView({{behavior: "instant", block: "start"}});
    try {{ parentWindow.sessionStorage.setItem(key, token); }} catch (e) {{}}
  }}, 100);
}})();
</script>"""


def recorder_status_script(stop_label: str, hint: str) -> str:
    """A script for ``components.html`` under a mic recorder: "Recording 0:04" while it records.

    The recorder (streamlit-mic-recorder) only shows a Start/Stop button; this watches the
    nearest recorder above it (same origin) and shows the elapsed time in the page's text colour.
    """
    return f"""<style>body {{margin:0}}</style>
<div id="s" style="font-family:sans-serif;font-size:0.9rem;line-height:1.6rem"></div>
<script>
(function () {{
  var me = window.frameElement, doc = window.parent.document, out = document.getElementById("s");
  var stopLabel = {json.dumps(stop_label)}, hint = {json.dumps(hint)}, started = null, last = null;
  function recorder() {{
    var frames = doc.querySelectorAll("iframe[title*='mic_recorder']"), found = null;
    for (var i = 0; i < frames.length; i++) {{
      if (frames[i].compareDocumentPosition(me) & Node.DOCUMENT_POSITION_FOLLOWING) found = frames[i];
    }}
    return found;
  }}
  function clock(ms) {{
    var s = Math.floor(ms / 1000);
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }}
  setInterval(function () {{
    var frame = recorder(), recording = false;
    try {{
      var button = frame && frame.contentDocument && frame.contentDocument.querySelector("button");
      recording = !!button && button.textContent.trim() === stopLabel;
    }} catch (e) {{}}
    if (me && me.parentElement) {{
      var style = window.parent.getComputedStyle(me.parentElement);
      out.style.color = style.color;
      out.style.fontFamily = style.fontFamily;
    }}
    if (recording) {{
      if (started === null) started = Date.now();
      last = Date.now() - started;
      out.textContent = "\u25CF Recording " + clock(last) + " \u2014 " + hint;
    }} else if (started !== null) {{
      started = null;
      out.textContent = "Recorded " + clock(last) + ".";
    }}
  }}, 250);
}})();
</script>"""
