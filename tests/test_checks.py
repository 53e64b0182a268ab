"""Rule checks one by one: French examples of their own, and correct French left alone."""

from __future__ import annotations

import dataclasses

import pytest

from mtreview.checks import CHECKS, DocumentContext, enabled_checks
from mtreview.documents import Segment
from mtreview.errors import SettingsError
from mtreview.flags import Flag
from mtreview.settings import Settings

# Correct French (typographic spaces, quotes, names, acronyms, loanwords, numbers, times).
CLEAN_FRENCH = [
    "Le président a déclaré : « Nous nous réjouissons de cette décision ; elle arrive à point. »",
    "Les organisations kazakhstanaises ont-elles été consultées avant le vote ?",
    "La réunion, prévue à 10:30 au siège de l'ONU à Genève, a duré deux heures !",
    "Selon l'Union européenne, les réformes doivent se poursuivre sans délai.",
    "Le kayak a parcouru un kilomètre de plus que prévu, selon le rapport de l'OCDE.",
    "Marie Dupont, directrice du Bureau international, a rencontré Ivan Petrov à Almaty.",
    "Le taux est passé de 1,5 % à 2,3 % en un an, d'après les autorités européennes.",
    "Les Kazakhstanais voteront dimanche ; les observateurs de l'OSCE seront présents.",
]


def segments(texts: list[str], doc: str = "doc") -> list[Segment]:
    result, offset = [], 0
    for index, text in enumerate(texts):
        result.append(Segment(doc, index, index, offset, offset + len(text), text))
        offset += len(text) + 2
    return result


def run(name: str, texts: list[str], settings: Settings | None = None) -> list[list[Flag]]:
    """Check `texts` as one streamed document with the named check alone."""
    check = CHECKS[name](settings or Settings())
    context = DocumentContext("doc")
    found = []
    for segment in segments(texts):
        context.observe(segment)
        found.append(check.check(segment, context))
    return found


def marked(texts: list[str], found: list[list[Flag]]) -> list[tuple[int, str]]:
    return [(row, texts[row][f.start : f.end]) for row, flags in enumerate(found) for f in flags]


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_correct_french_raises_no_flag(name: str) -> None:
    assert marked(CLEAN_FRENCH, run(name, CLEAN_FRENCH)) == []


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_every_check_declares_what_the_registry_needs(name: str) -> None:
    cls = CHECKS[name]
    assert cls.name == name and cls.description
    assert cls.severity in {"minor", "major", "critical"}
    assert "/" in cls.category or cls.category in {"Other", "Locale convention"}


def test_repeated_words_and_phrases() -> None:
    texts = [
        "Le gouvernement a a annoncé des mesures.",
        "Les droits de l'homme de l'homme sont menacés.",
        "Les entreprises publiques entreprises publiques ont protesté.",
        "Nous nous sommes vus, oui, oui, hier.",  # French allows both
        "Le gestionnaire de fichiers Fichiers les affiche.",  # a noun, then the name
    ]
    found = run("repeated_words", texts)
    assert marked(texts, found) == [(0, "a"), (1, "de l'homme"), (2, "entreprises publiques")]
    flag = found[0][0]
    assert flag.origins == ("rule:repeated_words",) and "twice" in flag.message


def test_spacing_before_and_after_punctuation() -> None:
    texts = [
        "Il est parti hier , sans prévenir.",
        "Elle a signé,puis elle est partie .",
        "Le  rapport est ( enfin ) publié.",
    ]
    found = run("spacing", texts)
    assert marked(texts, found) == [(0, " ,"), (1, ","), (1, " ."), (2, "  "), (2, "( "), (2, " )")]
    assert found[0][0].suggestion == ","
    assert found[0][0].category == "Fluency/Punctuation"


def test_french_spacing_around_high_punctuation_and_guillemets() -> None:
    texts = [
        "Pourquoi partir? Il a dit: non!",
        "Il a crié «assez» devant la foule; puis il est parti.",
        "Vraiment ?! Voir http://example.org et la séance de 10:30.",
    ]
    assert marked(texts, run("french_spacing", texts)) == [
        (0, "?"),
        (0, ":"),
        (0, "!"),
        (1, "«"),
        (1, "»"),
        (1, ";"),
    ]
    # a colon inside code is not punctuation: identifiers, an abbreviation
    code = ["Le périphérique [10ec:8168] donne CB:LFdm."]
    assert marked(code, run("french_spacing", code)) == []


def test_a_full_stop_the_source_names_is_a_character() -> None:
    text = "Les fichiers cachés ont un . au début de leur nom."
    check, context = CHECKS["spacing"](Settings()), DocumentContext("doc")
    (segment,) = segments([text])
    named = dataclasses.replace(segment, source="Hidden files have a . at the start.")
    assert check.check(named, context) == []
    assert marked([text], run("spacing", [text])) == [(0, " .")]


def test_non_french_words_and_the_whitelist() -> None:
    texts = [
        "La délégation ouzbèke a visité l'Ouzbékistan.",
        "Les autorités uzbekistani ont répondu.",  # foreign ending on a known name
        "Le rapport of the commission est paru.",  # English left in place
        "Les zhurnalisty ont été convoqués.",  # transliterated, untranslated
    ]
    found = run("non_french", [*texts[:1], "Le président de l'Uzbekistan est venu.", *texts[1:]])
    words = [word for _row, word in marked(["", "", *texts[1:]], found) if word]
    assert words == ["uzbekistani", "of", "the", "zhurnalisty"]
    allowed = Settings(allowed_words=("zhurnalisty", "of", "the"))
    assert [f for f in run("non_french", texts[3:], allowed)[0]] == []


def test_names_are_not_taken_for_foreign_words() -> None:
    texts = ["Yevgeny Zhovtis a rencontré Alexei Navalny et Sergey Kozlov."]
    assert run("non_french", texts) == [[]]


def test_scraping_leftovers() -> None:
    texts = [
        "Anonyme",
        "Par Jean Dupont",
        "Partager : Facebook Twitter LinkedIn",
        "Le ministre a démissionné hier soir. Lire la suite…",
        "Pour lire la suite de l'enquête, il faut attendre lundi.",  # prose, not a link
        "Tous droits réservés",
    ]
    found = run("scraping_leftovers", texts)
    assert marked(texts, found) == [
        (0, "Anonyme"),
        (1, "Par Jean Dupont"),
        (2, "Partager : Facebook Twitter LinkedIn"),
        (3, "Lire la suite…"),
        (5, "Tous droits réservés"),
    ]
    assert all(f.suggestion == "" for row in found for f in row)


def test_enabled_checks_follow_the_settings() -> None:
    every = {check.name for check in enabled_checks(Settings())}
    assert every == {name for name, cls in CHECKS.items() if cls.default_on}
    only = enabled_checks(Settings(checks=("spacing", "quotes")))
    assert [check.name for check in only] == ["spacing", "quotes"]
    less = enabled_checks(Settings(disabled_checks=("non_french",)))
    assert "non_french" not in {check.name for check in less}
    assert {c.name for c in enabled_checks(Settings(checks=("all",)))} == set(CHECKS)


def test_unknown_check_name_is_a_settings_error() -> None:
    with pytest.raises(SettingsError, match="unknown check spelling_bee"):
        enabled_checks(Settings(disabled_checks=("spelling_bee",)))
