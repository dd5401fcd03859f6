"""Tagged rules for word order: frequency adverbs, "very much", and questions.

"I go always to school" -> "I always go to school"; "I like very much football" ->
"I like football very much"; "Where you are going?" -> "Where are you going?" (only with a
question mark: "what you are doing is fine" is a correct statement).
"""

from __future__ import annotations

import logging

from tutor.pos_tagging import TaggedTokens, starts_with_vowel_sound
from tutor.rule_edits import Edit, edit

logger = logging.getLogger(__name__)

FREQUENCY_ADVERBS = {"always", "usually", "often", "never", "sometimes", "rarely", "seldom", "normally", "generally",
                     "also", "already"}
NOT_MOVED_AFTER = {"is", "are", "am", "was", "were", "be", "been", "being", "do", "does", "did", "have", "has", "had",
                   "can", "could", "will", "would", "should", "must", "may", "might"}
NOUN_PHRASE_TAGS = {"DT", "PRP$", "JJ", "NN", "NNS", "NNP", "NNPS", "CD"}
NOUN_PHRASE_ENDS = {".", "IN", "CC", ""}
MAX_OBJECT_WORDS = 4
QUESTION_WORDS = {"what", "where", "when", "why", "how", "who", "which"}
QUESTION_AUXILIARIES = {"am", "is", "are", "was", "were", "do", "does", "did", "can", "could", "will", "would",
                        "should", "have", "has"}
QUESTION_SUBJECTS = {"i", "you", "he", "she", "it", "we", "they"}
EMBEDDING_WORDS = {"know", "knew", "knows", "wonder", "wondered", "understand", "understood", "ask", "asked",
                   "tell", "told", "explain", "explained", "sure", "remember", "idea", "see", "decide", "learn"}
EMBEDDED_AUXILIARIES = {"is", "was", "are", "were", "can", "could", "will", "would", "should"}


def rule_frequency_adverb(tagged: TaggedTokens) -> list[Edit]:
    """I go always to school -> I always go to school (before the main verb, after "be")."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words):
        if word not in FREQUENCY_ADVERBS or index < 2:
            continue
        verb = index - 1
        verb_word = tagged.word(verb)
        if tagged.tag(verb) not in {"VBP", "VBZ", "VBD"} or verb_word in NOT_MOVED_AFTER or "'" in verb_word:
            continue
        if tagged.tag(verb - 1) not in {"PRP", "NN", "NNS"} or (word in {"also", "already"} and tagged.word(
                index + 1) in {",", ".", "", "to", "!", "?"}):
            continue
        edits.append(edit(verb, index + 1, [word, verb_word], "word_order",
                          f"\"{word.capitalize()}\" goes before the main verb: \"{word} {verb_word}\"."))
    return edits


def rule_very_much_position(tagged: TaggedTokens) -> list[Edit]:
    """I like very much football -> I like football very much (the object comes first)."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words[:-1]):
        if word != "very" or tagged.word(index + 1) != "much" or not tagged.tag(index - 1).startswith("VB"):
            continue
        end = index + 2
        while end < len(tagged) and tagged.tag(end) in NOUN_PHRASE_TAGS and end - index - 2 < MAX_OBJECT_WORDS:
            end += 1
        if end == index + 2 or tagged.tag(end) not in NOUN_PHRASE_ENDS or tagged.tag(end - 1) not in {
                "NN", "NNS", "NNP", "NNPS"}:
            continue
        obj = list(tagged.words[index + 2:end])
        edits.append(edit(index, end, [*obj, "very", "much"], "word_order",
                          f"\"Very much\" goes after the object: \"{' '.join(obj)} very much\"."))
    return edits


def rule_question_order(tagged: TaggedTokens) -> list[Edit]:
    """Where you are going? -> Where are you going? (the verb comes before the subject in a question)."""
    edits: list[Edit] = []
    words = tagged.words
    if not words or words[-1] != "?":
        return edits
    for index, word in enumerate(words[:-2]):
        if word not in QUESTION_WORDS or tagged.word(index - 1) not in {"", ".", ",", "!", "?"}:
            continue
        subject, auxiliary = tagged.word(index + 1), tagged.word(index + 2)
        if subject in QUESTION_SUBJECTS and auxiliary in QUESTION_AUXILIARIES:
            if "?" in words[index + 3:-1] or "." in words[index + 3:-1]:
                continue
            edits.append(edit(index + 1, index + 3, [auxiliary, subject], "word_order",
                              f"In a question the verb comes before the subject: \"{word} {auxiliary} {subject}\"."))
    return edits


def rule_embedded_question(tagged: TaggedTokens) -> list[Edit]:
    """I don't know why was it wrong -> I don't know why it was wrong (no question order inside a sentence)."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words[:-2]):
        if word not in QUESTION_WORDS - {"who", "which"} or tagged.word(index - 1) not in EMBEDDING_WORDS:
            continue
        auxiliary, subject = tagged.word(index + 1), tagged.word(index + 2)
        if auxiliary in EMBEDDED_AUXILIARIES and subject in QUESTION_SUBJECTS | {"there"}:
            if tagged.word(len(tagged) - 1) == "?" and tagged.word(0) in QUESTION_AUXILIARIES | QUESTION_WORDS:
                continue  # "Do you know where is it?" is still a question: leave its order to the speaker
            edits.append(edit(index + 1, index + 3, [subject, auxiliary], "word_order",
                              f"Inside a sentence the subject comes first: \"{word} {subject} {auxiliary}\"."))
    return edits


def rule_a_such(tagged: TaggedTokens) -> list[Edit]:
    """a such situation -> such a situation ("such" comes before the article)."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words[:-1]):
        if word in {"a", "an"} and tagged.word(index + 1) == "such":
            following = tagged.word(index + 2)
            article = word
            if following.isalpha():
                vowel = starts_with_vowel_sound(following)
                article = word if vowel is None else ("an" if vowel else "a")
            edits.append(edit(index, index + 2, ["such", article], "word_order",
                              f"\"Such\" comes before the article: \"such {article} {following}\"."))
    return edits


WORD_ORDER_RULES = (
    rule_frequency_adverb,
    rule_very_much_position,
    rule_question_order,
    rule_embedded_question,
    rule_a_such,
)
