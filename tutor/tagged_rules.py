"""The rules that read part-of-speech tags, in the order the checker runs them (earlier wins on overlap)."""

from __future__ import annotations

from typing import Callable

from tutor.pos_tagging import TaggedTokens
from tutor.rule_edits import Edit
from tutor.rules_nouns import NOUN_RULES
from tutor.rules_phrases import PHRASE_RULES
from tutor.rules_verb_patterns import VERB_PATTERN_RULES
from tutor.rules_verbs import VERB_RULES
from tutor.rules_word_order import WORD_ORDER_RULES
from tutor.rules_words import WORD_RULES

TaggedRule = Callable[[TaggedTokens], list[Edit]]

TAGGED_RULES: tuple[TaggedRule, ...] = (
    *VERB_RULES, *VERB_PATTERN_RULES, *NOUN_RULES, *PHRASE_RULES, *WORD_RULES, *WORD_ORDER_RULES,
)

# every rule name (these rules' and the word-list rules' in tutor.grammar_rules) -> its error family
RULE_FAMILIES: dict[str, str] = {
    "article": "articles & determiners", "a_an": "articles & determiners", "most_people": "articles & determiners",
    "noun_number": "noun number",
    "agreement": "subject-verb agreement", "third_person": "subject-verb agreement",
    "plural_subject": "subject-verb agreement", "be_form": "subject-verb agreement",
    "people_plural": "subject-verb agreement",
    "past_time": "tense with time words", "present_perfect": "tense with time words",
    "since_for": "tense with time words",
    "verb_form": "verb forms", "after_did": "verb forms", "after_does": "verb forms", "modal_to": "verb forms",
    "modal_form": "verb forms", "participle": "verb forms", "irregular_past": "verb forms",
    "passive": "verb forms", "verb_pattern": "verb forms",
    "preposition": "prepositions", "home": "prepositions", "discuss_about": "prepositions",
    "explain_to": "prepositions", "listen_to": "prepositions", "married_to": "prepositions",
    "depend_on": "prepositions", "interested_in": "prepositions",
    "missing_be": "missing or extra be", "be_agree": "missing or extra be",
    "there_is_are": "there is / are",
    "comparative": "comparatives", "double_comparative": "comparatives",
    "uncountable": "countable / uncountable", "much_many": "countable / uncountable",
    "double_negative": "double negatives",
    "its_its": "confused words", "there_their": "confused words",
    "confused_word": "confused words", "apostrophe": "confused words",
    "good_well": "adjective or adverb", "pronoun": "pronouns",
    "age": "fixed expressions", "repeated_word": "words written twice", "split_word": "words written as one",
    "missing_subject": "missing subject", "word_order": "word order",
}
OTHER_FAMILY = "other"


def rule_family(rule: str) -> str:
    """The error family a rule belongs to ("noun number", "verb forms", ...)."""
    return RULE_FAMILIES.get(rule, OTHER_FAMILY)
