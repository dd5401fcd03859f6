"""Tagged rules for phrases: prepositions in frequent collocations, "than / then" and "so / such",
double negatives, "the same", a missing "be" or subject, "good / well" and "for" + duration.
"""

from __future__ import annotations

import logging

from tutor.pos_tagging import TaggedTokens, starts_with_vowel_sound
from tutor.rule_edits import Edit, edit

logger = logging.getLogger(__name__)

# (learner's words) -> (teacher's words, why); matched on whole words, lower case
COLLOCATIONS: dict[tuple[str, ...], tuple[tuple[str, ...], str]] = {
    ("in", "the", "other", "hand"): (("on", "the", "other", "hand"), "We say \"on the other hand\"."),
    ("on", "my", "opinion"): (("in", "my", "opinion"), "We say \"in my opinion\"."),
    ("at", "my", "opinion"): (("in", "my", "opinion"), "We say \"in my opinion\"."),
    ("according", "with"): (("according", "to"), "We say \"according to\"."),
    ("in", "the", "same", "time"): (("at", "the", "same", "time"), "We say \"at the same time\"."),
    ("on", "the", "same", "time"): (("at", "the", "same", "time"), "We say \"at the same time\"."),
    ("afraid", "from"): (("afraid", "of"), "We say \"afraid of\"."),
    ("responsible", "of"): (("responsible", "for"), "We say \"responsible for\"."),
    ("consist", "in"): (("consist", "of"), "We say \"consist of\"."),
    ("consists", "in"): (("consists", "of"), "We say \"consists of\"."),
    ("focus", "in"): (("focus", "on"), "We say \"focus on\"."),
    ("focused", "in"): (("focused", "on"), "We say \"focused on\"."),
    ("concentrate", "in"): (("concentrate", "on"), "We say \"concentrate on\"."),
    ("good", "in"): (("good", "at"), "We are \"good at\" something."),
    ("similar", "with"): (("similar", "to"), "We say \"similar to\"."),
    ("different", "of"): (("different", "from"), "We say \"different from\"."),
    ("proud", "for"): (("proud", "of"), "We are \"proud of\" something."),
    ("aware", "about"): (("aware", "of"), "We are \"aware of\" something."),
    ("lack", "of", "of"): (("lack", "of"), "Say \"of\" once."),
    ("emphasis", "in"): (("emphasis", "on"), "We put \"emphasis on\" something."),
    ("benefit", "for"): (("benefit", "of"), "We speak of the \"benefit of\" something."),
    ("for", "example", "of"): (("for", "example"), "\"For example\" needs nothing after it."),
    ("in", "nowadays"): (("nowadays",), "\"Nowadays\" needs no preposition."),
    ("on", "nowadays"): (("nowadays",), "\"Nowadays\" needs no preposition."),
    ("since", "ever"): (("ever", "since"), "We say \"ever since\"."),
    ("go", "for", "shopping"): (("go", "shopping"), "We say \"go shopping\", without \"for\"."),
    ("went", "for", "shopping"): (("went", "shopping"), "We say \"go shopping\", without \"for\"."),
    ("enjoy", "in"): (("enjoy",), "\"Enjoy\" takes its object directly: \"enjoy it\"."),
    ("enjoying", "in"): (("enjoying",), "\"Enjoy\" takes its object directly: \"enjoy it\"."),
    ("emphasize", "on"): (("emphasize",), "\"Emphasize\" takes its object directly."),
    ("mention", "about"): (("mention",), "\"Mention\" takes its object directly."),
    ("mentioned", "about"): (("mentioned",), "\"Mention\" takes its object directly."),
    ("return", "back"): (("return",), "\"Return\" already means \"go back\"."),
    ("reach", "to"): (("reach",), "\"Reach\" takes the place directly: \"reach the city\"."),
    ("is", "depended", "on"): (("is", "dependent", "on"), "The adjective is \"dependent on\"."),
    ("are", "depended", "on"): (("are", "dependent", "on"), "The adjective is \"dependent on\"."),
    ("was", "depended", "on"): (("was", "dependent", "on"), "The adjective is \"dependent on\"."),
    ("be", "depended", "on"): (("be", "dependent", "on"), "The adjective is \"dependent on\"."),
    ("today", "world"): (("today's", "world"), "We say \"today's world\" (the world of today)."),
    ("today", "society"): (("today's", "society"), "We say \"today's society\"."),
    ("today", "generation"): (("today's", "generation"), "We say \"today's generation\"."),
    ("in", "the", "other", "side"): (("on", "the", "other", "side"), "We say \"on the other side\"."),
    ("by", "the", "other", "hand"): (("on", "the", "other", "hand"), "We say \"on the other hand\"."),
    ("as", "a", "conclusion"): (("in", "conclusion"), "We say \"in conclusion\"."),
    ("in", "my", "point", "of", "view"): (("from", "my", "point", "of", "view"), "We say \"from my point of view\"."),
    ("according", "to", "my", "opinion"): (("in", "my", "opinion"), "We say \"in my opinion\"."),
    ("to", "abroad"): (("abroad",), "\"Abroad\" needs no preposition: \"go abroad\"."),
    ("cope", "up", "with"): (("cope", "with"), "We say \"cope with\"."),
    ("now", "a", "days"): (("nowadays",), "\"Nowadays\" is one word."),
    ("a", "lot", "people"): (("a", "lot", "of", "people"), "We say \"a lot of\" before a noun."),
}
MAX_COLLOCATION = max(len(key) for key in COLLOCATIONS)
NEGATIONS = {"not", "n't", "never", "don't", "doesn't", "didn't", "can't", "won't", "isn't", "aren't", "wasn't",
             "weren't", "couldn't", "wouldn't", "shouldn't", "haven't", "hasn't", "cannot"}
NEGATIVE_WORDS = {"nothing": "anything", "nobody": "anybody", "nowhere": "anywhere", "no": "any"}
CLAUSE_BREAKS = {",", ".", ";", ":", "!", "?", "and", "but", "or", "because", "that", "which", "who", "if",
                 "when", "so", "than", "only", "even"}
VERB_AFTER_THEN = {"VBD", "VBN", "VBZ", "VBP", "MD"}
THEN_STARTS_A_CLAUSE = {",", ".", "", "i", "we", "they", "he", "she", "you", "it"}
COMPARATIVE_CUES = {"more", "less", "rather", "better", "worse", "other", "fewer"}
DETERMINERS_BEFORE_SAME = {"the", "this", "that", "these", "those", "my", "your", "his", "her", "its", "our",
                           "their", "a", "much", "all", "very", "exactly"}
BE_FOR = {"i": "am", "he": "is", "she": "is", "it": "is", "we": "are", "you": "are", "they": "are"}
SUBORDINATORS_NEEDING_SUBJECT = {"because", "if", "although", "though", "whereas", "unless"}
# small words that are never right twice in a row ("that that" and "had had" can be)
BE_BEFORE_ABLE = {"will", "would", "should", "might", "must", "may", "won't", "wouldn't", "shouldn't", "to"}
LINK_OR_HAVE = {"is", "are", "am", "was", "were", "be", "been", "being", "feel", "feels", "felt", "feeling", "look",
                "looks", "looked", "looking", "seem", "seems", "seemed", "sound", "sounds", "sounded", "smell",
                "smells", "smelled", "taste", "tastes", "tasted", "become", "becomes", "became", "get", "gets",
                "got", "getting", "stay", "stays", "stayed", "remain", "remains", "remained", "appear", "appears",
                "appeared", "keep", "keeps", "kept", "have", "has", "had", "make", "makes", "made", "do", "does",
                "did", "mean", "means", "meant", "turn", "turned", "prove", "proved", "go", "goes", "went",
                "for", "taste"}
PERSON_OBJECTS = {"me", "him", "her", "us", "them", "you", "people", "everyone", "everybody", "anyone", "students",
                  "children", "kids"}
FEELING_VERBS = {"like", "likes", "liked", "love", "loves", "loved", "enjoy", "enjoys", "enjoyed", "want", "wants",
                 "wanted", "hate", "hates", "hated", "appreciate", "appreciated", "miss", "missed", "agree",
                 "agreed", "need", "needed"}
UNCOUNTABLE_FOR_SUCH = {"weather", "advice", "information", "fun", "music", "food", "work", "traffic", "noise",
                        "news", "progress", "luck", "money", "time"}
WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mondays", "tuesdays",
            "wednesdays", "thursdays", "fridays", "saturdays", "sundays"}
DURATION_UNITS = {"minutes", "hours", "days", "weeks", "months", "years", "decades", "centuries"}
SUBJECT_OPENERS = {"", ".", ",", ";", "and", "but", "because", "so", "if", "when", "that", "although", "since"}


def rule_collocations(tagged: TaggedTokens) -> list[Edit]:
    """in the other hand -> on the other hand; capable to -> capable of; according with -> according to."""
    edits: list[Edit] = []
    words = tagged.words
    for index in range(len(words)):
        for size in range(MAX_COLLOCATION, 1, -1):
            key = tuple(words[index:index + size])
            if key in COLLOCATIONS:
                fixed, why = COLLOCATIONS[key]
                edits.append(edit(index, index + size, list(fixed), "preposition", why))
                break
    return edits


def rule_than_then(tagged: TaggedTokens) -> list[Edit]:
    """more expensive then mine -> more expensive than mine (a comparison takes "than")."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words):
        if word == "that" and tagged.word(index - 1) == "rather" and tagged.word(index - 2) not in {
                "would", "'d", "i'd", "we'd", "you'd", "they'd", "he'd", "she'd"}:
            edits.append(edit(index, index + 1, ["than"], "comparative", "We say \"rather than\"."))
            continue
        if word != "then":
            continue
        window = range(max(0, index - 4), index)
        cue = any(tagged.words[at] in COMPARATIVE_CUES or (
            tagged.tag(at) in {"JJR", "RBR"} and tagged.words[at].endswith("er")) for at in window)
        if not cue or any(tagged.words[at] in {",", ".", ";", "and", "if", "when", "but"} for at in window):
            continue
        if tagged.word(index + 1) in THEN_STARTS_A_CLAUSE or tagged.tag(index + 1) in VERB_AFTER_THEN:
            continue  # "... and then we left", "... then incorporated": a sequence, not a comparison
        edits.append(edit(index, index + 1, ["than"], "comparative",
                          "A comparison takes \"than\" (\"then\" means \"after that\")."))
    return edits


def rule_double_negative(tagged: TaggedTokens) -> list[Edit]:
    """I don't have nothing -> I don't have anything; they never go nowhere -> anywhere."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words):
        if word not in NEGATIONS:
            continue
        for at in range(index + 1, min(len(tagged.words), index + 5)):
            other = tagged.words[at]
            if other in CLAUSE_BREAKS or other in NEGATIONS:
                break
            if other in NEGATIVE_WORDS and not (other == "no" and tagged.word(at + 1) in {"longer", "more", "one"}):
                fixed = NEGATIVE_WORDS[other]
                edits.append(edit(at, at + 1, [fixed], "double_negative",
                                  f"English uses one negative: \"{word} ... {fixed}\", not \"{word} ... {other}\"."))
                break
    return edits


def rule_the_same(tagged: TaggedTokens) -> list[Edit]:
    """at same time -> at the same time; same as before -> the same as before."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words):
        if word != "same" or index == 0:
            continue
        if tagged.word(index - 1) in {",", ""} and tagged.word(index + 1) == "as":
            continue  # ", same as other people, ...": an informal aside
        if tagged.word(index - 1) in DETERMINERS_BEFORE_SAME or tagged.tag(index - 1) in {"PRP$", "DT"}:
            continue
        edits.append(edit(index, index, ["the"], "article", "\"Same\" takes \"the\": \"the same\"."))
    return edits


def rule_missing_be(tagged: TaggedTokens) -> list[Edit]:
    """she very happy -> she is very happy; it important to -> it is important to; will able to -> will be able to."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words):
        if word in BE_FOR and tagged.word(index + 1) == "born" and tagged.word(index - 1) in SUBJECT_OPENERS:
            past_be = "was" if word in {"i", "he", "she", "it"} else "were"
            edits.append(edit(index + 1, index + 1, [past_be], "missing_be",
                              f"\"Born\" needs \"be\" in the past: \"{word} {past_be} born\"."))
            continue
        if index == 0 and word == "is" and tagged.tag(1) == "JJ" and tagged.word(2) in {"to", "that"} \
                and "?" not in tagged.words:
            edits.append(edit(0, 1, ["it", "is"], "missing_subject",
                              "English needs a subject before the verb: \"It is ...\"."))
            continue
        if word in BE_BEFORE_ABLE and tagged.word(index + 1) == "able" and tagged.word(index + 2) == "to":
            edits.append(edit(index + 1, index + 1, ["be"], "missing_be",
                              f"\"Able\" is an adjective, so it needs \"be\": \"{word} be able to\"."))
            continue
        if word not in BE_FOR or tagged.tag(index) != "PRP" or tagged.word(index - 1) not in SUBJECT_OPENERS:
            continue
        at = index + 1
        if tagged.word(at) in {"very", "so", "too", "really", "quite"}:
            at += 1
        if tagged.tag(at) != "JJ" or tagged.word(at) in {"own", "only", "able"} | {"sure"}:
            continue
        if tagged.tag(at + 1) not in {".", "TO", "IN", "CC", ""} or tagged.word(at + 1) in {"'s"}:
            continue
        be = BE_FOR[word]
        edits.append(edit(index + 1, index + 1, [be], "missing_be",
                          f"An adjective after the subject needs the verb \"be\": \"{word} {be} ...\"."))
    return edits


def rule_missing_it(tagged: TaggedTokens) -> list[Edit]:
    """because is important -> because it is important (English needs the subject "it")."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words[:-1]):
        if word not in SUBORDINATORS_NEEDING_SUBJECT:
            continue
        verb = tagged.word(index + 1)
        if verb not in {"is", "was", "isn't", "wasn't"}:
            continue
        if tagged.tag(index + 2) not in {"JJ", "RB", "DT", "VBN", "VBG", "JJR", "RBR", "IN"}:
            continue
        edits.append(edit(index + 1, index + 1, ["it"], "missing_subject",
                          f"English needs a subject before the verb: \"{word} it {verb} ...\"."))
    return edits


def rule_good_well(tagged: TaggedTokens) -> list[Edit]:
    """she sings good -> she sings well (an action verb takes the adverb; "feel good" stays)."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words):
        if word != "good" or tagged.tag(index + 1) not in {".", "IN", "CC", ""}:
            continue
        verb = index - 1
        if tagged.word(verb) in {"really", "very", "so", "pretty", "quite"}:
            verb -= 1
        verb_word = tagged.word(verb)
        if not tagged.tag(verb).startswith("VB") or verb_word in LINK_OR_HAVE or verb_word.endswith("'s"):
            continue
        edits.append(edit(index, index + 1, ["well"], "good_well",
                          f"After an action verb (\"{verb_word}\"), use the adverb \"well\"."))
    return edits


def rule_for_someone_to(tagged: TaggedTokens) -> list[Edit]:
    """it is easy to me to swim -> it is easy for me to swim (the person comes with "for")."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words[:-3]):
        if tagged.tag(index) != "JJ" or tagged.word(index + 1) != "to":
            continue
        if tagged.word(index + 2) in PERSON_OBJECTS and tagged.word(index + 3) == "to":
            edits.append(edit(index + 1, index + 2, ["for"], "preposition",
                              f"The person comes with \"for\": \"{word} for {tagged.word(index + 2)} to ...\"."))
    return edits


def rule_so_such(tagged: TaggedTokens) -> list[Edit]:
    """so good teacher -> such a good teacher; so nice people -> such nice people (a noun follows)."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words):
        if word != "so" or tagged.tag(index + 1) != "JJ" or tagged.tag(index + 2) not in {"NN", "NNS"}:
            continue
        if tagged.tag(index + 3) in {"NN", "NNS"} or tagged.word(index + 1) in {"much", "many", "few", "little"}:
            continue
        adjective, noun = tagged.word(index + 1), tagged.word(index + 2)
        if tagged.tag(index + 2) == "NNS" or noun in UNCOUNTABLE_FOR_SUCH:
            replacement = ["such"]
        else:
            vowel = starts_with_vowel_sound(adjective)
            if vowel is None:
                continue
            replacement = ["such", "an" if vowel else "a"]
        edits.append(edit(index, index + 1, replacement, "comparative",
                          f"Before an adjective with a noun, use \"{' '.join(replacement)}\", not \"so\"."))
    return edits


def rule_on_days(tagged: TaggedTokens) -> list[Edit]:
    """in Monday -> on Monday; in certain days -> on certain days (days take "on")."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words):
        if word not in {"in", "at"}:
            continue
        nxt, after = tagged.word(index + 1), tagged.word(index + 2)
        if nxt in WEEKDAYS or (nxt in {"certain", "some", "specific", "particular"} and after == "days"):
            edits.append(edit(index, index + 1, ["on"], "preposition",
                              f"Days take \"on\": \"on {nxt}{' days' if after == 'days' else ''}\"."))
    return edits


def rule_during_for(tagged: TaggedTokens) -> list[Edit]:
    """during two years -> for two years ("for" gives a length of time, "during" a period's name)."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words):
        if word != "during":
            continue
        amount, unit = tagged.word(index + 1), tagged.word(index + 2)
        if (tagged.tag(index + 1) == "CD" or amount in {"many", "several", "few"}) and unit in DURATION_UNITS:
            edits.append(edit(index, index + 1, ["for"], "preposition",
                              f"A length of time takes \"for\": \"for {amount} {unit}\"."))
    return edits


def rule_very_with_verb(tagged: TaggedTokens) -> list[Edit]:
    """I very like it -> I really like it ("very" goes with adjectives and adverbs, not verbs)."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words):
        if word == "very" and tagged.word(index + 1) in FEELING_VERBS and tagged.tag(index - 1) in {"PRP", "NN", "NNS"}:
            edits.append(edit(index, index + 1, ["really"], "word_order",
                              f"\"Very\" does not go with a verb: \"really {tagged.word(index + 1)}\" "
                              f"(or \"... very much\")."))
    return edits


def rule_because_of(tagged: TaggedTokens) -> list[Edit]:
    """because the cold and the wind -> because of the cold and the wind (a noun phrase, no verb, follows)."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words):
        if word != "because" or tagged.tag(index + 1) not in {"DT", "PRP$"} or tagged.word(index + 1) in {
                "that", "this", "these", "those", "all", "both", "each", "some", "any", "no"}:
            continue
        end = index + 1
        while end < len(tagged) and tagged.word(end) not in {".", "!", "?", ";", "so", "but"}:
            end += 1
        phrase_tags = [tagged.tag(at) for at in range(index + 1, end)]
        if len(phrase_tags) > 8 or any(tag.startswith(("VB", "MD")) for tag in phrase_tags):
            continue  # a verb follows: "because the bus was late" is a clause
        if not any(tag in {"NN", "NNS"} for tag in phrase_tags):
            continue
        edits.append(edit(index + 1, index + 1, ["of"], "preposition",
                          "Before a noun (no verb), use \"because of\": \"because of the ...\"."))
    return edits


PHRASE_RULES = (
    rule_collocations,
    rule_than_then,
    rule_double_negative,
    rule_the_same,
    rule_missing_be,
    rule_missing_it,
    rule_good_well,
    rule_for_someone_to,
    rule_so_such,
    rule_during_for,
    rule_on_days,
    rule_very_with_verb,
    rule_because_of,
)
