"""The score's parts and the verdict line of the results page."""

from __future__ import annotations

from ui.result_summary import score_parts, verdict


def _result(statuses_scores, extra=(), warnings=(), model="m", score=None, **more) -> dict:
    words = [{"word": f"w{i}", "status": st, "score": sc} for i, (st, sc) in enumerate(statuses_scores)]
    mean = sum(sc for _, sc in statuses_scores) / len(words)
    penalty = min(15, 3 * len(extra))
    return {"words": words, "extra_words": list(extra), "warnings": list(warnings), "model": model,
            "score": round(max(0, mean - penalty)) if score is None else score, **more}


def test_parts_add_up_to_the_score() -> None:
    parts = score_parts(_result([("correct", 95), ("correct", 95), ("missing", 0)], extra=("um", "so")))
    assert parts.word_mean == 63.3 and parts.missing == 1
    assert parts.extra_words == ("um", "so") and parts.penalty == 6
    assert parts.score == 57 and parts.adds_up


def test_excellent_only_when_every_word_is_clearly_right() -> None:
    assert verdict(_result([("correct", 95), ("correct", 92)])).kind == "excellent"
    unsure = verdict(_result([("correct", 95), ("correct", 81)]))
    assert unsure.kind == "passed_unsure" and "Excellent" not in unsure.text
    assert verdict(_result([("correct", 95)], extra=("um",))).kind == "passed_unsure"
    assert verdict(_result([("correct", 95)], warnings=("noisy",))).kind == "passed_unsure"
    assert verdict(_result([("correct", 95)], model="pocketsphinx-en-us")).kind == "passed_unsure"


def test_flagged_words_are_named() -> None:
    one = verdict(_result([("correct", 95), ("mispronounced", 55), ("correct", 90)]))
    assert one.kind == "work" and "“w1”" in one.text and "Excellent" not in one.text
    many = verdict(_result([("mispronounced", 40)] * 5 + [("correct", 90)]))
    assert many.kind == "many" and "5 of 6" in many.text and "and 2 more" in many.text


def test_another_text_and_nothing_heard() -> None:
    assert verdict(_result([("missing", 0)] * 3, read_something_else=True)).kind == "something_else"
    assert verdict(_result([("missing", 0)] * 3)).kind == "nothing"
