"""Tagged rules for what follows a verb: "to" or -ing, a preposition a verb never takes, and one it needs.

"I enjoy to swim" -> "I enjoy swimming", "I decided buy" -> "I decided to buy",
"before go" -> "before going", "we discussed about" -> "we discussed", "wait me" -> "wait for me".
The verb must be tagged as a verb, so "the lack of" or "the approach to" are left alone.
"""

from __future__ import annotations

import logging

from tutor.grammar_rules import gerund, third_person
from tutor.pos_tagging import TaggedTokens, is_known_word
from tutor.rule_edits import Edit, edit
from tutor.word_forms import base_of_past, base_of_third_person

logger = logging.getLogger(__name__)

# verbs followed by -ing, never by "to" + verb
ING_AFTER = {"enjoy", "finish", "avoid", "consider", "mind", "keep", "practise", "practice", "imagine", "risk",
             "deny", "miss", "quit", "suggest", "admit", "delay", "postpone", "recommend"}
# verbs followed by "to" + verb
TO_AFTER = {"want", "decide", "hope", "plan", "expect", "refuse", "promise", "manage", "agree", "afford",
            "choose", "pretend", "seem", "tend", "wish", "offer", "fail", "intend", "deserve", "prefer"}
# adjectives that take "to" + verb after "it is": "it is important to learn"
TO_AFTER_ADJECTIVES = {"important", "necessary", "difficult", "hard", "easy", "possible", "impossible", "better",
                       "interesting", "boring", "dangerous", "essential", "useful", "able", "unable", "ready",
                       "willing", "likely", "unlikely", "free", "happy", "glad", "sad", "nice", "good", "best"}
# prepositions after which a verb takes -ing
# ("for" is left out: "for earn money" wants "to earn", not "for earning")
ING_AFTER_PREPOSITIONS = {"of", "about", "without", "before", "after", "by", "despite"}
# verbs that are as often nouns after a preposition: "of use", "by design", "after work"
NOUN_LIKE_VERBS = {"use", "work", "help", "design", "study", "rest", "change", "play", "love", "care", "need",
                   "support", "control", "result", "access", "contact", "fun", "sleep", "travel", "research",
                   "experience", "practice", "progress", "report", "visit", "answer", "question", "dance"}
# (verb, preposition it does not take)
NO_PREPOSITION = {
    ("discuss", "about"), ("marry", "with"), ("contact", "with"), ("approach", "to"), ("lack", "of"),
    ("enter", "to"), ("enter", "in"), ("reach", "to"), ("resemble", "to"), ("mention", "about"),
    ("emphasize", "on"), ("emphasise", "on"), ("attend", "at"), ("answer", "to"), ("call", "to"),
    ("trust", "on"), ("obey", "to"), ("join", "with"), ("affect", "on"), ("emphasize", "about"),
    ("explain", "about"), ("describe", "about"), ("criticize", "about"), ("criticise", "about"),
}
# (verb, wrong preposition) -> the preposition it takes
WRONG_PREPOSITION = {
    ("adjust", "with"): "to", ("participate", "to"): "in", ("result", "to"): "in", ("worry", "for"): "about",
    ("complain", "for"): "about", ("specialize", "on"): "in", ("invest", "on"): "in", ("believe", "on"): "in",
    ("comment", "about"): "on", ("succeed", "to"): "in", ("rely", "in"): "on", ("insist", "in"): "on",
}
OBJECT_FORMS = {"they": "them", "he": "him", "she": "her", "we": "us", "i": "me"}
VERBS_WITH_OBJECT_TO = {"help", "ask", "want", "tell", "allow", "encourage", "force", "teach", "invite", "advise",
                        "expect", "need", "remind", "persuade", "enable", "get", "order", "warn", "urge", "cause"}
# verbs with no noun of the same form ("a discuss" does not exist), so no tag is needed
ONLY_VERBS = {"discuss", "emphasize", "emphasise", "resemble", "obey", "mention"}
BE_WORDS = {"am", "is", "are", "was", "were", "be", "been", "being", "get", "got"}
MOTION_BASES = {"travel", "go", "come", "move", "return", "fly", "drive"}
NOT_PLACES = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february",
              "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
              "christmas", "easter", "i", "mr", "mrs", "ms", "dr"}
OBJECT_TAGS = {"DT", "PRP", "PRP$", "NN", "NNS", "NNP", "CD", "JJ"}
OBJECT_PRONOUN_WORDS = {"me", "him", "her", "us", "them", "you"}


def _base(word: str) -> str:
    """The dictionary form of a verb token: "discussed" -> "discuss", "marries" -> "marry"."""
    return base_of_third_person(word) or base_of_past(word) or (word[:-3] if word.endswith("ing") else word)


def _base_verb_at(tagged: TaggedTokens, index: int) -> str | None:
    """The word at ``index`` when it is a verb's base form in a verb slot ("go", "swim"), else None."""
    word, tag = tagged.word(index), tagged.tag(index)
    if tag not in {"VB", "VBP"} or not word.isalpha() or word in {"be", "have", "do"}:
        return None
    if base_of_third_person(word) is not None or base_of_past(word) is not None or word.endswith("ing"):
        return None
    return word


def _gerund(verb: str) -> str | None:
    form = gerund(verb)
    return form if is_known_word(form) else None


def rule_ing_or_to(tagged: TaggedTokens) -> list[Edit]:
    """I enjoy to swim -> I enjoy swimming; I decided buy -> I decided to buy."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words):
        if not tagged.tag(index).startswith("VB"):
            continue
        base = _base(word)
        if base in ING_AFTER:
            at = index + 2 if tagged.word(index + 1) == "to" else index + 1
            verb = _base_verb_at(tagged, at)
            if verb is None or (at == index + 1 and base in {"keep", "miss", "suggest", "recommend", "mind"}):
                continue
            form = _gerund(verb)
            if form is None:
                continue
            edits.append(edit(index + 1, at + 1, [form], "verb_pattern",
                              f"After \"{word}\", use the -ing form: \"{word} {form}\"."))
        elif base in TO_AFTER - {"agree"} and tagged.word(index + 1) == "to" and tagged.tag(index + 2) == "VBG":
            ing = tagged.word(index + 2)
            verb = ing[:-3]
            candidates = [verb + "e", verb[:-1] if len(verb) > 2 and verb[-1] == verb[-2] else verb, verb]
            found = next((form for form in candidates if gerund(form) == ing and is_known_word(form)
                          and is_known_word(third_person(form))), None)
            if found is None:
                continue
            edits.append(edit(index + 2, index + 3, [found], "verb_pattern",
                              f"After \"{word} to\", use the base verb: \"{word} to {found}\"."))
        elif base in TO_AFTER and word not in {"wish"}:
            verb = _base_verb_at(tagged, index + 1)
            if verb is None or tagged.tag(index - 1) in {"DT", "PRP$"}:
                continue
            edits.append(edit(index + 1, index + 1, ["to"], "verb_pattern",
                              f"After \"{word}\", use \"to\" before the next verb: \"{word} to {verb}\"."))
    return edits


def rule_ing_after_preposition(tagged: TaggedTokens) -> list[Edit]:
    """before go -> before going; instead of take -> instead of taking; without ask -> without asking."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words):
        if word not in ING_AFTER_PREPOSITIONS or tagged.tag(index) not in {"IN", "RB"}:
            continue
        verb = _base_verb_at(tagged, index + 1)
        if verb is None or verb in NOUN_LIKE_VERBS:
            continue
        if word == "instead" and tagged.word(index + 1) != "of":
            continue
        form = _gerund(verb)
        if form is None:
            continue
        edits.append(edit(index + 1, index + 2, [form], "verb_pattern",
                          f"After a preposition (\"{word}\"), a verb takes -ing: \"{word} {form}\"."))
    return edits


def rule_verb_preposition(tagged: TaggedTokens) -> list[Edit]:
    """we discussed about it -> we discussed it; she married with him -> she married him; wait me -> wait for me."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words[:-1]):
        base = _base(word)
        only_verb = base in ONLY_VERBS and tagged.word(index - 1) not in BE_WORDS
        if not tagged.tag(index).startswith("VB") and not only_verb:
            continue  # the tagger may call "mentions" a noun after "the lecture"; these words are verbs only
        nxt = tagged.word(index + 1)
        if (base, nxt) in NO_PREPOSITION and tagged.tag(index + 2) in OBJECT_TAGS:
            edits.append(edit(index + 1, index + 2, [], "preposition",
                              f"\"{base.capitalize()}\" takes its object directly: \"{word} "
                              f"{tagged.word(index + 2)}\", without \"{nxt}\"."))
        elif (base, nxt) in WRONG_PREPOSITION and tagged.tag(index + 2) in OBJECT_TAGS | {"VBG"}:
            right = WRONG_PREPOSITION[(base, nxt)]
            edits.append(edit(index + 1, index + 2, [right], "preposition",
                              f"We say \"{base} {right}\", not \"{base} {nxt}\"."))
        elif base in MOTION_BASES and nxt == "for" and tagged.tag(index + 2) == "NNP" \
                and tagged.word(index + 2) not in NOT_PLACES:
            edits.append(edit(index + 1, index + 2, ["to"], "preposition",
                              f"We {base} to a place: \"{word} to {tagged.word(index + 2).capitalize()}\"."))
        elif base in MOTION_BASES and tagged.tag(index + 1) == "NNP" and nxt not in NOT_PLACES and nxt.isalpha():
            edits.append(edit(index + 1, index + 1, ["to"], "preposition",
                              f"We {base} to a place: \"{word} to {nxt.capitalize()}\"."))
        elif base == "deal" and tagged.tag(index + 1) in {"DT", "PRP$"} and tagged.tag(index - 1) in {
                "TO", "MD", "PRP", "RB"}:
            edits.append(edit(index + 1, index + 1, ["with"], "preposition",
                              f"We deal with something: \"{word} with {nxt} ...\"."))
        elif base == "wait" and nxt in OBJECT_PRONOUN_WORDS:
            edits.append(edit(index + 1, index + 1, ["for"], "preposition",
                              f"We wait for someone: \"{word} for {nxt}\"."))
    return edits


def rule_missing_to(tagged: TaggedTokens) -> list[Edit]:
    """it is important learn -> important to learn; in order save -> in order to save; would like go -> like to go."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words):
        verb = _base_verb_at(tagged, index + 1)
        if verb is None or not _is_known_verb(verb):
            continue
        previous = tagged.word(index - 1)
        if word in TO_AFTER_ADJECTIVES and tagged.tag(index) == "JJ" and previous in {
                "is", "was", "be", "are", "were", "not", "very", "so", "too", "quite", "really"}:
            why = f"After \"{word}\", use \"to\" before the verb: \"{word} to {verb}\"."
        elif word == "order" and previous == "in":
            why = f"We say \"in order to {verb}\"."
        elif word == "like" and previous in {"would", "'d", "i'd", "we'd", "you'd", "they'd", "he'd", "she'd"}:
            why = f"We say \"would like to {verb}\"."
        else:
            continue
        edits.append(edit(index + 1, index + 1, ["to"], "verb_pattern", why))
    return edits


def _is_known_verb(word: str) -> bool:
    """A base verb the lexicon knows with its -s form ("learn" -> "learns")."""
    return word.isalpha() and is_known_word(third_person(word)) and base_of_past(word) is None


def rule_object_pronoun(tagged: TaggedTokens) -> list[Edit]:
    """help they to understand -> help them to understand (after a verb, the object form of the pronoun)."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words):
        if word not in OBJECT_FORMS or tagged.word(index + 1) != "to" or tagged.tag(index + 2) != "VB":
            continue
        verb = tagged.word(index - 1)
        if _base(verb) not in VERBS_WITH_OBJECT_TO:
            continue  # ("help they to understand": whatever the tag of "help", "they to" + verb needs "them")
        fixed = OBJECT_FORMS[word]
        edits.append(edit(index, index + 1, [fixed], "pronoun",
                          f"After the verb \"{verb}\", the pronoun is an object: \"{verb} {fixed}\"."))
    return edits


VERB_PATTERN_RULES = (
    rule_ing_or_to,
    rule_ing_after_preposition,
    rule_missing_to,
    rule_object_pronoun,
    rule_verb_preposition,
)
