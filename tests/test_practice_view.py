"""The practice page's drawing helpers: escaped HTML, error counts, charts."""

from __future__ import annotations

import warnings

import numpy as np

from pronunciation.phonetics import g2p
from ui.practice_view import (
    error_distribution,
    reference_html,
    waveform_chart,
    words_html,
)


def _word(word: str, status: str, level: str, errors=(), start=0.0, end=0.0) -> dict:
    return {
        "word": word, "status": status, "level": level, "score": 50 if status != "correct" else 95,
        "expected_ipa": "ˈʃɪp", "expected_phonemes": ["ʃ", "ɪ", "p"], "heard_phonemes": ["ʃ", "i", "p"],
        "phone_errors": list(errors), "start": start, "end": end,
    }


def test_word_chips_escape_text_and_can_show_errors_only() -> None:
    words = [
        _word("<b>ship</b>", "mispronounced", "wrong", [{"kind": "substitution", "expected": "ɪ", "heard": "i"}]),
        _word("the", "correct", "good"),
    ]
    html = words_html(words)
    assert "<b>ship</b>" not in html and "&lt;b&gt;ship&lt;/b&gt;" in html
    assert "heard /ʃip/" in html and html.count('class="ac-word"') == 2
    assert words_html(words, errors_only=True).count('class="ac-word"') == 1


def test_reference_chips_show_ipa_under_each_word() -> None:
    html = reference_html(g2p("Think <again>"))
    assert "/ˈθɪŋk/" in html and "<again>" not in html


def test_error_distribution_counts_each_kind() -> None:
    words = [
        _word("ship", "mispronounced", "wrong", [{"kind": "substitution", "expected": "ɪ", "heard": "i"}]),
        _word("cats", "mispronounced", "close", [{"kind": "deletion", "expected": "s", "heard": ""}]),
        _word("home", "missing", "wrong"),
    ]
    frame = error_distribution(words)
    assert set(frame["kind"]) == {"substitution", "deletion", "missing word"}
    assert frame["count"].sum() == 3


def test_waveform_chart_draws_with_and_without_word_spans() -> None:
    samples = np.sin(np.linspace(0, 200, 16_000)).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        waveform_chart(samples, 16_000, [_word("ship", "correct", "good", start=0.1, end=0.4)]).to_dict()
        waveform_chart(samples, 16_000, [_word("ship", "missing", "wrong")]).to_dict()


def test_error_chart_uses_the_level_colours_and_only_when_it_says_something() -> None:
    from ui.practice_view import LEVEL_STYLE, chart_is_worth_drawing, error_chart

    one = error_distribution([_word("ship", "mispronounced", "wrong",
                                    [{"kind": "substitution", "expected": "ɪ", "heard": "i"}])])
    assert not chart_is_worth_drawing(one), "a single bar says nothing the word list does not"
    ship = _word("ship", "mispronounced", "close", [{"kind": "substitution", "expected": "ɪ", "heard": "i"}])
    two = error_distribution([ship, _word("home", "missing", "wrong")])
    assert not chart_is_worth_drawing(two), "two bars of one each only repeat the list"
    assert dict(zip(two["sound"], two["level"])) == {"/ɪ/ → /i/": "close", "whole word": "missing"}
    assert chart_is_worth_drawing(error_distribution([ship, ship, _word("home", "missing", "wrong")]))
    spec = error_chart(two).to_dict()
    assert LEVEL_STYLE["close"][0] in spec["encoding"]["color"]["scale"]["range"]
    assert spec["height"] == {"step": 28}, "one band per bar, whatever the container"


def test_score_block_shows_the_parts_and_escapes_the_verdict() -> None:
    from ui.practice_view import score_html
    from ui.result_summary import ScoreParts

    parts = ScoreParts(score=86, word_mean=92.0, words=7, missing=0, extra_words=("um", "so"), penalty=6.0)
    html = score_html(parts, "<b>Nearly</b>", {"word_accuracy": 85.7, "phoneme_error_rate": 0.05, "completeness": 100})
    assert ">86<" in html and "Mean of the 7 word scores (92) − 6 for 2 extra words (um, so)" in html
    assert "<b>Nearly</b>" not in html and "&lt;b&gt;Nearly&lt;/b&gt;" in html
    assert "Words correct <b>86 %</b>" in html


def test_focus_scripts_quote_their_arguments() -> None:
    from ui.practice_view import recorder_status_script, scroll_into_view_script

    assert '"your-result"' in scroll_into_view_script("your-result", "t1")
    assert '"Stop \\"now\\""' in recorder_status_script('Stop "now"', "hint")
