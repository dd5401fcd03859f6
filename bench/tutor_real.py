"""The Conversation Tutor on real learners' sentences (JFLEG), with the figures its README defines.

Reads ``../shared/jfleg`` (``dev.src`` and four corrections ``dev.ref0`` ... ``dev.ref3``)
and, for each engine, asks the tutor about every learner sentence turned into what a
transcript looks like (" n't" joined, punctuation attached to the word before it;
``--strip-punctuation`` drops it, as a speech recognizer without punctuation would):

* a sentence is *clean* when at least three corrections equal it word for word (lower
  case, punctuation ignored) and *erroneous* when none does; the rest are not counted;
* *caught*: erroneous sentences where the tutor says there is an error;
* *false alarms*: clean sentences where it says there is one;
* *helpful*: caught sentences whose improved version is closer (word edit distance) to
  the nearest correction than the learner's sentence was (the nearest of the four, measured
  for each: ``min(d(improved, ref)) < min(d(learner, ref))``).

Each caught sentence counts once overall and once in every error family that fired on it.
Beside *helpful*, the bench prints how many improved versions are closer to at least two of
the four corrections (one corrector often left the grammar alone and fixed only spelling,
so a right fix can move away from the single nearest correction); that figure is extra,
not the README's.

Engines: ``offline`` (the rule checker; figures per error family too) and, when
``ACCENT_COACH_LLM_*`` is set, ``llm`` (the configured OpenAI-compatible service through
the app's provider layer; a reply that fails or falls back to the rules is counted as
"failed", never as the service's answer). The last line is a JSON object.

    .venv/bin/python bench/tutor_real.py [--data ../shared/jfleg] [--limit N] [--engines offline,llm]
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conversation_tutor import Conversation, ConversationTutor  # noqa: E402
from pronunciation.sequence_alignment import align, count_errors  # noqa: E402
from tutor.llm_provider import get_remote_provider  # noqa: E402
from tutor.offline_tutor import offline_reply  # noqa: E402
from tutor.tagged_rules import rule_family  # noqa: E402

logger = logging.getLogger(__name__)

DEFAULT_DATA = ROOT.parent / "shared" / "jfleg"
SOURCE_FILE = "dev.src"
REFERENCE_FILES = tuple(f"dev.ref{index}" for index in range(4))
CLEAN_MIN_AGREEING = 3
TOPIC = "free_conversation"
LEVEL = "B1-B2"
ATTACHED_PUNCTUATION = re.compile(r" ([.,!?;:%)\]}])")
OPENING_PUNCTUATION = re.compile(r"([(\[{$]) ")
DETACHED_CLITIC = re.compile(r"(?<=\w) ('(?:s|re|ve|ll|d|m))\b", re.IGNORECASE)
WORD_EDGE = "\"'.,!?;:()[]{}-`"
TARGETS = {"caught": 0.30, "false_alarms": 0.05, "helpful": 0.80}


@dataclass(frozen=True)
class Sentence:
    index: int
    source: str
    references: tuple[str, ...]
    kind: str  # "clean", "erroneous" or "ambiguous"


@dataclass(frozen=True)
class Verdict:
    has_errors: bool
    improved: str
    families: tuple[str, ...] = ()
    failed: bool = False


@dataclass
class EngineFigures:
    engine: str
    clean: int = 0
    erroneous: int = 0
    caught: int = 0
    false_alarms: int = 0
    helpful: int = 0
    closer_to_two: int = 0
    failed: int = 0
    seconds: list[float] = field(default_factory=list)
    families: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(
        lambda: {"caught": 0, "helpful": 0, "false_alarms": 0}))

    def summary(self) -> dict[str, Any]:
        def share(part: int, whole: int) -> float | None:
            return round(part / whole, 4) if whole else None

        return {
            "engine": self.engine,
            "clean": self.clean,
            "erroneous": self.erroneous,
            "caught": self.caught,
            "caught_rate": share(self.caught, self.erroneous),
            "false_alarms": self.false_alarms,
            "false_alarm_rate": share(self.false_alarms, self.clean),
            "helpful": self.helpful,
            "helpful_rate": share(self.helpful, self.caught),
            "closer_to_two_corrections": self.closer_to_two,
            "failed": self.failed,
            "median_ms": round(statistics.median(self.seconds) * 1000, 2) if self.seconds else None,
            "families": {name: dict(values) for name, values in sorted(
                self.families.items(), key=lambda item: -item[1]["caught"])},
        }


def _join_clitics(text: str) -> str:
    """"do n't" -> "don't", "it 's" -> "it's": the corpus splits them, a transcript does not."""
    return DETACHED_CLITIC.sub(r"\1", text.replace(" n't", "n't"))


def words(text: str) -> list[str]:
    """Lower-case words with punctuation ignored, clitics joined (how sentences are compared)."""
    text = _join_clitics(text.lower())
    stripped = (token.strip(WORD_EDGE) for token in text.split())
    return [token for token in stripped if token and any(char.isalnum() for char in token)]


def as_transcript(line: str, strip_punctuation: bool = False) -> str:
    """"I do n't know , it 's late ." -> "I don't know, it's late." (or without punctuation)."""
    text = _join_clitics(line.strip())
    if strip_punctuation:
        return " ".join(words(text)) if text else ""
    text = ATTACHED_PUNCTUATION.sub(r"\1", text)
    return OPENING_PUNCTUATION.sub(r"\1", text)


def edit_distance(first: Sequence[str], second: Sequence[str]) -> int:
    """Word edits (substitutions, deletions, insertions) between two sentences."""
    return count_errors(align(list(first), list(second)), len(first)).errors


def load_sentences(folder: Path, limit: int | None = None) -> list[Sentence]:
    sources = (folder / SOURCE_FILE).read_text(encoding="utf-8").splitlines()
    references = [(folder / name).read_text(encoding="utf-8").splitlines() for name in REFERENCE_FILES]
    sentences = []
    for index, source in enumerate(sources[:limit] if limit else sources):
        refs = tuple(ref[index] for ref in references)
        agreeing = sum(words(ref) == words(source) for ref in refs)
        kind = "clean" if agreeing >= CLEAN_MIN_AGREEING else "erroneous" if agreeing == 0 else "ambiguous"
        sentences.append(Sentence(index, source, refs, kind))
    return sentences


def is_helpful(sentence: Sentence, improved: str) -> bool:
    before = min(edit_distance(words(sentence.source), words(ref)) for ref in sentence.references)
    after = min(edit_distance(words(improved), words(ref)) for ref in sentence.references)
    return after < before


def closer_to_two(sentence: Sentence, improved: str) -> bool:
    """Whether ``improved`` is closer than the learner's sentence to at least two of the corrections."""
    source, better = words(sentence.source), words(improved)
    closer = sum(edit_distance(better, words(ref)) < edit_distance(source, words(ref)) for ref in sentence.references)
    return closer >= 2


def offline_verdict(text: str) -> Verdict:
    reply = offline_reply(text, TOPIC, LEVEL, 0)
    families = tuple(sorted({rule_family(issue.rule) for issue in reply.issues}))
    return Verdict(reply.has_errors, reply.improved_version, families)


def llm_verdict_function() -> Callable[[str], Verdict] | None:
    provider = get_remote_provider()
    if provider is None:
        return None
    tutor = ConversationTutor(provider=provider, local_model=None)
    conversation = Conversation.start(TOPIC, LEVEL)

    def verdict(text: str) -> Verdict:
        reply, _notice = tutor.reply(conversation, text)
        if reply.engine != provider.name:  # the service failed and the rules answered
            return Verdict(False, text, failed=True)
        return Verdict(reply.has_errors, reply.improved_version, ("llm",))

    return verdict


def evaluate(engine: str, judge: Callable[[str], Verdict], sentences: Sequence[Sentence],
             strip_punctuation: bool = False) -> EngineFigures:
    figures = EngineFigures(engine)
    for sentence in sentences:
        if sentence.kind == "ambiguous":
            continue
        text = as_transcript(sentence.source, strip_punctuation)
        started = time.perf_counter()
        verdict = judge(text)
        figures.seconds.append(time.perf_counter() - started)
        if verdict.failed:
            figures.failed += 1
            continue
        if sentence.kind == "clean":
            figures.clean += 1
            if verdict.has_errors:
                figures.false_alarms += 1
                for family in verdict.families:
                    figures.families[family]["false_alarms"] += 1
            continue
        figures.erroneous += 1
        if not verdict.has_errors:
            continue
        figures.caught += 1
        helpful = is_helpful(sentence, verdict.improved)
        figures.helpful += helpful
        figures.closer_to_two += closer_to_two(sentence, verdict.improved)
        for family in verdict.families:
            figures.families[family]["caught"] += 1
            figures.families[family]["helpful"] += helpful
    return figures


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f} %"


def print_table(summary: dict[str, Any]) -> None:
    print(f"\n{summary['engine']}: {summary['erroneous']} erroneous, {summary['clean']} clean sentences"
          + (f", {summary['failed']} replies failed" if summary["failed"] else ""))
    print(f"  caught        {summary['caught']:4d}  {_percent(summary['caught_rate']):>8}  "
          f"(target >= {TARGETS['caught'] * 100:.0f} %)")
    print(f"  false alarms  {summary['false_alarms']:4d}  {_percent(summary['false_alarm_rate']):>8}  "
          f"(target <= {TARGETS['false_alarms'] * 100:.0f} %)")
    print(f"  helpful       {summary['helpful']:4d}  {_percent(summary['helpful_rate']):>8}  "
          f"(target >= {TARGETS['helpful'] * 100:.0f} % of caught)")
    print(f"  closer to >= 2 of the 4 corrections: {summary['closer_to_two_corrections']} "
          f"of {summary['caught']} caught")
    print(f"  median time per sentence: {summary['median_ms']} ms")
    if summary["families"]:
        print(f"  {'family':24s} {'caught':>7s} {'helpful':>8s} {'false alarms':>13s}")
        for name, values in summary["families"].items():
            share = f"{values['helpful'] / values['caught'] * 100:.0f} %" if values["caught"] else "-"
            print(f"  {name:24s} {values['caught']:7d} {share:>8s} {values['false_alarms']:13d}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with dev.src and dev.ref0-3")
    parser.add_argument("--limit", type=int, default=None, help="only the first N sentences")
    parser.add_argument("--engines", default="offline,llm", help="comma-separated: offline, llm")
    parser.add_argument("--strip-punctuation", action="store_true", help="judge words only, as a CTC transcript")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if not (args.data / SOURCE_FILE).is_file():
        message = f"JFLEG sentences not found in {args.data}: skipped (they live in ../shared/jfleg)."
        print(message)
        print(json.dumps({"bench": "tutor_real", "skipped": True, "reason": message}))
        return 0
    sentences = load_sentences(args.data, args.limit)
    counts = {kind: sum(1 for s in sentences if s.kind == kind) for kind in ("clean", "erroneous", "ambiguous")}
    print(f"JFLEG {args.data}: {len(sentences)} sentences; {counts['clean']} clean, {counts['erroneous']} "
          f"erroneous, {counts['ambiguous']} ambiguous (not counted)")
    wanted = {name.strip() for name in args.engines.split(",") if name.strip()}
    results = []
    if "offline" in wanted:
        results.append(evaluate("offline-rules", offline_verdict, sentences, args.strip_punctuation).summary())
    if "llm" in wanted:
        judge = llm_verdict_function()
        if judge is None:
            print("\nllm: not measured (set ACCENT_COACH_LLM_BASE_URL, _MODEL and _API_KEY to compare a service).")
        else:
            name = get_remote_provider().name  # type: ignore[union-attr]
            results.append(evaluate(name, judge, sentences, args.strip_punctuation).summary())
    for summary in results:
        print_table(summary)
    print(json.dumps({"bench": "tutor_real", "data": str(args.data), "sentences": len(sentences), **counts,
                      "strip_punctuation": args.strip_punctuation, "targets": TARGETS, "engines": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
