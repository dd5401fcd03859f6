"""The offline grammar checker: explicit rules for the errors learners make most often.

"he go", "I goed", "she don't", "I am agree", "more better", a missing article before a
job, a present verb after "yesterday", ... Every rule is written to stay silent when
unsure: a correct sentence must not be "corrected". After these word-list rules, the rules
of :mod:`tutor.tagged_rules` run on part-of-speech tags (noun number, agreement, verb forms,
tense with finished times, prepositions, ...); where two edits overlap the earlier one wins.
:func:`check_grammar` returns the issues found and the corrected sentence;
:mod:`tutor.offline_tutor` turns them into a reply.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any, Callable, Sequence

from tutor.pos_tagging import (
    TaggedTokens,
    lexicon_available,
    starts_with_vowel_sound,
    tag_tokens,
)
from tutor.rule_edits import Edit as _Edit

TOKEN_PATTERN = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?|\d+(?:[.,]\d+)?|[^\sA-Za-z\d]")

SUBJECT_PRONOUNS = {"i", "you", "he", "she", "it", "we", "they"}
THIRD_SINGULAR = {"he", "she", "it", "everyone", "everybody", "nobody", "somebody", "someone"}
FAMILY_NOUNS = {
    "mother", "father", "mum", "mom", "dad", "sister", "brother", "friend", "boss", "wife",
    "husband", "son", "daughter", "teacher", "grandmother", "grandfather", "neighbour", "neighbor",
    "boyfriend", "girlfriend", "cousin", "uncle", "aunt",
}
NON_THIRD = {"i", "you", "we", "they"}
AUXILIARIES = {
    "do", "does", "did", "will", "would", "can", "could", "should", "might", "may", "must",
    "shall", "to", "let", "let's", "make", "makes", "made", "help", "helps", "helped", "saw",
    "see", "watch", "watched", "hear", "heard", "didn't", "doesn't", "don't", "won't", "can't",
    "couldn't", "wouldn't", "shouldn't", "mustn't", "why", "not",
}
SUBJUNCTIVE_TRIGGERS = {
    "suggest", "suggested", "suggests", "insist", "insisted", "recommend", "recommended",
    "demand", "demanded", "require", "required", "important", "essential", "vital", "propose",
    "proposed", "request", "requested", "ask", "asked", "necessary",
}
ADVERBS = {
    "always", "usually", "often", "never", "sometimes", "really", "also", "still", "rarely",
    "seldom", "normally", "generally", "just", "often", "frequently", "only", "already",
    "ever", "even", "actually", "probably", "definitely",
}
MODALS = {"can", "could", "will", "would", "should", "must", "might", "may", "shall"}

# base -> (past simple, past participle); verbs whose past equals the base (read, put, cut,
# hit, let, set, cost, hurt, quit, shut) are left out on purpose: "yesterday I read" is fine.
IRREGULAR_VERBS: dict[str, tuple[str, str]] = {
    "go": ("went", "gone"), "have": ("had", "had"), "do": ("did", "done"), "eat": ("ate", "eaten"),
    "buy": ("bought", "bought"), "teach": ("taught", "taught"), "catch": ("caught", "caught"),
    "think": ("thought", "thought"), "bring": ("brought", "brought"), "run": ("ran", "run"),
    "swim": ("swam", "swum"), "drink": ("drank", "drunk"), "write": ("wrote", "written"),
    "speak": ("spoke", "spoken"), "take": ("took", "taken"), "make": ("made", "made"),
    "come": ("came", "come"), "give": ("gave", "given"), "find": ("found", "found"),
    "leave": ("left", "left"), "feel": ("felt", "felt"), "sleep": ("slept", "slept"),
    "meet": ("met", "met"), "send": ("sent", "sent"), "spend": ("spent", "spent"),
    "tell": ("told", "told"), "know": ("knew", "known"), "drive": ("drove", "driven"),
    "become": ("became", "become"), "choose": ("chose", "chosen"), "fall": ("fell", "fallen"),
    "forget": ("forgot", "forgotten"), "get": ("got", "got"), "see": ("saw", "seen"),
    "say": ("said", "said"), "sing": ("sang", "sung"), "begin": ("began", "begun"),
    "break": ("broke", "broken"), "build": ("built", "built"), "fly": ("flew", "flown"),
    "grow": ("grew", "grown"), "hear": ("heard", "heard"), "keep": ("kept", "kept"),
    "lose": ("lost", "lost"), "pay": ("paid", "paid"), "ride": ("rode", "ridden"),
    "sell": ("sold", "sold"), "sit": ("sat", "sat"), "stand": ("stood", "stood"),
    "understand": ("understood", "understood"), "wear": ("wore", "worn"), "win": ("won", "won"),
    "wake": ("woke", "woken"), "throw": ("threw", "thrown"), "draw": ("drew", "drawn"),
    "steal": ("stole", "stolen"), "lend": ("lent", "lent"), "light": ("lit", "lit"),
}
SAME_FORM_VERBS = {"read", "put", "cut", "hit", "let", "set", "cost", "hurt", "quit", "shut"}
REGULAR_VERBS = {
    "like", "love", "hate", "want", "need", "work", "live", "play", "watch", "study", "cook",
    "try", "walk", "start", "finish", "help", "use", "call", "listen", "look", "seem", "prefer",
    "enjoy", "visit", "travel", "stay", "arrive", "believe", "remember", "dance", "talk", "ask",
    "open", "close", "wash", "clean", "miss", "hope", "wish", "learn", "decide", "plan", "move",
    "change", "relax", "rain", "happen", "laugh", "cry", "carry", "worry", "order", "return",
    "join", "fix", "answer", "agree", "explain", "improve", "practise", "practice", "exercise",
    "shop", "stop", "wait", "climb", "check", "pass", "fail", "jump", "smile", "enter",
    "invite", "book", "rent", "share", "prepare", "celebrate", "attend", "repeat", "spell",
    "play", "mean", "need",
}
STATIVE_VERBS = {
    "like", "love", "hate", "want", "need", "know", "think", "believe", "understand", "prefer",
    "remember", "seem", "hope", "wish", "mean", "feel", "have", "agree",
}
PAST_MARKERS = (
    re.compile(r"\byesterday\b"),
    re.compile(r"\blast (night|week|weekend|month|year|summer|winter|spring|autumn|fall|time|"
               r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"),
    re.compile(r"\b(\w+ )?(days?|weeks?|months?|years?|hours?|minutes?) ago\b"),
    re.compile(r"\bwhen i was (a child|a kid|young|little|a teenager|at school|\w+ years old)\b"),
    re.compile(r"\bin (19|20)\d\d\b"),
)
FUTURE_OR_HABIT_MARKERS = re.compile(r"\b(will|going to|tomorrow|next|every|usually|always|now)\b")

PROFESSIONS = {
    "teacher", "doctor", "student", "engineer", "nurse", "lawyer", "programmer", "developer",
    "designer", "manager", "waiter", "waitress", "chef", "driver", "pilot", "farmer",
    "artist", "musician", "writer", "journalist", "scientist", "accountant", "architect",
    "dentist", "secretary", "cashier", "mechanic", "electrician", "photographer", "actor",
    "actress", "singer", "translator", "consultant", "receptionist", "pharmacist", "soldier",
    "officer", "psychologist", "researcher", "professor", "housewife", "plumber", "carpenter",
    "businessman", "businesswoman", "salesman", "cleaner", "baker", "babysitter", "tourist",
    "vegetarian", "beginner",
}
PROFESSION_MODIFIERS = {
    "good", "bad", "new", "young", "old", "software", "english", "math", "maths", "university",
    "retired", "professional", "famous", "great", "big", "small", "little", "high", "school",
    "medical", "computer", "language", "music", "art", "history", "science", "freelance",
    "primary", "secondary", "first", "second", "third", "final", "year", "civil", "mechanical",
}
COUNTABLE_HAVE_NOUNS = {
    "car", "dog", "cat", "brother", "sister", "son", "daughter", "job", "question", "idea",
    "problem", "house", "flat", "bike", "bicycle", "computer", "boyfriend", "girlfriend",
    "husband", "wife", "garden", "meeting", "exam", "test", "headache", "cold", "pet",
    "laptop", "phone", "apartment", "cousin", "plan", "lot",
}
THERE_IS_NOUNS = {"problem", "question", "park", "supermarket", "restaurant", "cinema", "museum",
                  "lake", "river", "school", "hospital", "beach", "church", "shop", "station"}
COMPARATIVES = {
    "better", "worse", "bigger", "smaller", "easier", "harder", "faster", "cheaper", "happier",
    "older", "younger", "larger", "longer", "shorter", "higher", "lower", "nicer", "healthier",
    "busier", "prettier", "stronger", "richer", "simpler", "safer", "quieter", "warmer",
    "colder", "hotter", "bigger", "slower", "louder", "cleaner", "funnier", "lazier", "earlier",
}
SUPERLATIVES = {"best", "worst", "biggest", "smallest", "easiest", "hardest", "fastest", "cheapest",
                "happiest", "oldest", "youngest", "largest", "longest", "highest", "nicest"}
UNCOUNTABLE_PLURALS = {
    "informations": "information", "advices": "advice", "furnitures": "furniture",
    "luggages": "luggage", "equipments": "equipment", "knowledges": "knowledge",
    "homeworks": "homework", "baggages": "baggage", "softwares": "software",
}
UNCOUNTABLE_SINGULARS = set(UNCOUNTABLE_PLURALS.values())
BE_OR_GET = {"am", "is", "are", "was", "were", "be", "been", "being", "get", "gets", "got", "getting", "i'm",
             "he's", "she's", "we're", "they're", "you're"}
PLURAL_NOUNS_FOR_MUCH = {"people", "friends", "things", "books", "times", "countries", "places",
                         "cars", "children", "questions", "problems", "students", "hours", "days"}
NUMBER_WORDS = {
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "fifteen", "twenty", "thirty", "many", "several", "few",
}
TIME_UNITS = {"years", "months", "weeks", "days", "hours", "minutes", "year", "month", "week", "day"}
MOTION_VERBS = {"go", "goes", "going", "went", "come", "comes", "coming", "came", "get", "gets",
                "got", "arrive", "arrived", "drive", "drove", "walk", "walked", "run", "ran",
                "return", "returned", "fly", "flew", "gone"}
SILENT_H_WORDS = ("hour", "honest", "honour", "honor", "heir")
YOU_SOUND_WORDS = ("uni", "use", "usu", "eu", "one", "once", "ubiq", "ukr", "ura", "ute", "uti")
NOT_OVERREGULARIZED = {"seed", "singed", "leaved", "waked", "founded", "spelled", "heared"}


@dataclass(frozen=True)
class GrammarIssue:
    """One error the rules found: the learner's words, the fix and a short reason."""

    rule: str
    original: str
    correction: str
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class CheckResult:
    """The rule checker's verdict for one learner message."""

    text: str
    corrected: str
    issues: tuple[GrammarIssue, ...]

    @property
    def has_errors(self) -> bool:
        return bool(self.issues)


# ---------------------------------------------------------------------------------------
# word forms


def third_person(verb: str) -> str:
    """``go`` -> ``goes``, ``study`` -> ``studies``, ``have`` -> ``has``, ``play`` -> ``plays``."""
    if verb == "have":
        return "has"
    if verb == "be":
        return "is"
    if re.search(r"(s|sh|ch|x|z|o)$", verb):
        return verb + "es"
    if re.search(r"[^aeiou]y$", verb):
        return verb[:-1] + "ies"
    return verb + "s"


def past_simple(verb: str) -> str:
    """``go`` -> ``went``, ``play`` -> ``played``, ``study`` -> ``studied``, ``stop`` -> ``stopped``."""
    if verb in IRREGULAR_VERBS:
        return IRREGULAR_VERBS[verb][0]
    if verb in SAME_FORM_VERBS:
        return verb
    if verb.endswith("e"):
        return verb + "d"
    if re.search(r"[^aeiou]y$", verb):
        return verb[:-1] + "ied"
    if verb in {"stop", "plan", "shop", "drop", "chat", "jog", "travel", "prefer"}:
        return verb + verb[-1] + "ed"
    return verb + "ed"


def past_participle(verb: str) -> str:
    """``go`` -> ``gone``, ``live`` -> ``lived``."""
    if verb in IRREGULAR_VERBS:
        return IRREGULAR_VERBS[verb][1]
    return past_simple(verb)


PRESENT_PERFECT_VERBS = {"live", "work", "study", "know", "teach", "play", "am", "are", "have", "learn"}
QUESTION_STARTERS = {"do", "does", "did", "what", "where", "when", "why", "how", "who", "which",
                     "is", "are", "can", "could", "would", "will"}

BASE_VERBS: set[str] = set(IRREGULAR_VERBS) | REGULAR_VERBS
THIRD_FORMS: dict[str, str] = {third_person(verb): verb for verb in BASE_VERBS}
PAST_FORMS: dict[str, str] = {}
for _verb in BASE_VERBS:
    PAST_FORMS.setdefault(past_simple(_verb), _verb)
PAST_FORMS.update({"was": "be", "were": "be"})
PARTICIPLE_FIXES: dict[str, str] = {
    past: participle for past, participle in IRREGULAR_VERBS.values() if past != participle
}
OVERREGULARIZED: dict[str, str] = {}
for _verb, (_past, _participle) in IRREGULAR_VERBS.items():
    for _wrong in {_verb + "ed", _verb + "d" if _verb.endswith("e") else _verb + "ed",
                   _verb + _verb[-1] + "ed", _past + "ed"}:
        if _wrong not in NOT_OVERREGULARIZED and _wrong != _past:
            OVERREGULARIZED[_wrong] = _past
for _verb in ("read", "cut", "hit", "hurt", "put"):
    OVERREGULARIZED[_verb + ("ted" if _verb.endswith("t") else "ed")] = _verb
OVERREGULARIZED.pop("putted", None)
BASE_OR_THIRD = BASE_VERBS | set(THIRD_FORMS)
PARTICIPLE_WORDS = {participle for _, participle in IRREGULAR_VERBS.values()} | {
    past_simple(verb) for verb in REGULAR_VERBS}


def article_for(word: str) -> str:
    """``a`` or ``an`` for the word that follows (by sound for the usual exceptions)."""
    low = word.lower()
    if low.startswith(SILENT_H_WORDS):
        return "an"
    if low.startswith(YOU_SOUND_WORDS):
        return "a"
    return "an" if low[:1] in "aeiou" else "a"


# ---------------------------------------------------------------------------------------
# rules: each takes the lower-cased tokens and returns edits (token spans to replace)

Rule = Callable[[list[str]], list[_Edit]]

NOUN_PHRASE_ENDINGS = {
    "and", "but", "because", "in", "at", "with", "for", "now", "today", "tomorrow", "yesterday",
    "too", "so", "that", "which", "who", "to", "of", "from", "there", "here", "at", "on",
}
PERSON_SUBJECTS = {"he", "she"} | FAMILY_NOUNS
NEGATIVE_MODALS = {"can't", "won't", "couldn't", "shouldn't", "wouldn't", "mustn't", "cannot"}
IRREGULAR_PASTS = {past for past, _ in IRREGULAR_VERBS.values()}


def _edit(start: int, end: int, replacement: Sequence[str], rule: str, explanation: str) -> _Edit:
    return _Edit(start, end, tuple(replacement), rule, explanation)


def is_word(token: str) -> bool:
    return bool(re.match(r"[a-z]", token))


def _token(low: list[str], index: int) -> str:
    return low[index] if 0 <= index < len(low) else ""


def _ends_noun_phrase(low: list[str], index: int) -> bool:
    """True when nothing noun-like follows (so "I have car insurance" is left alone)."""
    nxt = _token(low, index)
    return not nxt or not is_word(nxt) or nxt in NOUN_PHRASE_ENDINGS


def _subjunctive_context(low: list[str], subject_index: int) -> bool:
    """True for "I suggest (that) he go": a correct base form after a demand word."""
    window = low[max(0, subject_index - 5):subject_index]
    return any(word in SUBJUNCTIVE_TRIGGERS for word in window)


def _skip_adverbs(low: list[str], index: int) -> int:
    while index < len(low) and low[index] in ADVERBS:
        index += 1
    return index


def _subject_verb_pairs(low: list[str]) -> list[tuple[int, int]]:
    """(subject index, verb index) for each subject pronoun followed by a word."""
    pairs: list[tuple[int, int]] = []
    for index, token in enumerate(low):
        if token not in SUBJECT_PRONOUNS:
            continue
        if index > 0 and low[index - 1] in AUXILIARIES:
            continue  # "does he go", "let it go", "made him go"
        if index > 0 and low[index - 1] in {"and", "or", "nor"}:
            continue  # "he and I are": a compound subject
        verb = _skip_adverbs(low, index + 1)
        if verb < len(low) and is_word(low[verb]):
            pairs.append((index, verb))
    return pairs


def rule_agree(low: list[str]) -> list[_Edit]:
    """I am agree -> I agree; I'm not agree -> I don't agree."""
    edits = []
    explanation = "\"Agree\" is a verb, so it needs no \"am\" or \"are\": say \"I agree\"."
    contracted = {"i'm", "we're", "you're", "they're", "he's", "she's"}
    for index, token in enumerate(low):
        nxt, after = _token(low, index + 1), _token(low, index + 2)
        if token in {"am", "are", "is"} and nxt in {"agree", "disagree"}:
            edits.append(_edit(index, index + 1, [], "be_agree", explanation))
        elif token in contracted and nxt in {"agree", "disagree"}:
            subject = token.split("'")[0]
            verb = nxt + "s" if subject in THIRD_SINGULAR else nxt
            edits.append(_edit(index, index + 2, [subject, verb], "be_agree", explanation))
        elif token in {"am", "are", "is"} and nxt == "not" and after == "agree":
            aux = "doesn't" if token == "is" else "don't"
            edits.append(_edit(index, index + 2, [aux], "be_agree", explanation))
    return edits


def _finished_time(low: list[str]) -> bool:
    """A past time ("yesterday", "two years ago") and nothing present or future in the message."""
    joined = " ".join(low)
    return any(marker.search(joined) for marker in PAST_MARKERS) and not FUTURE_OR_HABIT_MARKERS.search(joined)


def rule_third_person(low: list[str]) -> list[_Edit]:
    """he go -> he goes; she don't -> she doesn't; my sister study -> my sister studies."""
    edits = []
    if _finished_time(low):
        return edits  # "two years ago my brother move": the past, not the -s form (past-time rules answer)
    explanation = ("With he, she or it in the present simple, the verb takes -s: "
                   "\"she works\", \"he goes\", \"it has\".")
    for index, token in enumerate(low):
        is_noun_subject = token in FAMILY_NOUNS and _token(low, index - 1) in {"my", "your", "his", "her", "our"}
        if token not in THIRD_SINGULAR and not is_noun_subject:
            continue
        if index > 0 and low[index - 1] in AUXILIARIES | {"have", "has", "had", "having"}:
            continue  # "have everyone understand": a causative, the base form is right
        if _subjunctive_context(low, index):
            continue
        verb = _skip_adverbs(low, index + 1)
        word = _token(low, verb)
        if word == "don't":
            edits.append(_edit(verb, verb + 1, ["doesn't"], "third_person",
                               "With he, she or it, use \"doesn't\", not \"don't\"."))
        elif word == "haven't":
            edits.append(_edit(verb, verb + 1, ["hasn't"], "third_person",
                               "With he, she or it, use \"hasn't\", not \"haven't\"."))
        elif word == "are" and token in {"he", "she", "it"}:
            edits.append(_edit(verb, verb + 1, ["is"], "third_person",
                               "With he, she or it, the verb \"be\" is \"is\"."))
        elif word in BASE_VERBS and word not in SAME_FORM_VERBS:
            if is_noun_subject and word in {"like", "love"} and _token(low, verb + 1) in {
                    "me", "you", "him", "her", "us", "them", "a", "an", "the"}:
                continue  # "a friend like me": a preposition, not a verb
            edits.append(_edit(verb, verb + 1, [third_person(word)], "third_person", explanation))
    return edits


def rule_plural_subject(low: list[str]) -> list[_Edit]:
    """they goes / I has / we was / I is -> base forms and the right "be"."""
    edits = []
    for subject, verb in _subject_verb_pairs(low):
        pronoun, word = low[subject], low[verb]
        if pronoun not in NON_THIRD:
            continue
        if word == "was" and pronoun != "i":
            edits.append(_edit(verb, verb + 1, ["were"], "be_form",
                               f"With \"{pronoun}\", the past of \"be\" is \"were\"."))
        elif word == "is":
            fixed = "am" if pronoun == "i" else "are"
            edits.append(_edit(verb, verb + 1, [fixed], "be_form",
                               f"With \"{pronoun}\", the verb \"be\" is \"{fixed}\"."))
        elif word == "are" and pronoun == "i":
            edits.append(_edit(verb, verb + 1, ["am"], "be_form", "With \"I\", the verb \"be\" is \"am\"."))
        elif word == "doesn't":
            edits.append(_edit(verb, verb + 1, ["don't"], "plural_subject",
                               f"With \"{pronoun}\", use \"don't\"; \"doesn't\" is only for he, she and it."))
        elif word in THIRD_FORMS:
            base = THIRD_FORMS[word]
            subject_text = "I" if pronoun == "i" else pronoun
            edits.append(_edit(verb, verb + 1, [base], "plural_subject",
                               f"With \"{subject_text}\", the verb has no -s: \"{subject_text} {base}\"."))
    return edits


def rule_overregularized(low: list[str]) -> list[_Edit]:
    """I goed -> I went; she buyed -> she bought."""
    edits = []
    for index, token in enumerate(low):
        if token in OVERREGULARIZED:
            fixed = OVERREGULARIZED[token]
            edits.append(_edit(index, index + 1, [fixed], "irregular_past",
                               f"This verb is irregular: its past form is \"{fixed}\", not \"{token}\"."))
    return edits


def rule_after_did_or_modal(low: list[str]) -> list[_Edit]:
    """didn't went -> didn't go; does she likes -> does she like; can goes -> can go; must to -> must."""
    edits = []
    for index, token in enumerate(low):
        negative = token in {"didn't", "doesn't", "don't"} | NEGATIVE_MODALS or _token(low, index + 1) == "not"
        nxt = index + 1
        if _token(low, nxt) == "not":
            nxt += 1
        elif _token(low, nxt) in SUBJECT_PRONOUNS and token in {"did", "does", "do"} | MODALS:
            nxt += 1  # a question: "did you went", "can she goes"
        elif token in {"did", "does", "do"}:
            continue  # "I do sports" and "I did it" are main verbs
        nxt = _skip_adverbs(low, nxt)
        word = _token(low, nxt)
        if not word:
            continue
        if token in {"did", "didn't"}:
            if word in PAST_FORMS and PAST_FORMS[word] != "be" and word not in BASE_VERBS:
                base = PAST_FORMS[word]
                edits.append(_edit(nxt, nxt + 1, [base], "after_did",
                                   f"After \"did\" or \"didn't\", use the base verb: \"{base}\", not \"{word}\"."))
        elif token in {"does", "doesn't", "do", "don't"}:
            if word in THIRD_FORMS and word != "is":
                base = THIRD_FORMS[word]
                edits.append(_edit(nxt, nxt + 1, [base], "after_does",
                                   f"After \"do\" or \"does\", the verb has no -s: \"{base}\", not \"{word}\"."))
        elif token in MODALS | NEGATIVE_MODALS and (negative or token in MODALS):
            if word == "to" and _token(low, nxt + 1) in BASE_VERBS:
                edits.append(_edit(nxt, nxt + 1, [], "modal_to",
                                   f"After \"{token}\", use the verb without \"to\"."))
            elif word in THIRD_FORMS and word != "is":
                base = THIRD_FORMS[word]
                edits.append(_edit(nxt, nxt + 1, [base], "modal_form",
                                   f"After \"{token}\", use the base verb with no -s: \"{base}\"."))
            elif word in IRREGULAR_PASTS and word not in BASE_VERBS and word in PAST_FORMS and word != "fell":
                # ("may fell afraid" is more often "feel" than "fall": left alone)
                base = PAST_FORMS[word]
                edits.append(_edit(nxt, nxt + 1, [base], "modal_form",
                                   f"After \"{token}\", use the base verb: \"{base}\", not \"{word}\"."))
    return edits


def rule_participle(low: list[str]) -> list[_Edit]:
    """I have went -> I have gone; she has ate -> she has eaten."""
    edits = []
    triggers = {"have", "has", "had", "i've", "you've", "we've", "they've", "haven't", "hasn't", "hadn't"}
    for index, token in enumerate(low):
        if token not in triggers:
            continue
        verb = _skip_adverbs(low, index + 1)
        word = _token(low, verb)
        if word in PARTICIPLE_FIXES:
            fixed = PARTICIPLE_FIXES[word]
            edits.append(_edit(verb, verb + 1, [fixed], "participle",
                               f"After \"have\" or \"has\", use the past participle: \"{fixed}\", not \"{word}\"."))
    return edits


def _sentence_spans(low: list[str]) -> list[tuple[int, int, str]]:
    """(start, end, closing punctuation) for each sentence."""
    spans, start = [], 0
    for index, token in enumerate(low):
        if token in {".", "!", "?", ";"}:
            spans.append((start, index, token))
            start = index + 1
    spans.append((start, len(low), ""))
    return [span for span in spans if span[1] > span[0]]


def rule_past_time(low: list[str]) -> list[_Edit]:
    """yesterday I go -> yesterday I went (only where the time words make the past certain)."""
    edits = []
    for start, end, closing in _sentence_spans(low):
        sentence = low[start:end]
        joined = " ".join(sentence)
        if closing == "?" or not any(marker.search(joined) for marker in PAST_MARKERS):
            continue
        if FUTURE_OR_HABIT_MARKERS.search(joined) or any(w in {"if", "unless", "\"", "'"} for w in sentence):
            continue
        for number, (subject, verb) in enumerate(_subject_verb_pairs(sentence)):
            word, pronoun = sentence[verb], sentence[subject]
            if word in {"don't", "doesn't"}:
                edits.append(_edit(start + verb, start + verb + 1, ["didn't"], "past_time",
                                   "This happened in the past, so the negative is \"didn't\"."))
                continue
            base = None
            if word in BASE_VERBS and word not in SAME_FORM_VERBS:
                base = word
            elif word in THIRD_FORMS and pronoun in THIRD_SINGULAR:
                base = THIRD_FORMS[word]
            if base is None or base == "be":
                continue
            if base == "have" and _token(sentence, verb + 1) in PARTICIPLE_WORDS | {"been"}:
                continue  # "I have been to Spain two years ago": the tagged tense rule answers "I went"
            if number > 0 and base in STATIVE_VERBS:
                continue  # "Yesterday I realised that I like it": a present fact may follow
            past = past_simple(base)
            edits.append(_edit(start + verb, start + verb + 1, [past], "past_time",
                               f"You are talking about the past, so use the past simple: \"{past}\", not \"{word}\"."))
    return edits


def _profession_after(low: list[str], index: int) -> int | None:
    """Index of a bare job noun right after ``index`` ("teacher", "good teacher"), else None."""
    nxt = index + 1
    if _token(low, nxt) in PROFESSION_MODIFIERS and _token(low, nxt + 1) in PROFESSIONS:
        noun = nxt + 1
        article_at = nxt
    elif _token(low, nxt) in PROFESSIONS:
        noun = nxt
        article_at = nxt
    else:
        return None
    if _token(low, noun + 1) in PROFESSIONS or not _ends_noun_phrase(low, noun + 1):
        return None
    return article_at


def rule_articles(low: list[str]) -> list[_Edit]:
    """I am teacher -> I am a teacher; I have car -> I have a car; a apple -> an apple."""
    edits = []
    for index, token in enumerate(low):
        at = None
        previous = _token(low, index - 1)
        if token in {"am", "i'm", "you're", "he's", "she's"}:
            at = _profession_after(low, index)
        elif token in {"is", "was"} and (previous in {"he", "she"} or previous in FAMILY_NOUNS):
            at = _profession_after(low, index)
        elif token == "as" and previous in {"work", "works", "worked", "working"}:
            at = _profession_after(low, index)
        elif token == "be" and previous in {"to", "will", "would", "can", "could"}:
            at = _profession_after(low, index)
        elif token in {"become", "became", "becomes"}:
            at = _profession_after(low, index)
        elif token in {"have", "has", "had"} and (previous in SUBJECT_PRONOUNS | {"don't", "didn't", "doesn't"}
                                                    or previous in FAMILY_NOUNS):
            if _token(low, index + 1) in COUNTABLE_HAVE_NOUNS and _ends_noun_phrase(low, index + 2):
                at = index + 1
        elif token == "is" and previous == "there":
            if _token(low, index + 1) in THERE_IS_NOUNS and _ends_noun_phrase(low, index + 2):
                at = index + 1
        if at is not None:
            article = article_for(low[at])
            noun = low[at] if low[at] not in PROFESSION_MODIFIERS else f"{low[at]} {low[at + 1]}"
            edits.append(_edit(at, at, [article], "article",
                               f"Use \"{article}\" before one job or thing you can count: \"{article} {noun}\"."))
    for index, token in enumerate(low[:-1]):
        nxt = low[index + 1]
        if not is_word(nxt) or len(nxt) < 2:
            continue
        if nxt in UNCOUNTABLE_PLURALS or nxt in UNCOUNTABLE_SINGULARS:
            continue
        if token in {"a", "an"} and lexicon_available() and starts_with_vowel_sound(nxt) is None:
            continue  # a word the lexicon does not know ("USB", a name): its first sound is a guess
        if token == "a" and article_for(nxt) == "an":
            edits.append(_edit(index, index + 1, ["an"], "a_an",
                               f"Use \"an\" before a vowel sound: \"an {nxt}\"."))
        elif token == "an" and article_for(nxt) == "a" and len(nxt) > 3:
            edits.append(_edit(index, index + 1, ["a"], "a_an",
                               f"Use \"a\" before a consonant sound: \"a {nxt}\"."))
    return edits


def rule_comparatives(low: list[str]) -> list[_Edit]:
    """more better -> better; most best -> best; more good -> better."""
    edits = []
    for index, token in enumerate(low):
        nxt = _token(low, index + 1)
        if token == "more" and nxt in COMPARATIVES:
            edits.append(_edit(index, index + 1, [], "double_comparative",
                               f"\"{nxt.capitalize()}\" is already a comparative, so drop \"more\"."))
        elif token == "most" and nxt in SUPERLATIVES:
            edits.append(_edit(index, index + 1, [], "double_comparative",
                               f"\"{nxt.capitalize()}\" is already a superlative, so drop \"most\"."))
        elif token == "more" and nxt in {"good", "bad"} and _ends_noun_phrase(low, index + 2) is not None:
            fixed = "better" if nxt == "good" else "worse"
            edits.append(_edit(index, index + 2, [fixed], "double_comparative",
                               f"The comparative of \"{nxt}\" is \"{fixed}\"."))
        elif token in {"gooder", "badder"}:
            fixed = "better" if token == "gooder" else "worse"
            edits.append(_edit(index, index + 1, [fixed], "double_comparative",
                               f"The comparative is irregular: \"{fixed}\"."))
    return edits


def _present_perfect_before(low: list[str], limit: int, explanation: str) -> list[_Edit]:
    """"I live here since/for two years" -> "I have lived here ...": an unfinished period."""
    for subject, verb in _subject_verb_pairs(low[:limit]):
        pronoun, word = low[subject], low[verb]
        if pronoun in NON_THIRD and word in PRESENT_PERFECT_VERBS:
            participle = "been" if word in {"am", "are"} else past_participle(word)
            return [_edit(verb, verb + 1, ["have", participle], "present_perfect", explanation)]
        if pronoun in THIRD_SINGULAR and word in THIRD_FORMS and THIRD_FORMS[word] in PRESENT_PERFECT_VERBS:
            return [_edit(verb, verb + 1, ["has", past_participle(THIRD_FORMS[word])], "present_perfect",
                          explanation)]
        if pronoun in THIRD_SINGULAR and word == "is":
            return [_edit(verb, verb + 1, ["has", "been"], "present_perfect", explanation)]
    return []


def rule_fixed_phrases(low: list[str]) -> list[_Edit]:
    """Word choices learners often get wrong: "I have 20 years", "since two years", "go to home"..."""
    edits = []
    be_for = {"i": "am", "he": "is", "she": "is", "we": "are", "you": "are", "they": "are"}
    for index, token in enumerate(low):
        nxt, after = _token(low, index + 1), _token(low, index + 2)
        if token in be_for and nxt in {"have", "has"} and (after.isdigit() or after in NUMBER_WORDS) \
                and _token(low, index + 3) == "years" and (
                    _token(low, index + 4) in {"", "old", "and", "but"} or not is_word(_token(low, index + 4))):
            tail = [] if _token(low, index + 4) == "old" else ["old"]
            edits.append(_edit(index + 1, index + 4, [be_for[token], after, "years", *tail], "age",
                               "In English we give our age with \"be\": \"I am 25 years old\"."))
        elif token == "since" and (after in TIME_UNITS) and (nxt.isdigit() or nxt in NUMBER_WORDS | {"a"}) \
                and _token(low, index + 3) != "ago":
            explanation = ("Use \"for\" with a length of time (\"for two years\") and \"since\" with a "
                           "starting point (\"since 2020\").")
            edits.append(_edit(index, index + 1, ["for"], "since_for", explanation))
            edits.extend(_present_perfect_before(low, index, explanation))
        elif token in MOTION_VERBS and nxt == "to" and after == "home" and _ends_noun_phrase(low, index + 3):
            edits.append(_edit(index + 1, index + 2, [], "home", "We say \"go home\", without \"to\"."))
        elif token in {"discuss", "discussed", "discussing", "discusses"} and nxt == "about":
            edits.append(_edit(index + 1, index + 2, [], "discuss_about",
                               "\"Discuss\" takes its object directly: \"discuss the plan\"."))
        elif token in {"explain", "explained", "explains"} and nxt in {"me", "him", "us", "them"}:
            edits.append(_edit(index + 1, index + 1, ["to"], "explain_to",
                               "We explain something to someone: \"explain to me\"."))
        elif token in {"listen", "listening", "listened", "listens"} and nxt in {
                "music", "the", "my", "podcasts", "radio", "songs", "his", "her"}:
            edits.append(_edit(index + 1, index + 1, ["to"], "listen_to",
                               "\"Listen\" needs \"to\" before what you hear: \"listen to music\"."))
        elif token == "married" and nxt == "with" and _token(low, index - 1) in BE_OR_GET \
                and not (after in NUMBER_WORDS or after.isdigit() or after in {"a", "kids", "children"}):
            edits.append(_edit(index + 1, index + 2, ["to"], "married_to", "We say \"married to\" someone."))
        elif token in {"depend", "depends", "depending", "depended"} and nxt == "of":
            edits.append(_edit(index + 1, index + 2, ["on"], "depend_on", "We say \"depend on\", not \"depend of\"."))
        elif token == "interested" and nxt in {"on", "for", "about"}:
            edits.append(_edit(index + 1, index + 2, ["in"], "interested_in", "We say \"interested in\" something."))
        elif token == "people" and nxt in {"is", "was", "has"}:
            fixed = {"is": "are", "was": "were", "has": "have"}[nxt]
            edits.append(_edit(index + 1, index + 2, [fixed], "people_plural",
                               f"\"People\" is plural, so use \"{fixed}\"."))
        elif token in UNCOUNTABLE_PLURALS:
            fixed = UNCOUNTABLE_PLURALS[token]
            start = index - 1 if _token(low, index - 1) in {"a", "an"} else index
            replacement = ["some", fixed] if start < index else [fixed]
            edits.append(_edit(start, index + 1, replacement, "uncountable",
                               f"\"{fixed.capitalize()}\" is uncountable, so it has no plural -s."))
        elif token == "much" and nxt in PLURAL_NOUNS_FOR_MUCH:
            edits.append(_edit(index, index + 1, ["many"], "much_many",
                               f"Use \"many\" with plural nouns like \"{nxt}\"; \"much\" is for uncountable nouns."))
        elif token == "most" and nxt == "of" and after == "people":
            start = index - 1 if _token(low, index - 1) == "the" else index
            edits.append(_edit(start, index + 3, ["most", "people"], "most_people",
                               "We say \"most people\", without \"the\" or \"of\"."))
    return edits


CLEAR_VERBS = {
    "go", "eat", "listen", "watch", "play", "see", "study", "learn", "swim", "drive", "buy", "meet",
    "live", "speak", "get", "make", "take", "come", "write", "find", "stay", "become", "visit",
    "spend", "understand", "teach", "bring", "tell", "say", "talk",
}
TO_INFINITIVE_VERBS = {"want", "wants", "wanted", "need", "needs", "needed", "decide", "decided",
                       "hope", "hoped", "plan", "planned", "try", "tried", "forget", "forgot",
                       "like", "likes", "liked", "love", "loves", "loved", "hate", "hates", "prefer",
                       "would", "'d"}
ING_VERBS = {"enjoy", "enjoys", "enjoyed", "finish", "finished", "mind", "avoid", "avoided", "keep", "kept"}


def rule_verb_patterns(low: list[str]) -> list[_Edit]:
    """I want go -> I want to go; I like listen -> I like to listen; I enjoy swim -> I enjoy swimming."""
    edits = []
    for index, token in enumerate(low):
        nxt = _token(low, index + 1)
        if token == "would" or token.endswith("'d"):
            continue
        if token in TO_INFINITIVE_VERBS and nxt in CLEAR_VERBS:
            if _token(low, index - 1) in {"to", "a", "the", "this", "that", "my"} and token not in {"want", "like"}:
                continue
            edits.append(_edit(index + 1, index + 1, ["to"], "verb_pattern",
                               f"After \"{token}\", use \"to\" before the next verb: \"{token} to {nxt}\"."))
        elif token in ING_VERBS and nxt in CLEAR_VERBS:
            ing = gerund(nxt)
            edits.append(_edit(index + 1, index + 2, [ing], "verb_pattern",
                               f"After \"{token}\", use the -ing form: \"{token} {ing}\"."))
    return edits


def gerund(verb: str) -> str:
    """``swim`` -> ``swimming``, ``make`` -> ``making``, ``go`` -> ``going``."""
    if verb in {"swim", "get", "run", "sit", "shop", "stop", "plan"}:
        return verb + verb[-1] + "ing"
    if verb.endswith("e") and verb not in {"see", "be"}:
        return verb[:-1] + "ing"
    return verb + "ing"


RULES: tuple[Rule, ...] = (
    rule_agree,
    rule_overregularized,
    rule_after_did_or_modal,
    rule_participle,
    rule_third_person,
    rule_plural_subject,
    rule_past_time,
    rule_articles,
    rule_comparatives,
    rule_fixed_phrases,
    rule_verb_patterns,
)


# ---------------------------------------------------------------------------------------
# checking and text assembly


def tokenize(text: str) -> list[tuple[str, bool]]:
    """Tokens with a flag telling whether whitespace came before each one."""
    text = text.replace("’", "'")
    return [(m.group(0), m.start() > 0 and text[m.start() - 1].isspace()) for m in TOKEN_PATTERN.finditer(text)]


def join_tokens(tokens: Sequence[tuple[str, bool]]) -> str:
    out = ""
    for index, (token, space) in enumerate(tokens):
        out += (" " if space and index else "") + token
    return out


def tidy_sentence(text: str) -> str:
    """Capitalise the start and "i", and end with punctuation: ASR transcripts have neither."""
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        return text
    text = re.sub(r"\bi\b", "I", text)
    text = text[0].upper() + text[1:]
    text = re.sub(r"([.!?]\s+)([a-z])", lambda m: m.group(1) + m.group(2).upper(), text)
    if text[-1] not in ".!?":
        first = text.split(" ", 1)[0].lower()
        text += "?" if first in QUESTION_STARTERS else "."
    return text


def _overlaps(edit: _Edit, other: _Edit) -> bool:
    """Whether two edits touch the same tokens (an insertion sits before token ``start``)."""
    def clashes(insertion: _Edit, span: _Edit) -> bool:
        point = insertion.start
        if span.start == span.end:
            return span.start == point
        return span.start <= point < span.end

    if edit.start == edit.end:
        return clashes(edit, other)
    if other.start == other.end:
        return clashes(other, edit)
    return edit.start < other.end and other.start < edit.end


def _replace(tokens: list[tuple[str, bool]], edit: _Edit) -> list[tuple[str, bool]]:
    """The replacement tokens, keeping the first one's case and spacing where a token is replaced."""
    words = list(edit.replacement)
    if not words:
        return []
    first_space = True
    if edit.end > edit.start:
        original, first_space = tokens[edit.start]
        if original[:1].isupper():
            words[0] = words[0][:1].upper() + words[0][1:]
    elif edit.start < len(tokens) and edit.start == 0:
        first_space = False
    return [(words[0], first_space)] + [(word, True) for word in words[1:]]


def _context(tokens: list[tuple[str, bool]], edit: _Edit) -> tuple[str, str]:
    """(learner's words, corrected words) around one edit, to show in the correction."""
    lo = edit.start
    if edit.start == edit.end or not edit.replacement or edit.rule in {
            "third_person", "plural_subject", "be_form", "past_time", "people_plural", "present_perfect",
            "agreement", "noun_number", "verb_form", "participle", "passive", "there_is_are"}:
        lo = max(0, edit.start - 1)
    hi = edit.end
    if edit.start == edit.end or not edit.replacement:
        hi = min(len(tokens), edit.end + 1)
    before = tokens[lo:hi]
    after = tokens[lo:edit.start] + _replace(tokens, edit) + tokens[edit.end:hi]
    def as_text(part: list[tuple[str, bool]]) -> str:
        return re.sub(r"\bi\b", "I", join_tokens([(token, i > 0) for i, (token, _) in enumerate(part)]))

    return as_text(before), as_text(after)


@cache
def _tagged_rules() -> tuple[Callable[[TaggedTokens], list[_Edit]], ...]:
    """The part-of-speech rules (imported here: they use this module's word forms)."""
    from tutor.tagged_rules import TAGGED_RULES

    return TAGGED_RULES


def check_grammar(text: str) -> CheckResult:
    """Run every rule over ``text``; where edits overlap the earlier rule wins."""
    tokens = tokenize(text)
    low = [token.lower() for token, _ in tokens]
    chosen: list[_Edit] = []
    for rule in RULES:
        for edit in rule(low):
            if not any(_overlaps(edit, other) for other in chosen):
                chosen.append(edit)
    tagged = tag_tokens([token for token, _ in tokens])
    for tagged_rule in _tagged_rules():
        for edit in tagged_rule(tagged):
            if not any(_overlaps(edit, other) for other in chosen):
                chosen.append(edit)
    chosen.sort(key=lambda edit: (edit.start, edit.end))
    corrected = list(tokens)
    for edit in reversed(chosen):
        replacement = _replace(tokens, edit)
        if not replacement and edit.start == 0 and edit.end < len(corrected):
            word, _ = corrected[edit.end]
            corrected[edit.end] = (word, False)
        corrected[edit.start:edit.end] = replacement
    issues = []
    for edit in chosen:
        original, correction = _context(tokens, edit)
        issues.append(GrammarIssue(edit.rule, original, correction, edit.explanation))
    corrected_text = tidy_sentence(join_tokens(corrected)) if chosen else tidy_sentence(text)
    return CheckResult(text=text, corrected=corrected_text, issues=tuple(issues))
