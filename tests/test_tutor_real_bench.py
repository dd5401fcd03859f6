"""The real-learner bench (bench/tutor_real.py): its counting, and a run on a few JFLEG lines."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from tutor_real import (  # noqa: E402
    DEFAULT_DATA,
    Sentence,
    as_transcript,
    edit_distance,
    is_helpful,
    load_sentences,
    main,
    words,
)

JFLEG_PRESENT = (DEFAULT_DATA / "dev.src").is_file()


def test_transcript_joins_nt_and_attaches_punctuation() -> None:
    assert as_transcript("I do n't know , really .") == "I don't know, really."
    assert as_transcript("It 's late , we 're tired .") == "It's late, we're tired."
    assert as_transcript("I do n't know , really .", strip_punctuation=True) == "i don't know really"


def test_words_ignore_case_and_punctuation() -> None:
    assert words("He does n't , really .") == words("he doesn't really") == ["he", "doesn't", "really"]
    assert words("It 's hers") == words("it's hers") == ["it's", "hers"]
    assert edit_distance(["a", "b", "c"], ["a", "c"]) == 1


def test_helpful_means_closer_to_the_nearest_correction() -> None:
    sentence = Sentence(0, "She go to school .", ("She goes to school .", "She went to school ."), "erroneous")
    assert is_helpful(sentence, "She goes to school.")
    assert not is_helpful(sentence, "She go to the school.")
    assert not is_helpful(sentence, "She go to school.")


def test_clean_erroneous_and_ambiguous_follow_the_readme(tmp_path: Path) -> None:
    (tmp_path / "dev.src").write_text("I like tea .\nShe go home .\nIt rain .\n", encoding="utf-8")
    refs = [("I like tea .", "She goes home .", "It rains ."), ("I like tea .", "She goes home .", "It rain ."),
            ("I like tea .", "She went home .", "It rains ."), ("I like tea!", "She goes home .", "It rains .")]
    for index, lines in enumerate(refs):
        (tmp_path / f"dev.ref{index}").write_text("\n".join(lines) + "\n", encoding="utf-8")
    kinds = [sentence.kind for sentence in load_sentences(tmp_path)]
    assert kinds == ["clean", "erroneous", "ambiguous"]


def test_missing_data_is_skipped_with_a_message(tmp_path: Path, capsys) -> None:
    assert main(["--data", str(tmp_path / "nowhere"), "--engines", "offline"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "not found" in lines[0]
    assert json.loads(lines[-1])["skipped"] is True


@pytest.mark.skipif(not JFLEG_PRESENT, reason="../shared/jfleg is not here")
def test_bench_runs_on_a_few_jfleg_lines(capsys, monkeypatch) -> None:
    for name in ("ACCENT_COACH_LLM_BASE_URL", "ACCENT_COACH_LLM_MODEL", "ACCENT_COACH_LLM_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    assert main(["--limit", "40", "--engines", "offline,llm"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert any("llm: not measured" in line for line in out)
    result = json.loads(out[-1])
    assert result["sentences"] == 40
    offline = result["engines"][0]
    assert offline["engine"] == "offline-rules"
    assert offline["clean"] + offline["erroneous"] + result["ambiguous"] == 40
    assert 0 <= offline["false_alarms"] <= offline["clean"]
    assert 0 <= offline["helpful"] <= offline["caught"] <= offline["erroneous"]
    assert 0 <= offline["closer_to_two_corrections"] <= offline["caught"]
    for family in offline["families"].values():
        assert family["helpful"] <= family["caught"]


def test_bench_measures_a_configured_llm_beside_the_rules(tmp_path: Path, capsys, monkeypatch) -> None:
    from test_llm_provider import FakeChatServer, completion

    (tmp_path / "dev.src").write_text("I like tea .\nShe go home .\nHe want it .\n", encoding="utf-8")
    refs = [("I like tea .", "She goes home .", "He wants it ."), ("I like tea .", "She goes home .", "He wants it ."),
            ("I like tea .", "She went home .", "He wanted it ."), ("I like tea .", "She goes home .", "He wants it .")]
    for index, lines in enumerate(refs):
        (tmp_path / f"dev.ref{index}").write_text("\n".join(lines) + "\n", encoding="utf-8")

    def reply(improved: str, has_errors: bool) -> dict:
        return completion(json.dumps({"correction": "ok", "explanation": "ok", "improved_version": improved,
                                      "follow_up_question": "What else do you like?", "has_errors": has_errors}))

    with FakeChatServer() as server:
        server.script = [("json", reply("I like tea.", False)), ("json", reply("She goes home.", True)),
                         ("json", completion("no JSON here")), ("json", completion("still none"))]
        monkeypatch.setenv("ACCENT_COACH_LLM_BASE_URL", server.base_url)
        monkeypatch.setenv("ACCENT_COACH_LLM_MODEL", "fake-model")
        monkeypatch.setenv("ACCENT_COACH_LLM_API_KEY", "test-key")
        assert main(["--data", str(tmp_path), "--engines", "offline,llm"]) == 0
    result = json.loads(capsys.readouterr().out.splitlines()[-1])
    offline, llm = result["engines"]
    assert offline["caught"] == 2 and offline["false_alarms"] == 0
    assert llm["engine"] != "offline-rules"
    assert (llm["clean"], llm["erroneous"], llm["caught"], llm["helpful"], llm["failed"]) == (1, 1, 1, 1, 1)
    assert llm["false_alarms"] == 0
