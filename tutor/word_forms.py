"""Word forms the tagged rules propose: noun number, verb base forms, participles.

Every form built here by spelling rules is checked against gruut's lexicon
(:func:`tutor.pos_tagging.is_known_word`) before a rule may use it, so a rule never
suggests a word that does not exist; ``None`` means "no safe form".
"""

from __future__ import annotations

import re

from tutor.grammar_rules import IRREGULAR_VERBS, past_participle, third_person
from tutor.pos_tagging import is_known_word

IRREGULAR_PLURALS = {
    "man": "men", "woman": "women", "child": "children", "person": "people", "foot": "feet",
    "tooth": "teeth", "mouse": "mice", "life": "lives", "wife": "wives", "knife": "knives",
    "leaf": "leaves", "half": "halves", "wolf": "wolves", "shelf": "shelves", "thief": "thieves",
}
IRREGULAR_SINGULARS = {plural: singular for singular, plural in IRREGULAR_PLURALS.items()}
# nouns ending in -s that are singular, or plurals with no singular in everyday use
S_ENDING_SINGULARS = {
    "news", "series", "species", "means", "physics", "mathematics", "economics", "politics",
    "ethics", "athletics", "gymnastics", "statistics", "electronics", "genetics", "linguistics",
    "headquarters", "crossroads", "clothes", "glasses", "trousers", "jeans", "scissors", "thanks",
    "goods", "outskirts", "belongings", "surroundings", "savings", "earnings", "premises",
    "congratulations", "arms", "riches", "lens", "bus", "gas", "class", "boss", "business",
    "success", "process", "access", "progress", "stress", "address", "campus", "virus", "bonus",
    "status", "basis", "crisis", "analysis", "thesis", "emphasis", "diagnosis", "hypothesis",
}
# nouns with no plural (learners add one; "many" goes with none of them)
UNCOUNTABLE_NOUNS = {
    "information", "advice", "furniture", "luggage", "baggage", "equipment", "knowledge",
    "homework", "housework", "research", "evidence", "traffic", "weather", "music", "money",
    "software", "hardware", "feedback", "scenery", "machinery", "jewellery", "jewelry",
    "vocabulary", "grammar", "pollution", "garbage", "rubbish", "litter", "accommodation",
    "transportation", "electricity", "health", "happiness", "honesty", "patience", "fun",
    "bread", "rice", "water", "milk", "coffee", "tea", "air", "sand", "news", "stuff",
    "damage", "violence", "safety", "luck", "wealth", "poverty", "courage", "anger", "sunshine", "leisure",
    "advertising", "marketing", "tourism", "wildlife", "mankind", "nutrition",
}
# nouns mostly used without a count, that still take "a" in some senses ("a noise", "a competition"):
# never made plural by a rule, never stripped of their article either
MOSTLY_UNCOUNTABLE = {
    "noise", "energy", "pressure", "stress", "freedom", "peace", "security", "justice", "trust", "respect",
    "confidence", "love", "nature", "food", "rain", "snow", "heat", "power", "oil", "gold", "glass", "plastic",
    "education", "transport", "entertainment", "behaviour", "behavior", "attention", "help", "support", "growth",
    "humanity", "satisfaction", "confusion", "competition", "innovation", "technology", "culture", "art",
    "history", "wood", "paper", "metal", "stone", "cotton", "fuel", "meat", "fruit", "cheese", "sugar", "salt",
    "land", "grass", "pollution", "exercise", "experience", "space", "room", "hope", "fear", "pain", "crime",
    "use",
}
IRREGULAR_PAST_TO_BASE = {past: base for base, (past, _) in IRREGULAR_VERBS.items() if past != base}
IRREGULAR_PARTICIPLE_TO_BASE = {
    participle: base for base, (_, participle) in IRREGULAR_VERBS.items() if participle != base
}
IRREGULAR_PARTICIPLE_TO_BASE["been"] = "be"
NOT_THIRD_PERSON = {"was", "its", "this", "thus", "yes", "as", "us", "always", "perhaps", "sometimes",
                    "nowadays", "besides", "afterwards", "towards", "whereas", "less", "unless", "his", "hers",
                    "ours", "yours", "theirs", "gas", "lens", "news", "plus", "bonus", "chaos"}
PAST_IN_EED = {"agreed", "disagreed", "freed", "guaranteed", "decreed", "refereed"}
SIBILANT_ENDING = re.compile(r"(s|sh|ch|x|z)$")
CONSONANT_Y = re.compile(r"[^aeiou]y$")


def plural(noun: str) -> str | None:
    """"reason" -> "reasons", "city" -> "cities", "box" -> "boxes", "child" -> "children"."""
    if noun in IRREGULAR_PLURALS:
        return IRREGULAR_PLURALS[noun]
    if noun in UNCOUNTABLE_NOUNS or noun in MOSTLY_UNCOUNTABLE or noun in S_ENDING_SINGULARS:
        return None
    if CONSONANT_Y.search(noun):
        form = noun[:-1] + "ies"
    elif SIBILANT_ENDING.search(noun):
        form = noun + "es"
    else:
        form = noun + "s"
    return form if is_known_word(form) else None


def singular(noun: str) -> str | None:
    """"experts" -> "expert", "cities" -> "city", "boxes" -> "box", "people" -> "person"."""
    if noun in IRREGULAR_SINGULARS:
        return IRREGULAR_SINGULARS[noun]
    if noun in S_ENDING_SINGULARS or noun in NOT_THIRD_PERSON or not noun.endswith("s") or noun.endswith("ss"):
        return None
    candidates = []
    if noun.endswith("ies"):
        candidates.append(noun[:-3] + "y")
    if re.search(r"(sses|shes|ches|xes|zes)$", noun):
        candidates.append(noun[:-2])
    candidates.append(noun[:-1])
    for form in candidates:
        if len(form) > 1 and is_known_word(form):
            return form
    return None


def base_of_third_person(verb: str) -> str | None:
    """"thinks" -> "think", "goes" -> "go", "studies" -> "study", "has" -> "have"."""
    if verb == "has":
        return "have"
    if verb == "does":
        return "do"
    if verb == "is":
        return "be"
    if not verb.endswith("s") or verb.endswith(("ss", "us", "is")) or verb in NOT_THIRD_PERSON \
            or verb in S_ENDING_SINGULARS:
        return None
    if verb.endswith("ies"):
        form = verb[:-3] + "y"
    elif re.search(r"(sses|shes|ches|xes|zes|oes)$", verb):
        form = verb[:-2]
    else:
        form = verb[:-1]
    return form if third_person(form) == verb and is_known_word(form) else None


def base_of_past(verb: str) -> str | None:
    """"went" -> "go", "reduced" -> "reduce", "studied" -> "study", "stopped" -> "stop"."""
    if verb in IRREGULAR_PAST_TO_BASE:
        return IRREGULAR_PAST_TO_BASE[verb]
    if verb in IRREGULAR_PARTICIPLE_TO_BASE:
        return IRREGULAR_PARTICIPLE_TO_BASE[verb]
    if not verb.endswith("ed") or len(verb) < 4:
        return None
    stem = verb[:-2]
    candidates = []
    if verb.endswith("ied") and len(verb) == 4:
        candidates.append(verb[:-1])  # tied -> tie, lied -> lie, died -> die
    if verb.endswith("ied"):
        candidates.append(verb[:-3] + "y")
    if len(stem) > 2 and stem[-1] == stem[-2]:
        candidates.append(stem[:-1])  # stopped -> stop
    candidates += [stem + "e", stem]
    if verb.endswith("eed") and verb not in PAST_IN_EED:
        return None  # "need", "feed", "succeed" are base forms, not the past of "nee"
    for form in candidates:
        if form not in IRREGULAR_VERBS and _regular_past(form) == verb and is_known_word(form) \
                and is_known_word(third_person(form)):
            return form  # ("shed" is not the past of "she": "shes" is no verb form)
    return None


def _regular_past(base: str) -> str:
    if base.endswith("e"):
        return base + "d"
    if CONSONANT_Y.search(base):
        return base[:-1] + "ied"
    if re.search(r"[^aeiou][aeiou][bdgmnpt]$", base) and len(base) <= 4:
        return base + base[-1] + "ed"
    return base + "ed"


def participle_of(base: str) -> str:
    """"go" -> "gone", "spend" -> "spent", "decide" -> "decided"."""
    if base == "be":
        return "been"
    if base in IRREGULAR_VERBS:
        return past_participle(base)
    return _regular_past(base)


def past_of(base: str) -> str:
    """"go" -> "went", "visit" -> "visited"; "be" is left to the caller (was / were)."""
    if base in IRREGULAR_VERBS:
        return IRREGULAR_VERBS[base][0]
    return _regular_past(base)
