"""Tagged rules for single words: sound-alikes and look-alikes ("its / it's", "there / their",
"to / too", "where / were"), words written as one ("some one"), contractions without their
apostrophe ("dont") and a small word written twice ("the the").
"""

from __future__ import annotations

import logging

from tutor.pos_tagging import TaggedTokens
from tutor.rule_edits import Edit, edit

logger = logging.getLogger(__name__)

ITS_THEN_IS = {"very", "so", "too", "really", "not", "also", "just", "important", "hard", "easy", "difficult",
               "necessary", "possible", "impossible", "better", "true", "clear", "obvious", "because"}
TIME_NOUNS = {"yesterday", "today", "tonight", "tomorrow", "morning", "evening", "afternoon", "night", "week",
              "year", "month", "day", "time", "once", "twice"}
SPLIT_WORDS = {
    ("some", "one"): "someone", ("every", "one"): "everyone", ("any", "one"): "anyone",
    ("some", "body"): "somebody", ("every", "body"): "everybody", ("no", "body"): "nobody",
    ("any", "body"): "anybody", ("some", "thing"): "something", ("every", "thing"): "everything",
    ("any", "thing"): "anything", ("there", "fore"): "therefore", ("with", "out"): "without",
    ("in", "stead"): "instead", ("my", "self"): "myself", ("your", "self"): "yourself",
    ("him", "self"): "himself", ("her", "self"): "herself", ("it", "self"): "itself",
    ("them", "selves"): "themselves", ("our", "selves"): "ourselves", ("may", "be"): "maybe",
    ("some", "times"): "sometimes", ("in", "deed"): "indeed", ("an", "other"): "another", ("now", "adays"): "nowadays",
}
CLAUSE_INITIAL_ONLY = {"maybe", "sometimes"}
REPEATABLE_ONCE = {"the", "a", "an", "to", "of", "in", "on", "at", "is", "are", "and", "for", "with", "my", "your",
                   "their", "i", "we", "they", "it", "was", "be", "will", "can", "this", "must", "should", "would",
                   "could", "not", "has", "have"}
CONTRACTIONS_WITHOUT_APOSTROPHE = {
    "dont": "don't", "doesnt": "doesn't", "didnt": "didn't", "isnt": "isn't", "arent": "aren't",
    "wasnt": "wasn't", "werent": "weren't", "cant": "can't", "couldnt": "couldn't", "wouldnt": "wouldn't",
    "shouldnt": "shouldn't", "havent": "haven't", "hasnt": "hasn't", "hadnt": "hadn't", "im": "I'm",
    "ive": "I've", "youre": "you're", "theyre": "they're", "thats": "that's", "whats": "what's",
    "wouldve": "would've", "couldve": "could've", "shouldve": "should've",
}
LINKING_VERBS = {"is", "are", "was", "were", "be", "been", "am", "feel", "feels", "felt", "look", "looks", "seem",
                 "seems", "seemed", "get", "gets", "got", "become", "becomes", "became"}


def rule_its_its(tagged: TaggedTokens) -> list[Edit]:
    """its very hard -> it's very hard; it's own -> its own."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words):
        nxt = tagged.word(index + 1)
        adjective_alone = tagged.tag(index + 1) == "JJ" and tagged.tag(index + 2) in {".", "IN", "TO", ""}
        if word == "its" and (nxt in ITS_THEN_IS or nxt == "been" or adjective_alone
                              or tagged.tag(index + 1) == "RB" and nxt not in {"own"}
                              or tagged.tag(index + 1) in {"DT", "VBG"} and nxt in {
                "a", "an", "the", "not", "time", "going", "getting", "being"}):
            edits.append(edit(index, index + 1, ["it's"], "its_its",
                              "\"It's\" means \"it is\"; \"its\" means \"belonging to it\"."))
        elif word == "it's" and nxt == "own":
            edits.append(edit(index, index + 1, ["its"], "its_its",
                              "\"Its\" (no apostrophe) means \"belonging to it\": \"its own\"."))
    return edits


def rule_there_their(tagged: TaggedTokens) -> list[Edit]:
    """in there free time -> in their free time (a noun follows, so it is the possessive)."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words):
        if word != "there" or tagged.tag(index - 1) not in {"IN", "VB", "VBP", "VBZ", "VBD", "VBG"}:
            continue
        at = index + 1
        if tagged.tag(at) == "JJ":
            at += 1
        if tagged.tag(at) not in {"NN", "NNS"} or tagged.tag(at + 1) == "VBZ":
            continue
        if tagged.word(at) in TIME_NOUNS and at == index + 1:
            continue  # "I lived there years", but "in there free time" is "their"
        if tagged.word(index - 1) in {"be", "is", "are", "was", "were", "been", "get", "go", "went", "goes", "live",
                                      "lived", "lives", "stay", "stayed", "from", "out", "up", "over", "back"}:
            continue
        edits.append(edit(index, index + 1, ["their"], "there_their",
                          "\"Their\" (belonging to them) goes before a noun; \"there\" is a place."))
    return edits


def rule_split_words(tagged: TaggedTokens) -> list[Edit]:
    """some one -> someone; with out -> without; my self -> myself (words written as one)."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words[:-1]):
        pair = (word, tagged.word(index + 1))
        joined = SPLIT_WORDS.get(pair)
        if joined is None:
            continue
        if pair[1] in {"one", "body", "thing"} and tagged.word(index + 2) == "of":
            continue  # "every one of them", "some thing of value"
        if joined in CLAUSE_INITIAL_ONLY and (tagged.word(index - 1) not in {"", ",", ".", ";", "and", "but"}
                                              or tagged.tag(index + 2).startswith(("VB", "MD"))):
            continue  # "it may be true", "some times are harder"
        edits.append(edit(index, index + 2, [joined], "split_word", f"\"{joined.capitalize()}\" is one word."))
    return edits


def rule_confused_words(tagged: TaggedTokens) -> list[Edit]:
    """it is to hard -> too hard; we where late -> we were late; my live -> my life; loosing -> losing."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words):
        previous, nxt = tagged.word(index - 1), tagged.word(index + 1)
        fixed, why = None, ""
        if word == "to" and previous in LINKING_VERBS and tagged.tag(index + 1) in {"JJ", "RB"} and \
                tagged.word(index + 2) in {".", ",", "!", "to", "for", "", "and", "but"} and nxt not in {"be"}:
            fixed, why = "too", "\"Too\" (more than enough) goes before an adjective: \"too hard\"."
        elif word == "where" and previous in {"we", "they", "you"} and tagged.tag(index + 1) in {
                "JJ", "VBG", "VBN", "DT", "IN", "RB"}:
            fixed, why = "were", "\"Were\" is the verb; \"where\" asks about a place."
        elif word == "live" and tagged.tag(index - 1) == "PRP$" or word == "live" and previous in {"the", "daily"} \
                and tagged.tag(index + 1) in {".", "IN", "CC", ""}:
            fixed, why = "life", "The noun is \"life\"; \"live\" is the verb."
        elif word in {"loosing", "loose"} and (word == "loosing" or previous in {"to", "will", "would", "can", "could",
                                                                             "don't", "didn't", "not", "might"}):
            fixed = "losing" if word == "loosing" else "lose"
            why = f"\"{fixed.capitalize()}\" (not having any more) has one o; \"loose\" means not tight."
        elif word == "effect" and previous in {"will", "would", "can", "could", "may", "might", "not", "should",
                                               "must", "does", "do", "did"} and tagged.word(index + 1) != "change" \
                and tagged.tag(index + 1) in {
                "DT", "PRP", "PRP$", "NN", "NNS", "JJ"}:
            fixed, why = "affect", "The verb is \"affect\"; \"effect\" is the noun (a result)."
        elif word == "affect" and tagged.tag(index - 1) in {"DT", "JJ", "PRP$"} and nxt in {"of", "on", ".", ",", ""}:
            fixed, why = "effect", "The noun is \"effect\"; \"affect\" is the verb."
        elif word == "advice" and tagged.tag(index - 1) == "PRP" and nxt in {"you", "him", "her", "them", "me", "us",
                                                                            "people", "everyone", "to"}:
            fixed, why = "advise", "The verb is \"advise\"; \"advice\" is the noun."
        if fixed is not None:
            edits.append(edit(index, index + 1, [fixed], "confused_word", why))
    return edits


def rule_repeated_word(tagged: TaggedTokens) -> list[Edit]:
    """the the book -> the book (a small word written twice)."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words[:-1]):
        if word in REPEATABLE_ONCE and tagged.word(index + 1) == word:
            edits.append(edit(index + 1, index + 2, [], "repeated_word", f"\"{word}\" is written twice."))
    return edits


def rule_missing_apostrophe(tagged: TaggedTokens) -> list[Edit]:
    """dont -> don't; im -> I'm; doesnt -> doesn't (a contraction needs its apostrophe)."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words):
        fixed = CONTRACTIONS_WITHOUT_APOSTROPHE.get(word)
        if word == "lets" and tagged.word(index - 1) in {"", ",", ".", "so", "and", "but", "now"} and (
                tagged.tag(index + 1) == "VB" or tagged.word(index + 1) in {"not", "go", "us"}):
            fixed = "let's"  # "lets go" at the start of a clause: "let us"
        if fixed is None:
            continue
        edits.append(edit(index, index + 1, [fixed], "apostrophe", f"A contraction needs its apostrophe: \"{fixed}\"."))
    return edits


WORD_RULES = (
    rule_its_its,
    rule_there_their,
    rule_split_words,
    rule_confused_words,
    rule_repeated_word,
    rule_missing_apostrophe,
)
