"""Tagged rules for nouns and their determiners: number, "a" / "an", countable / uncountable, "there is / are".

Each rule takes the message's :class:`~tutor.pos_tagging.TaggedTokens` and returns
:class:`~tutor.rule_edits.Edit` objects. They only fire where the words around the noun
decide its number ("several reason", "one of the reason", "an experts"), never on a guess.
"""

from __future__ import annotations

import logging

from tutor.pos_tagging import TaggedTokens, is_known_word, starts_with_vowel_sound
from tutor.rule_edits import Edit, edit
from tutor.word_forms import S_ENDING_SINGULARS, UNCOUNTABLE_NOUNS, plural, singular

logger = logging.getLogger(__name__)

PLURAL_QUANTIFIERS = {
    "many", "several", "few", "these", "those", "both", "various", "numerous", "two", "three", "four",
    "five", "six", "seven", "eight", "nine", "ten", "twelve", "twenty", "hundreds", "thousands",
    "millions", "dozens", "countless", "certain",
}
SINGULAR_DETERMINERS = {"a", "an", "each", "every", "another"}
NOUN_MODIFIER_TAGS = {"JJ", "JJR", "JJS"}
NOUN_TAGS = {"NN", "NNS", "NNP", "NNPS"}
NOT_A_HEAD_AFTER = NOUN_TAGS | {"POS", "CD"}  # "two computer games": "computer" is not the head
POSSESSIVES = {"the", "my", "your", "his", "her", "its", "our", "their", "these", "those"}
ONE_OF_WORDS = {"one", "each", "several", "many", "few", "both", "either", "neither"}
QUANTITY_NOUNS = {"lot", "lots", "few", "couple", "number", "variety", "kind", "sort", "type", "series",
                  "pair", "group", "majority", "bit", "little", "dozen", "hundred", "thousand", "million"}
SINGULAR_TO_PLURAL_VERB = {"is": "are", "was": "were", "has": "have", "doesn't": "don't", "isn't": "aren't",
                           "wasn't": "weren't"}
TIME_SPANS = {"day", "night", "week", "month", "year", "morning", "evening", "afternoon", "summer", "winter",
              "spring", "autumn", "weekend", "season", "semester", "term", "century", "decade", "life", "long"}
# quantifiers that want a plural count noun unless a determiner comes first ("most students", "other
# reasons", "all students" but "the most", "each other", "at all")
OPEN_QUANTIFIERS = {"most", "all"}
DETERMINER_BEFORE_QUANTIFIER = {"the", "a", "an", "each", "any", "no", "every", "some", "one", "this", "that", "my",
                                "your", "his", "her", "its", "our", "their", "at", "on", "among", "above",
                                "after", "before", "for", "in", "of"}
FLOATING_ALL_AFTER = {"are", "were", "is", "was", "be", "been", "-"}
NOT_BEFORE_A_COUNT = {"in", "at", "since", "page", "number", "of", "by", "to", "a", "an", "the"}
NUMBER_OF_OPENERS = {"a", "the", "large", "great", "small", "growing", "huge"}
QUANTITY_WORDS = {"few", "many", "lot", "couple", "great", "little", "several", "dozen", "number", "other",
                  "own", "same", "whole", "entire"}
THERE_PLURAL_STARTERS = {"many", "several", "few", "two", "three", "four", "five", "various", "numerous",
                         "some", "lots", "plenty", "both"}
MASS_OR_COUNT = {"time", "work", "life", "experience", "paper", "space", "room", "business", "hair", "food",
                 "fruit", "fish", "sheep", "deer", "aircraft", "staff", "data", "media", "people", "police"}
BARE_SUBJECT_OPENERS = {"", ".", ",", ";", ":", "but", "because", "so", "if", "when", "that", "while",
                        "although", "since", "where", "most", "all", "many", "some", "other", "such"}
PLURAL_VERB_WORDS = {"are", "were", "have", "don't", "do", "haven't", "aren't", "weren't"}
SECOND_DETERMINERS = {"these", "those", "this", "my", "your", "his", "her", "our", "their", "its", "another"}
COLLECTIVE_COMPLEMENTS = {"family", "team", "couple", "staff", "crew", "pair", "group", "class", "home", "part",
                          "fun", "value", "proof", "evidence", "kind", "sort", "type", "same", "alike"}
# uncountable nouns whose -s plural is never right ("researches" is left alone: it is also a verb)
UNCOUNTABLE_PLURAL_FORMS = {
    "informations": "information", "advices": "advice", "furnitures": "furniture", "luggages": "luggage",
    "baggages": "baggage", "equipments": "equipment", "knowledges": "knowledge", "homeworks": "homework",
    "houseworks": "housework", "evidences": "evidence", "feedbacks": "feedback", "pollutions": "pollution",
    "garbages": "garbage", "rubbishes": "rubbish", "sceneries": "scenery", "machineries": "machinery",
    "softwares": "software", "hardwares": "hardware", "wildlifes": "wildlife", "medias": "media",
    "mankinds": "mankind", "trafics": "traffic", "traffics": "traffic", "vocabularies": "vocabulary",
}
# nouns with an "abstract" ending that are ordinary count nouns ("a big city", "a good solution")
COUNTABLE_ABSTRACT = {
    "city", "university", "community", "activity", "opportunity", "facility", "celebrity", "personality",
    "society", "situation", "question", "solution", "decision", "position", "station", "nation", "suggestion",
    "explanation", "option", "condition", "generation", "organization", "organisation", "institution",
    "invention", "collection", "competition", "connection", "description", "direction", "exception",
    "expression", "impression", "profession", "session", "mission", "argument", "moment", "comment",
    "statement", "document", "instrument", "apartment", "department", "experiment", "tournament",
    "relationship", "championship", "scholarship", "difference", "sentence", "conference", "instance",
    "distance", "chance", "advantage", "disadvantage", "appliance", "residence", "reference", "entrance",
    "lecture", "topic", "kingdom", "museum", "mechanism", "organism",
}
ARTICLE_SUBJECTS = {"he", "she", "it", "this", "that"}
ABSTRACT_ENDINGS = ("ness", "ity", "tion", "sion", "ment", "ance", "ence", "ism", "ship", "dom", "ics")
# uncountable nouns that still take "a" in everyday use: "a coffee", "a good knowledge of", "a fun day"
COUNTABLE_AS_A_SERVING_OR_KIND = {"music", "health", "water", "coffee", "tea", "bread", "rice", "milk", "air", "fun",
                                  "weather", "research", "knowledge", "vocabulary", "grammar", "sand", "stuff",
                                  "money"}


def _abstract(noun: str) -> bool:
    """Nouns usually used without a count: "-ness", "-tion", ... and verb-based "-ing" ("shopping", not "thing")."""
    if noun.endswith(ABSTRACT_ENDINGS):
        return noun not in COUNTABLE_ABSTRACT
    return noun.endswith("ing") and len(noun) > 6 and is_known_word(noun[:-3])


def _noun_after(tagged: TaggedTokens, index: int, max_modifiers: int = 2) -> int | None:
    """Index of the head noun right after ``index`` (past up to two adjectives), else None."""
    at = index + 1
    skipped = 0
    while tagged.tag(at) in NOUN_MODIFIER_TAGS and skipped < max_modifiers:
        if tagged.word(at) in QUANTITY_WORDS:
            return None  # "a few days", "every few years", "a great many people"
        at += 1
        skipped += 1
    if tagged.tag(at) not in {"NN", "NNS"}:
        return None
    if tagged.tag(at + 1) in NOT_A_HEAD_AFTER or tagged.word(at + 1) in {"-", "'s", "'", "old"}:
        return None
    word = tagged.word(at)
    if not word.isalpha() or len(word) < 3:
        return None
    return at


def _superlative_most(tagged: TaggedTokens, index: int) -> Edit | None:
    """"is most beautiful city" -> "is the most beautiful city" ("most" + adjective + one noun ranks)."""
    previous = tagged.word(index - 1)
    if tagged.tag(index - 1) in {"VBZ", "VBD", "VBP", "IN"} and previous not in {"at", "as", "than"} \
            and tagged.tag(index + 2) == "NN":  # "most urban areas" counts; "most beautiful city" ranks
        return edit(index, index, ["the"], "article",
                    f"A superlative takes \"the\": \"the most {tagged.word(index + 1)} ...\".")
    return None


def _counting_word(tagged: TaggedTokens, index: int) -> tuple[str, int] | None:
    """(the counting words, the index of the noun they count) when the word at ``index`` wants a plural noun."""
    word, previous = tagged.word(index), tagged.word(index - 1)
    if word in OPEN_QUANTIFIERS and previous in DETERMINER_BEFORE_QUANTIFIER:
        return None  # "the most", "at all"
    if word == "all" and (previous in FLOATING_ALL_AFTER or tagged.tag(index - 1) == "PRP"):
        return None  # "they are all face ...": a floating "all", not a determiner
    if word in {"both", "either", "neither"} and any(
            tagged.word(at) in {"and", "or", "nor"} for at in range(index + 2, index + 10)):
        return None  # "both serial and parallel": a pair of words, not a count
    number = word.isdigit() and 1 < int(word) < 1000 and previous not in NOT_BEFORE_A_COUNT \
        and tagged.tag(index - 1) not in NOUN_TAGS  # not "page 3", "in 2010", "Python 3 package"
    if word in PLURAL_QUANTIFIERS or word in OPEN_QUANTIFIERS or number:
        if previous in {"a", "an", "every", "the"} and word not in {"these", "those", "few", "many"}:
            return None  # "a two year course", "the two sides"
        noun = _noun_after(tagged, index)
        return (word, noun) if noun is not None else None
    if word == "of" and (previous in {"lots", "plenty"} or previous == "lot" and tagged.word(index - 2) == "a"
                         or previous == "number" and tagged.word(index - 2) in NUMBER_OF_OPENERS):
        noun = _noun_after(tagged, index, max_modifiers=1)
        return (f"{previous} of", noun) if noun is not None else None
    if word == "of" and previous in ONE_OF_WORDS and tagged.word(index + 1) in POSSESSIVES:
        noun = _noun_after(tagged, index + 1, max_modifiers=3)
        return (f"{previous} of {tagged.word(index + 1)}", noun) if noun is not None else None
    return None


def _countable_here(noun: str, trigger: str) -> bool:
    """Whether ``noun`` is one a learner forgot to make plural, and not a mass noun or a time span."""
    if noun in UNCOUNTABLE_NOUNS or noun in QUANTITY_NOUNS or noun in MASS_OR_COUNT or noun.endswith("ing"):
        return False
    if trigger in OPEN_QUANTIFIERS and noun in TIME_SPANS:
        return False  # "all day", "most summer"
    if trigger.endswith(" of") and (noun.endswith(ABSTRACT_ENDINGS) or noun in TIME_SPANS or _abstract(noun)):
        return False  # "a lot of opportunity": abstract nouns after "a lot of" are often uncounted
    return True


def rule_plural_after_quantifier(tagged: TaggedTokens) -> list[Edit]:
    """several reason -> several reasons; two year -> two years; one of the reason -> one of the reasons."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words):
        if word == "most" and tagged.tag(index + 1) in {"JJ", "RB"}:
            superlative = _superlative_most(tagged, index)
            if superlative is not None:
                edits.append(superlative)
            continue  # "most beautiful city": "most" makes a superlative here, it does not count
        found = _counting_word(tagged, index)
        if found is None:
            continue
        trigger, noun = found
        singular_noun = tagged.word(noun)
        if tagged.tag(noun) != "NN" or not _countable_here(singular_noun, trigger):
            continue
        if tagged.word(noun + 1) == "of" and trigger in PLURAL_QUANTIFIERS:
            continue  # "two kind of": left alone
        form = plural(singular_noun)
        if form is None:
            continue
        verb = tagged.word(noun + 1)
        if verb in SINGULAR_TO_PLURAL_VERB and " of " not in trigger:
            # "most student is" -> "most students are" (but "one of the problem is" -> "problems is")
            plural_verb = SINGULAR_TO_PLURAL_VERB[verb]
            edits.append(edit(noun, noun + 2, [form, plural_verb], "noun_number",
                              f"After \"{trigger}\", the noun is plural, and so is its verb: "
                              f"\"{form} {plural_verb}\"."))
            continue
        edits.append(edit(noun, noun + 1, [form], "noun_number",
                          f"After \"{trigger}\", the noun is plural: \"{form}\"."))
    return edits


def rule_singular_after_determiner(tagged: TaggedTokens) -> list[Edit]:
    """an experts -> an expert; every students -> every student; this problems -> these problems."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words):
        if word not in SINGULAR_DETERMINERS and word not in {"this", "that"}:
            continue
        if word in {"this", "that"} and tagged.tag(index) != "DT":
            continue
        if word == "that":
            continue  # "that" is too often a conjunction in learner sentences
        noun = _noun_after(tagged, index)
        if noun is None and word in SINGULAR_DETERMINERS and tagged.tag(index + 1) == "VBZ" \
                and tagged.tag(index + 2) not in NOUN_TAGS:
            noun = index + 1  # "a"/"every" is never followed by a verb: "an apples" is a noun
        elif noun is None or tagged.tag(noun) != "NNS":
            continue
        noun_word = tagged.word(noun)
        if noun_word == "people" and word in {"a", "an", "every", "each", "another"}:
            edits.append(edit(noun, noun + 1, ["person"], "noun_number",
                              f"After \"{word}\", the noun is singular: \"person\" (\"people\" is plural)."))
            continue
        if noun_word in S_ENDING_SINGULARS or noun_word in {"people", "police", "others", "besides", "days"}:
            continue
        if word == "this":
            if noun != index + 1:
                continue
            edits.append(edit(index, index + 1, ["these"], "noun_number",
                              f"\"{noun_word.capitalize()}\" is plural, so use \"these\", not \"this\"."))
            continue
        form = singular(noun_word)
        if form is None:
            continue
        if word == "a" and noun == index + 1 and starts_with_vowel_sound(form):
            continue  # let the a/an rule and this one not fight
        edits.append(edit(noun, noun + 1, [form], "noun_number",
                          f"After \"{word}\", the noun is singular: \"{form}\"."))
    return edits


def rule_a_an(tagged: TaggedTokens) -> list[Edit]:
    """a important -> an important; an university -> a university (by the first sound)."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words[:-1]):
        if word not in {"a", "an"}:
            continue
        nxt = tagged.word(index + 1)
        if not nxt.isalpha() or len(nxt) < 2 or tagged.tag(index + 1) == "NNP" and nxt.isupper():
            continue
        vowel = starts_with_vowel_sound(nxt)
        if vowel is None:
            continue
        wanted = "an" if vowel else "a"
        if wanted != word:
            sound = "a vowel" if vowel else "a consonant"
            edits.append(edit(index, index + 1, [wanted], "a_an",
                              f"Use \"{wanted}\" before {sound} sound: \"{wanted} {nxt}\"."))
    return edits


def rule_uncountable(tagged: TaggedTokens) -> list[Edit]:
    """an advice -> advice; a good information -> good information; many money -> much money."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words):
        if tagged.tag(index) == "NNS" and word in UNCOUNTABLE_PLURAL_FORMS:
            fixed = UNCOUNTABLE_PLURAL_FORMS[word]
            start = index - 1 if tagged.word(index - 1) in {"a", "an", "many"} else index
            replacement = {"a": [fixed], "an": [fixed], "many": ["much", fixed]}.get(tagged.word(start), [fixed])
            edits.append(edit(start, index + 1, replacement, "uncountable",
                              f"\"{fixed.capitalize()}\" is uncountable, so it has no plural -s."))
            continue
        if word in {"a", "an"}:
            noun = _noun_after(tagged, index)
            if noun is None or tagged.word(noun) not in UNCOUNTABLE_NOUNS - COUNTABLE_AS_A_SERVING_OR_KIND:
                continue
            if tagged.word(noun + 1) in {"of"}:
                continue
            noun_word = tagged.word(noun)
            edits.append(edit(index, index + 1, [], "uncountable",
                              f"\"{noun_word.capitalize()}\" is uncountable, so it takes no \"a\" or \"an\"."))
        elif word == "many" and tagged.tag(index + 1) == "NN" and tagged.word(index + 1) in UNCOUNTABLE_NOUNS:
            if tagged.word(index - 1) in {"how", "so", "too", "as"} or tagged.tag(index + 2) in NOUN_TAGS:
                continue
            noun_word = tagged.word(index + 1)
            edits.append(edit(index, index + 1, ["much"], "uncountable",
                              f"\"{noun_word.capitalize()}\" is uncountable: use \"much\", not \"many\"."))
        elif word == "much" and tagged.tag(index + 1) == "NNS" and tagged.word(index + 1) not in S_ENDING_SINGULARS:
            if tagged.tag(index + 2) in NOUN_TAGS:
                continue
            edits.append(edit(index, index + 1, ["many"], "much_many",
                              f"Use \"many\" with plural nouns like \"{tagged.word(index + 1)}\"."))
    return edits


def rule_there_is_are(tagged: TaggedTokens) -> list[Edit]:
    """there is many people -> there are many people; there are a problem -> there is a problem."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words[:-1]):
        if word != "there" or not (tagged.tag(index) == "EX" or tagged.word(index - 1) in {"", ",", ".", "and", "but"}):
            continue
        verb = index + 1
        verb_word = tagged.word(verb)
        nxt, after = tagged.word(verb + 1), tagged.word(verb + 2)
        if verb_word in {"is", "was"}:
            plural_next = nxt in THERE_PLURAL_STARTERS - {"some", "lots", "plenty"} or (
                tagged.tag(verb + 1) == "NNS" and nxt not in S_ENDING_SINGULARS and nxt != "others")
            if nxt == "a" or not plural_next:
                continue
            if tagged.tag(verb + 1) == "NNS" and tagged.tag(verb + 2) in NOUN_TAGS:
                continue
            fixed = "are" if verb_word == "is" else "were"
            edits.append(edit(verb, verb + 1, [fixed], "there_is_are",
                              f"\"There {fixed}\" goes with plural nouns."))
        elif verb_word in {"are", "were"} and nxt in {"some", "many", "several", "no"} \
                and tagged.tag(verb + 2) == "NN" and tagged.tag(verb + 3) not in {"NN", "NNS"}:
            noun_word = tagged.word(verb + 2)
            if noun_word in UNCOUNTABLE_NOUNS or noun_word in MASS_OR_COUNT or _abstract(noun_word):
                continue
            form = plural(noun_word)
            if form is None:
                continue
            edits.append(edit(verb + 2, verb + 3, [form], "noun_number",
                              f"\"There {verb_word} {nxt}\" goes with a plural noun: \"{form}\"."))
        elif verb_word in {"are", "were"}:
            if nxt in {"a", "an", "one"} and after not in QUANTITY_NOUNS and after not in {"great", "good"}:
                fixed = "is" if verb_word == "are" else "was"
                edits.append(edit(verb, verb + 1, [fixed], "there_is_are",
                                  f"\"There {fixed}\" goes with one thing: \"there {fixed} {nxt} ...\"."))
    return edits


def _superlative_without_the(tagged: TaggedTokens, index: int) -> bool:
    """"is best way", "in biggest city": a superlative before a noun with no determiner."""
    word = tagged.word(index)
    if tagged.tag(index) != "JJS" or not (word.endswith("est") or word in {"best", "worst"}) or index == 0:
        return False
    if tagged.tag(index + 1) not in {"NN", "NNS"} or tagged.tag(index + 2) in {"NN", "NNS"}:
        return False
    previous = tagged.word(index - 1)
    return tagged.tag(index - 1) in {"VBZ", "VBD", "VBP", "IN"} and previous not in {"at", "than", "as"} \
        and word not in {"least", "latest", "honest", "interest", "modest", "forest", "guest", "chest", "rest"}


def rule_missing_article(tagged: TaggedTokens) -> list[Edit]:
    """he is good student -> he is a good student; one of most famous -> one of the most famous."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words):
        if word == "of" and tagged.word(index - 1) == "one" and tagged.word(index + 1) == "most":
            edits.append(edit(index + 1, index + 1, ["the"], "article",
                              "A superlative takes \"the\": \"one of the most ...\"."))
            continue
        if _superlative_without_the(tagged, index):
            edits.append(edit(index, index, ["the"], "article",
                              f"A superlative takes \"the\": \"the {word} {tagged.word(index + 1)}\"."))
            continue
        after_modal = word == "be" and tagged.tag(index - 1) == "MD"
        if not (word in {"is", "was"} and tagged.word(index - 1) in ARTICLE_SUBJECTS or after_modal):
            continue
        adjective, noun = index + 1, index + 2
        if tagged.tag(adjective) != "JJ" or tagged.tag(noun) != "NN":
            continue
        if tagged.tag(noun + 1) not in {".", "IN", "CC", "TO", "WDT", ""} and tagged.word(noun + 1) != "that":
            continue
        noun_word = tagged.word(noun)
        if (noun_word in UNCOUNTABLE_NOUNS or noun_word in MASS_OR_COUNT or not noun_word.isalpha()
                or _abstract(noun_word) or plural(noun_word) is None
                or tagged.word(adjective) in QUANTITY_WORDS | {"such", "enough", "last", "next", "most"}):
            continue
        vowel = starts_with_vowel_sound(tagged.word(adjective))
        if vowel is None:
            continue
        article = "an" if vowel else "a"
        edits.append(edit(adjective, adjective, [article], "article",
                          f"One person or thing you can count takes \"{article}\": \"{article} "
                          f"{tagged.word(adjective)} {noun_word}\"."))
    return edits


def rule_bare_plural_subject(tagged: TaggedTokens) -> list[Edit]:
    """scientist agree that -> scientists agree that (a bare noun with a plural verb: the noun lost its -s)."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words):
        if tagged.tag(index) != "NN" or not word.isalpha() or len(word) < 3:
            continue
        before = index - 1
        if tagged.tag(before) == "JJ":
            before -= 1
        if tagged.word(before) not in BARE_SUBJECT_OPENERS:
            continue
        if before == index - 1 == 0:
            continue  # "Professor need ...": at the very start it may as well be "The professor needs"
        verb = tagged.word(index + 1)
        if not (verb in PLURAL_VERB_WORDS or tagged.tag(index + 1) == "VBP" and verb.isalpha()
                and not verb.endswith("s") and verb not in {"am", "be"}):
            continue
        if (word in UNCOUNTABLE_NOUNS or word in MASS_OR_COUNT or word in QUANTITY_NOUNS
                or _abstract(word) or starts_with_capital_in_text(tagged, index)):
            continue
        form = plural(word)
        if form is None:
            continue
        edits.append(edit(index, index + 1, [form], "noun_number",
                          f"The verb \"{verb}\" is plural, so the noun is too: \"{form} {verb}\"."))
    return edits


def starts_with_capital_in_text(tagged: TaggedTokens, index: int) -> bool:
    """Whether the tagger saw this word as a name (the tags come from the original case)."""
    return tagged.tag(index) in {"NNP", "NNPS"}


def rule_double_determiner(tagged: TaggedTokens) -> list[Edit]:
    """for the these reasons -> for these reasons; the my house -> my house; others animals -> other animals."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words[:-1]):
        nxt = tagged.word(index + 1)
        if word == "others" and tagged.tag(index + 1) == "NNS":
            edits.append(edit(index, index + 1, ["other"], "article",
                              f"Before a noun, \"other\" has no -s: \"other {nxt}\"."))
            continue
        if word in {"the", "a", "an"} and nxt in SECOND_DETERMINERS:
            edits.append(edit(index, index + 1, [], "article",
                              f"\"{nxt.capitalize()}\" already does the job of \"{word}\": drop \"{word}\"."))
    return edits


def rule_plural_complement(tagged: TaggedTokens) -> list[Edit]:
    """they are good student -> they are good students (a plural subject, one countable noun after "are")."""
    edits: list[Edit] = []
    for index, word in enumerate(tagged.words):
        if word not in {"are", "were"} or tagged.word(index - 1) not in {"they", "we"}:
            continue
        at = index + 1
        while tagged.tag(at) == "JJ" and at < index + 3:
            at += 1
        if at == index + 1 or tagged.tag(at) != "NN" or tagged.tag(at + 1) not in {".", "CC", ""}:
            continue  # an adjective first ("good friend"), so "are friend" as an adjective is not read
        noun_word = tagged.word(at)
        if (noun_word in UNCOUNTABLE_NOUNS or noun_word in MASS_OR_COUNT or noun_word in QUANTITY_NOUNS
                or _abstract(noun_word) or noun_word in COLLECTIVE_COMPLEMENTS):
            continue
        form = plural(noun_word)
        if form is None:
            continue
        edits.append(edit(at, at + 1, [form], "noun_number",
                          f"\"{tagged.word(index - 1).capitalize()} {word}\" is plural, so the noun is too: "
                          f"\"{form}\"."))
    return edits


NOUN_RULES = (
    rule_plural_after_quantifier,
    rule_singular_after_determiner,
    rule_uncountable,
    rule_a_an,
    rule_there_is_are,
    rule_missing_article,
    rule_bare_plural_subject,
    rule_double_determiner,
    rule_plural_complement,
)
