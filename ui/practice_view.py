"""What the Pronunciation Practice page draws, as escaped HTML and Altair charts.

Pure functions of result data: testable without a browser. Every piece of user or
model text goes through ``html.escape`` before it reaches HTML. Colours carry
their own text colour so the chips read the same in light and dark themes.
"""

from __future__ import annotations

import html
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
ENVELOPE_POINTS = 600

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
    """Counts of sound errors by kind and by sound (expected → heard)."""
    rows: Counter[tuple[str, str]] = Counter()
    for word in words:
        if word["status"] == "missing":
            rows[("missing word", "whole word")] += 1
            continue
        for error in word["phone_errors"]:
            if error["kind"] == "substitution":
                label = f"/{error['expected']}/ → /{error['heard']}/"
            elif error["kind"] == "deletion":
                label = f"/{error['expected']}/ dropped"
            else:
                label = f"extra /{error['heard']}/"
            rows[(error["kind"], label)] += 1
    return pd.DataFrame(
        [{"kind": kind, "sound": sound, "count": count} for (kind, sound), count in rows.most_common()],
        columns=["kind", "sound", "count"],
    )


def error_chart(frame: pd.DataFrame) -> alt.Chart:
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("count:Q", title="Errors", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("sound:N", sort="-x", title=None),
            color=alt.Color("kind:N", title="Kind"),
            tooltip=["sound", "kind", "count"],
        )
        .properties(height=max(120, 28 * len(frame)))
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
        range=[LEVEL_STYLE["good"][0], LEVEL_STYLE["close"][0], LEVEL_STYLE["wrong"][0], "#888888"],
    )
    line = (
        alt.Chart(wave)
        .mark_area(opacity=0.55, color="#5470c6")
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

