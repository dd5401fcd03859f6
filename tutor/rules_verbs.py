"""Tagged rules for verbs: agreement with the subject, the form after modals / "to" / "did",
the participle after "have", and tense with finished past times.

The tagger tells a verb from a noun ("it need" vs "the need"); the word forms come from
:mod:`tutor.word_forms` and are checked against the lexicon. A rule stays silent where the
subject or the clause is unclear.
"""

from __future__ import annotations

import logging
import re

from tutor.grammar_rules import IRREGULAR_VERBS, third_person
from tutor.pos_tagging import TaggedTokens, is_known_word
from tutor.rule_edits import Edit, edit
from tutor.word_forms import (
    S_ENDING_SINGULARS,
    base_of_past,
    base_of_third_person,
    participle_of,
    past_of,
    singular,
)

logger = logging.getLogger(__name__)

THIRD_PRONOUNS = {"he", "she", "it"}
PLURAL_PRONOUNS = {"i", "you", "we", "they"}
CLAUSE_OPENERS = {
    "", ".", ",", ";", ":", "!", "?", "and", "but", "or", "so", "because", "if", "when", "while",
    "although", "though", "since", "that", "which", "who", "where", "whereas", "unless", "as", "until",
    "before", "after", "then", "also", "maybe", "perhaps", "now", "sometimes", "often", "usually",
    "ago", "yesterday", "today", "later", "night", "week", "month", "year", "weekend", "summer", "winter",
}
ADVERB_TAGS = {"RB", "RBR", "RBS"}
MODALS = {"can", "could", "will", "would", "should", "might", "may", "must", "shall"}
NOT_AFTER_MODAL = {"have", "be", "been", "not", "n't", "fell"}  # "may fell afraid" is more often "feel" than "fall"
SUBJUNCTIVE_WORDS = {"suggest", "suggests", "suggested", "insist", "insisted", "recommend", "recommended",
                     "demand", "demanded", "require", "required", "important", "essential", "necessary",
                     "propose", "proposed", "request", "requested", "vital"}
SINGULAR_SUBJECT_DETERMINERS = {"the", "this", "that", "a", "an", "my", "his", "her", "its", "our",
                                "their", "your", "every", "each"}
COLLECTIVE_NOUNS = {"police", "staff", "people", "public", "couple", "majority", "crew", "committee", "number",
                    "youth", "young", "old", "rich", "poor", "elderly", "sick", "unemployed", "homeless"}
PAST_TIME = re.compile(
    r"\b(yesterday|ago|last (night|week|weekend|month|year|summer|winter|spring|autumn|time|monday|tuesday|"
    r"wednesday|thursday|friday|saturday|sunday)|in (19|20)\d\d)\b")
PERIOD_WORDS = re.compile(r"\b(since|for|ever|never|already|yet|just|so far|recently|lately|(the|these|past) "
                          r"(last|few|past))\b")
CLAUSE_SPLITTERS = {",", ";", ":", ".", "!", "and", "but", "so", "because", "that", "which", "who", "if", "while"}
NOT_NARRATIVE = re.compile(r"\b(now|today|nowadays|usually|always|every|often|still|these days|will|going to|"
                           r"tomorrow|next|currently)\b|[\"“”]")
WHEN_WAS = re.compile(r"^when (i|we|he|she|they|my \w+) (was|were)\b")
STATIVE_IN_NARRATIVE = {"know", "like", "love", "hate", "want", "need", "think", "believe", "understand", "mean",
                        "seem", "remember", "prefer", "agree", "feel", "hope", "wish", "realize", "realise"}
# people a teacher or a parent makes do something ("make efforts to" is a noun with its own "to")
PEOPLE_PLURALS = {"students", "children", "kids", "workers", "employees", "customers", "consumers", "users",
                  "pupils", "learners", "parents", "citizens", "drivers", "players", "friends", "others"}
MAKE_LET = {"make", "makes", "made", "making", "let", "lets", "letting"}
OBJECT_PRONOUNS = {"me", "you", "him", "her", "it", "us", "them", "people", "everyone", "everybody"}
NOT_REALLY_VERBS = {"like", "need"}
NOT_PASSIVE = {"able", "like", "worth", "home", "sure", "due", "free", "alone", "well", "ill", "back", "open",
               "close", "clean", "clear", "safe", "save", "right", "wrong", "better", "kind",
               # verbs with no object have no passive: "they are go on" is not "they are gone on"
               "go", "come", "arrive", "happen", "sleep", "die", "live", "exist", "stay", "seem", "become",
               "fall", "rise", "sit", "stand", "lie", "run", "walk", "work", "wait", "belong", "appear"}
BE_FORMS = {"is", "are", "was", "were", "be", "been", "being"}
PLURAL_OF_QUANTIFIERS = {"most", "many", "some", "all", "few", "several", "both"}
INDEFINITE_PRONOUNS = {"everyone", "everybody", "someone", "somebody", "nobody", "anyone", "anybody",
                       "everything", "something", "nothing"}
RELATIVE_PRONOUNS = {"who", "that", "which"}
REPORTING_VERBS = {"think", "thinks", "thought", "know", "knows", "knew", "believe", "believes", "believed", "say",
                   "says", "said", "hope", "hopes", "guess", "feel", "feels", "felt", "mean", "means", "suppose",
                   "realize", "realized", "realise", "realised", "sure", "notice", "noticed"}
SINGULAR_FIXES = {"are": "is", "am": "is", "have": "has", "do": "does", "don't": "doesn't",
                  "haven't": "hasn't", "aren't": "isn't"}
PLURAL_SUBJECT_DETERMINERS = {"the", "these", "those", "many", "most", "some", "all", "my", "our", "their",
                              "his", "her", "your", "other", "such", "both"}
SAME_FORM_PAST = {"read", "put", "cut", "hit", "let", "set", "cost", "hurt", "quit", "shut", "spread",
                  "bet", "cast", "broadcast", "upset", "fit"}


def _next_past_adverbs(tagged: TaggedTokens, index: int) -> int:
    """The first index from ``index`` on that is not an adverb ("she often goes": "goes")."""
    at = index
    while tagged.tag(at) in ADVERB_TAGS and tagged.word(at) not in {"not", "n't", "there", "here", "so"}:
        at += 1
    return at


def _subjunctive(tagged: TaggedTokens, index: int) -> bool:
    return any(word in SUBJUNCTIVE_WORDS for word in tagged.words[max(0, index - 5):index])


def _subject_number(tagged: TaggedTokens, index: int) -> str | None:
    """"singular" / "plural" when the word at ``index`` clearly starts a clause as its subject, else None."""
    word, tag = tagged.word(index), tagged.tag(index)
    before = tagged.word(index - 1)
    if not word.isalpha():
        return None
    if word in RELATIVE_PRONOUNS and tag in {"WP", "WDT"}:
        antecedent = tagged.tag(index - 1)
        quantified = any(tagged.word(at) in {"lot", "lots", "many", "several", "some", "all", "most", "few"}
                         for at in range(index - 4, index - 1))
        in_phrase = any(tagged.tag(at) == "IN" for at in range(index - 4, index - 1))
        if antecedent == "NN" and tagged.word(index - 1) not in COLLECTIVE_NOUNS and not quantified and not in_phrase:
            return "singular"  # "a person who like" -> "likes" (not "a lot of student who ...": a missing -s)
        if antecedent == "NNS" and tagged.word(index - 1) not in S_ENDING_SINGULARS and word != "which":
            return "plural"  # "which" may stand for the whole clause: "... others, which gives them success"
        return None
    if word in INDEFINITE_PRONOUNS and (before in CLAUSE_OPENERS or before in REPORTING_VERBS):
        return "singular"  # "everyone know" -> "everyone knows"
    if tag == "PRP" and (before in CLAUSE_OPENERS or before in REPORTING_VERBS):
        if word in THIRD_PRONOUNS:
            return "singular"
        if word in PLURAL_PRONOUNS:
            return "plural"
        return None
    if tag == "NN" and before in SINGULAR_SUBJECT_DETERMINERS and tagged.word(index - 2) in CLAUSE_OPENERS:
        return None if word in COLLECTIVE_NOUNS else "singular"
    if tag == "NNS" and word not in S_ENDING_SINGULARS and tagged.tag(index + 1) not in {"NN", "NNS"} \
            and singular(word) is not None:  # "Pygments is": a name, not a plural
        start = index - 1
        while tagged.tag(start) == "JJ" and start > index - 3 and not tagged.word(start).endswith("ing"):
            start -= 1  # "endangered animals is" (but "learning facts is": a gerund's object)
        opener = tagged.word(start)
        if opener in {"and", "or"} and start > 0:
            return None  # "understanding concepts and ideas is": the subject may be the whole phrase
        if opener in PLURAL_SUBJECT_DETERMINERS and tagged.word(start - 1) == "of" \
                and tagged.word(start - 2) in PLURAL_OF_QUANTIFIERS and tagged.word(start - 3) in CLAUSE_OPENERS:
            return "plural"  # "most of these systems runs" -> "run" (but "one of these systems runs")
        if opener in CLAUSE_OPENERS or (opener in PLURAL_SUBJECT_DETERMINERS and (
                tagged.word(start - 1) in CLAUSE_OPENERS or tagged.word(start - 1) in REPORTING_VERBS)):
            return "plural"
    return None


def _is_base_verb(word: str) -> bool:
    """A verb's base form ("need", "use"), not a past ("went") or an -s form ("goes")."""
    if word in MODALS or word in SAME_FORM_PAST or not word.isalpha() or word.endswith(("ed", "ing")):
        return False
    if base_of_third_person(word) is not None or base_of_past(word) is not None:
        return False
    return is_known_word(third_person(word))


def rule_agreement(tagged: TaggedTokens) -> list[Edit]:
    """it need -> it needs; the government use -> uses; we says -> we say; people thinks -> people think."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words):
        number = _subject_number(tagged, index)
        if number is None or _subjunctive(tagged, index):
            continue
        verb = _next_past_adverbs(tagged, index + 1)
        verb_word, verb_tag = tagged.word(verb), tagged.tag(verb)
        if verb_tag == "NN" and tagged.word(verb + 1) in {"me", "him", "them", "us"}:
            verb_tag = "VBP"  # "the teacher teach them": an object pronoun shows the tagger's "noun" is the verb
        fixed = None
        if number == "singular":
            if verb_word in SINGULAR_FIXES:
                fixed = SINGULAR_FIXES[verb_word]
            elif verb_tag in {"VB", "VBP", "VBD"} and _is_base_verb(verb_word) \
                    and tagged.tag(verb + 1) not in {"VBZ", "VBP", "VBD", "MD"} \
                    and base_of_third_person(tagged.word(verb + 1)) is None:  # else a noun: "that fluoride prevents"
                if tagged.tag(index) == "NN" and verb_word in NOT_REALLY_VERBS:
                    continue
                fixed = third_person(verb_word)
        else:
            if word == "i" and verb_word == "is":
                fixed = "am"
            elif verb_word == "is" or (verb_word == "was" and word != "i"):
                fixed = "are" if verb_word == "is" else "were"
            elif verb_word == "doesn't":
                fixed = "don't"
            elif verb_word == "has":
                fixed = "have"
            elif verb_tag.startswith("VB") and verb_word.isalpha():
                base = base_of_third_person(verb_word)
                if base is not None and base != "be" and base != verb_word:
                    fixed = base
        if fixed is None:
            continue
        kind = "singular" if number == "singular" else "plural"
        edits.append(edit(verb, verb + 1, [fixed], "agreement",
                          f"With a {kind} subject (\"{word}\"), the verb is \"{fixed}\", not \"{verb_word}\"."))
    return edits


def rule_form_after_auxiliary(tagged: TaggedTokens) -> list[Edit]:
    """could began -> could begin; will causes -> will cause; to reduced -> to reduce; did not developed -> develop."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words):
        if word in MODALS and tagged.tag(index) == "MD":
            trigger = word
        elif word in {"did", "didn't", "does", "doesn't", "do", "don't"}:
            trigger = word
        elif word == "to" and tagged.tag(index) == "TO":
            trigger = "to"
        else:
            continue
        verb = index + 1
        if tagged.word(verb) in {"not", "n't"} and trigger != "to":
            verb += 1
        elif trigger in {"did", "does", "do"}:
            if tagged.tag(verb) != "PRP":
                continue  # "I did it": main verb "did"
            verb += 1  # a question: "did you went"
        verb = _next_past_adverbs(tagged, verb)
        verb_word, verb_tag = tagged.word(verb), tagged.tag(verb)
        if not verb_word.isalpha() or verb_word in NOT_AFTER_MODAL:
            continue
        if not verb_tag.startswith("VB"):
            continue
        base = base_of_third_person(verb_word)
        if base is None:
            base = base_of_past(verb_word)
            if base is not None and trigger in MODALS and verb_word.endswith("ed"):
                continue  # "it will finished" may be "will be finished": unclear
            if base is not None and trigger == "to" and tagged.tag(verb + 1) not in {"DT", "PRP", "PRP$", "."} \
                    and not (verb_tag == "VB" and tagged.tag(verb + 1) in {"NN", "NNS"}):
                continue  # "to" + past form: only where an object follows ("to reduced the cost"),
                # not "led to increased sales" (there the tagger reads an adjective)
        if base is None or base == "be" or base == verb_word:
            continue
        if trigger == "to" and tagged.word(index - 1) in {"used", "according", "due", "thanks", "addition", "look",
                                                          "looking", "forward", "related", "compared", "opposed"}:
            continue
        edits.append(edit(verb, verb + 1, [base], "verb_form",
                          f"After \"{trigger}\", use the base form of the verb: \"{base}\", not \"{verb_word}\"."))
    return edits


def rule_participle_after_have(tagged: TaggedTokens) -> list[Edit]:
    """they have spend -> they have spent; she has became -> she has become."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words):
        if word not in {"have", "has", "had", "haven't", "hasn't", "hadn't", "i've", "we've", "you've", "they've"}:
            continue
        if tagged.tag(index) not in {"VBP", "VBZ", "VBD", "VB"}:
            continue
        verb = _next_past_adverbs(tagged, index + 1)
        verb_word, verb_tag = tagged.word(verb), tagged.tag(verb)
        if not verb_tag.startswith("VB") or not verb_word.isalpha():
            continue
        if verb_word not in IRREGULAR_VERBS or verb_word in {"have", "make", "let", "get", "do", "help"}:
            continue
        if tagged.tag(verb + 1) in {"PRP", "NN", "NNS", "DT"} and verb == index + 1 and tagged.word(index - 1) in {
                "to", "will", "would", "can"}:
            continue
        fixed = participle_of(verb_word)
        if fixed == verb_word:
            continue
        edits.append(edit(verb, verb + 1, [fixed], "participle",
                          f"After \"{word}\", use the past participle: \"{fixed}\", not \"{verb_word}\"."))
    return edits


def rule_perfect_with_past_time(tagged: TaggedTokens) -> list[Edit]:
    """I have been to Spain two years ago -> I went to Spain two years ago (a finished time takes the past simple)."""
    edits: list[Edit] = []
    text = " ".join(tagged.words)
    if not PAST_TIME.search(text) or PERIOD_WORDS.search(text):
        return edits
    for index, word in enumerate(tagged.words):
        if word not in {"have", "has"} or tagged.word(index + 1) in {"to", "n't", "not"}:
            continue
        subject = tagged.word(index - 1)
        if tagged.tag(index - 1) not in {"PRP", "NN", "NNS", "NNP"}:
            continue
        verb = index + 1
        verb_word = tagged.word(verb)
        if tagged.tag(verb) != "VBN" or not verb_word.isalpha():
            continue
        if verb_word == "been":
            if tagged.word(verb + 1) == "to" and tagged.tag(verb + 2) in {"NNP", "DT", "NN", "PRP$"}:
                replacement = ["went"]
            else:
                replacement = ["were" if subject in {"you", "we", "they"} or tagged.tag(index - 1) == "NNS" else "was"]
        else:
            base = base_of_past(verb_word)
            if base is None:
                continue
            replacement = [past_of(base)]
        edits.append(edit(index, verb + 1, replacement, "past_time",
                          f"A finished time in the past (\"ago\", \"yesterday\", \"last ...\") takes the past simple: "
                          f"\"{' '.join(replacement)}\", not \"{word} {verb_word}\"."))
    return edits


def _clauses(tagged: TaggedTokens) -> list[tuple[int, int]]:
    """(start, end) of each clause: split at punctuation and at the words that open a new clause."""
    spans, start = [], 0
    for index, word in enumerate(tagged.words):
        if word in CLAUSE_SPLITTERS:
            if index > start:
                spans.append((start, index))
            start = index + 1 if not word.isalpha() else index
    if start < len(tagged):
        spans.append((start, len(tagged)))
    return spans


def rule_past_narrative(tagged: TaggedTokens) -> list[Edit]:
    """When I was a student, I spend ... -> I spent; two years ago my brother move ... -> moved.

    Only in the clause with the finished time and, after a "when I was ..." clause, the next one;
    a sentence with "now", "today", "usually", a future or a question is left alone.
    """
    edits: list[Edit] = []
    text = " ".join(tagged.words)
    if "?" in tagged.words or NOT_NARRATIVE.search(text):
        return edits
    clauses = _clauses(tagged)
    chosen: list[tuple[int, int]] = []
    for number, (start, end) in enumerate(clauses):
        clause_text = " ".join(tagged.words[start:end])
        if PAST_TIME.search(clause_text) and not PERIOD_WORDS.search(clause_text):
            chosen.append((start, end))
        if WHEN_WAS.match(clause_text) and number + 1 < len(clauses):
            chosen.append(clauses[number + 1])
    for start, end in chosen:
        for index in range(start, end):
            if _subject_number(tagged, index) is None and not (
                    tagged.tag(index) in {"PRP", "NNS", "NNP"} and index == start):
                continue
            verb = _next_past_adverbs(tagged, index + 1)
            if verb >= end:
                continue
            verb_word, verb_tag = tagged.word(verb), tagged.tag(verb)
            if verb_tag == "NN" and tagged.tag(verb + 1) in {"IN", "TO", "DT", "PRP", "PRP$", "RB"}:
                verb_tag = "VB"  # "my brother move to": right after a subject, the tagger's "noun" is the verb
            if verb_tag not in {"VBP", "VBZ", "VB"} or verb_word in MODALS or verb_word in SAME_FORM_PAST:
                continue
            if verb_word in {"is", "are", "am", "'s", "'re", "'m"}:
                continue  # "When I was young, life is ..." may state a fact that still holds
            base = base_of_third_person(verb_word) if verb_tag == "VBZ" else (
                verb_word if _is_base_verb(verb_word) else None)
            if base is None or base in {"be", "have", "do"} | STATIVE_IN_NARRATIVE:
                continue
            past = past_of(base)
            if not is_known_word(past):
                continue
            edits.append(edit(verb, verb + 1, [past], "past_time",
                              f"You are talking about a finished time, so use the past simple: \"{past}\", "
                              f"not \"{verb_word}\"."))
            break
    return edits


def rule_make_let_to(tagged: TaggedTokens) -> list[Edit]:
    """make them to understand -> make them understand; let him to go -> let him go."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words):
        if word == "let's" and tagged.word(index + 1) == "to" and tagged.tag(index + 2) == "VB":
            edits.append(edit(index + 1, index + 2, [], "verb_pattern",
                              f"After \"let's\", the verb has no \"to\": \"let's {tagged.word(index + 2)}\"."))
            continue
        if word not in MAKE_LET:
            continue
        obj = index + 1
        if tagged.word(obj) not in OBJECT_PRONOUNS | PEOPLE_PLURALS and tagged.tag(obj) != "PRP":
            continue
        if tagged.word(obj + 1) == "to" and tagged.tag(obj + 2) == "VB":
            edits.append(edit(obj + 1, obj + 2, [], "verb_pattern",
                              f"After \"{word} someone\", the verb has no \"to\": \"{word} {tagged.word(obj)} "
                              f"{tagged.word(obj + 2)}\"."))
    return edits


def rule_passive_participle(tagged: TaggedTokens) -> list[Edit]:
    """it is generate by -> it is generated by; can be use -> can be used (a passive needs the participle)."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words):
        if word not in BE_FORMS:
            continue
        verb = _next_past_adverbs(tagged, index + 1)
        verb_word, verb_tag = tagged.word(verb), tagged.tag(verb)
        if verb_tag == "JJ" and tagged.word(verb + 1) == "by":
            verb_tag = "VBN"  # "is generate by": the tagger reads an adjective, "by" shows the passive
        if verb_tag not in {"VB", "VBP", "VBN"} or not _is_base_verb(verb_word) or verb_word in NOT_PASSIVE:
            continue
        if tagged.word(verb + 1) != "by" and tagged.tag(verb + 1) not in {".", "IN", "TO", ""}:
            continue
        fixed = participle_of(verb_word)
        if fixed == verb_word or not is_known_word(fixed):
            continue
        edits.append(edit(verb, verb + 1, [fixed], "passive",
                          f"After \"{word}\", a passive needs the past participle: \"{fixed}\", not \"{verb_word}\"."))
    return edits


VERB_RULES = (
    rule_perfect_with_past_time,
    rule_past_narrative,
    rule_form_after_auxiliary,
    rule_participle_after_have,
    rule_agreement,
    rule_make_let_to,
    rule_passive_participle,
)
